"""The public help templates, rendered for every language in a minimal Flask app.

The app here has only what the templates need: Flask-Babel with the real catalogues
compiled on the fly, and dummy routes for the three endpoints.
"""

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract, extract_from_dir
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, g, render_template
from flask_babel import Babel
from markupsafe import escape

import uitleen
from uitleen.helpdesk.content import language_choices, template_globals
from uitleen.helpdesk.service import Place
from uitleen.i18n import SUPPORTED_LANGUAGES
from uitleen.settings.helptexts import load_defaults

PACKAGE = Path(uitleen.__file__).parent
TEMPLATES = PACKAGE / "templates" / "helpdesk" / "public"
LANGS = list(SUPPORTED_LANGUAGES)
PAGES = ["help.html", "ask.html", "thanks.html", "retired.html", "unknown.html", "busy.html"]
BUDGET = 14 * 1024  # one round trip on a slow connection (TCP initial window)

TOKEN = "q7Xk2mN9pL4wR8sTz3Vb"
NONCE = "n0nce-For-This-Test"
ORG = {"name": "Buurthuis De Brug", "phone": "020 123 45 67", "whatsapp": "06 1234 5678"}
LOCATION = Place(  # what the views pass
    name="Werkplaats Oost",
    address="Dapperstraat 12\n1093 BT Amsterdam",
    walk_in_hours="dinsdag en donderdag 10.00 tot 12.00 uur\nwoensdag 13.00 tot 16.00 uur",
)


def template_msgids() -> set[str]:
    """Every gettext msgid the public help templates use."""
    found = extract_from_dir(str(TEMPLATES), method_map=[("**.html", "jinja2.ext:babel_extract")])
    return {message for _file, _line, message, _comments, _context in found}


# Python modules whose gettext strings households read (form errors), and only those.
HOUSEHOLD_MODULES = [PACKAGE / "helpdesk" / "public.py", PACKAGE / "helpdesk" / "schemas.py"]


def code_msgids() -> set[str]:
    """Every gettext msgid of the household-facing Python modules."""
    keywords = {"_": None, "gettext": None, "lazy_gettext": None}
    found = set()
    for path in HOUSEHOLD_MODULES:
        with path.open("rb") as f:
            found |= {m for _line, m, _c, _ctx in extract("python", f, keywords=keywords)}
    return found


