"""Issue 16, households: a phone in a language we do not offer gets a choice, not Dutch;
the help page names the device and costs one request."""

import re

import pytest

from tests.helpdesk.factories import lend_to_household, make_labelled_device, make_location
from uitleen.i18n import SUPPORTED_LANGUAGES


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def device(app):
    return make_labelled_device(location=make_location(name="Werkplaats Oost"))


@pytest.mark.parametrize("header", ["fr-FR,fr;q=0.9", "de-DE", "fr-MA,fr;q=0.9,zh;q=0.5"])
def test_a_phone_in_another_language_is_asked_to_choose(client, device, header):
    response = client.get(f"/h/{device.public_token}", headers={"Accept-Language": header})
    html = text(response)
    assert response.status_code == 200
    links = re.findall(r'<a class="btn pick" href="([^"]+)" hreflang="(\w+)"', html)
    assert [code for _href, code in links] == list(SUPPORTED_LANGUAGES)
    for href, code in links:
        assert href == f"/h/{device.public_token}?lang={code}"
    for lang in SUPPORTED_LANGUAGES.values():
        assert f'lang="{lang.code}" dir="{lang.dir}"><span>{lang.name} ' in html
    assert "Set-Cookie" not in response.headers  # nothing chosen yet


def test_the_choice_sticks(client, device):
    token = device.public_token
    french = {"Accept-Language": "fr"}
    chosen = client.get(f"/h/{token}?lang=ar", headers=french)
    assert '<html lang="ar" dir="rtl">' in text(chosen)
    assert chosen.headers["Set-Cookie"].startswith("lang=ar;")
    again = client.get(f"/H/{token}", headers=french)
    assert '<html lang="ar" dir="rtl">' in text(again)
    assert "btn pick" not in text(again)


def test_the_ask_page_asks_too_and_keeps_its_way_back(client, device):
    token = device.public_token
    html = text(client.get(f"/h/{token}/hulp", headers={"Accept-Language": "fr"}))
    assert f'href="/h/{token}/hulp?lang=tr"' in html


def test_a_phone_in_one_of_our_languages_is_not_asked(client, device):
    response = client.get(f"/h/{device.public_token}", headers={"Accept-Language": "fr,tr;q=0.3"})
    assert '<html lang="tr"' in text(response)
    assert "btn pick" not in text(response)


def test_the_language_is_never_guessed_from_the_households_data(client, device):
    lend_to_household(device, language="ar")
    html = text(client.get(f"/h/{device.public_token}", headers={"Accept-Language": "fr"}))
    assert "btn pick" in html and '<html lang="nl"' in html


def test_the_help_page_shows_the_device_number(client, device):
    html = text(client.get(f"/h/{device.public_token}"))
    assert f'<bdi dir="ltr" class="tagno">{device.asset_tag}</bdi>' in html
    other = make_labelled_device(location=None)
    assert f">{other.asset_tag}</bdi>" in text(client.get(f"/h/{other.public_token}"))


@pytest.mark.parametrize("path", ["", "/hulp", "/bedankt", "-unknown"])
def test_no_favicon_request(client, device, path):
    """An inline icon: the browser asks for nothing more than the page."""
    html = text(client.get(f"/h/{device.public_token}{path}"))
    icons = re.findall(r'<link rel="icon" href="([^"]+)"', html)
    assert len(icons) == 1 and icons[0].startswith("data:image/svg+xml,")
    assert "//" not in icons[0]  # names no server
