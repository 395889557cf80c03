"""Helpers of the public help pages: page context, language cookie, the signed form token.

Why the help-request form is safe without a login session (it is exempt from the app-wide
CSRFProtect, whose token lives in a session cookie a household does not have):
- there is no session and no account behind /h/, so a forged post cannot act "as" anyone:
  the worst it can do is file a help request, which anyone may do;
- `form_token` is an HMAC (itsdangerous, the app's SECRET_KEY, its own salt) over the
  device token with a time stamp: a post must come from a form served for that label in
  the last two hours, so a token seen once cannot be replayed forever and a request
  cannot be aimed at a device whose label the sender never loaded;
- a present Origin (or Referer) must name this host; "null" is accepted, because the
  help pages send no referrer (Referrer-Policy: no-referrer) and browsers then say
  Origin: null;
- cookies are SameSite=Lax, so another site's post carries none of ours;
- posts are rate-limited per IP.
"""

import json
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, render_template, request, url_for
from flask_babel import force_locale, get_locale, gettext, lazy_gettext
from itsdangerous import BadData, URLSafeTimedSerializer
from markupsafe import escape

from uitleen.helpdesk.content import DEFAULT_LANGUAGE, browser_language, language_choices
from uitleen.helpdesk.service import Label, Place
from uitleen.i18n import SUPPORTED_LANGUAGES
from uitleen.security import csp_nonce
from uitleen.settings import service as settings
from uitleen.settings.helptexts import content_for

FORM_SALT = "uitleen.helpdesk.ask-form"
FORM_MAX_AGE = 2 * 3600  # long enough to find a phone number, short enough to go stale
LANG_COOKIE_AGE = 365 * 24 * 3600
SETTING_KEYS = (
    "org_name",
    "org_phone",
    "org_whatsapp",
    "org_address",
    "help_texts",
    "help_callback_days",
)

# Household-facing refusals of the form (translated in every household language).
FOREIGN_FORM = lazy_gettext(
    "Dit formulier kwam van een andere website. Kijk of alles klopt en tik op Versturen."
)
STALE_FORM = lazy_gettext("Deze pagina stond te lang open. Tik nog een keer op Versturen.")


@dataclass(frozen=True)
class Org:
    name: str
    phone: str
    whatsapp: str


def chosen_language() -> str | None:
    """?lang= (a switch), then the remembered cookie, then the browser's languages.

    None when the phone asks only for languages we do not offer: the household then
    chooses (language_page). Never guessed from anything stored about a household: the
    page is public, and whoever scans a label may not be its borrower.

    The same order as uitleen.i18n.select_locale, which knows /h/ but not the /H/ that
    labels print; the public views force this choice for both.
    """
    for candidate in (request.args.get("lang"), request.cookies.get("lang")):
        if candidate in SUPPORTED_LANGUAGES:
            return candidate
    return browser_language(request.headers.get("Accept-Language"))


def choose_language() -> str:
    """The chosen language, or Dutch where a page must answer without asking first."""
    return chosen_language() or DEFAULT_LANGUAGE


@dataclass(frozen=True)
class LanguageChoice:
    code: str
    name: str  # in its own script
    dir: str
    prompt: str  # "Choose this language" in that language
    url: str


def language_page(token: str, endpoint: str, args: dict) -> str:
    """The first screen when we do not speak the phone's language: six big buttons,
    each named and explained in its own language, each linking back with ?lang=."""
    choices = []
    for lang in SUPPORTED_LANGUAGES.values():
        with force_locale(lang.code):
            prompt = gettext("Kies deze taal")
        url = url_for(endpoint, token=token, lang=lang.code, **args)
        choices.append(LanguageChoice(lang.code, lang.name, lang.dir, prompt, url))
    values = settings.get_many(SETTING_KEYS)
    context = _context(DEFAULT_LANGUAGE, values, None, token, choices=choices)
    return render_template("helpdesk/public/choose.html", **context)


