"""Retention: personal data goes N months after the last loan ended; codes and loans stay."""

from datetime import timedelta

from sqlalchemy import func, select, update

from tests.households.factories import make_household
from tests.loans.factories import make_loan
from uitleen.audit.models import Event
from uitleen.db import utcnow
from uitleen.extensions import db
from uitleen.households import service
from uitleen.households.models import Household, WaitingEntry
from uitleen.loans import service as loans
from uitleen.loans.models import Loan
from uitleen.settings import service as settings


def age(household: Household, days: int) -> None:
    """Move a household's registration back in time."""
    db.session.execute(
        update(Household)
        .where(Household.id == household.id)
        .values(created_at=utcnow() - timedelta(days=days))
    )


def close_back(loan: Loan, days: int) -> None:
    moment = utcnow() - timedelta(days=days)
    db.session.execute(
        update(Loan).where(Loan.id == loan.id).values(closed_at=moment, issued_at=moment)
    )


def test_purge_erases_only_households_past_retention(app, make_user):
    worker = make_user("intake")
    returned_long_ago = make_household(contact_name="Oud Terug", notes="belt graag 's avonds")
    returned_recently = make_household(contact_name="Net Terug")
    still_borrowing = make_household(contact_name="Leent Nog")
    never_borrowed_old = make_household(contact_name="Nooit Geleend")
    never_borrowed_new = make_household(contact_name="Pas Geregistreerd")
    waiting_old = make_household(contact_name="Wacht Nog")

    old_loan = make_loan(worker, returned_long_ago, note="Afgesproken met Oud Terug")
    loans.take_back(worker, old_loan, "goed", True)
    recent_loan = make_loan(worker, returned_recently)
    loans.take_back(worker, recent_loan, "goed", True)
    make_loan(worker, still_borrowing)
    service.add_to_waiting_list(worker, waiting_old, "school", "Vraag naar Wacht Nog")
    db.session.commit()
    for household in (
        returned_long_ago,
        returned_recently,
        still_borrowing,
        never_borrowed_old,
        waiting_old,
    ):
        age(household, 800)
    close_back(old_loan, 400)  # 13 months ago: past 12 months
    close_back(recent_loan, 300)  # 10 months ago
    db.session.commit()

    erased = service.purge(None)
    db.session.commit()
    db.session.expire_all()

    assert erased == 2
    gone = db.session.get(Household, returned_long_ago.id)
    assert (gone.contact_name, gone.phone, gone.notes) == (None, None, None)
    assert gone.erased_at is not None and gone.code == returned_long_ago.code
    assert db.session.get(Household, never_borrowed_old.id).erased_at is not None
    for kept in (returned_recently, still_borrowing, never_borrowed_new, waiting_old):
        assert db.session.get(Household, kept.id).contact_name is not None
    # The loan stays for the counts, without free text that could name someone.
    loan = db.session.get(Loan, old_loan.id)
    assert loan.household_id == gone.id and loan.outcome == "returned" and loan.notes == ""
    events = list(db.session.scalars(select(Event).where(Event.verb == "household.erased")))
    assert {e.subject_id for e in events} == {str(gone.id), str(never_borrowed_old.id)}
    assert all(e.data == {"reason": "retention"} and e.actor_name == "system" for e in events)
    assert service.purge(None) == 0  # nothing left to do


def test_retention_months_is_a_setting(app):
    household = make_household()
    age(household, 100)  # about 3 months
    db.session.commit()
    assert service.purge(None) == 0
    settings.put(None, "retention_months", 2)
    assert service.purge(None) == 1


def test_the_purge_command_reports_how_many(app):
    for _ in range(3):
        age(make_household(), 500)
    make_household()
    db.session.commit()
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["households", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "3 household(s)" in dry.output
    assert (
        db.session.scalar(
            select(func.count()).select_from(Household).where(Household.erased_at.is_not(None))
        )
        == 0
    )
    result = runner.invoke(args=["households", "purge"])
    assert result.exit_code == 0, result.output
    assert "Erased the personal data of 3 household(s)" in result.output
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count()).select_from(Household).where(Household.erased_at.is_not(None))
        )
        == 3
    )


def test_erase_on_request_keeps_code_and_loans(app, client, login_as, make_user):
    worker = login_as("intake")
    household = make_household(contact_name="Vraagt Wissen", phone="0611111111")
    loan = make_loan(worker, household)
    response = client.post(f"/households/{household.id}/erase", data={"confirm": "yes"})
    assert response.status_code == 409  # the device is still out
    assert "nog een apparaat in bruikleen" in response.get_data(as_text=True)

    loans.take_back(worker, db.session.get(Loan, loan.id), "", True)
    db.session.commit()
    assert client.post(f"/households/{household.id}/erase", data={}).status_code == 422
    response = client.post(f"/households/{household.id}/erase", data={"confirm": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    household = db.session.get(Household, household.id)
    assert household.contact_name is None and household.phone is None
    assert household.erased_at is not None
    assert db.session.get(Loan, loan.id).household_id == household.id
    event = db.session.scalar(select(Event).where(Event.verb == "household.erased"))
    assert event.data == {"reason": "request"} and event.actor_id == worker.id
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    assert "Vraagt Wissen" not in page and household.code in page


def test_erase_through_the_api_and_no_personal_data_comes_back(app, api_headers):
    household = make_household(contact_name="Api Wis")
    service.add_to_waiting_list(None, household, "work", "Noemt Api Wis")
    db.session.commit()
    headers = api_headers("coordinator")
    client = app.test_client()
    response = client.post(f"/api/v1/households/{household.id}/erase", headers=headers)
    assert response.status_code == 200
    assert response.json["contact_name"] is None and response.json["erased_at"]
    again = client.post(f"/api/v1/households/{household.id}/erase", headers=headers)
    assert again.status_code == 200 and again.json["erased_at"] == response.json["erased_at"]
    assert len(list(db.session.scalars(select(Event).where(Event.verb == "household.erased")))) == 1
    db.session.expire_all()
    entry = db.session.scalar(select(WaitingEntry))
    assert entry.note == "" and entry.removed_at is not None
    refused = client.patch(
        f"/api/v1/households/{household.id}", json={"phone": "0612345678"}, headers=headers
    )
    assert refused.status_code == 409
    assert refused.json["code"] == "household_erased"
