"""Real headless Chromium against a real server, with axe-core on every page visited.

Debian's `chromium` is driven by Playwright (never Playwright's own download). Without
Chromium the browser tests skip with a message; CI sets UITLEEN_REQUIRE_BROWSER=1 so a
missing browser fails there instead of passing quietly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest

from tests.browser.live import LiveServer, free_port, fresh_database, live_config

PASSWORD = "een lang wachtwoord voor de test"
# axe impacts that fail a page; "moderate" and "minor" are reported but allowed.
BLOCKING_IMPACTS = ("serious", "critical")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(pytest.mark.browser)


@dataclass
class Staff:
    email: str
    password: str
    name: str


@dataclass
class Live:
    """The running server and the staff accounts made for it."""

    url: str
    app: object
    staff: dict[str, Staff] = field(default_factory=dict)


@pytest.fixture(scope="session")
def live(tmp_path_factory):
    """The app on a free port with its own migrated database and one login per role."""
    from flask_migrate import upgrade

    from uitleen import create_app
    from uitleen.auth import service as auth
    from uitleen.auth.roles import ROLES
    from uitleen.extensions import db

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with fresh_database(tmp_path_factory.mktemp("browser"), "browser") as database_url:
        app = create_app(live_config(database_url, url))
        staff = {}
        with app.app_context():
            upgrade()
            for role in ROLES:
                email = f"{role}@browser.uitleen.test"
                name = f"{role.title()} Test"
                auth.create_user(None, email, name, role, PASSWORD)
                staff[role] = Staff(email, PASSWORD, name)
            db.session.commit()
        with LiveServer(app, port):
            yield Live(url, app, staff)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


class Axe:
    """axe-core from the axe-playwright-python wheel, run in the page (no network)."""

    def __init__(self):
        from axe_playwright_python.base import AXE_SCRIPT

        self.script = AXE_SCRIPT
        self.checked: list[str] = []
        self.seen: set[tuple] = set()

    def violations(self, page) -> list[dict]:
        # evaluate() runs through the DevTools protocol, so the page's strict CSP stays on.
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(self.script)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations'], preload: false})")
        return result["violations"]

    def check(self, page) -> None:
        """Fail on serious or critical violations, listing each with its elements.

        A page already checked in the same language and the same state (with or without
        an error message) is not checked again: the journeys revisit pages often.
        """
        key = (
            page_pattern(urlsplit(page.url).path),
            page.evaluate("document.documentElement.lang"),
            page.evaluate("!!document.querySelector('[role=alert], .error-summary, .err')"),
        )
        if key in self.seen:
            return
        self.seen.add(key)
        found = self.violations(page)
        self.checked.append(urlsplit(page.url).path)
        blocking = [v for v in found if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"axe on {page.url}:\n" + describe(blocking)


def page_pattern(path: str) -> str:
    """/devices/12/wipe -> /devices/{id}/wipe; /H/TOKEN/hulp -> /h/{token}/hulp."""
    path = re.sub(r"^/h/[A-Za-z2-7]{16,}", "/h/{token}", path, flags=re.IGNORECASE)
    return re.sub(r"/\d+(?=/|$)", "/{id}", path)


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '')[:200]}")
    return "\n".join(lines)


AXE = Axe()


@pytest.fixture(scope="session")
def axe():
    return AXE


def pytest_terminal_summary(terminalreporter):
    if AXE.checked:
        terminalreporter.write_line(
            f"axe-core checked {len(AXE.checked)} pages (each page, language and state once)"
        )


class Tab:
    """A page that checks accessibility after every navigation and refuses other hosts."""

    def __init__(self, context, live: Live, axe: Axe):
        self.context = context
        self.live = live
        self.axe = axe
        self.page = context.new_page()
        self.console_errors: list[str] = []
        self.keeping: dict | None = None
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        # favicon.ico is the browser asking on its own; everything else counts.
        if message.type == "error" and "favicon" not in (message.location or {}).get("url", ""):
            self.console_errors.append(message.text)

    def goto(self, path: str, status: int = 200):
        response = self.page.goto(path)
        assert response is not None and response.status == status, (
            f"GET {path}: {response and response.status}, expected {status}"
        )
        self.checked()
        return response

    def submit(self, selector: str, status: int = 200):
        """Click a submit button and wait for the next page; check that page."""
        with self.page.expect_navigation() as navigation:
            self.page.click(selector)
        response = navigation.value
        assert response is not None and response.status == status, (
            f"{selector} on {self.page.url}: {response and response.status}, expected {status}\n"
            + self.page.inner_text("body")[:1500]
        )
        self.checked()
        return response

    def checked(self) -> None:
        self.axe.check(self.page)
        csp = [e for e in self.console_errors if "Content Security Policy" in e]
        assert not csp, f"CSP refused something on {self.page.url}: {csp}"

    def pdf(self, selector: str) -> bytes:
        """Click something that answers with a PDF; the PDF's bytes as the server sent them."""
        self.keeping = {}
        try:
            with self.page.expect_response(lambda r: r.request.resource_type == "document"):
                self.page.click(selector)
            kept = self.keeping
        finally:
            self.keeping = None
        assert kept.get("status") == 200, kept
        assert kept["type"].startswith("application/pdf"), f"{kept['url']}: {kept['type']}"
        assert kept["body"].startswith(b"%PDF-"), kept["body"][:40]
        return kept["body"]

    def login(self, role: str) -> None:
        staff = self.live.staff[role]
        self.goto("/login")
        self.page.fill("input[name=email]", staff.email)
        self.page.fill("input[name=password]", staff.password)
        self.submit("form[action='/login'] button[type=submit]")
        assert urlsplit(self.page.url).path == "/start"


class Browsing:
    """New contexts on the live server, each refusing requests to any other host."""

    def __init__(self, browser, live: Live, axe: Axe):
        self.browser = browser
        self.live = live
        self.axe = axe
        self.foreign: list[str] = []
        self.contexts: list = []

    def tab(self, **options) -> Tab:
        context = self.browser.new_context(base_url=self.live.url, **options)
        tab = Tab(context, self.live, self.axe)
        context.route("**/*", lambda route: self._route(tab, route))
        self.contexts.append(context)
        return tab

    def _route(self, tab: Tab, route) -> None:
        url = route.request.url
        if url.startswith(("http:", "https:")) and not url.startswith(self.live.url + "/"):
            self.foreign.append(url)
            route.abort()
        elif tab.keeping is not None and route.request.resource_type == "document":
            # Chromium shows a PDF in its viewer and Playwright then reports the viewer's
            # page as the body; fetching the document here keeps the bytes as sent.
            response = route.fetch()
            tab.keeping.update(
                url=response.url,
                status=response.status,
                type=response.headers.get("content-type", ""),
                body=response.body(),
            )
            route.fulfill(response=response)
        else:  # our server, or the browser's own (chrome://) pages such as the PDF viewer
            route.continue_()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="module")
def browsing(browser, live, axe):
    session = Browsing(browser, live, axe)
    yield session
    session.close()
    assert session.foreign == [], "pages asked for other hosts"
