"""A small print makes the QR code of a device that has none stored, and keeps it: the
next print draws the stored code. A bulk import leaves codes out, a new base URL or
encoder makes them stale."""

from sqlalchemy import update

from tests.devices.factories import make_device
from tests.labels.pdfcodes import decode_all
from uitleen import qr
from uitleen.devices import service as devices
from uitleen.devices.models import Device
from uitleen.extensions import db
from uitleen.labels import render
from uitleen.labels.formats import load_format

L7160 = load_format("L7160")


def without_codes(count: int) -> list[Device]:
    """Devices as a bulk import leaves them: no stored QR code."""
    made = [make_device() for _ in range(count)]
    db.session.execute(
        update(Device)
        .where(Device.id.in_([d.id for d in made]))
        .values(qr_matrix=None, qr_url=None)
    )
    db.session.commit()
    return made


def print_sheet(client, chosen: list[Device]):
    response = client.post(
        "/labels/", data={"device_id": [str(d.id) for d in chosen], "format": "L7160"}
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return response


def test_the_first_print_keeps_the_codes_it_made_and_the_next_draws_them(
    client, login_as, monkeypatch
):
    login_as("volunteer")
    chosen = without_codes(3)
    urls = [devices.label_url(d.public_token) for d in chosen]
    assert decode_all(L7160, print_sheet(client, chosen).data) == urls

    db.session.expire_all()
    for device in chosen:
        assert device.qr_url == devices.label_url(device.public_token)
        assert device.qr_matrix == devices.qr_matrix_for(device.public_token)

    def no_new_codes(*_args, **_kwargs):
        raise AssertionError("a stored code was made again")

    monkeypatch.setattr(qr, "make_matrix", no_new_codes)
    monkeypatch.setattr(render, "make_matrix", no_new_codes)
    assert decode_all(L7160, print_sheet(client, chosen).data) == urls


def test_the_api_keeps_them_too(client, api_headers):
    [device] = without_codes(1)
    response = client.post(
        "/api/v1/labels", json={"format": "L7160", "device_ids": [device.id]}, headers=api_headers()
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert device.qr_matrix == devices.qr_matrix_for(device.public_token)


def test_a_code_made_for_a_label_since_replaced_is_not_kept(app):
    [device] = without_codes(1)
    old_token = device.public_token
    made = devices.qr_matrix_for(old_token)
    devices.assign_token(device)  # rotated while the sheet was drawn
    db.session.commit()
    devices.store_qr_matrices({old_token: made})
    db.session.commit()
    db.session.expire_all()
    assert device.qr_matrix == devices.qr_matrix_for(device.public_token) != made
