"""The public help page's language choice and contact links.

Its texts (shipped defaults and a coordinator's own) are settings: uitleen.settings.helptexts.
"""

import re
from collections.abc import Callable

from uitleen.helpdesk.pictograms import pictogram
from uitleen.i18n import SUPPORTED_LANGUAGES, isolate_numbers

DEFAULT_LANGUAGE = "nl"


_LANGUAGE_RANGE = re.compile(r"^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$|^\*$")


def _parse_accept_language(header: str) -> list[tuple[str, float]]:
    """(primary language, q) pairs in header order; malformed entries are skipped."""
    entries = []
    for part in header.split(","):
        tag, *params = (p.strip() for p in part.split(";"))
        if not _LANGUAGE_RANGE.match(tag):
            continue
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = -1.0
        if 0 < q <= 1:
            entries.append((tag.split("-")[0].lower(), q))
    return entries


def browser_language(accept_language_header: str | None) -> str | None:
    """The supported language the browser prefers most (by q-value, then order).

    None when the browser names languages and none of them is ours (a phone set to
    French): then the household chooses, rather than getting Dutch it may not read. No
    header at all, or "*", means no preference: Dutch.
    """
    entries = _parse_accept_language(accept_language_header or "")
    # sorted() is stable: equal q-values keep the order the browser sent them in.
    for code, _q in sorted(entries, key=lambda entry: -entry[1]):
        if code in SUPPORTED_LANGUAGES:
            return code
        if code == "*":
            return DEFAULT_LANGUAGE
    return None if entries else DEFAULT_LANGUAGE


def best_language(accept_language_header: str | None) -> str:
    """The supported language the browser prefers most, else Dutch."""
    return browser_language(accept_language_header) or DEFAULT_LANGUAGE


def language_choices() -> list[tuple[str, str]]:
    """(code, name in its own script) for the language switcher."""
    return [(lang.code, lang.name) for lang in SUPPORTED_LANGUAGES.values()]


def _without_trunk_zero(phone: str) -> str:
    """'+31 (0)20 …' is written for people; the (0) must not be dialled after +31."""
    return phone.replace("(0)", "")


def tel_uri(phone: str) -> str:
    """A tel: link for a number as people write it: '020 - 123 45 67' -> 'tel:0201234567'."""
    digits = re.sub(r"\D", "", _without_trunk_zero(phone))
    if not digits:
        raise ValueError(f"not a phone number: {phone!r}")
    plus = "+" if phone.strip().startswith("+") else ""
    return f"tel:{plus}{digits}"


def whatsapp_uri(number: str, country_code: str = "31") -> str:
    """A wa.me link: the number in international form, digits only, no leading + or 00."""
    digits = re.sub(r"\D", "", _without_trunk_zero(number))
    if not number.strip().startswith("+"):
        if digits.startswith("00"):
            digits = digits[2:]
        elif digits.startswith("0"):
            digits = country_code + digits[1:]
    if not digits:
        raise ValueError(f"not a phone number: {number!r}")
    return f"https://wa.me/{digits}"


def template_globals() -> dict[str, Callable]:
    """Helpers the public help templates call: app.jinja_env.globals.update(template_globals())."""
    return {
        "pictogram": pictogram,
        "tel_uri": tel_uri,
        "whatsapp_uri": whatsapp_uri,
        "isolate_numbers": isolate_numbers,
    }
