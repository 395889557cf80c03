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


def test_a_query_parameter_the_operation_does_not_name_is_refused(client, api_headers):
    headers = api_headers()
    answer = client.get("/api/v1/devices?after=1&colour=grijs", headers=headers)
    assert answer.status_code == 422
    assert answer.json["errors"] == {"colour": ["Dit veld kennen we niet. Laat het weg."]}
    assert client.get("/api/v1/devices?after=1", headers=headers).status_code == 200


def test_help_texts_take_the_sections_and_languages_the_document_names(client, api_headers):
    headers = api_headers()
    steps = {"title": "Geen wifi", "steps": ["Zet wifi aan."]}
    taken = client.put(
        "/api/v1/settings/help-texts/tr", json={"sections": {"wifi": steps}}, headers=headers
    )
    assert taken.status_code == 200
    assert taken.json["help_texts"]["tr"] == {"wifi": steps}
    unknown = client.put(
        "/api/v1/settings/help-texts/tr", json={"sections": {"printer": steps}}, headers=headers
    )
    assert unknown.status_code == 422
    assert unknown.json["errors"] == {
        "sections.printer": ["Dit veld kennen we niet. Laat het weg."]
    }
    assert client.put("/api/v1/settings/help-texts/xx", json={}, headers=headers).status_code == 404


def test_a_phone_number_follows_the_pattern_the_document_states(client, api_headers):
    from uitleen.households.schemas import PHONE_PATTERN

    document = client.get("/api/openapi.json").json
    assert document["components"]["schemas"]["HouseholdIn"]["properties"]["phone"]["pattern"] == (
        PHONE_PATTERN
    )
    headers = api_headers("intake")
    for phone, status in (("06 12345678", 201), ("+31 (0)6-1234.5678", 201), ("06 1234567\n", 422)):
        answer = client.post(
            "/api/v1/households", json={**HOUSEHOLD, "phone": phone}, headers=headers
        )
        assert answer.status_code == status, (phone, answer.json)


def test_money_is_text_in_the_documented_pattern(client, api_headers):
    batch = {
        "provider": "KPN",
        "product": "Prepaid SIM",
        "expires_on": "2027-01-01",
        "activation_steps": {"nl": "Stap een"},
    }
    headers = api_headers()
    for value in (12.5, "1e3", "12.345", "10001"):
        answer = client.post(
            "/api/v1/voucher-batches", json={**batch, "value": value}, headers=headers
        )
        assert answer.status_code == 422, value
        assert "value" in answer.json["errors"]
    unknown = client.post(
        "/api/v1/voucher-batches",
        json={**batch, "value": "12.50", "activation_steps": {"nl": "Stap", "xx": "?"}},
        headers=headers,
    )
    assert unknown.status_code == 422
    assert list(unknown.json["errors"]) == ["activation_steps.xx"]
    taken = client.post(
        "/api/v1/voucher-batches", json={**batch, "value": "12.50"}, headers=headers
    )
    assert taken.status_code == 201 and taken.json["value"] == "12.50"


def test_an_id_out_of_range_is_not_found_for_every_method(client, api_headers):
    """Fuzzing found PUT answering 405 here, while GET said 404."""
    headers = api_headers()
    url = "/api/v1/voucher-batches/2397046753505"
    assert client.get(url, headers=headers).status_code == 404
    assert client.put(url, json={}, headers=headers).status_code == 404
