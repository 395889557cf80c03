"""Help-page texts, language choice, contact links and pictograms."""

import re
import tomllib
import xml.etree.ElementTree as ET
from itertools import combinations

import pytest
from babel import Locale

from uitleen.helpdesk.content import (
    best_language,
    language_choices,
    tel_uri,
    whatsapp_uri,
)
from uitleen.helpdesk.pictograms import PICTOGRAMS, pictogram
from uitleen.i18n import SUPPORTED_LANGUAGES
from uitleen.settings import helptexts as help_content
from uitleen.settings.helptexts import (
    CATEGORY_KEYS,
    DEFAULTS_DIR,
    SECTION_KEYS,
    SECTION_PICTOGRAMS,
    load_defaults,
    merge_overrides,
)

LANGS = list(SUPPORTED_LANGUAGES)
SCRIPTS = {  # a letter of the language's own script must appear in each of its texts
    "ar": re.compile(r"[\u0600-\u06ff]"),
    "uk": re.compile(r"[\u0400-\u04ff]"),
}


def raw(lang: str) -> dict:
    with (DEFAULTS_DIR / f"{lang}.toml").open("rb") as f:
        return tomllib.load(f)


def all_texts(lang: str) -> list[str]:
    """Every reader-facing text of one language."""
    c = load_defaults(lang)
    texts = [t for s in c.sections for t in (s.title, *s.steps)]
    texts += [cat.label for cat in c.categories]
    texts += [c.retired.title, c.retired.text, c.unknown.title, c.unknown.text]
    texts += [c.thanks.title, c.thanks.walk_in, *c.thanks.callback.values()]
    return texts


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"[.?!؟]\s*", text) if s.strip()]


# The language files ----------------------------------------------------------------------


def test_every_supported_language_has_a_file_and_no_more():
    assert sorted(p.stem for p in DEFAULTS_DIR.glob("*.toml")) == sorted(LANGS)


@pytest.mark.parametrize("lang", LANGS)
def test_language_file_has_exactly_the_expected_keys(lang):
    data = raw(lang)
    assert set(data) == {"sections", "categories", "pages"}
    assert set(data["sections"]) == set(SECTION_KEYS)
    assert all(set(s) == {"title", "steps"} for s in data["sections"].values())
    assert set(data["categories"]) == set(CATEGORY_KEYS)
    assert set(data["pages"]) == {"retired", "unknown", "thanks"}
    assert set(data["pages"]["thanks"]) == {"title", "walk_in", "callback"}


@pytest.mark.parametrize("lang", LANGS)
def test_sections_are_short_plain_steps(lang):
    content = load_defaults(lang)
    assert [s.key for s in content.sections] == list(SECTION_KEYS)
    for section in content.sections:
        assert section.title.strip()
        assert 2 <= len(section.steps) <= 5, section.key
        for step in section.steps:
            assert step.strip() == step and step
            assert len(step) <= 110, step
            # Short sentences: at most three per step, at most 14 words each.
            assert len(sentences(step)) <= 3, step
            assert all(len(s.split()) <= 14 for s in sentences(step)), step


@pytest.mark.parametrize("lang", LANGS)
def test_categories_and_page_texts_are_filled_in(lang):
    content = load_defaults(lang)
    assert [c.key for c in content.categories] == list(CATEGORY_KEYS)
    assert all(c.label.strip() and len(c.label) <= 40 for c in content.categories)
    for text in (content.retired, content.unknown):
        assert text.title.strip() and text.text.strip()
    assert content.thanks.title.strip() and content.thanks.walk_in.strip()


@pytest.mark.parametrize("lang", LANGS)
def test_callback_texts_cover_every_plural_form_of_the_language(lang):
    callback = load_defaults(lang).thanks.callback
    forms = set(Locale.parse(lang).plural_form.tags) | {"other"}
    assert set(callback) == forms
    assert "{days}" in callback["other"]
    for text in callback.values():
        assert re.findall(r"\{[^}]*\}", text) in ([], ["{days}"])


