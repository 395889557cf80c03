"""Staff log in with a real browser, and every page they can open passes axe."""

from urllib.parse import urlsplit

import pytest


@pytest.mark.parametrize("role", ["volunteer", "intake", "coordinator"])
def test_each_role_logs_in_and_opens_every_menu_page(browsing, role):
    tab = browsing.tab()
    tab.login(role)
    menu = tab.page.locator("nav[aria-label] a")
    links = [menu.nth(i).get_attribute("href") for i in range(menu.count())]
    for href in links:
        tab.goto(href)
    tab.goto("/api/docs")
    assert tab.console_errors == []


def test_a_wrong_password_says_so_and_keeps_the_email(browsing, live):
    tab = browsing.tab()
    tab.goto("/login")
    tab.page.fill("input[name=email]", live.staff["intake"].email)
    tab.page.fill("input[name=password]", "niet het wachtwoord")
    tab.submit("form[action='/login'] button[type=submit]", status=401)
    assert tab.page.locator("[role=alert]").is_visible()
    assert tab.page.input_value("input[name=email]") == live.staff["intake"].email


def test_logging_out_ends_the_session(browsing):
    tab = browsing.tab()
    tab.login("volunteer")
    tab.submit("form[action='/logout'] button[type=submit]")
    assert urlsplit(tab.page.url).path == "/login"
    tab.page.goto("/start")
    assert urlsplit(tab.page.url).path == "/login"
