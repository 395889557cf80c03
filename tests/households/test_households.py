"""Registering, finding and changing households, with the least data, by the desk only."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.households.factories import make_household
from uitleen.audit.models import Event
from uitleen.extensions import db
from uitleen.households import service
from uitleen.households.models import Household

VALID = {"proof_kind": "stadspas", "consent_date": "2026-01-05"}


def count_households() -> int:
    return db.session.scalar(select(func.count()).select_from(Household))


def test_a_code_is_all_that_is_needed(app, api_headers):
    response = app.test_client().post(
        "/api/v1/households", json=VALID, headers=api_headers("intake")
    )
    assert response.status_code == 201, response.json
    body = response.json
    assert re.fullmatch(r"HH-[23456789ABCDEFGHJKMNPQRSTWXYZ]{5}", body["code"])
    assert body["contact_name"] is None and body["phone"] is None
    assert body["language"] == "nl"


def test_codes_are_random_and_unique(app):
    codes = {service.new_code() for _ in range(200)}
    # 29^5 codes: two of 200 fresh ones coincide about once in 1,000 runs; more never.
    assert len(codes) >= 199
    assert all(code.startswith("HH-") and len(code) == 8 for code in codes)
    assert not any(ch in code[3:] for code in codes for ch in "01IOLUV")


def test_registration_is_logged_without_the_personal_data(app, make_user):
    household = make_household(make_user("intake"), contact_name="Oksana K", phone="0612345678")
    event = db.session.scalar(select(Event).where(Event.verb == "household.registered"))
    assert event.subject_id == str(household.id)
    assert "Oksana" not in str(event.data) and "0612345678" not in str(event.data)
    assert event.data["given"] == ["contact_name", "phone"]


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("language", "xx", "Kies een van"),
        ("phone", "bel me", "telefoonnummer"),
        ("phone", "123", "8 tot 15 cijfers"),
        ("household_size", 0, "van 1 tot en met 30"),
        ("school_children", "veel", "heel getal"),
        ("proof_kind", "kopie paspoort", "Kies een van"),
        ("consent_date", "gisteren", "JJJJ-MM-DD"),
        ("consent_date", (date.today() + timedelta(days=3)).isoformat(), "toekomst"),
        ("referral_partner", "Buurman", "Kies een verwijzer uit de lijst"),
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(app, api_headers, field, value, says):
    headers = api_headers("intake")
    before = count_households()
    response = app.test_client().post(
        "/api/v1/households", json={**VALID, field: value}, headers=headers
    )
    assert response.status_code == 422
    assert response.json["code"] == "validation_error"
    assert says in " ".join(response.json["errors"][field])
    assert count_households() == before


def test_missing_proof_and_consent_are_both_reported(app, api_headers):
    response = app.test_client().post(
        "/api/v1/households", json={"contact_name": "X"}, headers=api_headers("intake")
    )
    assert response.status_code == 422
    assert set(response.json["errors"]) == {"proof_kind", "consent_date"}
    assert count_households() == 0


def test_more_children_than_people_is_refused(app, api_headers):
    response = app.test_client().post(
        "/api/v1/households",
        json={**VALID, "household_size": 2, "school_children": 3},
        headers=api_headers("intake"),
    )
    assert response.status_code == 422
    assert "school_children" in response.json["errors"]


def test_search_by_code_name_and_phone_digits(app, client, login_as):
    login_as("intake")
    amina = make_household(contact_name="Amina Bakker", phone="06-12 34 56 78")
    piotr = make_household(contact_name="Piotr Nowak", phone="+48 601 234 567")
    assert service.search("bakker") == [amina]
    assert service.search(amina.code.lower()) == [amina]
    assert service.search("0612345678") == [amina]
    assert service.search("601234") == [piotr]
    assert service.search("50%") == []  # LIKE wildcards are literal
    page = client.get("/households/?q=nowak").get_data(as_text=True)
    assert piotr.code in page and amina.code not in page


def test_patch_changes_only_what_is_sent(app, api_headers):
    household = make_household(contact_name="Amina", language="ar")
    response = app.test_client().patch(
        f"/api/v1/households/{household.id}",
        json={"phone": "0687654321"},
        headers=api_headers("coordinator"),
    )
    assert response.status_code == 200, response.json
    assert response.json["phone"] == "0687654321"
    assert response.json["contact_name"] == "Amina" and response.json["language"] == "ar"
    event = db.session.scalar(select(Event).where(Event.verb == "household.updated"))
    assert event.data == {"fields": ["phone"]}


def test_patch_checks_children_against_the_stored_size(app, api_headers):
    household = make_household(household_size=2)
    response = app.test_client().patch(
        f"/api/v1/households/{household.id}",
        json={"school_children": 4},
        headers=api_headers("intake"),
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Household, household.id).school_children is None


def test_html_registration_keeps_what_was_typed_on_an_error(app, client, login_as):
    login_as("intake")
    response = client.post(
        "/households/new",
        data={
            "contact_name": "Fatima",
            "phone": "abc",
            "language": "ar",
            "proof_kind": "stadspas",
            "consent_date": "2026-01-05",
            "referral_partner": "",
            "household_size": "",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Fatima"' in page and 'aria-invalid="true"' in page
    assert "8 tot 15 cijfers" in page
    assert count_households() == 0


def test_html_registration_then_the_household_page(app, client, login_as):
    login_as("intake")
    response = client.post(
        "/households/new",
        data={
            "contact_name": "Fatima",
            "phone": "0612345678",
            "language": "ar",
            "proof_kind": "income_statement",
            "consent_date": "2026-01-05",
            "referral_partner": "Taalles",
            "household_size": "4",
            "school_children": "2",
        },
    )
    assert response.status_code == 302
    household = db.session.scalar(select(Household))
    assert (household.household_size, household.school_children) == (4, 2)
    assert household.referral_partner == "Taalles"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert household.code in page and "Fatima" in page and "Inkomensverklaring" in page


def test_html_edit(app, client, login_as):
    login_as("intake")
    household = make_household(contact_name="Old")
    assert client.get(f"/households/{household.id}/edit").status_code == 200
    response = client.post(
        f"/households/{household.id}/edit",
        data={
            "contact_name": "New",
            "phone": "",
            "language": "tr",
            "proof_kind": "stadspas",
            "consent_date": "2026-01-05",
            "referral_partner": "School",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    household = db.session.get(Household, household.id)
    assert (household.contact_name, household.phone, household.language) == ("New", None, "tr")


def test_a_name_typed_into_an_erased_household_is_a_conflict_shown_at_the_form(
    app, client, login_as
):
    login_as("intake")
    household = make_household(contact_name="Old")
    service.erase(None, household)
    db.session.commit()
    form = {
        "contact_name": "Back again",
        "phone": "",
        "language": "nl",
        "proof_kind": "stadspas",
        "consent_date": "2026-01-05",
        "referral_partner": "School",
    }
    response = client.post(f"/households/{household.id}/edit", data=form)
    assert response.status_code == 409  # not the input's fault: the record moved on
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page and "zijn gewist" in page  # the reason, at the form
    db.session.expire_all()
    assert db.session.get(Household, household.id).contact_name is None


def test_volunteers_are_refused_everywhere_here(app, client, login_as, api_headers):
    household = make_household()
    login_as("volunteer")
    headers = api_headers("volunteer")
    assert client.get("/households/").status_code == 403
    assert client.get(f"/households/{household.id}").status_code == 403
    assert client.get("/api/v1/households", headers=headers).status_code == 403
    response = client.post("/api/v1/households", json=VALID, headers=headers)
    assert response.status_code == 403
    assert count_households() == 1


def test_the_household_page_lists_its_loans_with_a_reminder_link(app, client, login_as):
    from tests.loans.factories import make_loan

    worker = login_as("intake")
    household = make_household(contact_name="Nadia", phone="0612345678")
    loan = make_loan(worker, household)
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert loan.device.asset_tag in page and f"/loans/{loan.id}" in page
    assert "https://wa.me/31612345678?text=Hallo%20Nadia" in page