@pytest.mark.parametrize(
    ("lang", "days", "expected"),
    [
        ("nl", 1, "Wij bellen u binnen 1 werkdag terug."),
        ("nl", 2, "Wij bellen u binnen 2 werkdagen terug."),
        ("en", 1, "We will call you back within 1 working day."),
        ("pl", 1, "Oddzwonimy w ciągu 1 dnia roboczego."),
        ("pl", 3, "Oddzwonimy w ciągu 3 dni roboczych."),
        ("pl", 5, "Oddzwonimy w ciągu 5 dni roboczych."),
        ("uk", 21, "Ми передзвонимо вам протягом 21 робочого дня."),
        ("uk", 3, "Ми передзвонимо вам протягом 3 робочих днів."),
        ("ar", 2, "سنتصل بكم خلال يومَي عمل."),
        ("ar", 3, "سنتصل بكم خلال 3 أيام عمل."),
        ("ar", 11, "سنتصل بكم خلال 11 يوم عمل."),
        ("tr", 2, "Sizi 2 iş günü içinde geri arayacağız."),
    ],
)
def test_callback_text_uses_the_right_plural_form(lang, days, expected):
    assert load_defaults(lang).callback_text(days) == expected


@pytest.mark.parametrize(("a", "b"), list(combinations(LANGS, 2)))
def test_no_two_languages_share_a_text(a, b):
    """A translation is never a copy of the Dutch (or of any other language)."""
    assert set(all_texts(a)).isdisjoint(all_texts(b))


@pytest.mark.parametrize("lang", sorted(SCRIPTS))
def test_texts_are_written_in_the_languages_own_script(lang):
    for text in all_texts(lang):
        assert SCRIPTS[lang].search(text), text


def test_directions():
    assert {code: lang.dir for code, lang in SUPPORTED_LANGUAGES.items()} == {
        "nl": "ltr",
        "en": "ltr",
        "ar": "rtl",
        "tr": "ltr",
        "pl": "ltr",
        "uk": "ltr",
    }
    assert load_defaults("ar").dir == "rtl"
    assert load_defaults("tr").dir == "ltr"


def test_language_choices_name_each_language_in_its_own_script():
    assert language_choices() == [
        ("nl", "Nederlands"),
        ("en", "English"),
        ("ar", "العربية"),
        ("tr", "Türkçe"),
        ("pl", "Polski"),
        ("uk", "Українська"),
    ]


def test_unsupported_language_is_refused():
    with pytest.raises(ValueError, match="unsupported language"):
        load_defaults("fr")


def test_missing_key_in_a_language_file_is_an_error():
    data = raw("en")
    del data["sections"]["wifi"]
    with pytest.raises(KeyError):
        help_content.parse_content("en", data)


# Overrides -------------------------------------------------------------------------------


def test_override_replaces_only_the_named_section():
    default = load_defaults("nl")
    merged = merge_overrides(
        default, {"wifi": (" Wifi bij ons ", ["Kies 'Buurthuis'.", "  ", "Klaar."])}
    )
    assert merged.section("wifi").title == "Wifi bij ons"
    assert merged.section("wifi").steps == ("Kies 'Buurthuis'.", "Klaar.")
    assert merged.section("wifi").pictogram == "wifi"
    assert [s.key for s in merged.sections] == list(SECTION_KEYS)
    for key in SECTION_KEYS:
        if key != "wifi":
            assert merged.section(key) == default.section(key)
    assert merged.categories == default.categories
    # The cached defaults are untouched.
    assert load_defaults("nl").section("wifi") == default.section("wifi")
    assert load_defaults("nl").section("wifi").title == "Verbinden met wifi"


def test_no_overrides_keeps_the_defaults():
    assert merge_overrides(load_defaults("pl"), {}) == load_defaults("pl")


def test_override_of_an_unknown_section_is_refused():
    with pytest.raises(ValueError, match="unknown sections: printer"):
        merge_overrides(load_defaults("nl"), {"printer": ("Printen", ["Druk op Print."])})


