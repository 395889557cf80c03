"""What labels answers to the signals of an earlier step (settings): a value printed on
every label must fit every label format at a readable size."""

from flask_babel import gettext as _

from uitleen.labels import render, service
from uitleen.settings import signals as settings

#: Settings printed on labels, by the label element that shows them.
PRINTED = {"org_phone": "phone"}


def refuse_what_does_not_fit(key: str, value=None) -> str | None:
    """A message naming the format with the least room, and what would fit on it."""
    element = PRINTED.get(key)
    if element is None or not isinstance(value, str):
        return None
    too_small = [
        (render.longest_fitting(fmt, element, value), fmt)
        for fmt in service.format_choices()
        if element in fmt.layout.elements and not render.fits(fmt, element, value)
    ]
    if not too_small:
        return None
    longest, fmt = min(too_small, key=lambda pair: len(pair[0]))
    return _(
        "Dit past niet op %(format)s-etiketten: de letters zouden kleiner worden dan "
        "6 punt, en dat is niet te lezen. Wat wel past: “%(longest)s”. Kort het af, "
        "bijvoorbeeld zonder landnummer of toestelnummer.",
        format=fmt.name,
        longest=longest,
    )


def connect() -> None:
    """Subscribe to the settings signals (create_app calls this once per app; idempotent)."""
    settings.checking.connect(refuse_what_does_not_fit)
