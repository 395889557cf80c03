"""Printing labels in a real browser: from a device's page and from the device list.

The live server's base URL is http://127.0.0.1:<port>, which no phone can open: the
print pages and the PDFs say they are test labels. Every code in each PDF is decoded.
"""

from __future__ import annotations

import io
from urllib.parse import urlsplit

import pytest
from pypdf import PdfReader

from tests.labels.pdfcodes import decode_all
from uitleen.labels.formats import load_format

TEST_NOTICE = "Testlabel: telefoons kunnen dit adres niet openen"


def pdf_text(pdf: bytes) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(text.split())


@pytest.fixture(scope="module")
def volunteer(browsing):
    tab = browsing.tab()
    tab.login("volunteer")
    return tab


@pytest.fixture(scope="module")
def registered(live):
    """Three devices registered in the live app, as the workshop would have them."""
    from tests.devices.factories import make_device
    from uitleen.devices.service import label_url
    from uitleen.extensions import db

    with live.app.app_context():
        made = [make_device() for _ in range(3)]
        db.session.commit()
        found = [(device.id, device.asset_tag, label_url(device.public_token)) for device in made]
        db.session.remove()
    return found


def test_a_label_printed_from_the_device_page(volunteer, registered):
    device_id, tag, url = registered[0]
    volunteer.goto(f"/labels/device/{device_id}")
    page = volunteer.page
    assert TEST_NOTICE in page.inner_text("main")
    assert page.locator("main code").first.inner_text().strip() == url
    page.select_option("select[name=format]", "DK-11209")
    pdf = volunteer.pdf(f"form[action='/labels/device/{device_id}'] button[type=submit]")
    assert decode_all(load_format("DK-11209"), pdf) == [url]
    text = pdf_text(pdf)
    assert tag in text and TEST_NOTICE in text


def test_labels_printed_from_the_device_list(volunteer, registered):
    volunteer.goto("/devices/")
    page = volunteer.page
    for device_id, _tag, _url in registered[1:]:
        page.check(f"input[name=device_id][value='{device_id}']")
    volunteer.submit("form[action='/labels/'] button[type=submit]")
    assert urlsplit(page.url).path == "/labels/"
    main = page.inner_text("main")
    assert all(tag in main for _id, tag, _url in registered[1:])
    assert "Avery L7651" in page.inner_text(".hint.warning >> nth=-1")  # close scan only
    page.select_option("select[name=format]", "L7160")
    pdf = volunteer.pdf("form[action='/labels/'] button.primary")
    # In the order of the list (newest first); every code decodes to its device's URL.
    decoded = decode_all(load_format("L7160"), pdf)
    assert sorted(decoded) == sorted(url for _id, _tag, url in registered[1:])
    assert TEST_NOTICE in pdf_text(pdf)
