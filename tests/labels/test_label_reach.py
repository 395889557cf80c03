"""Labels always lead somewhere a phone can open (issue 15)."""

import io

import pypdf
import pytest
from sqlalchemy import func, select

from tests.devices.factories import make_device
from uitleen.audit.models import Event
from uitleen.config import base_url_problem
from uitleen.extensions import db

TEST_NOTICE = "Testlabel: telefoons kunnen dit adres niet openen"


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://hulp.uitleen.nl", None),
        ("https://192.168.1.20", None),
        ("http://hulp.uitleen.nl", "plain_http"),
        ("http://192.168.1.20:5301", "plain_http"),
        ("http://127.0.0.1:5000", "loopback"),
        ("https://127.0.0.2", "loopback"),
        ("http://[::1]:5000", "loopback"),
        ("http://0.0.0.0:5000", "loopback"),
        ("https://localhost", "localhost"),
        ("http://LocalHost:5000", "localhost"),
        ("https://app.localhost", "localhost"),
        ("hulp.uitleen.nl", "missing"),
        ("", "missing"),
    ],
)
def test_base_url_problems(url, problem):
    assert base_url_problem(url) == problem


def event_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Event))


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:5000", "http://localhost:5301", "http://hulp.uitleen.nl"]
)
def test_printing_in_production_is_refused_when_phones_cannot_open_the_address(
    app, client, login_as, monkeypatch, base_url
):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    monkeypatch.setitem(app.config, "UITLEEN_BASE_URL", base_url)
    login_as("volunteer")
    device = make_device()
    db.session.commit()
    before = event_count()

    page = client.get(f"/labels/device/{device.id}").get_data(as_text=True)
    assert "UITLEEN_BASE_URL" in page

    response = client.post(f"/labels/device/{device.id}", data={"format": "L7160"})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "UITLEEN_BASE_URL" in text and "https://" in text
    assert event_count() == before  # nothing logged as printed

    response = client.post("/labels/", data={"format": "L7160", "device_id": [str(device.id)]})
    assert response.status_code == 422 and "UITLEEN_BASE_URL" in response.get_data(as_text=True)


def test_the_api_refuses_too(app, client, api_headers, monkeypatch):
    monkeypatch.setitem(app.config, "ENV_NAME", "production")
    monkeypatch.setitem(app.config, "UITLEEN_BASE_URL", "http://127.0.0.1:5000")
    device = make_device()
    db.session.commit()
    response = client.post(
        "/api/v1/labels",
        json={"format": "L7160", "device_ids": [device.id]},
        headers=api_headers("volunteer"),
    )
    assert response.status_code == 422
    assert response.json["code"] == "base_url_unreachable"
    assert "UITLEEN_BASE_URL" in response.json["message"]


@pytest.mark.parametrize("fmt", ["L7160", "L7651", "DK-11209"])
def test_in_development_a_loopback_label_says_it_is_a_test_label(
    app, client, login_as, monkeypatch, fmt
):
    monkeypatch.setitem(app.config, "UITLEEN_BASE_URL", "http://127.0.0.1:5000")
    login_as("volunteer")
    device = make_device()
    db.session.commit()
    assert TEST_NOTICE in client.get(f"/labels/device/{device.id}").get_data(as_text=True)
    response = client.post(f"/labels/device/{device.id}", data={"format": fmt})
    assert response.status_code == 200
    text = pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert TEST_NOTICE in " ".join(text.split())


def test_a_reachable_address_prints_real_labels(app, client, login_as):
    login_as("volunteer")
    device = make_device()
    db.session.commit()
    assert TEST_NOTICE not in client.get(f"/labels/device/{device.id}").get_data(as_text=True)
    response = client.post(f"/labels/device/{device.id}", data={"format": "L7160"})
    text = pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "Testlabel" not in text