@pytest.mark.parametrize("override", [("", ["Stap."]), ("Titel", []), ("Titel", [" ", ""])])
def test_override_needs_a_title_and_a_step(override):
    with pytest.raises(ValueError, match="needs a title and at least one step"):
        merge_overrides(load_defaults("nl"), {"video": override})


# Language choice -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "nl"),
        ("", "nl"),
        ("ar", "ar"),
        ("AR-ma", "ar"),
        ("uk-UA,uk;q=0.9,en-US;q=0.8,en;q=0.7", "uk"),
        ("fr-FR, ar;q=0.5, tr;q=0.8", "tr"),
        ("de-DE,de;q=0.9", "nl"),
        ("*", "nl"),
        ("en;q=0.3, pl;q=0.7", "pl"),
        ("pl, tr", "pl"),  # equal q: the browser's order decides
        ("tr;q=0.5, pl;q=0.5", "tr"),
        ("ar;q=0, en;q=0.1", "en"),  # q=0 means "not this one"
        ("ar;q=0", "nl"),
        ("en;q=abc, tr;q=0.2", "tr"),  # a malformed q-value drops that entry
        ("en;q=1.5, pl;q=0.2", "pl"),  # so does one out of range
        ("nonsense!!, ;;, uk", "uk"),
        ("zh-Hant-TW, en-GB;q=0.9", "en"),
    ],
)
def test_best_language(header, expected):
    assert best_language(header) == expected


# Contact links ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("020 123 45 67", "tel:0201234567"),
        ("020-1234567", "tel:0201234567"),
        ("+31 20 123 45 67", "tel:+31201234567"),
        ("+31 (0)20 123 45 67", "tel:+31201234567"),
    ],
)
def test_tel_uri(written, expected):
    assert tel_uri(written) == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("06 1234 5678", "https://wa.me/31612345678"),
        ("+31 6 1234 5678", "https://wa.me/31612345678"),
        ("+31 (0)6 1234 5678", "https://wa.me/31612345678"),
        ("0031 6 12345678", "https://wa.me/31612345678"),
        ("+48 512 345 678", "https://wa.me/48512345678"),
    ],
)
def test_whatsapp_uri(written, expected):
    assert whatsapp_uri(written) == expected


@pytest.mark.parametrize("function", [tel_uri, whatsapp_uri])
def test_a_number_without_digits_is_refused(function):
    with pytest.raises(ValueError, match="not a phone number"):
        function("bel ons")


# Pictograms ------------------------------------------------------------------------------

NEEDED = {"phone", "chat", "pin", "clock", "power", "wifi", "video", "key", "ticket", "heart"}


def parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own constant markup, not untrusted input


def test_every_needed_pictogram_exists():
    assert set(PICTOGRAMS) >= NEEDED | set(CATEGORY_KEYS)
    assert set(SECTION_PICTOGRAMS) == set(SECTION_KEYS)
    assert set(SECTION_PICTOGRAMS.values()) <= set(PICTOGRAMS)


@pytest.mark.parametrize("name", sorted(PICTOGRAMS))
def test_pictogram_is_a_tiny_hidden_inline_svg(name):
    svg = pictogram(name)
    assert len(svg.encode()) <= 600
    root = parse_svg(svg)  # well-formed
    assert root.tag == "svg"
    assert root.get("aria-hidden") == "true"
    assert root.get("focusable") == "false"
    assert root.get("viewBox") == "0 0 24 24"
    assert root.get("stroke") == "currentColor"
    assert "http" not in svg and "<script" not in svg and "<text" not in svg
    assert len(root) >= 1


def test_only_the_paper_plane_is_mirrored_for_right_to_left():
    flipped = {name for name, svg in PICTOGRAMS.items() if "flip" in parse_svg(svg).get("class")}
    assert flipped == {"send"}


def test_unknown_pictogram_is_a_programming_error():
    with pytest.raises(KeyError):
        pictogram("unicorn")
