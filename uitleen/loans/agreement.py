"""The loan agreement a household takes home: one A4 page in its own language, plain words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

from flask_babel import force_locale, format_currency, format_date
from flask_babel import gettext as _
from reportlab.lib.colors import Color
from reportlab.lib.units import mm

from uitleen.pdf import MONO, SANS, SANS_BOLD, Page, render_page, text_width

# Body sizes tried in turn until the page fits; long translations get the smaller ones.
BODY_SIZES = (10.5, 10.0, 9.5, 9.0)
GREY = Color(0.35, 0.35, 0.35)
BLACK = Color(0, 0, 0)


@dataclass(frozen=True)
class AgreementData:
    """What the agreement states; the household appears by its code, by name only if given."""

    organisation: str
    phone: str
    address: str
    asset_tag: str
    device: str
    household_code: str
    kind: Literal["loan", "gift"]
    issued_on: date
    due_on: date | None
    worker: str
    whatsapp: str | None = None
    contact_name: str | None = None
    deposit_cents: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("loan", "gift"):
            raise ValueError(f"kind must be 'loan' or 'gift', not {self.kind!r}")
        if self.kind == "loan" and self.due_on is None:
            raise ValueError("a loan needs a due date (due_on)")
        if self.kind == "gift" and (self.due_on is not None or self.deposit_cents):
            raise ValueError("a gift has no due date and no deposit")
        if self.deposit_cents is not None and self.deposit_cents < 0:
            raise ValueError("deposit_cents cannot be negative")


def render_agreement(data: AgreementData, lang: str) -> bytes:
    """Render the agreement as a one-page A4 PDF in lang (needs a Flask-Babel app context)."""
    with force_locale(lang):
        title = _title(data)
        return render_page(
            lambda page, size: _draw(page, size, data, title), BODY_SIZES, lang=lang, title=title
        )


def _title(data: AgreementData) -> str:
    if data.kind == "gift":
        return _("Afspraken: u krijgt een apparaat")
    return _("Afspraken: u leent een apparaat")


def _draw(page: Page, size: float, data: AgreementData, title: str) -> None:
    heading = size * 1.25
    _header(page, size, data)
    page.heading(title, size * 1.7)
    page.space(size * 0.3)
    page.rows(_details(data), size)
    page.rule()

    page.heading(_("Wat krijgt u?"), heading)
    for text in _what_you_get(data):
        page.paragraph(text, size)

    page.heading(_("Werkt het apparaat niet? Of is het kapot?"), heading)
    page.paragraph(
        _("Dat kan gebeuren, en dat is niet erg. Bel ons of kom langs. Wij helpen u graag.")
        + " "
        + _("Dat kost niets."),
        size,
    )
    if data.kind == "loan":
        page.paragraph(
            _(
                "Bent u het apparaat kwijt? Vertel het ons gewoon. "
                "Dan zoeken we samen een oplossing."
            ),
            size,
        )
    page.rows(_contacts(data), size)
    page.paragraph(
        _("Als u belt, noem dan het nummer van uw apparaat: %(tag)s.", tag=data.asset_tag), size
    )
    page.paragraph(
        _(
            "Op het apparaat zit een sticker met een QR-code. Scan die met uw telefoon. "
            "Dan ziet u hulp in uw eigen taal."
        ),
        size,
    )

    save_files = _("Zet uw foto's en bestanden eerst ergens anders, bijvoorbeeld op een USB-stick.")
    if data.kind == "loan":
        page.heading(_("Terugbrengen"), heading)
        items = [
            _("Breng het apparaat terug vóór %(date)s.", date=format_date(data.due_on, "long"))
            + " "
            + _("Neem de oplader ook mee."),
            _("Wilt u het apparaat langer houden? Bel ons dan op tijd."),
            _("Als u het apparaat terugbrengt, wissen wij alles wat erop staat.")
            + " "
            + save_files,
        ]
    else:
        page.heading(_("Het apparaat is van u"), heading)
        items = [
            _(
                "Hebt u het apparaat later niet meer nodig? Breng het dan naar ons. Wij wissen "
                "alles wat erop staat en geven het aan iemand anders."
            )
            + " "
            + save_files
        ]
    page.bullets(items, size)

    page.heading(_("Uw gegevens"), heading)
    page.paragraph(
        _(
            "Wij bewaren zo weinig mogelijk gegevens over u. Wij gebruiken ze alleen om u te "
            "helpen. Na een vaste tijd wissen wij ze. U mag altijd vragen welke gegevens wij "
            "over u hebben."
        ),
        size,
    )

    page.space(size * 0.6)
    page.paragraph(_("Wij hebben deze afspraken samen besproken."), size, SANS_BOLD)
    _signatures(page, size, data)
    page.space(size * 0.6)
    page.paragraph(_("Bewaar dit papier goed."), size, SANS_BOLD)


def _header(page: Page, size: float, data: AgreementData) -> None:
    """Organisation at the reading side, the asset tag in a box on the other side."""
    box_width, gap, pad = 58 * mm, 6 * mm, 3 * mm
    top = page.y
    box_left = page.left if page.rtl else page.right - box_width
    box = Page(page.canvas, page.rtl, box_left + pad, box_left + box_width - pad, top - pad)
    box.paragraph(_("Nummer van uw apparaat"), size * 0.9, after=0.1, align="center")
    tag_size = min(22.0, box.width / text_width(data.asset_tag, MONO, 1))
    box.paragraph(data.asset_tag, tag_size, MONO, leading=1.2, after=0.0, align="center")
    box_bottom = box.y - pad - tag_size * 0.2
    page.canvas.setLineWidth(1.5)
    page.canvas.roundRect(box_left, box_bottom, box_width, top - box_bottom, 2 * mm)

    with page.inset(end=box_width + gap):
        page.paragraph(data.organisation, size * 1.4, SANS_BOLD, after=0.1)
        page.paragraph(data.address, size, after=0.0)
    page.y = min(page.y, box_bottom)


def _details(data: AgreementData) -> list[tuple[str, str]]:
    rows = [(_("Apparaat"), data.device), (_("Huishouden"), data.household_code)]
    if data.contact_name:
        rows.append((_("Naam"), data.contact_name))
    rows.append((_("Meegegeven op"), format_date(data.issued_on, "long")))
    if data.due_on is not None:
        rows.append((_("Terugbrengen vóór"), format_date(data.due_on, "long")))
    if data.deposit_cents:
        rows.append((_("Borg"), _euro(data.deposit_cents)))
    rows.append((_("Medewerker"), data.worker))
    return rows


def _what_you_get(data: AgreementData) -> list[str]:
    if data.kind == "gift":
        return [
            _(
                "U krijgt dit apparaat van %(organisation)s, met een oplader. Het apparaat is nu "
                "van u. U hoeft het niet terug te brengen.",
                organisation=data.organisation,
            )
        ]
    texts = [
        _(
            "U leent dit apparaat van %(organisation)s. U krijgt er een oplader bij.",
            organisation=data.organisation,
        ),
        _("U mag het apparaat thuis gebruiken, samen met uw gezin."),
    ]
    if data.deposit_cents:
        texts.append(
            _(
                "U betaalt %(amount)s borg. U krijgt de borg terug als u het apparaat terugbrengt.",
                amount=_euro(data.deposit_cents),
            )
        )
    return texts


def _contacts(data: AgreementData) -> list[tuple[str, str]]:
    rows = [(_("Bellen"), data.phone)]
    if data.whatsapp:
        rows.append((_("WhatsApp"), data.whatsapp))
    rows.append((_("Langskomen"), data.address))
    return rows


def _euro(cents: int) -> str:
    return format_currency(Decimal(cents) / 100, "EUR")


def _signatures(page: Page, size: float, data: AgreementData) -> None:
    """Two columns, household first at the reading side, each with signature and date lines."""
    gap = 10 * mm
    column = (page.width - gap) / 2
    columns = [{"start": 0.0, "end": column + gap}, {"start": column + gap, "end": 0.0}]
    people = [(_("Huishouden"), data.household_code), (_("Medewerker"), data.worker)]
    top, bottoms = page.y, []
    for (label, name), inset in zip(people, columns, strict=True):
        page.y = top
        with page.inset(**inset):
            page.paragraph(f"{label}: {name}", size, SANS_BOLD, after=0.0)
        bottoms.append(page.y)
    # Lines start below the taller name, so both columns stay level.
    page.y = min(bottoms)
    page.canvas.setLineWidth(0.75)
    for caption in (_("Handtekening"), _("Datum")):
        page.take(size * 2.6)
        for inset in columns:
            with page.inset(**inset):
                page.canvas.line(page.left, page.y, page.right, page.y)
        page.take(size * 1.1)
        page.canvas.setFillColor(GREY)
        for inset in columns:
            with page.inset(**inset):
                page.draw_line(caption, SANS, size * 0.85)
        page.canvas.setFillColor(BLACK)
