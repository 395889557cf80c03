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


def test_labels_printed_with_the_older_26_character_tokens_keep_working(client, login_as):
    import base64
    import secrets
    from urllib.parse import urlsplit

    from uitleen.devices.service import label_url
    from uitleen.helpdesk import service as helpdesk

    login_as("volunteer")
    device = make_device()
    device.public_token = base64.b32encode(secrets.token_bytes(16)).decode().rstrip("=")
    db.session.commit()
    old_url = label_url(device.public_token)  # what the old label's QR code holds
    for token in (device.public_token, device.public_token.lower()):
        label = helpdesk.lookup(token)
        assert (label.status, label.device_id) == (helpdesk.ACTIVE, device.id)
    page = client.get(urlsplit(old_url).path)
    assert page.status_code == 200, page.headers.get("Location")
    assert "niet meer in gebruik" not in page.get_data(as_text=True)

    # A scanned old label still selects its device for reprinting.
    response = client.post("/labels/", data={"format": "L7160", "tags": old_url})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
