"""The label lookup: what it reads, and the settings it brings along in the same query."""

import pytest

from tests.helpdesk.factories import make_labelled_device, make_location, new_token
from uitleen.devices.models import RetiredToken
from uitleen.extensions import db
from uitleen.helpdesk import service
from uitleen.helpdesk.public import SETTING_KEYS
from uitleen.settings import service as settings


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abcdefgh234567", "ABCDEFGH234567"),
        (" AbC2 ", "ABC2"),
        ("ABC1", None),  # 1 and 0 are not base32
        ("ABC-DEF", None),
        ("", None),
        ("A" * 33, None),
    ],
)
def test_normalise_token(raw, expected):
    assert service.normalise_token(raw) == expected


def test_lookup_reads_the_public_columns_and_the_place(app):
    place = make_location(name="Bieb Zuid", phone="010 1234567")
    device = make_labelled_device(state="on_loan", location=place, kind="tablet")
    label = service.lookup(device.public_token.lower())
    assert (label.status, label.token, label.device_id, label.kind) == (
        service.ACTIVE,
        device.public_token,
        device.id,
        "tablet",
    )
    assert label.place == service.Place(
        "Bieb Zuid", place.address, place.walk_in_hours, "010 1234567"
    )
    assert label.settings is None  # none asked for


def test_settings_read_with_the_lookup_are_what_get_many_gives(app):
    device = make_labelled_device()
    settings.put(None, "org_name", "Repair Café Noord")
    settings.put(None, "help_texts", {"en": {"wifi": {"title": "W", "steps": ["S"]}}})
    db.session.commit()
    label = service.lookup(device.public_token, SETTING_KEYS)
    assert label.settings == settings.get_many(SETTING_KEYS)
    assert label.settings["org_name"] == "Repair Café Noord"
    assert label.settings["org_phone"] == settings.DEFAULTS["org_phone"]


def test_unknown_and_retired_labels_bring_no_settings(app):
    device = make_labelled_device()
    rotated = new_token()
    db.session.add(RetiredToken(token=rotated, device_id=device.id))
    db.session.commit()
    assert service.lookup("NOSUCH", SETTING_KEYS) == service.Label(service.UNKNOWN, "NOSUCH")
    retired = service.lookup(rotated, SETTING_KEYS)
    assert retired.status == service.RETIRED and retired.settings is None
    assert retired.device_id is None  # a rotated token says nothing about its device