def read_catalog(lang: str):
    with (PACKAGE / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


@pytest.fixture(scope="module")
def app(catalogues):
    app = Flask("uitleen")
    app.config.update(
        BABEL_DEFAULT_LOCALE="nl",
        BABEL_TRANSLATION_DIRECTORIES=catalogues,
        SERVER_NAME="uitleen.test",
    )
    Babel(app, locale_selector=lambda: g.lang)
    app.jinja_env.globals.update(template_globals())

    def dummy(token):
        return token

    bp = Blueprint("helpdesk", __name__)
    bp.add_url_rule("/h/<token>", "public_help", dummy)
    bp.add_url_rule("/h/<token>/vraag", "ask", dummy, methods=["GET", "POST"])
    bp.add_url_rule("/h/<token>/bedankt", "thanks", dummy)
    app.register_blueprint(bp)
    return app


def page_context(lang: str, **overrides) -> dict:
    """The variables the helpdesk views pass to these templates."""
    content = load_defaults(lang)
    context = {
        "lang": lang,
        "dir": content.dir,
        "languages": language_choices(),
        "org": ORG,
        "location": LOCATION,
        "content": content,
        "categories": content.categories,
        "form": {},
        "errors": {},
        "callback_days": 2,
        "has_phone": True,
        "csp_nonce": NONCE,
        "form_token": "signed.form.token",
        "token": TOKEN,
    }
    context.update(overrides)
    return context


def render(app: Flask, page: str, lang: str, **overrides) -> str:
    with app.test_request_context(f"/h/{TOKEN}"):
        g.lang = lang
        return render_template(f"helpdesk/public/{page}", **page_context(lang, **overrides))


class Outline(HTMLParser):
    """Collects what the structural checks need: tags, headings, labels, ids."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[int] = []
        self.label_for: set[str] = set()
        self.open_labels = 0
        self.fields_in_label: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "label":
            self.open_labels += 1
            if "for" in attributes:
                self.label_for.add(attributes["for"])
        if tag in ("input", "textarea", "select") and self.open_labels:
            self.fields_in_label.add(attributes.get("id") or attributes.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "label":
            self.open_labels -= 1

    def all(self, tag: str) -> list[dict]:
        return [attrs for name, attrs in self.tags if name == tag]


def outline(html: str) -> Outline:
    parser = Outline()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_page_fits_in_one_round_trip(app, page, lang):
    html = render(app, page, lang)
    assert len(gzip.compress(html.encode(), compresslevel=6)) <= BUDGET
    # A server that gzips at the fastest level must fit too.
    assert len(gzip.compress(html.encode(), compresslevel=1)) <= BUDGET


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_page_loads_nothing_from_elsewhere(app, page, lang):
    html = render(app, page, lang)
    lowered = html.lower()
    for forbidden in ("<script", "<img", "<iframe", "src=", "@import", "url(", "@font"):
        assert forbidden not in lowered
    # One <link>: the inline icon, so the browser does not ask for /favicon.ico.
    links = re.findall(r"<link [^>]*>", lowered)
    assert len(links) == 1 and 'rel="icon" href="data:image/svg+xml,' in links[0]
    urls = re.findall(r"(?:https?:)?//[^\s\"'<>]+", html)
    assert all(url.startswith("https://wa.me/") for url in urls), urls


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_page_has_language_direction_and_nonce(app, page, lang):
    html = render(app, page, lang)
    expected_dir = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{lang}" dir="{expected_dir}">' in html
    styles = outline(html).all("style")
    assert styles == [{"nonce": NONCE}]


def test_nonce_may_come_from_the_app_global(app):
    """The app registers csp_nonce as a function; the template calls it when it is one."""
    html = render(app, "help.html", "nl", csp_nonce=lambda: "from-the-app")
    assert '<style nonce="from-the-app">' in html


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("page", PAGES)
def test_page_structure_is_accessible(app, page, lang):
    parsed = outline(render(app, page, lang))
    # Landmarks, one h1 first, and no skipped heading levels.
    for landmark in ("header", "main", "footer", "nav"):
        assert parsed.all(landmark), landmark
    assert parsed.headings[0] == 1 and parsed.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(parsed.headings, parsed.headings[1:], strict=False))
    # Every visible field has a label.
    for tag in ("input", "textarea"):
        for attrs in parsed.all(tag):
            if attrs.get("type") in ("hidden", "submit"):
                continue
            assert (
                attrs.get("id") in parsed.label_for
                or (attrs.get("id") or attrs.get("value", "")) in parsed.fields_in_label
            ), attrs
    # Pictograms are decoration: the text next to them says the same.
    for svg in parsed.all("svg"):
        assert svg["aria-hidden"] == "true" and svg["focusable"] == "false"
    ids = [attrs["id"] for _tag, attrs in parsed.tags if "id" in attrs]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "nl"])
@pytest.mark.parametrize("page", PAGES)
def test_interface_strings_are_translated(app, page, lang):
    html = render(app, page, lang)
    dutch_left = [m for m in template_msgids() if str(escape(m)) in html]
    assert dutch_left == []


@pytest.mark.parametrize("lang", LANGS)
def test_help_page_shows_contact_and_every_how_to(app, lang):
    html = render(app, "help.html", lang)
    content = load_defaults(lang)
    assert 'href="tel:0201234567"' in html
    assert 'href="https://wa.me/31612345678" rel="noreferrer"' in html
    assert f'href="/h/{TOKEN}/vraag"' in html
    assert "Dapperstraat 12" in html and "woensdag 13.00" in html
    for section in content.sections:
        assert str(escape(section.title)) in html
        for step in section.steps:
            assert str(escape(step)) in html
    # How-tos fold open one at a time; the reassurance is always visible.
    assert html.count("<details>") == len(content.sections) - 1


def test_help_page_without_location_or_whatsapp(app):
    html = render(app, "help.html", "en", location=None, org={**ORG, "whatsapp": ""})
    assert "wa.me" not in html
    assert "Dapperstraat" not in html
    assert 'href="tel:0201234567"' in html


@pytest.mark.parametrize("lang", LANGS)
def test_language_switcher_names_each_language_in_its_own_script(app, lang):
    parsed = outline(render(app, "ask.html", lang))
    links = [a for a in parsed.all("a") if "hreflang" in a]
    assert [a["lang"] for a in links] == LANGS
    assert [a["href"] for a in links] == [f"/h/{TOKEN}/vraag?lang={code}" for code in LANGS]
    assert [a["lang"] for a in links if "aria-current" in a] == [lang]
    html = render(app, "help.html", lang)
    for _code, name in language_choices():
        assert f">{name}</a>" in html


@pytest.mark.parametrize("lang", LANGS)
def test_ask_page_offers_every_category(app, lang):
    parsed = outline(render(app, "ask.html", lang))
    radios = [i for i in parsed.all("input") if i.get("type") == "radio"]
    assert [r["value"] for r in radios] == [c.key for c in load_defaults(lang).categories]
    assert all(r["name"] == "category" and "required" in r for r in radios)
    assert not any("checked" in r for r in radios)
    (form,) = parsed.all("form")
    assert form == {"method": "post", "action": f"/h/{TOKEN}/vraag"}
    hidden = [i for i in parsed.all("input") if i.get("type") == "hidden"]
    assert hidden == [{"type": "hidden", "name": "form_token", "value": "signed.form.token"}]


def test_ask_page_keeps_what_was_typed_and_puts_errors_by_their_field(app):
    form = {"category": "broken", "message": 'Scherm <b>"kapot"</b>', "phone": "06-abc"}
    errors = {"phone": "Dit telefoonnummer klopt niet.", "form_token": "Probeer het nog eens."}
    html = render(app, "ask.html", "nl", form=form, errors=errors)
    parsed = outline(html)

    checked = [i["value"] for i in parsed.all("input") if "checked" in i]
    assert checked == ["broken"]
    assert "Scherm &lt;b&gt;&#34;kapot&#34;&lt;/b&gt;</textarea>" in html
    (phone,) = [i for i in parsed.all("input") if i.get("id") == "phone"]
    assert phone["value"] == "06-abc"
    assert phone["aria-invalid"] == "true"
    assert phone["aria-describedby"] == "phone-hint phone-error"
    error_at = html.index('id="phone-error"')
    assert html.index('for="phone"') < error_at < html.index('id="phone"')
    assert "Dit telefoonnummer klopt niet." in html
    # An error that belongs to no field is shown above the form.
    assert html.index("Probeer het nog eens.") < html.index("<form")
    (message,) = parsed.all("textarea")
    assert "aria-invalid" not in message


def test_ask_page_marks_a_missing_category(app):
    html = render(app, "ask.html", "en", errors={"category": "Choose what is wrong."})
    (fieldset,) = outline(html).all("fieldset")
    assert fieldset["aria-describedby"] == "category-error"
    assert 'id="category-error">Choose what is wrong.</p>' in html


@pytest.mark.parametrize("lang", LANGS)
def test_thanks_page_says_when_we_call_back(app, lang):
    content = load_defaults(lang)
    html = render(app, "thanks.html", lang, callback_days=3)
    assert str(escape(content.callback_text(3))) in html
    assert str(escape(content.thanks.walk_in)) not in html
    without_phone = render(app, "thanks.html", lang, has_phone=False)
    assert str(escape(content.thanks.walk_in)) in without_phone
    assert str(escape(content.callback_text(2))) not in without_phone


@pytest.mark.parametrize("lang", LANGS)
def test_retired_and_unknown_pages_point_to_the_phone(app, lang):
    content = load_defaults(lang)
    retired = render(app, "retired.html", lang)
    unknown = render(app, "unknown.html", lang, location=None)
    assert str(escape(content.retired.title)) in retired
    assert str(escape(content.unknown.title)) in unknown
    for html in (retired, unknown):
        assert 'class="btn call" href="tel:0201234567"' in html
        assert "/vraag" not in html.replace("?lang=", "")  # no help request on a dead label


def test_unknown_page_shows_no_location(app):
    assert "Dapperstraat" not in render(app, "unknown.html", "nl")


# Catalogues --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", [lang for lang in LANGS if lang != "nl"])
def test_catalogue_translates_every_household_string(lang):
    catalog = read_catalog(lang)
    assert str(catalog.locale) == lang
    household = template_msgids() | code_msgids()
    messages = {m.id: m for m in catalog if m.id in household}
    assert set(messages) == household
    for message in messages.values():
        assert message.string.strip(), message.id
        assert message.string != message.id
        assert not message.fuzzy


# Colour contrast -------------------------------------------------------------------------

TEXT_PAIRS = [  # (foreground, background) custom properties that carry text
    ("ink", "paper"),
    ("paper", "call"),
    ("paper", "wa"),
    ("paper", "ask"),
    ("paper", "ink"),
    ("call", "paper"),
    ("muted", "paper"),
    ("err", "paper"),
    ("ink", "calm"),
    ("ink", "pick"),
]
UI_PAIRS = [  # borders and focus rings that must stand out (WCAG 1.4.11)
    ("line", "paper"),
    ("wa", "paper"),
    ("err", "paper"),
    ("call", "pick"),
    ("calm-edge", "calm"),
]


def css_colours() -> dict[str, str]:
    css = (TEMPLATES / "help.css").read_text()
    root = re.search(r":root\{([^}]*)\}", css).group(1)
    colours = dict(re.findall(r"--([\w-]+):#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b", root))
    # #fff is short for #ffffff
    return {
        name: "#" + (c if len(c) == 6 else "".join(x * 2 for x in c)) for name, c in colours.items()
    }


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_formula():
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize(("fg", "bg"), TEXT_PAIRS)
def test_text_colours_meet_wcag_aa(fg, bg):
    colours = css_colours()
    assert contrast(colours[fg], colours[bg]) >= 4.5


@pytest.mark.parametrize(("fg", "bg"), UI_PAIRS)
def test_borders_stand_out(fg, bg):
    colours = css_colours()
    assert contrast(colours[fg], colours[bg]) >= 3


# In a real browser -------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nl", "ar", "uk"])
@pytest.mark.parametrize("page", PAGES)
def test_axe_finds_no_wcag_violations(app, browser, page, lang):
    from axe_playwright_python.sync_playwright import Axe

    errors = {"phone": "Dit telefoonnummer klopt niet."} if page == "ask.html" else {}
    html = render(app, page, lang, errors=errors, form={"phone": "06-abc"})
    tab = browser.new_page(viewport={"width": 360, "height": 800})
    tab.set_content(html)
    tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
    options = {"runOnly": {"type": "tag", "values": tags}, "resultTypes": ["violations"]}
    results = Axe().run(tab, options=options)
    tab.close()
    assert results.violations_count == 0, results.generate_report()


def open_page(browser, html: str, width: int):
    tab = browser.new_page(viewport={"width": width, "height": 800})
    tab.set_content(html)
    return tab


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nl", "ar", "uk"])
@pytest.mark.parametrize("page", ["help.html", "ask.html", "thanks.html"])
@pytest.mark.parametrize(("width", "zoom"), [(320, "100%"), (640, "200%")])
def test_no_sideways_scrolling(app, browser, page, lang, width, zoom):
    """WCAG reflow: 320 px wide, and 200% zoom on a wider screen, without scrolling sideways."""
    html = render(app, page, lang).replace("</style>", f"html{{zoom:{zoom}}}</style>")
    tab = open_page(browser, html, width)
    overflow = tab.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    tab.close()
    assert overflow <= 0


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["nl", "ar"])
@pytest.mark.parametrize("page", ["help.html", "ask.html"])
def test_touch_targets_are_at_least_48px(app, browser, page, lang):
    tab = open_page(browser, render(app, page, lang), 320)
    sizes = tab.evaluate(
        """[...document.querySelectorAll('a.btn, .langs a, summary, .cat, button')]
           .map(e => e.getBoundingClientRect()).map(r => Math.min(r.width, r.height))"""
    )
    tab.close()
    assert sizes and min(sizes) >= 48
