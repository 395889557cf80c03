"""Asset tags (UIT-00042): the one place that says how a tag is written and read.

Two rules, on purpose:

- What a person types is read loosely: "UIT-00042", "uit 42", "uit-42", "42" and "00042"
  all mean tag 42, because staff type what they read off a sticker, in a hurry.
- What a file names (a bulk-import column, a wipe log or its file name) counts only in the
  printed form, "UIT-" and the number as format_tag writes it (case does not matter). A
  file is not typed by a person at a counter, and in free text a loose rule would take any
  number for a tag; "UIT-000421" is not tag 421 (nor 42).
"""

import re

PREFIX = "UIT-"
MAX_NUMBER = 999_999_999

_TYPED_RE = re.compile(r"^\s*(?:UIT)?\s*-?\s*0*(\d{1,9})\s*$", re.IGNORECASE)
# The printed form: five digits with leading zeros, or more digits without them.
_PRINTED = r"UIT-(\d{5}|[1-9]\d{5,8})"
_PRINTED_RE = re.compile(rf"^{_PRINTED}$", re.IGNORECASE)
_IN_TEXT_RE = re.compile(rf"(?<![A-Za-z0-9]){_PRINTED}(?!\d)", re.IGNORECASE)


def format_tag(number: int) -> str:
    """The printed form of tag `number`: UIT-00042."""
    return f"{PREFIX}{number:05d}"


def _number(digits: str) -> int | None:
    number = int(digits)
    return number if 0 < number <= MAX_NUMBER else None


def parse_tag(text: str | None) -> int | None:
    """The tag number a person typed ("uit 42", "UIT-00042", "42"), or None."""
    match = _TYPED_RE.match(text or "")
    return _number(match.group(1)) if match else None


def parse_printed_tag(text: str | None) -> int | None:
    """The tag number of a tag named in a file, in its printed form only, or None."""
    match = _PRINTED_RE.match((text or "").strip())
    return _number(match.group(1)) if match else None


def find_tags(*texts: str) -> tuple[str, ...]:
    """Distinct printed tags in free text (a log, a file name), in order of appearance."""
    found: dict[str, None] = {}
    for text in texts:
        for match in _IN_TEXT_RE.finditer(text or ""):
            number = _number(match.group(1))
            if number is not None:
                found.setdefault(format_tag(number), None)
    return tuple(found)
