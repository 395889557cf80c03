"""The desk's queue of help requests: list, take, notes, close, and who sees the household."""

import pytest
from sqlalchemy import select

from tests.helpdesk.factories import (
    lend_to_household,
    make_help_request,
    make_labelled_device,
)
from tests.races import committed, run_together
from uitleen.audit.models import Event
from uitleen.auth.models import User
from uitleen.errors import Conflict
from uitleen.extensions import db
from uitleen.helpdesk import service
from uitleen.helpdesk.models import HelpRequest


def text(response) -> str:
    return response.get_data(as_text=True)


def fresh(help_request: HelpRequest) -> HelpRequest:
    db.session.expire_all()
    return db.session.get(HelpRequest, help_request.id)


def events(verb: str) -> list[Event]:
    return list(db.session.scalars(select(Event).where(Event.verb == verb)))


@pytest.fixture
def lent(app):
    """A device on loan to a household with a name and phone, and a new request about it."""
    device = make_labelled_device(asset_tag="UIT-00420")
    household, _loan = lend_to_household(
        device, code="HH-K2P9", contact_name="Fatima Bouzid", phone="06 98765432"
    )
    return make_help_request(device, category="no_start", message="Hij doet niks", language="ar")


def test_queue_shows_new_first_then_in_progress_and_hides_done(client, login_as, app):
    me = login_as("intake")
    device = make_labelled_device()
    busy = make_help_request(device, status="in_progress", taken_by_id=me.id, message="Bezig")
    new_old = make_help_request(device, message="Eerste nieuwe")
    new_late = make_help_request(device, message="Tweede nieuwe")
    make_help_request(device, status="done", message="Allang klaar")
    html = text(client.get("/help-requests/"))
    positions = [html.index(m) for m in ("Eerste nieuwe", "Tweede nieuwe", "Bezig")]
    assert positions == sorted(positions)
    assert "Allang klaar" not in html
    assert [r.id for r in service.queue()] == [new_old.id, new_late.id, busy.id]


def test_queue_filters(client, login_as, app, make_user):
    me = login_as("intake")
    someone = make_user("intake")
    device = make_labelled_device()
    make_help_request(device, category="password", message="Wachtwoord kwijt")
    make_help_request(device, category="broken", message="Scherm stuk")
    make_help_request(device, status="in_progress", taken_by_id=someone.id, message="Van een ander")
    make_help_request(device, status="in_progress", taken_by_id=me.id, message="Van mij")
    make_help_request(device, status="done", message="Klaar")

    password = text(client.get("/help-requests/?category=password"))
    assert "Wachtwoord kwijt" in password and "Scherm stuk" not in password
    mine = text(client.get("/help-requests/?mine=true"))
    assert "Van mij" in mine and "Van een ander" not in mine and "Scherm stuk" not in mine
    done = text(client.get("/help-requests/?status=done"))
    assert "Klaar" in done and "Scherm stuk" not in done
    everything = text(client.get("/help-requests/?status=all"))
    assert all(m in everything for m in ("Klaar", "Van mij", "Scherm stuk"))
    # A filter that makes no sense shows the open requests rather than an error.
    assert client.get("/help-requests/?status=bogus").status_code == 200


def test_take_add_notes_and_close(client, login_as, lent):
    me = login_as("intake")
    taken = client.post(f"/help-requests/{lent.id}/take")
    assert taken.status_code == 303
    row = fresh(lent)
    assert (row.status, row.taken_by_id) == ("in_progress", me.id) and row.taken_at
    assert len(events("help_request.taken")) == 1

    client.post(f"/help-requests/{lent.id}/notes", data={"note": "Gebeld, komt dinsdag langs."})
    client.post(f"/help-requests/{lent.id}/notes", data={"note": "Lader meegeven."})
    notes = fresh(lent).staff_notes.splitlines()
    assert len(notes) == 2
    assert notes[0].endswith(f"{me.name}] Gebeld, komt dinsdag langs.")
    assert notes[1].endswith("Lader meegeven.")
    (noted, _second) = events("help_request.noted")
    assert "dinsdag" not in str(noted.data)  # notes may hold personal details

    closed = client.post(f"/help-requests/{lent.id}/close", data={"note": "Opgelost."})
    assert closed.status_code == 303
    row = fresh(lent)
    assert row.status == "done" and row.closed_at is not None
    assert row.staff_notes.endswith("Opgelost.")
    assert [e.data["previous"] for e in events("help_request.closed")] == ["in_progress"]
    page = text(client.get(f"/help-requests/{lent.id}"))
    assert "Gebeld, komt dinsdag langs." in page and "Afgerond" in page

    again = client.post(f"/help-requests/{lent.id}/close")
    assert again.status_code == 409
    reopened = client.post(f"/help-requests/{lent.id}/reopen")
    assert reopened.status_code == 303
    assert fresh(lent).status == "in_progress" and fresh(lent).closed_at is None


def test_an_empty_note_is_refused_and_nothing_changes(client, login_as, lent):
    login_as("intake")
    response = client.post(f"/help-requests/{lent.id}/notes", data={"note": "   "})
    assert response.status_code == 422
    assert fresh(lent).staff_notes == ""
    assert events("help_request.noted") == []


def test_someone_elses_request_cannot_be_taken(client, login_as, lent, make_user):
    other = make_user("intake")
    service.take(other, lent)
    db.session.commit()
    login_as("intake")
    response = client.post(f"/help-requests/{lent.id}/take")
    assert response.status_code == 409
    assert other.name in text(response)
    assert fresh(lent).taken_by_id == other.id


