"""The public help page in every language on a 320 px phone: fits, and passes axe."""

import pytest

from uitleen.i18n import LANGUAGES

SMALL_PHONE = {
    "viewport": {"width": 320, "height": 640},
    "is_mobile": True,
    "has_touch": True,
    "locale": "nl-NL",
}


@pytest.fixture(scope="module")
def token(live) -> str:
    from tests.loans.factories import make_ready_device
    from uitleen.extensions import db

    with live.app.app_context():
        value = make_ready_device().public_token
        db.session.remove()
    return value


@pytest.fixture(scope="module")
def small_phone(browsing):
    return browsing.tab(**SMALL_PHONE)


def fits(tab, width: int) -> bool:
    return tab.page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_the_help_page_fits_a_small_phone_and_passes_axe_in_every_language(
    small_phone, token, lang
):
    for path in (f"/h/{token}?lang={lang}", f"/h/{token}/hulp?lang={lang}"):
        small_phone.goto(path)
        assert small_phone.page.get_attribute("html", "lang") == lang
        assert small_phone.page.get_attribute("html", "dir") == LANGUAGES[lang][1]
        assert fits(small_phone, 320), f"{path} is wider than 320 px"
    assert small_phone.console_errors == []


def test_the_help_page_still_fits_at_200_percent_zoom(browsing, token):
    # 200% zoom on a 640 px wide window leaves 320 CSS pixels, as on the small phone.
    zoomed = browsing.tab(viewport={"width": 320, "height": 400}, device_scale_factor=2)
    zoomed.goto(f"/h/{token}")
    assert fits(zoomed, 320)
    for details in zoomed.page.locator("details").all():
        details.locator("summary").click()
    assert fits(zoomed, 320), "an opened how-to is wider than the window"


def test_an_unknown_label_gets_a_friendly_page_that_passes_axe(small_phone):
    small_phone.goto("/h/ONBEKENDLABEL000000000000000", status=404)
    assert small_phone.page.locator("a[href^='tel:']").count() >= 1


def test_a_scan_costs_one_request_and_shows_the_device_number(browsing, live, token):
    """No /favicon.ico, no style sheet, no font: the page is everything (issue 16)."""
    phone = browsing.tab(**SMALL_PHONE)
    asked: list[str] = []
    phone.page.on("request", lambda request: asked.append(request.url))
    phone.goto(f"/h/{token}")
    phone.page.wait_for_load_state("load")
    phone.page.wait_for_timeout(300)  # a browser asks for the icon after the load event
    assert asked == [f"{live.url}/h/{token}"]
    assert phone.page.locator(".tagno").inner_text().startswith("UIT-")


def test_a_phone_in_french_is_offered_the_six_languages_and_the_choice_sticks(browsing, token):
    french = browsing.tab(**{**SMALL_PHONE, "locale": "fr-FR"})
    french.goto(f"/h/{token}")
    buttons = french.page.locator("a.btn.pick")
    assert buttons.count() == len(LANGUAGES)
    for button in buttons.all():
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 200  # big enough to tap
    assert fits(french, 320)
    with french.page.expect_navigation():
        french.page.click("a.btn.pick[hreflang=ar]")
    assert french.page.get_attribute("html", "dir") == "rtl"
    french.goto(f"/h/{token}")  # the next scan of the label
    assert french.page.get_attribute("html", "lang") == "ar"
