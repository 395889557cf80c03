"""Which language a request is answered in. Dutch first."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

from babel import Locale
from flask import has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup, escape

# Code -> (name in its own script, text direction).
LANGUAGES = {
    "nl": ("Nederlands", "ltr"),
    "en": ("English", "ltr"),
    "ar": ("العربية", "rtl"),
    "tr": ("Türkçe", "ltr"),
    "pl": ("Polski", "ltr"),
    "uk": ("Українська", "ltr"),
}
SUPPORTED = tuple(LANGUAGES)
STAFF_LANGUAGES = ("nl", "en")
DEFAULT = "nl"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in its own script, so a reader can find it without reading Dutch
    dir: str  # "ltr" or "rtl"


# One list of languages for the whole app: select_locale answers a request in one of these,
# and the help page offers exactly these.
SUPPORTED_LANGUAGES: dict[str, Language] = {
    code: Language(code, name, direction) for code, (name, direction) in LANGUAGES.items()
}


def is_public_path(path: str) -> bool:
    """The help pages behind labels; QR codes carry the path upper case (/H/)."""
    return path.startswith(("/h/", "/H/"))


def current_language() -> str:
    """The language Flask-Babel chose for this request (select_locale), Dutch outside one."""
    return str(get_locale() or DEFAULT)


def select_locale() -> str:
    """?lang= (a switch), then the remembered cookie, then Accept-Language for help pages
    and the API; Dutch otherwise."""
    if not has_request_context():
        return DEFAULT  # CLI and jobs; documents pick their language with force_locale
    for candidate in (request.args.get("lang"), request.cookies.get("lang")):
        if candidate in SUPPORTED:
            return candidate
    if is_public_path(request.path):
        return request.accept_languages.best_match(SUPPORTED, default=DEFAULT)
    if request.path.startswith("/api/"):
        # An API client says its language per request; staff texts exist in these.
        return request.accept_languages.best_match(STAFF_LANGUAGES, default=DEFAULT)
    return DEFAULT


def language_name(code: str) -> str:
    """A language's name in the reader's language ("Arabisch" to a Dutch reader), from CLDR."""
    try:
        reader = str(get_locale() or DEFAULT) if has_request_context() else DEFAULT
        return Locale.parse(code).get_display_name(reader) or code
    except (ValueError, LookupError):
        return code


def language_label(code: str) -> str:
    """For a list to choose from: "Arabisch (العربية)", so both reader and household find it."""
    own = LANGUAGES[code][0] if code in LANGUAGES else code
    name = language_name(code)
    return own if name.casefold() == own.casefold() else f"{name} ({own})"


def direction(code: str) -> str:
    return LANGUAGES.get(code, LANGUAGES[DEFAULT])[1]


def translated(source: str, translations: Mapping[str, str] | None, lang: str) -> tuple[str, str]:
    """(text, its language) of a free text a coordinator typed in Dutch and per language.

    The translation in `lang` when there is one, else the Dutch source, said to be Dutch
    so a page can mark it lang="nl" (a screen reader then reads it as Dutch).
    """
    text = (translations or {}).get(lang, "")
    if lang != DEFAULT and isinstance(text, str) and text.strip():
        return text, lang
    return source, DEFAULT


def missing_translations(source: str, translations: Mapping[str, str] | None) -> list[str]:
    """The household languages (not Dutch) that lack a translation of a non-empty source."""
    if not source.strip():
        return []
    have = {code for code, text in (translations or {}).items() if str(text or "").strip()}
    return [code for code in SUPPORTED if code != DEFAULT and code not in have]


def clean_translations(translations: Mapping[str, str] | None) -> dict[str, str]:
    """{language: text} as stored: supported languages but Dutch, stripped, empty left out."""
    cleaned = {}
    for code, text in (translations or {}).items():
        if code in SUPPORTED and code != DEFAULT and str(text or "").strip():
            cleaned[code] = str(text).strip()
    return cleaned


LRI, PDI = "\u2066", "\u2069"  # left-to-right isolate, pop directional isolate


def isolate(text: str) -> str:
    """A number, code or phone number kept in its own left-to-right run inside any text.

    In an Arabic sentence "+31 6 12345678" would otherwise come out as "6 31+ 12345678".
    For plain text (messages, PDFs); HTML uses <bdi dir="ltr">.
    """
    return f"{LRI}{text}{PDI}"


# A number as people write it: a phone number, a time or a range of times, a date.
_NUMBER_RUN = re.compile(r"[+(]?\d(?:[\d ().:/\-–]*\d)?")
# The first letter of a text: group 1 when it is written right to left.
_FIRST_STRONG = re.compile(r"([\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc])|[^\W\d_]")


def isolate_numbers(text: str) -> Markup:
    """Free text as HTML, with each number in its own left-to-right <bdi> when the text
    reads right to left (its first letter is Arabic, as dir="auto" decides), so
    "10:00–16:00" is not shown as "16:00–10:00". Other text is only escaped."""
    first = _FIRST_STRONG.search(text)
    if first is None or not first.group(1):
        return escape(text)
    parts, last = [], 0
    for match in _NUMBER_RUN.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(Markup('<bdi dir="ltr">{}</bdi>').format(match.group(0)))
        last = match.end()
    parts.append(escape(text[last:]))
    return Markup("").join(parts)
