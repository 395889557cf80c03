"""Rotating a label: the old URL is retired (friendly 410 page), new labels carry the new one."""

import pytest
from sqlalchemy import select

from tests.devices.factories import make_device
from tests.labels.pdfcodes import decode_all
from tests.races import run_together
from uitleen.audit.service import history
from uitleen.devices.models import Device, RetiredToken
from uitleen.devices.service import label_url
from uitleen.extensions import db
from uitleen.labels.formats import load_format
from uitleen.qr import QrMatrix, make_matrix


def one_device():
    device = make_device()
    db.session.commit()
    return device


def rotate(client, device, confirm="yes"):
    data = {"confirm": confirm} if confirm else {}
    return client.post(f"/labels/device/{device.id}/rotate", data=data)


def test_rotation_retires_the_old_token_and_new_labels_carry_the_new_one(client, login_as):
    user = login_as("volunteer")
    device = one_device()
    old_token, old_matrix = device.public_token, device.qr_matrix

    confirm_page = client.get(f"/labels/device/{device.id}/rotate")
    assert "niet meer werkt" in confirm_page.get_data(as_text=True)
    response = rotate(client, device)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/labels/device/{device.id}")  # reprint

    db.session.expire_all()
    assert device.public_token != old_token and len(device.public_token) == 20
    assert device.qr_matrix != old_matrix
    # The stored matrix is the new URL's, so labels drawn from it decode to the new URL.
    assert QrMatrix.from_bytes(device.qr_matrix) == make_matrix(label_url(device.public_token))
    retired = db.session.get(RetiredToken, old_token)
    assert retired is not None and retired.device_id == device.id

    [event] = [e for e in history("devices", device.id) if e.verb == "label.rotated"]
    assert event.actor_id == user.id
    assert old_token not in str(event.data) and device.public_token not in str(event.data)

    reprint = client.post(f"/labels/device/{device.id}", data={"format": "L7160"})
    assert decode_all(load_format("L7160"), reprint.data) == [label_url(device.public_token)]
    page = client.get(f"/labels/device/{device.id}").get_data(as_text=True)
    assert "nieuw label" in page and "1 eerder label" in page


def test_the_old_url_shows_the_friendly_page_the_new_one_the_help_page(client, login_as):
    login_as("volunteer")
    device = one_device()
    old_token = device.public_token
    rotate(client, device)
    db.session.expire_all()
    client.post("/logout")

    old = client.get(f"/h/{old_token}")
    assert old.status_code == 410
    assert "Dit label is niet meer in gebruik" in old.get_data(as_text=True)
    assert client.get(f"/h/{old_token.lower()}").status_code == 410
    assert client.get(f"/h/{device.public_token}").status_code == 200


def test_rotation_needs_the_box_ticked_and_changes_nothing_without(client, login_as):
    login_as("volunteer")
    device = one_device()
    token = device.public_token
    response = rotate(client, device, confirm=None)
    assert response.status_code == 422
    assert "Vink aan" in response.get_data(as_text=True)
    db.session.expire_all()
    assert device.public_token == token
    assert db.session.scalars(select(RetiredToken)).all() == []


def test_the_desk_may_print_but_not_rotate(client, login_as):
    login_as("intake")
    device = one_device()
    page = client.get(f"/labels/device/{device.id}").get_data(as_text=True)
    assert "/rotate" not in page
    assert rotate(client, device).status_code == 403


def test_rotating_twice_keeps_both_old_tokens_retired(client, login_as):
    login_as("coordinator")
    device = one_device()
    first = device.public_token
    rotate(client, device)
    db.session.expire_all()
    second = device.public_token
    rotate(client, device)
    db.session.expire_all()
    retired = db.session.scalars(select(RetiredToken.token).order_by(RetiredToken.token)).all()
    assert sorted(retired) == sorted([first, second])
    assert device.public_token not in retired


def test_api_rotation_returns_the_new_label_url(client, api_headers):
    headers = api_headers("volunteer")
    device = one_device()
    old_token = device.public_token
    response = client.post(f"/api/v1/labels/devices/{device.id}/rotation", headers=headers)
    assert response.status_code == 200
    db.session.expire_all()
    assert response.json == {
        "device_id": device.id,
        "asset_tag": device.asset_tag,
        "public_token": device.public_token,
        "label_url": label_url(device.public_token),
    }
    assert device.public_token != old_token
    assert db.session.get(RetiredToken, old_token) is not None
    assert client.get(f"/h/{old_token}").status_code == 410

    desk = client.post(
        f"/api/v1/labels/devices/{device.id}/rotation", headers=api_headers("intake")
    )
    assert desk.status_code == 403
    missing = client.post("/api/v1/labels/devices/999999/rotation", headers=headers)
    assert missing.status_code == 404


@pytest.mark.commits
def test_simultaneous_rotations_never_leave_a_live_retired_token(app, api_headers):
    headers = api_headers("volunteer")
    device = one_device()
    device_id, original = device.id, device.public_token
    db.session.rollback()  # end this thread's transaction, or SQLite makes the others wait
    workers = 8

    def rotate_once(_i: int) -> int:
        url = f"/api/v1/labels/devices/{device_id}/rotation"
        return app.test_client().post(url, headers=headers).status_code

    statuses = run_together(workers, rotate_once)

    db.session.expire_all()
    device = db.session.get(Device, device_id)
    retired = db.session.scalars(select(RetiredToken.token)).all()
    # Each rotation either went through (retiring the token it saw) or was refused (409).
    assert set(statuses) <= {200, 409} and statuses.count(200) >= 1
    assert len(retired) == statuses.count(200)
    assert original in retired and device.public_token not in retired
    assert QrMatrix.from_bytes(device.qr_matrix) == make_matrix(label_url(device.public_token))


def test_a_changed_base_url_makes_stored_matrices_stale_not_wrong(app, client, login_as):
    """Labels printed after a move to a new address carry the new address."""
    from uitleen.devices import service as devices
    from uitleen.labels import service as labels

    device = make_device()
    db.session.commit()
    old_url = device.qr_url
    app.config["UITLEEN_BASE_URL"] = "https://nieuw.uitleen.test"
    try:
        [row] = labels._rows(Device.id == device.id)
        assert row.qr_matrix is None  # stale: the renderer makes a fresh one
        devices.store_qr_matrices({device.public_token: devices.qr_matrix_for(device.public_token)})
        db.session.refresh(device)
        assert device.qr_url != old_url and device.qr_url.startswith("HTTPS://NIEUW")
        assert QrMatrix.from_bytes(device.qr_matrix) == make_matrix(label_url(device.public_token))
    finally:
        app.config["UITLEEN_BASE_URL"] = "https://hulp.uitleen.test"
