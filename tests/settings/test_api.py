"""The settings API: same schemas as the pages, same per-field errors."""

from sqlalchemy import func, select

from uitleen.extensions import db
from uitleen.settings import service
from uitleen.settings.models import Location, Setting


def test_get_and_put_general_settings(client, api_headers):
    headers = api_headers()
    body = client.get("/api/v1/settings", headers=headers).json
    assert body["retention_months"] == 12 and "Webbrowser" in body["software_checklist"]
    new = {**{k: body[k] for k in ("org_name", "org_phone", "org_whatsapp", "org_address")},
           "loan_months": 6, "max_open_loans_per_household": 1, "loan_due_soon_days": 14,
           "retention_months": 24, "voucher_low_stock": 3, "help_callback_days": 2}  # fmt: skip
    response = client.put("/api/v1/settings/general", json=new, headers=headers)
    assert response.status_code == 200
    assert response.json["retention_months"] == 24
    db.session.expire_all()
    assert service.get("voucher_low_stock") == 3


def test_put_general_with_errors_changes_nothing(client, api_headers):
    response = client.put(
        "/api/v1/settings/general",
        json={"org_name": "", "org_phone": "x", "retention_months": 500},
        headers=api_headers(),
    )
    assert response.status_code == 422
    errors = response.json["errors"]
    assert {"org_name", "org_phone", "retention_months", "loan_months"} <= set(errors)
    assert db.session.scalar(select(func.count()).select_from(Setting)) == 0


def test_lists_and_help_texts(client, api_headers):
    headers = api_headers()
    lists = {"software_checklist": ["Firefox"], "qc_checklist": ["Aan"],
             "referral_partners": ["School", "Buurtteam"]}  # fmt: skip
    assert client.put("/api/v1/settings/lists", json=lists, headers=headers).status_code == 200
    texts = {"sections": {"power": {"title": "Aanzetten", "steps": ["Druk op de knop."]}}}
    response = client.put("/api/v1/settings/help-texts/nl", json=texts, headers=headers)
    assert response.status_code == 200
    assert response.json["help_texts"]["nl"]["power"]["steps"] == ["Druk op de knop."]
    bad = {"sections": {"kitchen": {"title": "X", "steps": ["y"]}}}
    assert (
        client.put("/api/v1/settings/help-texts/nl", json=bad, headers=headers).status_code == 422
    )


def test_locations_api(client, api_headers):
    headers = api_headers()
    created = client.post("/api/v1/locations", json={"name": "Oost"}, headers=headers)
    assert created.status_code == 201
    location_id = created.json["id"]
    again = client.post("/api/v1/locations", json={"name": "oost"}, headers=headers)
    assert again.status_code == 422 and "name" in again.json["errors"]
    updated = client.put(
        f"/api/v1/locations/{location_id}",
        json={"name": "Oost", "walk_in_hours": "ma 9-12"},
        headers=headers,
    )
    assert updated.json["walk_in_hours"] == "ma 9-12"
    off = client.put(
        f"/api/v1/locations/{location_id}/active", json={"active": False}, headers=headers
    )
    assert off.json["active"] is False
    assert db.session.scalar(select(func.count()).select_from(Location)) == 1
