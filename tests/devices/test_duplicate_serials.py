"""The same laptop registered again: a known serial is asked about, and refused outright
while that device is on loan — whatever the make is called, however the serial is typed,
by the form, the API, an edit or a CSV import."""

import html
import re

import pytest
from sqlalchemy import func, select

from tests.devices.factories import device_data, make_device
from tests.helpdesk.factories import lend_to_household, make_labelled_device
from uitleen.devices import bulk, service
from uitleen.devices.models import Device
from uitleen.errors import Invalid
from uitleen.extensions import db

HEADER = (
    "kind,make,model,serial,ram_gb,storage_gb,storage_type,donor,donor_is_organisation,location\n"
)

# How the same sticker "5CG1234XYZ" of a Dell comes back at the workshop desk.
RETYPED = [
    ("Dell", "5CG1234XYZ"),
    ("DELL Inc.", "5CG1234XYZ"),  # the make as the BIOS spells it
    ("Dell", "5CG-1234-XYZ"),
    ("dell", " 5cg 1234 xyz "),
    ("Dell Technologies", "5cg.1234/xyz"),
]


def devices() -> int:
    return db.session.scalar(select(func.count()).select_from(Device))


def on_loan(serial: str = "5CG1234XYZ") -> Device:
    device = make_labelled_device(state="on_loan", serial=serial)
    lend_to_household(device)
    return device


@pytest.mark.parametrize(("make", "serial"), RETYPED)
def test_a_device_on_loan_is_never_registered_again(app, make, serial):
    lent = on_loan()
    before = devices()
    sure = {"confirm_duplicate": True, "duplicate_reason": "Ander apparaat, echt"}
    for extra in ({}, sure):  # confirming does not help: it is the same laptop
        with pytest.raises(service.SerialOnLoan) as refused:
            service.register_device(
                None, service.DeviceInput(**device_data(make=make, serial=serial, **extra))
            )
        assert refused.value.code == "serial_on_loan"
        assert refused.value.existing.id == lent.id
        assert lent.asset_tag in refused.value.errors["serial"][0]
        assert "uitgeleend" in refused.value.message
        db.session.rollback()
    assert devices() == before


@pytest.mark.parametrize(("make", "serial"), RETYPED)
def test_a_known_serial_in_stock_asks_for_confirmation_and_a_reason(app, make, serial):
    known = make_device(make="Dell", serial="5CG1234XYZ")
    with pytest.raises(service.DuplicateSerial) as warned:
        make_device(make=make, serial=serial)
    assert warned.value.existing.id == known.id
    with pytest.raises(Invalid) as no_reason:
        make_device(make=make, serial=serial, confirm_duplicate=True)
    assert "duplicate_reason" in no_reason.value.errors
    second = make_device(
        make=make, serial=serial, confirm_duplicate=True, duplicate_reason="Twee stickers"
    )
    assert second.id != known.id and second.serial_key == known.serial_key


def test_on_loan_wins_over_a_copy_in_stock(app):
    make_device(make="Dell", serial="5CG1234XYZ")  # an older, confirmed second registration
    lent = on_loan()
    with pytest.raises(service.SerialOnLoan) as refused:
        make_device(make="Dell", serial="5CG1234XYZ")
    assert refused.value.existing.id == lent.id


@pytest.mark.parametrize(
    "placeholder", ["To be filled by O.E.M.", "0", "00000000", "XXXXXXXX", "N/A", "Default string"]
)
def test_a_placeholder_serial_identifies_nothing(app, placeholder):
    on_loan(serial=placeholder)
    make_device(make="Dell", serial=placeholder)
    assert make_device(make="Dell", serial=placeholder).serial_key == ""


def test_an_edit_to_the_serial_of_a_device_on_loan_is_refused(app):
    lent = on_loan()
    device = make_device(make="Dell", serial="OTHER123")
    db.session.commit()
    with pytest.raises(service.SerialOnLoan):
        service.update_device(
            None, device, service.DeviceInput.from_data({"serial": "5cg-1234-xyz"})
        )
    db.session.rollback()
    assert db.session.get(Device, device.id).serial == "OTHER123"
    # Editing the lent device itself is no duplicate of itself.
    service.update_device(
        None, lent, service.DeviceInput.from_data({"serial": "5CG-1234-XYZ", "make": "Dell Inc."})
    )
    assert lent.serial_key == "5CG1234XYZ"


