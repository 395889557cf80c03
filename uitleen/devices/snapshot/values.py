"""Small readers every part of a snapshot shares: refusals that name the part, text that
people can read and store, numbers that fit a column, nested JSON within bounds."""

from __future__ import annotations

import json

from flask_babel import gettext as _

from uitleen.inputs import json_depth

# Nothing in a snapshot nests deeper than smartctl's tables; this is far above them.
MAX_DEPTH = 64


class SnapshotError(Exception):
    """A snapshot that cannot be used: a short code, a message, and the parts at fault."""

    def __init__(self, code: str, message: str, missing: list[str]):
        super().__init__(message)
        self.code = code
        self.message = message
        self.missing = missing


def refuse(code: str, message: str, *missing: str) -> SnapshotError:
    return SnapshotError(code, message, list(missing))


def json_section(content: str | bytes, part: str):
    """A section that is itself JSON text (workbench-script sends smartctl and inxi so)."""
    try:
        value = json.loads(content)
    except (ValueError, RecursionError):  # also UnicodeDecodeError
        value = refuse
    if value is refuse or json_depth(value) > MAX_DEPTH:
        raise refuse(
            "garbled_section",
            _("%(part)s is geen leesbare JSON.", part=part),
            part,
        )
    return value


def text(value, part: str, limit: int = 120) -> str:
    """A short identifier as people can read and store it; a garbled one is refused."""
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise refuse("garbled_section", _("%(part)s is geen tekst.", part=part), part)
    found = str(value)
    if any(ord(c) < 32 or ord(c) == 127 or "\ud800" <= c <= "\udfff" for c in found):
        raise refuse(
            "garbled_section",
            _(
                "%(part)s bevat tekens die geen tekst zijn (het apparaat gaf onleesbare "
                "gegevens). Maak de opname opnieuw.",
                part=part,
            ),
            part,
        )
    return " ".join(found.split())[:limit]


def number(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if 0 <= value < 2**62 else None
