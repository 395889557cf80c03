"""The public help pages in a real Chromium, through the real routes and the real headers.

A live server with the help page's translations; axe-core (WCAG 2.2 AA) on every page,
the strict CSP enforced by the browser, and the two-tap help request done by tapping.
Skipped with a message when Chromium or Playwright is missing.
"""

import pytest

from tests.browser.live import LiveServer, free_port, fresh_database, live_config
from tests.helpdesk.factories import lend_to_household, make_labelled_device, make_location
from uitleen.helpdesk.models import HelpRequest

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
LANGS = ["nl", "ar", "uk"]
STAFF_EMAIL = "intake@helpdesk.uitleen.test"
STAFF_PASSWORD = "een lang wachtwoord voor de test"  # noqa: S105 - a test account
PHONE = {"viewport": {"width": 320, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def site(tmp_path_factory, catalogues):
    """A live server with its own database, two labelled devices and the translations."""
    from uitleen import create_app
    from uitleen.auth import service as auth
    from uitleen.extensions import db

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with fresh_database(tmp_path_factory.mktemp("helpdesk-browser"), "help") as database_url:
        config = live_config(database_url, url) | {"BABEL_TRANSLATION_DIRECTORIES": catalogues}
        app = create_app(config)
        with app.app_context():
            db.create_all()
            active = make_labelled_device(location=make_location(name="Werkplaats Oost"))
            retired = make_labelled_device(state="recycled")
            lend_to_household(active, code="HH-B4R7", contact_name="Fatima Bouzid")
            auth.create_user(None, STAFF_EMAIL, "Ilse Intake", "intake", STAFF_PASSWORD)
            db.session.commit()
            tokens = {"active": active.public_token, "retired": retired.public_token}
            db.session.remove()
        with LiveServer(app, port):
            yield url, app, tokens
        with app.app_context():
            db.drop_all()
            db.session.remove()
            db.engine.dispose()


def open_tab(browser, site, lang: str):
    url, _app, _tokens = site
    context = browser.new_context(base_url=url, extra_http_headers={"Accept-Language": lang})
    tab = context.new_page()
    problems: list[str] = []
    # A 404/410 page or the browser's own favicon request log "Failed to load resource";
    # what counts is anything the CSP refused.
    tab.on(
        "console",
        lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None,
    )
    tab.on("request", lambda r: None if r.url.startswith(url) else problems.append(r.url))
    return context, tab, problems


def check(tab, problems: list[str]) -> None:
    """No WCAG violation, nothing refused by the CSP, no request elsewhere, styles applied."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(tab, options=options)
    assert results.violations_count == 0, results.generate_report()
    assert problems == []
    # The nonce'd style element was accepted (a browser's own body margin is 8px).
    assert tab.evaluate("getComputedStyle(document.body).marginTop") == "0px"
    assert tab.evaluate("document.documentElement.scrollWidth") <= 320


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_page_passes_axe_in_a_real_browser(browser, site, lang):
    _url, _app, tokens = site
    context, tab, problems = open_tab(browser, site, lang)
    context.set_default_timeout(15000)
    tab.set_viewport_size(PHONE["viewport"])
    pages = [
        (f"/H/{tokens['active']}", 200),
        (f"/h/{tokens['active']}/hulp", 200),
        (f"/h/{tokens['active']}/bedankt?cb=1", 200),
        ("/h/NOSUCHTOKEN", 404),
        (f"/h/{tokens['retired']}", 410),
    ]
    for path, status in pages:
        response = tab.goto(path)
        assert response.status == status, path
        assert tab.get_attribute("html", "lang") == lang
        assert tab.get_attribute("html", "dir") == ("rtl" if lang == "ar" else "ltr")
        check(tab, problems)
    context.close()


@pytest.mark.parametrize("lang", ["ar", "nl"])
def test_two_taps_in_a_real_browser_and_a_wrong_number_kept(browser, site, lang):
    from uitleen.extensions import db

    _url, app, tokens = site
    context, tab, problems = open_tab(browser, site, lang)
    tab.set_viewport_size(PHONE["viewport"])
    tab.goto(f"/H/{tokens['active']}")
    with tab.expect_navigation():
        tab.click("a.btn.ask")
    # A wrong number first: the page comes back with the message, everything kept.
    tab.click("label.cat >> nth=1")
    tab.fill("#message", "Geen wifi sinds gisteren")
    tab.fill("#phone", "06-abc")
    with tab.expect_navigation() as sent:
        tab.click("button.btn.send")
    assert sent.value.status == 422
    check(tab, problems)
    assert tab.input_value("#message") == "Geen wifi sinds gisteren"
    assert tab.input_value("#phone") == "06-abc"
    assert tab.is_checked("label.cat >> nth=1 >> input")
    assert tab.get_attribute("#phone", "aria-invalid") == "true"
    # Put the number right: sent.
    tab.fill("#phone", "06 12345678")
    with tab.expect_navigation() as sent:
        tab.click("button.btn.send")
    assert sent.value.status == 200 and "/bedankt" in tab.url
    check(tab, problems)
    context.close()
    with app.app_context():
        stored = db.session.query(HelpRequest).order_by(HelpRequest.id.desc()).first()
        assert (stored.category, stored.language) == ("no_internet", lang)
        assert stored.callback_phone == "06 12345678"
        db.session.remove()


def test_the_desk_pages_pass_axe(browser, site):
    """The queue and a request with its household, as the intake worker sees them."""
    from axe_playwright_python.sync_playwright import Axe

    _url, _app, tokens = site
    context, tab, problems = open_tab(browser, site, "nl")
    # A request to work on, sent the way a household sends one.
    tab.goto(f"/h/{tokens['active']}/hulp")
    tab.click("label.cat >> nth=0")
    tab.fill("#phone", "06 12345678")
    with tab.expect_navigation():
        tab.click("button.btn.send")
    tab.goto("/login")
    tab.fill("input[name=email]", STAFF_EMAIL)
    tab.fill("input[name=password]", STAFF_PASSWORD)
    with tab.expect_navigation():
        tab.click("form[action='/login'] button[type=submit]")
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    tab.goto("/help-requests/")
    with tab.expect_navigation():
        tab.click("tbody tr >> nth=0 >> a")
    assert "HH-B4R7" in tab.inner_text("main") and "Fatima Bouzid" in tab.inner_text("main")
    for path in ("/help-requests/", tab.url):
        tab.goto(path)
        results = Axe().run(tab, options=options)
        serious = [
            v for v in results.response["violations"] if v["impact"] in ("serious", "critical")
        ]
        assert serious == [], results.generate_report()
    assert problems == []
    context.close()