def page_language() -> str:
    """The language this page is answered in (forced by the view: choose_language)."""
    lang = str(get_locale())
    return lang if lang in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def _context(lang: str, values: dict, place: Place | None, token: str, **extra) -> dict:
    content = content_for(lang, values["help_texts"])
    context = {
        "lang": lang,
        "dir": content.dir,
        "languages": language_choices(),
        # The place the device belongs to answers the phone when it has its own number.
        "org": Org(
            values["org_name"],
            (place.phone if place else "") or values["org_phone"],
            values["org_whatsapp"] or "",
        ),
        "location": place or Place(values["org_name"], values["org_address"]),
        "content": content,
        "categories": content.categories,
        "callback_days": int(values["help_callback_days"]),
        "token": token,
    }
    context.update(extra)
    return context


def _settings(label: Label | None) -> dict:
    """The page's settings: read with the label lookup when it found a device."""
    if label is not None and label.settings is not None:
        return label.settings
    return settings.get_many(SETTING_KEYS)


def page_context(label: Label | None, **extra) -> dict:
    """What every public help template needs (see the comment in layout.html)."""
    values = _settings(label)
    place = label.place if label is not None else None
    token = label.token if label is not None else ""
    extra.setdefault("asset_tag", label.asset_tag if label is not None else "")
    return _context(page_language(), values, place, token, **extra)


# The help page is the one page every scan loads. Its HTML depends only on the language,
# the settings and the device's place, plus the token, the device number and the CSP
# nonce; so it is rendered once per (language, place, settings) with three unguessable
# marks that each response swaps for its token, device number and nonce. The settings are
# read on every request and are part of the key: a coordinator's change shows on the next
# scan.
TOKEN_MARK = "".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(32))
NONCE_MARK = secrets.token_urlsafe(24)
ASSET_TAG_MARK = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(32))


PAGE_CACHE_SIZE = 256  # (language, place, settings) combinations kept per app


def _help_page_template(lang: str, place: Place | None, values_json: str) -> str:
    """The help page with the two marks, rendered once per app and key."""
    cache = current_app.extensions.setdefault("uitleen.helpdesk.pages", {})
    key = (lang, place, values_json)
    html = cache.get(key)
    if html is None:
        values = json.loads(values_json)
        context = _context(
            lang, values, place, TOKEN_MARK, csp_nonce=NONCE_MARK, asset_tag=ASSET_TAG_MARK
        )
        html = render_template("helpdesk/public/help.html", **context)
        if len(cache) >= PAGE_CACHE_SIZE:  # settings edited many times: start over
            cache.clear()
        cache[key] = html
    return html


def help_page(label: Label) -> str:
    """The help page of an active label, from the rendered-once HTML."""
    values = json.dumps(_settings(label), sort_keys=True)
    html = _help_page_template(page_language(), label.place, values)
    html = html.replace(TOKEN_MARK, label.token).replace(NONCE_MARK, csp_nonce())
    return html.replace(ASSET_TAG_MARK, str(escape(label.asset_tag)))


def finish(response):
    """Headers every public page needs, and a ?lang= choice kept for the next scan.

    security.py sets no-referrer and no-store for /h/; labels print /H/, so say it here
    for both. The language cookie is scoped to /h/ and /H/ (paths are case-sensitive),
    so a household's language never changes the staff pages of whoever scanned a label
    on the desk's own phone.
    """
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Cache-Control"] = "no-store"
    chosen = request.args.get("lang")
    if chosen in SUPPORTED_LANGUAGES:
        for path in ("/h/", "/H/"):
            response.set_cookie(
                "lang",
                chosen,
                max_age=LANG_COOKIE_AGE,
                path=path,
                samesite="Lax",
                httponly=True,
                secure=request.is_secure,
            )
    return response


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=FORM_SALT)


def form_token(device_token: str) -> str:
    """A signed, time-stamped proof that this form was served for this label."""
    return _serializer().dumps(device_token)


def form_token_ok(value: str | None, device_token: str) -> bool:
    """True when `value` was made by form_token(device_token) less than two hours ago."""
    if not value:
        return False
    try:
        return _serializer().loads(value, max_age=FORM_MAX_AGE) == device_token
    except BadData:
        return False


def from_this_site() -> bool:
    """False only when the browser says the post came from another site."""
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        return urlsplit(origin).netloc == request.host
    referer = request.headers.get("Referer")
    if referer:
        return urlsplit(referer).netloc == request.host
    return True
