"""Issue 16: the privacy page says what the help-request pages really show."""

from flask import g

from tests.helpdesk.factories import (
    lend_to_household,
    make_help_request,
    make_labelled_device,
)


def text(response) -> str:
    return response.get_data(as_text=True)


def switch_to(login_as, role: str):
    # The test's app context outlives requests: forget the user flask-login cached in it.
    g.pop("_login_user", None)
    return login_as(role)


def test_the_privacy_page_and_the_help_request_page_agree(client, login_as):
    device = make_labelled_device()
    lend_to_household(device, contact_name="Fatima Bouzid", phone="06 98765432")
    request = make_help_request(device, callback_phone="0611122233")

    # What is true: the desk sees who has the device now, to call them back ...
    login_as("intake")
    desk = text(client.get(f"/help-requests/{request.id}"))
    assert "Fatima Bouzid" in desk and "06 98765432" in desk
    # ... and a workshop volunteer does not.
    switch_to(login_as, "volunteer")
    assert client.get(f"/help-requests/{request.id}").status_code == 403

    # The privacy page says exactly that, and no longer that they are never linked.
    switch_to(login_as, "coordinator")
    privacy = text(client.get("/privacy"))
    assert "nooit bij een huishouden" not in privacy
    assert "welk huishouden het apparaat nu leent, met naam en telefoonnummer" in privacy
    assert "Vrijwilligers in de werkplaats en wie het label scant zien dat nooit." in privacy
