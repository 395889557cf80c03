"""The API takes JSON exactly as its document says: wrong types are refused, not coerced.

Each request here was found by fuzzing the API from outside and was taken before:
a float stored as a whole number, a line of text as a list, 0 as false, a PATCH with
nothing in it answered 200, an unknown field dropped without a word.
"""

from sqlalchemy import func, select

from tests.households.factories import make_household
from uitleen.extensions import db
from uitleen.households.models import Household
from uitleen.settings import service as settings
from uitleen.settings.models import Location

HOUSEHOLD = {"proof_kind": "stadspas", "consent_date": "2026-01-05"}


def households() -> int:
    return db.session.scalar(select(func.count()).select_from(Household))


def test_a_float_is_not_a_whole_number(client, api_headers):
    answer = client.post(
        "/api/v1/households",
        json={**HOUSEHOLD, "household_size": 3, "school_children": 2.589e-42},
        headers=api_headers("intake"),
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"school_children": ["Vul een heel getal in, bijvoorbeeld 8."]}
    assert households() == 0


def test_a_number_as_text_is_not_a_number_in_json(client, api_headers):
    answer = client.post(
        "/api/v1/households", json={**HOUSEHOLD, "household_size": "3"}, headers=api_headers()
    )
    assert answer.status_code == 422 and "household_size" in answer.json["errors"]
    assert households() == 0


def test_the_right_types_are_still_taken(client, api_headers):
    answer = client.post(
        "/api/v1/households",
        json={**HOUSEHOLD, "household_size": 3, "school_children": 1},
        headers=api_headers("intake"),
    )
    assert answer.status_code == 201, answer.json
    assert answer.json["school_children"] == 1


def test_a_line_of_text_is_not_a_list(client, api_headers):
    before = settings.get("referral_partners")
    answer = client.put(
        "/api/v1/settings/lists",
        json={
            "software_checklist": ["Browser"],
            "qc_checklist": ["Scherm"],
            "referral_partners": "AAA",
        },
        headers=api_headers(),
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {
        "referral_partners": ['Stuur hier een lijst, bijvoorbeeld ["een", "twee"].']
    }
    assert settings.get("referral_partners") == before


def test_zero_is_not_false(client, api_headers):
    headers = api_headers()
    location_id = client.post("/api/v1/locations", json={"name": "Oost"}, headers=headers).json[
        "id"
    ]
    for value in (0, 1, "false", "yes", None):
        answer = client.put(
            f"/api/v1/locations/{location_id}/active", json={"active": value}, headers=headers
        )
        assert answer.status_code == 422, value
        assert "active" in answer.json["errors"]
    assert db.session.get(Location, location_id).active is True
    taken = client.put(
        f"/api/v1/locations/{location_id}/active", json={"active": False}, headers=headers
    )
    assert taken.status_code == 200 and taken.json["active"] is False


def test_a_patch_that_changes_nothing_is_refused(client, api_headers):
    household = make_household(contact_name="Fatima")
    headers = api_headers("intake")
    for body in ({}, None):
        answer = client.patch(
            f"/api/v1/households/{household.id}",
            headers=headers,
            **({"json": body} if body is not None else {}),
        )
        assert answer.status_code == 422, body
        assert answer.json["errors"] == {
            "_schema": ["Stuur minstens één veld dat u wilt veranderen."]
        }
    changed = client.patch(
        f"/api/v1/households/{household.id}", json={"contact_name": "Fatima B."}, headers=headers
    )
    assert changed.status_code == 200 and changed.json["contact_name"] == "Fatima B."


def test_an_unknown_field_is_refused_not_dropped(client, api_headers):
    answer = client.post(
        "/api/v1/devices",
        json={"make": "Dell", "model": "Latitude 5490", "colour": "grijs"},
        headers=api_headers(),
    )
    assert answer.status_code == 422
    assert answer.json["errors"] == {"colour": ["Dit veld kennen we niet. Laat het weg."]}


def test_type_errors_come_with_the_schemas_own(client, api_headers):
    answer = client.post("/api/v1/devices", json={"ram_gb": "8"}, headers=api_headers())
    assert answer.status_code == 422
    assert set(answer.json["errors"]) == {"make", "model", "ram_gb"}


def test_the_voucher_report_covers_at_most_five_years(client, api_headers):
    """Fuzzing asked for the years 0332 to 9999: one request then counted for minutes."""
    headers = api_headers()
    answer = client.get("/api/v1/vouchers/report?start=0001-01-01&end=9999-12-31", headers=headers)
    assert answer.status_code == 422
    assert answer.json["errors"] == {"end": ["Kies een periode van hoogstens vijf jaar."]}
    taken = client.get("/api/v1/vouchers/report?start=2026-01-01&end=2026-12-31", headers=headers)
    assert taken.status_code == 200