def test_the_api_refuses_a_device_on_loan_with_409(client, api_headers):
    headers = api_headers("volunteer")
    lent = on_loan()
    before = devices()
    response = client.post(
        "/api/v1/devices",
        json=device_data(
            make="DELL Inc.",
            serial="5cg-1234-xyz",
            confirm_duplicate=True,
            duplicate_reason="Zeker weten",
        ),
        headers=headers,
    )
    assert response.status_code == 409
    assert response.json["code"] == "serial_on_loan"
    assert lent.asset_tag in response.json["message"]
    assert devices() == before


def test_the_api_asks_about_a_known_serial_in_another_spelling(client, api_headers):
    headers = api_headers("volunteer")
    make_device(make="HP", serial="5CG1234XYZ")
    db.session.commit()
    data = device_data(make="Hewlett-Packard", serial="5CG 1234 XYZ")
    asked = client.post("/api/v1/devices", json=data, headers=headers)
    assert (asked.status_code, asked.json["code"]) == (409, "duplicate_serial")
    sure = data | {"confirm_duplicate": True, "duplicate_reason": "Ander moederbord"}
    assert client.post("/api/v1/devices", json=sure, headers=headers).status_code == 201


def test_the_form_says_why_at_the_serial_field_and_keeps_the_input(client, login_as):
    login_as("volunteer")
    lent = on_loan()
    before = devices()
    form = {
        "kind": "laptop",
        "make": "Dell Inc.",
        "model": "Latitude 5490",
        "serial": "5cg-1234-xyz",
    }
    response = client.post("/devices/new", data=form)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    error = re.search(r'<p class="error" id="e-serial">([^<]*)</p>', page)
    assert error and lent.asset_tag in error.group(1) and "uitgeleend" in error.group(1)
    assert 'value="5cg-1234-xyz"' in page and 'value="Dell Inc."' in page
    assert "Dit is echt een ander apparaat" not in page  # nothing to confirm
    assert devices() == before


def test_a_csv_import_refuses_a_row_of_a_device_on_loan(app, tmp_path):
    lent = on_loan()
    make_device(make="HP", serial="IN-STOCK-1")
    db.session.commit()
    path = tmp_path / "devices.csv"
    path.write_text(
        HEADER
        + "laptop,Lenovo,T470,NEW123,8,256,ssd,,,\n"
        + "laptop,DELL Inc.,Latitude,5cg-1234-xyz,8,256,ssd,,,\n"  # row 3: on loan
        + "laptop,Hewlett-Packard,840,instock1,8,256,ssd,,,\n"  # row 4: known, in stock
        + "laptop,Acer,Swift,NEW-456,8,256,ssd,,,\n"
        + "laptop,Acer,Swift,new 456,8,256,ssd,,,\n",  # row 6: repeats row 5
        encoding="utf-8",
    )
    before = devices()
    checked = bulk.check(bulk.opener(path))
    errors = {(e.row, e.field): e.message for e in checked.errors}
    assert set(errors) == {(3, "serial"), (4, "serial"), (6, "serial")}
    assert lent.asset_tag in errors[(3, "serial")] and "uitgeleend" in errors[(3, "serial")]
    with pytest.raises(bulk.ImportRefused):
        bulk.import_rows(None, bulk.opener(path))
    db.session.rollback()
    assert devices() == before


def test_devices_imported_from_csv_are_found_by_a_later_intake(app, tmp_path):
    path = tmp_path / "devices.csv"
    path.write_text(HEADER + "laptop,Lenovo,T470,PF-0A1B2C,8,256,ssd,,,\n", encoding="utf-8")
    assert bulk.import_rows(None, bulk.opener(path)) == 1
    imported = db.session.scalars(select(Device)).one()
    assert (imported.serial, imported.serial_key) == ("PF-0A1B2C", "PF0A1B2C")
    with pytest.raises(service.DuplicateSerial) as warned:
        make_device(make="LENOVO", serial="pf0a1b2c")
    assert warned.value.existing.id == imported.id


def test_the_edit_form_refuses_the_serial_of_a_device_on_loan(client, login_as):
    login_as("volunteer")
    lent = on_loan()
    device = make_device(make="Dell", serial="OTHER123")
    db.session.commit()
    form = {"kind": "laptop", "make": "Dell", "model": "Latitude", "serial": "5CG 1234 XYZ"}
    response = client.post(f"/devices/{device.id}/edit", data=form)
    assert response.status_code == 422
    page = html.unescape(response.get_data(as_text=True))
    assert lent.asset_tag in page and 'value="5CG 1234 XYZ"' in page
    db.session.expire_all()
    assert db.session.get(Device, device.id).serial == "OTHER123"
