"""Texts of the public help page: defaults per language and a coordinator's own.

Settings owns them (a coordinator edits them under Instellingen); helpdesk shows them.
The defaults live in help_defaults/<lang>.toml. Interface strings (button labels,
headings) are not here: they go through gettext like every other text in the app.
"""

import logging
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from types import MappingProxyType

from babel import Locale

from uitleen.i18n import SUPPORTED_LANGUAGES

DEFAULTS_DIR = Path(__file__).with_name("help_defaults")
log = logging.getLogger(__name__)

# The pictogram (uitleen.helpdesk.pictograms) each section shows next to its title.
SECTION_PICTOGRAMS = {
    "power": "power",
    "wifi": "wifi",
    "video": "video",
    "password": "key",
    "voucher": "ticket",
    "afraid": "heart",
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


def missing_translations(help_texts: Mapping | None) -> dict[str, list[str]]:
    """Section -> languages still showing the shipped text while another has its own.

    A coordinator who rewrites a section in one language (say the wifi steps, because
    the network changed) must write it in the others too, or households reading them
    get the old steps.
    """
    stored = {
        lang: texts for lang, texts in (help_texts or {}).items() if isinstance(texts, Mapping)
    }
    missing = {}
    for key in SECTION_KEYS:
        written = [lang for lang in SUPPORTED_LANGUAGES if key in stored.get(lang, {})]
        if written:
            lacking = [lang for lang in SUPPORTED_LANGUAGES if lang not in written]
            if lacking:
                missing[key] = lacking
    return missing
