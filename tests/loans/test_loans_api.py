"""/api/v1/loans and the desk's loan pages: issue, list, act; bad input changes nothing."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.households.factories import make_household
from tests.loans.factories import make_device, make_loan, make_ready_device
from uitleen.devices.models import Device
from uitleen.extensions import db
from uitleen.loans.models import Loan


def count_loans() -> int:
    return db.session.scalar(select(func.count()).select_from(Loan))


@pytest.fixture
def desk(app, api_headers):
    client = app.test_client()
    headers = api_headers("intake")

    def call(method: str, url: str, **json):
        return client.open(url, method=method, json=json or None, headers=headers)

    return call


def test_issue_through_the_api(desk):
    household = make_household()
    device = make_ready_device()
    response = desk(
        "POST",
        "/api/v1/loans",
        device=device.asset_tag,
        household=household.code,
        deposit="25,00",
        note="Voor school",
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert body["asset_tag"] == device.asset_tag and body["household_code"] == household.code
    assert body["deposit_cents"] == 2500 and body["kind"] == "loan"
    assert date.fromisoformat(body["due_date"]) > date.today()
    again = desk("GET", f"/api/v1/loans/{body['id']}")
    assert again.json == body


@pytest.mark.parametrize(
    ("payload", "field", "says"),
    [
        ({"device": "UIT-77777"}, "device", "geen apparaat met nummer"),
        ({"household": "HH-NOPE0"}, "household", "geen huishouden met code"),
        ({"kind": "rent"}, "kind", "Kies een van"),
        ({"due_date": "morgen"}, "due_date", "JJJJ-MM-DD"),
        ({"due_date": "2020-01-01"}, "due_date", "na vandaag"),
        ({"deposit": "tien"}, "deposit", "bedrag in euro"),
        ({"deposit": "sNaN"}, "deposit", "bedrag in euro"),
        ({"deposit": "Infinity"}, "deposit", "bedrag in euro"),
        ({"deposit": "12,345"}, "deposit", "twee cijfers na de komma"),
        ({"deposit": "-5"}, "deposit", "van 0 tot 1000 euro"),
        ({"kind": "gift", "deposit": "10"}, "deposit", "geen borg"),
        ({"extra": 1}, "extra", "kennen we niet"),
    ],
)
def test_bad_issue_input_says_which_field_and_changes_nothing(desk, payload, field, says):
    household = make_household()
    device = make_ready_device()
    before = count_loans()
    data = {"device": device.asset_tag, "household": household.code, **payload}
    response = desk("POST", "/api/v1/loans", **data)
    assert response.status_code == 422, response.json
    assert says in " ".join(response.json["errors"][field])
    db.session.expire_all()
    assert count_loans() == before
    assert db.session.get(Device, device.id).state == "ready"


def test_not_ready_gets_its_own_reason_not_the_race_message(desk):
    device = make_device("ready", checked=False)
    response = desk(
        "POST", "/api/v1/loans", device=device.asset_tag, household=make_household().code
    )
    assert response.status_code == 409
    assert response.json["code"] == "not_checked"
    assert "net aan iemand anders" not in response.json["message"]


def test_list_filters(desk, make_user):
    worker = make_user("intake")
    late = make_loan(worker, make_household())
    late.due_date = date.today() - timedelta(days=1)
    current = make_loan(worker, make_household())
    gift = make_loan(worker, make_household(), kind="gift")
    db.session.commit()

    def ids(status):
        return [item["id"] for item in desk("GET", f"/api/v1/loans?status={status}").json]

    assert ids("open") == [current.id, late.id]
    assert ids("overdue") == [late.id]
    assert ids("closed") == [gift.id]
    assert ids("all") == [gift.id, current.id, late.id]
    assert desk("GET", "/api/v1/loans?status=lost").status_code == 422


def test_extend_return_and_close_through_the_api(desk, make_user):
    worker = make_user("intake")
    loan = make_loan(worker, make_household(), deposit_cents=1000)
    later = (loan.due_date + timedelta(days=60)).isoformat()
    response = desk("POST", f"/api/v1/loans/{loan.id}/extend", due_date=later)
    assert response.status_code == 200 and response.json["due_date"] == later
    earlier = desk("POST", f"/api/v1/loans/{loan.id}/extend", due_date="2027-01-01")
    assert earlier.status_code == 422 and "due_date" in earlier.json["errors"]

    response = desk(
        "POST",
        f"/api/v1/loans/{loan.id}/return",
        condition="Werkt goed",
        charger_returned=True,
        deposit_refunded=True,
    )
    assert response.status_code == 200, response.json
    assert response.json["outcome"] == "returned" and response.json["deposit_refunded"] is True
    assert desk("POST", f"/api/v1/loans/{loan.id}/return").status_code == 409

    other = make_loan(worker, make_household())
    missing_note = desk("POST", f"/api/v1/loans/{other.id}/close", outcome="lost")
    assert missing_note.status_code == 422 and "note" in missing_note.json["errors"]
    response = desk(
        "POST",
        f"/api/v1/loans/{other.id}/close",
        outcome="stolen",
        note="Aangifte gedaan, afgesproken dat het goed is zo",
    )
    assert response.status_code == 200 and response.json["outcome"] == "stolen"
    assert desk("GET", "/api/v1/loans/999999").status_code == 404


def test_issue_page_flow(app, client, login_as):
    login_as("intake")
    household = make_household()
    device = make_ready_device()
    page = client.get(f"/loans/issue?household={household.code}").get_data(as_text=True)
    assert device.asset_tag in page and household.code in page
    response = client.post(
        "/loans/issue",
        data={
            "household": household.code,
            "device": device.asset_tag.lower(),
            "kind": "loan",
            "due_date": (date.today() + timedelta(days=90)).isoformat(),
            "deposit": "",
            "note": "",
        },
    )
    assert response.status_code == 302
    loan = db.session.scalar(select(Loan))
    assert loan.due_date == date.today() + timedelta(days=90)
    assert client.get(response.headers["Location"]).status_code == 200

    again = client.post(
        "/loans/issue",
        data={"household": make_household().code, "device": device.asset_tag, "kind": "loan"},
    )
    assert again.status_code == 409
    text = again.get_data(as_text=True)
    assert "Deze laptop is net aan iemand anders uitgeleend" in text
    assert f'value="{device.asset_tag}"' in text  # what was typed is kept
    assert count_loans() == 1


def test_loan_page_actions_show_errors_in_place(app, client, login_as):
    worker = login_as("intake")
    loan = make_loan(worker, make_household())
    response = client.post(f"/loans/{loan.id}/extend", data={"due_date": "2001-01-01"})
    assert response.status_code == 422
    assert "Kies een datum na de huidige terugbrengdatum" in response.get_data(as_text=True)
    response = client.post(f"/loans/{loan.id}/close", data={"outcome": "broken", "note": ""})
    assert response.status_code == 422
    response = client.post(
        f"/loans/{loan.id}/return",
        data={"condition": "Scherm heeft een kras", "charger_returned": "1"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    loan = db.session.get(Loan, loan.id)
    assert loan.charger_returned is True and loan.return_condition == "Scherm heeft een kras"
    assert loan.device.state == "returned"
    listing = client.get("/loans/?status=closed").get_data(as_text=True)
    assert loan.device.asset_tag in listing


def test_a_device_in_hand_leads_to_its_open_loan(app, client, login_as, api_headers):
    worker = login_as("intake")
    device = make_ready_device()
    loan = make_loan(worker, make_household(), device)
    response = client.get(f"/loans/?device=https://hulp.test/h/{device.public_token}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/loans/{loan.id}"
    api = client.get(f"/api/v1/loans?device={device.asset_tag}", headers=api_headers("intake"))
    assert [item["id"] for item in api.json] == [loan.id]

    service_take_back = client.post(f"/loans/{loan.id}/return", data={})
    assert service_take_back.status_code == 302
    page = client.get(f"/loans/?device={device.asset_tag}")
    assert page.status_code == 200
    assert "is nu niet uitgeleend" in page.get_data(as_text=True)
    unknown = client.get("/loans/?device=UIT-55555")
    assert unknown.status_code == 422
    assert "geen apparaat met nummer" in unknown.get_data(as_text=True)
