"""The waiting list: first come first served, each with its need; served by a loan."""

from datetime import UTC, date, datetime

from sqlalchemy import select

from tests.households.factories import make_household
from tests.loans.factories import make_loan, make_ready_device
from uitleen.extensions import db
from uitleen.households import service
from uitleen.households.models import WaitingEntry


def test_households_wait_in_order_and_a_loan_serves_them(app, make_user):
    worker = make_user("intake")
    first, second = make_household(), make_household()
    service.add_to_waiting_list(worker, first, "school")
    service.add_to_waiting_list(worker, second, "work", "Zoekt werk")
    db.session.commit()
    assert [e.household for e in service.waiting_list()] == [first, second]
    assert service.next_in_line().household == first

    make_loan(worker, first)
    assert service.next_in_line().household == second
    entry = db.session.scalar(select(WaitingEntry).where(WaitingEntry.household_id == first.id))
    assert entry.served_at is not None


def test_a_household_waits_only_once(app, client, login_as):
    login_as("intake")
    household = make_household()
    url = f"/households/{household.id}/waiting"
    assert client.post(url, data={"need": "language_class"}).status_code == 302
    response = client.post(url, data={"need": "school"})
    assert response.status_code == 409
    assert "al op de wachtlijst" in response.get_data(as_text=True)
    assert service.waiting_count() == 1


def test_bad_need_is_refused(app, client, login_as):
    login_as("intake")
    household = make_household()
    response = client.post(f"/households/{household.id}/waiting", data={"need": "games"})
    assert response.status_code == 422
    assert service.waiting_count() == 0


def test_the_worker_sees_who_is_next_when_a_device_is_ready(app, client, login_as):
    login_as("intake")
    household = make_household()
    service.add_to_waiting_list(None, household, "school")
    db.session.commit()
    home = client.get("/start").get_data(as_text=True)
    assert "Volgende op de wachtlijst" not in home  # nothing ready yet
    make_ready_device()
    home = client.get("/start").get_data(as_text=True)
    assert "Volgende op de wachtlijst" in home and household.code in home
    issue_page = client.get("/loans/issue").get_data(as_text=True)
    assert household.code in issue_page
    waiting = client.get("/households/waiting").get_data(as_text=True)
    assert f"Als eerste is {household.code} aan de beurt" in waiting


def test_removing_from_the_list(app, client, login_as, api_headers):
    login_as("intake")
    household = make_household()
    response = client.post(
        f"/api/v1/households/{household.id}/waiting",
        json={"need": "work"},
        headers=api_headers("intake"),
    )
    assert response.status_code == 201
    assert (
        client.get("/api/v1/households/waiting", headers=api_headers()).json[0]["household_code"]
        == household.code
    )
    entry_id = response.json["id"]
    assert client.post(f"/households/waiting/{entry_id}/remove").status_code == 302
    assert service.waiting_count() == 0
    assert client.post(f"/households/waiting/{entry_id}/remove").status_code == 409


def test_removing_through_the_api(app, api_headers):
    household = make_household()
    entry = service.add_to_waiting_list(None, household, "school")
    db.session.commit()
    client, headers = app.test_client(), api_headers("intake")
    response = client.post(f"/api/v1/households/waiting/{entry.id}/remove", headers=headers)
    assert response.status_code == 200 and response.json["household_code"] == household.code
    assert client.get("/api/v1/households/waiting", headers=headers).json == []
    again = client.post(f"/api/v1/households/waiting/{entry.id}/remove", headers=headers)
    assert again.status_code == 409 and again.json["code"] == "not_waiting"


def test_days_waited_count_the_organisations_days(app, make_user):
    household = make_household()
    entry = service.add_to_waiting_list(make_user("intake"), household, "school")
    entry.created_at = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)  # 00:30 on 29 March here
    db.session.commit()
    assert service.waited_days(entry, date(2026, 3, 29)) == 0
    assert service.waited_days(entry, date(2026, 4, 1)) == 3
