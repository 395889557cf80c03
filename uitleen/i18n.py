"""Which language a request is answered in. Dutch first."""

from dataclasses import dataclass

from flask import has_request_context, request

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


def direction(code: str) -> str:
    return LANGUAGES.get(code, LANGUAGES[DEFAULT])[1]
