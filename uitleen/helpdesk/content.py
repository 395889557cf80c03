"""Texts of the public help page: defaults per language, coordinator overrides, language choice.

The defaults live in defaults/<lang>.toml. Interface strings (button labels, headings) are
not here: they go through gettext like every other text in the app.
"""

import logging
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType

from babel import Locale

from uitleen.helpdesk.pictograms import SECTION_PICTOGRAMS, pictogram
from uitleen.i18n import LANGUAGES

DEFAULTS_DIR = Path(__file__).with_name("defaults")
log = logging.getLogger(__name__)
DEFAULT_LANGUAGE = "nl"


@dataclass(frozen=True)
class Language:
    code: str
    name: str  # in its own script, so a reader can find it without reading Dutch
    dir: str  # "ltr" or "rtl"


# One list of languages for the whole app: uitleen.i18n decides what a request is answered
# in, so the help page offers exactly those.
SUPPORTED_LANGUAGES: dict[str, Language] = {
    code: Language(code, name, direction) for code, (name, direction) in LANGUAGES.items()
}

SECTION_KEYS = ("power", "wifi", "video", "password", "voucher", "afraid")
CATEGORY_KEYS = ("no_start", "no_internet", "password", "broken", "sound_camera", "other")
DAYS_PLACEHOLDER = "{days}"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    steps: tuple[str, ...]

    @property
    def pictogram(self) -> str:
        return SECTION_PICTOGRAMS[self.key]


@dataclass(frozen=True)
class Category:
    key: str  # also the pictogram name and the value the help-request form posts
    label: str


@dataclass(frozen=True)
class PageText:
    title: str
    text: str


@dataclass(frozen=True)
class ThanksText:
    title: str
    walk_in: str  # shown when no call-back number was left
    callback: Mapping[str, str]  # CLDR plural form ("one", "few", …) -> text with {days}


@dataclass(frozen=True)
class HelpContent:
    lang: str
    dir: str
    sections: tuple[Section, ...]
    categories: tuple[Category, ...]
    retired: PageText
    unknown: PageText
    thanks: ThanksText

    def section(self, key: str) -> Section:
        """The section with this key."""
        return next(s for s in self.sections if s.key == key)

    def callback_text(self, days: int) -> str:
        """'We call you back within N working days', in the right plural form for N."""
        form = Locale.parse(self.lang).plural_form(days)
        text = self.thanks.callback.get(form, self.thanks.callback["other"])
        # str.replace, not str.format: these texts will one day be typed by coordinators.
        return text.replace(DAYS_PLACEHOLDER, str(days))


def _page(data: Mapping) -> PageText:
    return PageText(title=data["title"], text=data["text"])


def parse_content(lang: str, data: Mapping) -> HelpContent:
    """Build HelpContent from the parsed TOML of one language; a missing key raises KeyError."""
    sections = data["sections"]
    thanks = data["pages"]["thanks"]
    return HelpContent(
        lang=lang,
        dir=SUPPORTED_LANGUAGES[lang].dir,
        sections=tuple(
            Section(key, sections[key]["title"], tuple(sections[key]["steps"]))
            for key in SECTION_KEYS
        ),
        categories=tuple(Category(key, data["categories"][key]) for key in CATEGORY_KEYS),
        retired=_page(data["pages"]["retired"]),
        unknown=_page(data["pages"]["unknown"]),
        thanks=ThanksText(
            title=thanks["title"],
            walk_in=thanks["walk_in"],
            callback=MappingProxyType(dict(thanks["callback"])),
        ),
    )


@cache
def load_defaults(lang: str) -> HelpContent:
    """The texts that ship with the app for one supported language."""
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language: {lang!r}")
    with (DEFAULTS_DIR / f"{lang}.toml").open("rb") as f:
        return parse_content(lang, tomllib.load(f))


def merge_overrides(
    content: HelpContent, overrides: Mapping[str, tuple[str, Sequence[str]]]
) -> HelpContent:
    """Replace sections by a coordinator's own (title, steps); other sections keep the default."""
    unknown = set(overrides) - set(SECTION_KEYS)
    if unknown:
        raise ValueError(f"unknown sections: {', '.join(sorted(unknown))}")
    sections = []
    for section in content.sections:
        if section.key not in overrides:
            sections.append(section)
            continue
        title, steps = overrides[section.key]
        title = title.strip()
        kept = tuple(step.strip() for step in steps if step.strip())
        if not title or not kept:
            raise ValueError(f"section {section.key!r} needs a title and at least one step")
        sections.append(Section(section.key, title, kept))
    return replace(content, sections=tuple(sections))


def content_for(lang: str, help_texts: Mapping | None) -> HelpContent:
    """The defaults of `lang` with the coordinator's valid overrides from the help_texts setting.

    help_texts is {lang: {section: {"title": ..., "steps": [...]}}}. A broken entry is
    skipped (and logged) rather than taking the public page down: the default stays.
    """
    content = load_defaults(lang)
    stored = (help_texts or {}).get(lang) or {}
    if not isinstance(stored, Mapping):
        log.warning("help_texts[%r] is not a mapping; defaults used", lang)
        return content
    overrides = {}
    for key, value in stored.items():
        try:
            steps = value["steps"]
            if isinstance(steps, str):
                raise TypeError("steps must be a list")
            override = {key: (str(value["title"]), [str(step) for step in steps])}
            merge_overrides(content, override)  # validates this one section
        except (KeyError, TypeError, ValueError):
            log.warning("help_texts[%r][%r] is not usable; default kept", lang, key)
            continue
        overrides.update(override)
    return merge_overrides(content, overrides) if overrides else content


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


def best_language(accept_language_header: str | None) -> str:
    """The supported language the browser prefers most (by q-value, then order), else Dutch."""
    entries = _parse_accept_language(accept_language_header or "")
    # sorted() is stable: equal q-values keep the order the browser sent them in.
    for code, _q in sorted(entries, key=lambda entry: -entry[1]):
        if code in SUPPORTED_LANGUAGES:
            return code
    return DEFAULT_LANGUAGE


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
    return {"pictogram": pictogram, "tel_uri": tel_uri, "whatsapp_uri": whatsapp_uri}
