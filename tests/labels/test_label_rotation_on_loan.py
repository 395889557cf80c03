"""Rotating the label of a device on loan: a reason, a confirmation, and a task on the loan."""

import pytest
from flask import g

from tests.households.factories import make_household
from tests.loans.factories import make_loan
from uitleen.audit.models import Event
from uitleen.extensions import db


@pytest.fixture
def lent(make_user):
    """An open loan of a device to a household."""
    return make_loan(make_user("intake"), make_household())


def test_the_rotate_page_warns_that_the_households_label_will_stop_working(client, login_as, lent):
    login_as("volunteer")
    page = client.get(f"/labels/device/{lent.device_id}/rotate").get_data(as_text=True)
    assert "uitgeleend" in page
    assert "label van het huishouden werkt daarna niet meer" in page
    assert 'name="reason"' in page


@pytest.mark.parametrize("form", [{"confirm": "yes"}, {"confirm": "yes", "reason": "  "}])
def test_without_a_reason_nothing_changes(client, login_as, lent, form):
    login_as("volunteer")
    token = lent.device.public_token
    response = client.post(f"/labels/device/{lent.device_id}/rotate", data=form)
    assert response.status_code == 422
    assert 'id="e-reason"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert lent.device.public_token == token


def test_without_confirmation_nothing_changes(client, login_as, lent):
    login_as("volunteer")
    token = lent.device.public_token
    data = {"reason": "Label is eraf gekrast"}
    response = client.post(f"/labels/device/{lent.device_id}/rotate", data=data)
    assert response.status_code == 422
    db.session.expire_all()
    assert lent.device.public_token == token


def test_rotation_puts_a_new_label_task_on_the_loan_until_it_is_handed_over(client, login_as, lent):
    login_as("volunteer")
    token = lent.device.public_token
    data = {"confirm": "yes", "reason": "Foto van het label staat online"}
    response = client.post(f"/labels/device/{lent.device_id}/rotate", data=data)
    assert response.status_code == 303
    db.session.expire_all()
    assert lent.device.public_token != token
    rotated = db.session.query(Event).filter_by(verb="label.rotated").one()
    assert rotated.data["reason"] == "Foto van het label staat online"
    # The workshop sees the task on the device page too, without anything about the household.
    device_page = client.get(f"/devices/{lent.device_id}").get_data(as_text=True)
    assert "Nieuw label overhandigen" in device_page
    assert lent.household.code not in device_page

    # The intake worker at the desk. The test's app context is shared with the requests,
    # so flask-login's user of the last request is forgotten first.
    g.pop("_login_user", None)
    login_as("intake")
    desk = client
    response = desk.get(f"/loans/{lent.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page[page.find("<h1") : page.find("<h1") + 100]
    assert "Nieuw label overhandigen" in page
    assert "Foto van het label staat online" in page
    response = desk.post(f"/loans/{lent.id}/label-handed-over")
    assert response.status_code == 303
    page = desk.get(f"/loans/{lent.id}").get_data(as_text=True)
    assert "Nieuw label overhandigen" not in page
    assert "Nieuw label overhandigen" not in desk.get(f"/devices/{lent.device_id}").get_data(
        as_text=True
    )
    assert db.session.query(Event).filter_by(verb="loan.label_handed_over").count() == 1


def test_a_device_on_the_shelf_needs_no_reason(client, login_as):
    from tests.devices.factories import make_device

    login_as("volunteer")
    device = make_device()
    db.session.commit()
    response = client.post(f"/labels/device/{device.id}/rotate", data={"confirm": "yes"})
    assert response.status_code == 303


def test_the_api_asks_a_reason_for_a_lent_device(client, api_headers, lent):
    url = f"/api/v1/labels/devices/{lent.device_id}/rotation"
    response = client.post(url, json={}, headers=api_headers("volunteer"))
    assert response.status_code == 422
    assert "reason" in response.json["errors"]
    response = client.post(url, json={"reason": "Kwijt"}, headers=api_headers("volunteer"))
    assert response.status_code == 200
