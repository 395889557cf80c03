"""The workshop reaches label printing from the device page and the device list."""

from tests.devices.factories import make_device
from uitleen.extensions import db


def test_device_page_links_to_its_label(client, login_as):
    login_as("intake")
    device = make_device()
    db.session.commit()
    page = client.get(f"/devices/{device.id}").get_data(as_text=True)
    assert f"/labels/device/{device.id}" in page


def test_devices_ticked_in_the_list_go_to_the_print_form(client, login_as):
    login_as("volunteer")
    first, second = make_device(), make_device()
    db.session.commit()
    listing = client.get("/devices/").get_data(as_text=True)
    assert f'name="device_id" value="{first.id}"' in listing
    response = client.post("/labels/", data={"device_id": [str(second.id)]})
    assert response.status_code == 200
    form = response.get_data(as_text=True)
    assert second.asset_tag in form
    assert first.asset_tag not in form
