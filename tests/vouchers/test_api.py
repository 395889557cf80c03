"""The voucher API: masked lists, the full code only on assignment and reveal, letters."""

import io
import json
from datetime import date, timedelta

from pypdf import PdfReader
from sqlalchemy import select

from tests.vouchers.factories import STEPS, make_batch, make_household
from uitleen.audit.models import Event
from uitleen.extensions import db
from uitleen.vouchers import service
from uitleen.vouchers.models import VoucherBatch

BATCH = {
    "provider": "Lebara",
    "product": "Prepaid SIM 20 GB per maand, 6 maanden",
    "months": 6,
    "value": "90.00",
    "expires_on": (date.today() + timedelta(days=200)).isoformat(),
    "activation_steps": {"nl": "Zet de sim erin.\nTyp uw code.", "ar": "ضعوا الشريحة."},
}


def upload(client, headers, batch_id, data: bytes, name="codes.csv"):
    return client.post(
        f"/api/v1/voucher-batches/{batch_id}/codes",
        data={"file": (io.BytesIO(data), name)},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_create_batch_import_and_list_with_stock(client, api_headers):
    headers = api_headers("coordinator")
    created = client.post("/api/v1/voucher-batches", json=BATCH, headers=headers)
    assert created.status_code == 201, created.json
    batch = created.json
    assert batch["value"] == "90.00"
    assert batch["activation_steps"]["nl"] == ["Zet de sim erin.", "Typ uw code."]
    assert batch["stock"]["available"] == 0 and batch["stock"]["low_stock"] is True

    report = upload(client, headers, batch["id"], b"code\nAAAA00001\nAAAA00002\nAAAA00001\n")
    assert report.status_code == 200
    assert report.json == {"added": 2, "duplicates_in_file": 1, "already_known": 0}

    listed = client.get("/api/v1/voucher-batches", headers=api_headers("intake")).json
    assert [(b["id"], b["stock"]["available"]) for b in listed] == [(batch["id"], 2)]


def test_batch_without_months_or_value_is_refused_per_field(client, api_headers):
    body = {**BATCH, "months": None, "value": None}
    response = client.post("/api/v1/voucher-batches", json=body, headers=api_headers())
    assert response.status_code == 422
    assert "maanden" in response.json["errors"]["months"][0]


def test_batch_value_out_of_range_is_refused_with_the_range(client, api_headers):
    body = {**BATCH, "value": "25000.00"}
    response = client.post("/api/v1/voucher-batches", json=body, headers=api_headers())
    assert response.status_code == 422
    assert "0 tot 10000 euro" in response.json["errors"]["value"][0]
    assert db.session.scalar(select(db.func.count()).select_from(VoucherBatch)) == 0


def test_malformed_upload_names_lines_and_saves_nothing(client, api_headers):
    batch = make_batch()
    response = upload(client, api_headers(), batch.id, b"GOOD00001\nBAD 00002\nGOOD00003\n")
    assert response.status_code == 422
    assert response.json["code"] == "import_malformed"
    assert "regel 2" in response.json["message"]
    assert response.json["errors"]["file"] == ["Regel 2: er staat een spatie in de code."]
    assert service.stock_of(batch).total == 0


def test_lists_mask_codes_and_only_assignment_shows_one_in_full(client, api_headers):
    headers = api_headers("intake")
    batch = make_batch(codes=["K7PX9Q2MWD4R7QX2", "ZZZZ9Q2MWD4R1111"])
    household = make_household(language="ar")

    listed = client.get(f"/api/v1/vouchers?batch_id={batch.id}", headers=headers)
    assert [v["code_masked"] for v in listed.json] == ["••••••••7QX2", "••••••••1111"]
    assert "K7PX9Q2MWD4R7QX2" not in listed.get_data(as_text=True)

    assigned = client.post(
        "/api/v1/vouchers/assign",
        json={"batch_id": batch.id, "household_id": household.id},
        headers=headers,
    )
    assert assigned.status_code == 201
    assert assigned.json["code"] == "K7PX9Q2MWD4R7QX2"
    assert assigned.json["activation_steps"] == STEPS["ar"]  # the household's language

    one = client.get(f"/api/v1/vouchers/{assigned.json['id']}", headers=headers)
    assert one.json["code_masked"] == "••••••••7QX2" and "code" not in one.json
    mine = client.get(f"/api/v1/vouchers?household_id={household.id}", headers=headers)
    assert [v["status"] for v in mine.json] == ["assigned"]
    assert "K7PX9Q2MWD4R7QX2" not in mine.get_data(as_text=True)


def test_reveal_shows_one_code_and_is_logged_without_it(client, api_headers):
    batch = make_batch(codes=["SECRET00042"])
    voucher_id = service.vouchers_of_batch(batch.id)[0].id
    response = client.post(f"/api/v1/vouchers/{voucher_id}/reveal", headers=api_headers("intake"))
    assert response.json == {"id": voucher_id, "code": "SECRET00042"}
    db.session.expire_all()
    event = db.session.scalar(select(Event).where(Event.verb == "voucher.revealed"))
    assert event.subject_id == str(voucher_id)
    assert "SECRET00042" not in json.dumps(event.data)


def test_redeem_and_revoke(client, api_headers):
    headers = api_headers("intake")
    batch = make_batch(codes=2)
    household = make_household()
    body = {"batch_id": batch.id, "household_id": household.id}
    first = client.post("/api/v1/vouchers/assign", json=body, headers=headers).json
    redeemed = client.post(f"/api/v1/vouchers/{first['id']}/redeem", json={}, headers=headers)
    assert redeemed.json["status"] == "redeemed"
    again = client.post(f"/api/v1/vouchers/{first['id']}/redeem", json={}, headers=headers)
    assert again.status_code == 409 and again.json["code"] == "wrong_status"

    second = service.vouchers_of_batch(batch.id, "available")[0].id
    no_reason = client.post(f"/api/v1/vouchers/{second}/revoke", json={}, headers=headers)
    assert no_reason.status_code == 422 and "note" in no_reason.json["errors"]
    revoked = client.post(
        f"/api/v1/vouchers/{second}/revoke", json={"note": "Geblokkeerd"}, headers=headers
    )
    assert revoked.json["status"] == "revoked"
    left = client.post("/api/v1/vouchers/assign", json=body, headers=headers)
    assert left.status_code == 409 and left.json["code"] == "no_codes_left"


def test_unknown_and_expired_batches_say_pick_another(client, api_headers):
    headers = api_headers("intake")
    household = make_household()
    unknown = client.post(
        "/api/v1/vouchers/assign",
        json={"batch_id": 999999, "household_id": household.id},
        headers=headers,
    )
    assert unknown.status_code == 422
    assert unknown.json["message"] == "Deze partij bestaat niet. Kies een andere partij."
    old = make_batch(codes=3, expires_on=date.today() - timedelta(days=1))
    expired = client.post(
        "/api/v1/vouchers/assign",
        json={"batch_id": old.id, "household_id": household.id},
        headers=headers,
    )
    assert expired.status_code == 422 and "Kies een andere partij" in expired.json["message"]


def test_letter_is_a_pdf_in_the_households_language_with_the_code(client, api_headers):
    headers = api_headers("intake")
    batch = make_batch(codes=["K7PX9Q2MWD4R8TZB"])
    household = make_household(language="ar")
    voucher = client.post(
        "/api/v1/vouchers/assign",
        json={"batch_id": batch.id, "household_id": household.id},
        headers=headers,
    ).json
    response = client.post(f"/api/v1/vouchers/{voucher['id']}/letter", headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    assert reader.trailer["/Root"]["/Lang"] == "ar"
    text = reader.pages[0].extract_text()
    assert "K7PX 9Q2M WD4R 8TZB" in text
    assert household.code in text
    db.session.expire_all()
    event = db.session.scalar(select(Event).where(Event.verb == "voucher.letter_printed"))
    assert event.data == {"language": "ar"}


def test_letter_for_a_language_without_steps_uses_the_dutch_steps(client, api_headers):
    headers = api_headers("intake")
    batch = make_batch(codes=1, steps={"nl": ["Bel de aanbieder op 1200."]})
    household = make_household(language="pl")
    voucher = service.assign(None, batch.id, household.id)
    db.session.commit()
    response = client.post(f"/api/v1/vouchers/{voucher.id}/letter", headers=headers)
    reader = PdfReader(io.BytesIO(response.data))
    assert reader.trailer["/Root"]["/Lang"] == "pl"
    assert "Bel de aanbieder op 1200." in reader.pages[0].extract_text()


def test_letter_needs_an_assigned_voucher(client, api_headers):
    batch = make_batch(codes=1)
    voucher_id = service.vouchers_of_batch(batch.id)[0].id
    response = client.post(f"/api/v1/vouchers/{voucher_id}/letter", headers=api_headers())
    assert response.status_code == 409


def test_volunteers_see_nothing_of_vouchers(client, api_headers):
    headers = api_headers("volunteer")
    batch = make_batch(codes=1)
    voucher_id = service.vouchers_of_batch(batch.id)[0].id
    for method, url in [
        ("GET", "/api/v1/voucher-batches"),
        ("GET", "/api/v1/vouchers"),
        ("POST", f"/api/v1/vouchers/{voucher_id}/reveal"),
    ]:
        response = client.open(url, method=method, headers=headers)
        assert response.status_code == 403, url
        assert "C00" not in response.get_data(as_text=True)


def test_intake_cannot_create_batches_or_import(client, api_headers):
    headers = api_headers("intake")
    assert client.post("/api/v1/voucher-batches", json=BATCH, headers=headers).status_code == 403
    assert upload(client, headers, make_batch().id, b"AAAA0001\n").status_code == 403


def test_report_api(client, api_headers):
    batch = make_batch(codes=2, provider="KPN")
    service.assign(None, batch.id, make_household(referral_partner="Taalles").id)
    db.session.commit()
    today = date.today().isoformat()
    response = client.get(
        f"/api/v1/vouchers/report?start={today}&end={today}", headers=api_headers()
    )
    assert response.status_code == 200
    assert response.json["total"] == 1
    assert response.json["by_provider"] == [{"key": "KPN", "issued": 1, "redeemed": 0}]
    assert response.json["by_referral_partner"][0]["key"] == "Taalles"


def test_put_batch_replaces_its_fields(client, api_headers):
    batch = make_batch(codes=1)
    body = {**BATCH, "product": "Prepaid SIM 30 GB"}
    response = client.put(f"/api/v1/voucher-batches/{batch.id}", json=body, headers=api_headers())
    assert response.status_code == 200
    assert response.json["product"] == "Prepaid SIM 30 GB"
    assert response.json["stock"]["available"] == 1
