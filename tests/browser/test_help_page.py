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
