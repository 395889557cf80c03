"""Every staff page on a 360 px phone, as each role: no sideways scrolling, and buttons,
fields and menu links at least 44 px high (WCAG 2.5.5). Volunteers work with a phone in
one hand.

The server here has the demo organisation in it (uitleen.demo.seed), so lists have rows
and detail pages exist. Every page a role can reach is visited: the menu, then every
link on each page that leads to another kind of staff page, once per kind (/devices/12
and /devices/13 are the same kind). Downloads (CSV, PDF) are not pages and are skipped.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import Browsing, page_pattern
from tests.browser.live import LiveServer, free_port, fresh_database, live_config

WIDTH = 360
MIN_TARGET = 44
# Not staff pages: the public pages behind labels and certificates, the API, files.
NOT_STAFF = ("/h/", "/H/", "/c/", "/api", "/static/", "/logout")
# Targets a thumb must hit: controls, and links that act as buttons or menu entries.
TARGETS = (
    "button, select, textarea, input:not([type=hidden]):not([type=checkbox]):not([type=radio]),"
    " a.button, nav a, .tabs a, .actions a, summary"
)

MEASURE = """([selector, minimum]) => {
  const wide = [];
  const width = document.documentElement.clientWidth;
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.width && box.right > width + 1 && getComputedStyle(el).position !== 'absolute')
      wide.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') +
                ' ' + Math.round(box.right) + 'px');
  }
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height) continue;  // not shown
    if (el.closest('.visually-hidden')) continue;
    if (box.height < minimum)
      small.push(el.tagName.toLowerCase() + ' "' + (el.innerText || el.name || '').trim()
                 .slice(0, 30) + '" ' + Math.round(box.height) + 'px');
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8), small};
}"""


@pytest.fixture(scope="module")
def demo_live(tmp_path_factory):
    """A server with the demo organisation and its logins."""
    from flask_migrate import upgrade

    from uitleen import create_app
    from uitleen.demo import DEMO_LOGINS, seed
    from uitleen.extensions import db

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with fresh_database(tmp_path_factory.mktemp("small"), "small") as database_url:
        app = create_app(live_config(database_url, url))
        with app.app_context():
            upgrade()
            seed()
            db.session.commit()
        logins = {role: (email, password) for email, _name, role, password in DEMO_LOGINS}
        with LiveServer(app, port):
            yield url, app, logins
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="module")
def phone(browser, demo_live, axe):
    url, app, _logins = demo_live

    class Live:
        pass

    live = Live()
    live.url, live.app = url, app
    session = Browsing(browser, live, axe)
    yield session
    session.close()


def is_staff_page(href: str | None, base: str) -> bool:
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:")):
        return False
    parts = urlsplit(href)
    if parts.netloc and f"{parts.scheme}://{parts.netloc}" != base:
        return False
    return not parts.path.startswith(NOT_STAFF) and parts.path != "/login"


def log_in(tab, email: str, password: str) -> None:
    tab.page.goto("/login")
    tab.page.fill("input[name=email]", email)
    tab.page.fill("input[name=password]", password)
    with tab.page.expect_navigation():
        tab.page.click("form[action='/login'] button[type=submit]")
    assert urlsplit(tab.page.url).path == "/start"


@pytest.mark.parametrize("role", ["volunteer", "intake", "coordinator"])
def test_every_staff_page_fits_a_phone(phone, demo_live, role):
    base, _app, logins = demo_live
    tab = phone.tab(viewport={"width": WIDTH, "height": 740}, is_mobile=True, has_touch=True)
    log_in(tab, *logins[role])
    queue, seen, problems, visited = deque(["/start"]), set(), {}, []
    while queue:
        path = queue.popleft()
        kind = page_pattern(urlsplit(path).path)
        if kind in seen:
            continue
        seen.add(kind)
        # GET, not HEAD: several views treat anything but GET as a form post.
        peek = tab.context.request.get(base + path, max_redirects=0)
        if peek.status != 200 or "text/html" not in peek.headers.get("content-type", ""):
            continue  # a download, a redirect, or a page this role may not open
        tab.page.goto(path)
        visited.append(kind)
        found = tab.page.evaluate(MEASURE, [TARGETS, MIN_TARGET])
        if found["scroll"] > found["width"] or found["small"]:
            problems[kind] = found
        hrefs = tab.page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in hrefs:
            if is_staff_page(href, base):
                parts = urlsplit(href)
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    assert len(visited) >= {"volunteer": 5, "intake": 12, "coordinator": 20}[role], visited
    report = [
        f"{kind}: {found['scroll']} px wide {found['wide']}; small: {found['small'][:6]}"
        for kind, found in problems.items()
    ]
    assert report == [], "\n".join(report)