@pytest.mark.commits
def test_two_people_take_at_the_same_moment_one_wins(app, make_user, lent):
    people = [make_user("intake") for _ in range(6)]
    request_id = lent.id
    people = [p.id for p in people]
    db.session.rollback()  # end our transaction: on SQLite it would hold the write lock

    def take(i: int) -> str:
        # Outside a request SQLite begins IMMEDIATE: the reads already queue for the lock.
        def work() -> str:
            user = db.session.get(User, people[i])
            service.take(user, db.session.get(HelpRequest, request_id))
            return "won"

        outcome = committed(app, work)
        return "lost" if isinstance(outcome, Conflict) else outcome

    results = run_together(len(people), take)
    assert sorted(results) == ["lost"] * 5 + ["won"]
    assert len(events("help_request.taken")) == 1
    assert fresh(lent).taken_by_id in people


def test_intake_sees_the_household_of_a_device_on_loan(client, login_as, lent):
    login_as("intake")
    page = text(client.get(f"/help-requests/{lent.id}"))
    assert "HH-K2P9" in page and "Fatima Bouzid" in page and "06 98765432" in page
    assert 'href="tel:0698765432"' in page and 'href="https://wa.me/31698765432"' in page
    assert "HH-K2P9" in text(client.get("/help-requests/"))


def test_no_household_when_the_device_is_not_on_loan(client, login_as, app):
    login_as("coordinator")
    help_request = make_help_request(make_labelled_device(state="ready"), callback_phone="0612")
    page = text(client.get(f"/help-requests/{help_request.id}"))
    assert "Dit apparaat is nu niet uitgeleend." in page


def test_a_returned_loan_shows_no_household(client, login_as, lent):
    from uitleen.db import utcnow
    from uitleen.loans.models import Loan

    loan = db.session.scalar(select(Loan))
    loan.closed_at = utcnow()
    db.session.commit()
    login_as("intake")
    page = text(client.get(f"/help-requests/{lent.id}"))
    assert "Fatima" not in page and "HH-K2P9" not in page


@pytest.mark.parametrize("url", ["/help-requests/", "/help-requests/{id}", "/api/v1/help-requests"])
def test_volunteers_never_reach_the_queue(client, login_as, api_headers, lent, url):
    login_as("volunteer")
    url = url.format(id=lent.id)
    headers = api_headers("volunteer") if url.startswith("/api/") else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 403
    assert "Fatima" not in text(response) and "HH-K2P9" not in text(response)


def test_volunteer_has_no_menu_item_or_card(client, login_as, lent):
    login_as("volunteer")
    home = text(client.get("/start"))
    assert "Hulpvragen" not in home


def test_home_card_counts_open_requests_for_the_desk(client, login_as, lent, make_user):
    device = make_labelled_device()
    make_help_request(device, status="in_progress", taken_by_id=make_user("intake").id)
    make_help_request(device, status="done")
    login_as("intake")
    home = text(client.get("/start"))
    assert "Hulpvragen" in home
    assert '<span class="count">2</span>' in home
    assert "1 nieuw, 1 in behandeling." in home
    assert 'href="/help-requests/"' in home


# API -----------------------------------------------------------------------------------------


def test_api_lists_and_gets_with_the_household_for_intake(client, api_headers, lent):
    headers = api_headers("intake")
    listed = client.get("/api/v1/help-requests", headers=headers)
    assert listed.status_code == 200
    (item,) = listed.json
    assert item["id"] == lent.id and item["status"] == "new" and item["category"] == "no_start"
    assert item["device"]["asset_tag"] == "UIT-00420"
    assert item["borrower"]["code"] == "HH-K2P9"
    assert item["borrower"]["contact_name"] == "Fatima Bouzid"
    one = client.get(f"/api/v1/help-requests/{lent.id}", headers=headers)
    assert one.json == item
    assert client.get("/api/v1/help-requests/999999", headers=headers).status_code == 404


def test_api_patch_takes_notes_and_closes(client, api_headers, lent):
    headers = api_headers("intake")
    url = f"/api/v1/help-requests/{lent.id}"
    taken = client.patch(url, json={"status": "in_progress", "note": "Bel morgen"}, headers=headers)
    assert taken.status_code == 200
    assert taken.json["status"] == "in_progress" and taken.json["taken_by"]["name"]
    assert taken.json["staff_notes"].endswith("Bel morgen")
    closed = client.patch(url, json={"status": "done"}, headers=headers)
    assert closed.json["status"] == "done" and closed.json["closed_at"]
    twice = client.patch(url, json={"status": "done"}, headers=headers)
    assert twice.status_code == 409 and twice.json["code"] == "help_request_done"
    bad = client.patch(url, json={"status": "new"}, headers=headers)
    assert bad.status_code == 422 and "status" in bad.json["errors"]
    assert len(events("help_request.closed")) == 1


def test_api_filters_open_by_default(client, api_headers, lent):
    make_help_request(lent.device, status="done")
    headers = api_headers("coordinator")
    assert [r["id"] for r in client.get("/api/v1/help-requests", headers=headers).json] == [lent.id]
    everything = client.get("/api/v1/help-requests?status=all", headers=headers).json
    assert len(everything) == 2
    wrong = client.get("/api/v1/help-requests?status=nope", headers=headers)
    assert wrong.status_code == 422


def test_queue_and_request_show_local_time_across_the_autumn_change(client, login_as, lent):
    from datetime import UTC, datetime

    login_as("intake")
    lent.created_at = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, the second one
    db.session.commit()
    assert "25-10-2026, 02:30" in text(client.get("/help-requests/"))
    assert "25-10-2026, 02:30" in text(client.get(f"/help-requests/{lent.id}"))
    lent.created_at = datetime(2026, 10, 25, 2, 30, tzinfo=UTC)  # 03:30 CET
    db.session.commit()
    assert "25-10-2026, 03:30" in text(client.get("/help-requests/"))
