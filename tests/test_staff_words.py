"""Issue 16: what staff read is in words and in their language, not codes."""

import pytest
from flask import g

from tests.devices.factories import make_device
from tests.vouchers.factories import make_household
from uitleen.extensions import db
from uitleen.labels.formats import available_formats


def text(response) -> str:
    return response.get_data(as_text=True)


def in_english(client):
    client.post("/lang/en", data={"next": "/start"})
    # The test's app context outlives requests; forget the locale flask-babel cached in it.
    g.pop("_flask_babel", None)


def test_storage_types_are_named_in_words(client, login_as):
    login_as("volunteer")
    device = make_device(storage_type="emmc")
    db.session.commit()
    page = text(client.get(f"/devices/{device.id}"))
    assert "256 GB eMMC (vast ingebouwd geheugen)" in page and "EMMC" not in page
    form = text(client.get("/devices/new"))
    assert '<option value="nvme">NVMe-SSD</option>' in form
    assert ">OTHER<" not in form and ">Andere opslag<" in form
    in_english(client)
    assert "256 GB eMMC (built-in memory)" in text(client.get(f"/devices/{device.id}"))


def test_label_formats_are_described_in_the_staff_language(client, login_as):
    login_as("volunteer")
    device = make_device()
    db.session.commit()
    page = text(client.get(f"/labels/device/{device.id}"))
    assert "A4-vel met 21 etiketten van 63,5 × 38,1 mm (3 × 7)" in page
    in_english(client)
    page = text(client.get(f"/labels/device/{device.id}"))
    assert "A4 sheet with 21 labels of 63.5 × 38.1 mm (3 × 7)" in page
    assert "A4-vel" not in page and "Rol met" not in page


def test_every_label_format_has_an_english_description():
    formats = available_formats()
    assert len(formats) >= 7
    for fmt in formats:
        assert fmt.description_in("en") != fmt.description, fmt.id


@pytest.mark.parametrize(("lang", "shown"), [("nl", "Arabisch"), ("en", "Arabic")])
def test_language_names_in_the_readers_language(client, login_as, lang, shown):
    login_as("intake")
    household = make_household(language="ar")
    if lang == "en":
        in_english(client)
    listing = text(client.get("/households/"))
    assert f">{shown}</td>" in listing and ">ar</td>" not in listing
    form = text(client.get(f"/households/{household.id}/edit"))
    assert f">{shown} (العربية)</option>" in form
