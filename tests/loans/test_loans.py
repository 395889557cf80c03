"""Issuing under rule 1, gifts, extending, taking back and closing without blame."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.households.factories import make_household
from tests.loans.factories import make_device, make_loan, make_ready_device
from uitleen.audit.models import Event
from uitleen.db import utcnow
from uitleen.devices import lifecycle
from uitleen.devices import service as device_service
from uitleen.devices.models import Device, QualityCheck, RetiredToken, WipeRecord
from uitleen.errors import Conflict, Invalid
from uitleen.extensions import db
from uitleen.households import service as households
from uitleen.loans import service
from uitleen.loans.models import Loan
from uitleen.settings import service as settings


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def worker(make_user):
    return make_user("intake")


# --- rule 1 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wiped", "checked", "code", "says"),
    [
        (False, True, "not_wiped", "Deze laptop is nog niet gewist"),
        (True, False, "not_checked", "Deze laptop heeft nog geen geslaagde controle"),
    ],
)
def test_a_ready_device_without_evidence_is_refused(app, worker, wiped, checked, code, says):
    device = make_device("ready", wiped=wiped, checked=checked)
    with pytest.raises(Conflict) as refused:
        service.issue(worker, device, make_household())
    assert refused.value.code == code and says in refused.value.message
    db.session.rollback()
    assert count(Loan) == 0
    assert db.session.get(Device, device.id).state == "ready"


def test_a_wipe_from_before_the_return_does_not_count(app, worker):
    device = make_ready_device()
    # The device comes back: a new round starts after the old wipe and check.
    device.cycle_started_at = utcnow()
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        service.issue(worker, device, make_household())
    assert refused.value.code == "not_wiped"
    db.session.rollback()
    # A new passed wipe and check in this round make it issuable again.
    db.session.add(
        WipeRecord(
            device_id=device.id,
            method="NIST Clear",
            nist_class="Clear",
            passed=True,
            finished_at=utcnow() + timedelta(seconds=1),
        )
    )
    db.session.add(
        QualityCheck(device_id=device.id, passed=True, recorded_at=utcnow() + timedelta(seconds=1))
    )
    db.session.commit()
    assert service.issue(worker, device, make_household()).device_id == device.id


def test_a_failed_wipe_does_not_count(app, worker):
    device = make_device("ready", wiped=False)
    db.session.add(WipeRecord(device_id=device.id, method="x", nist_class="Clear", passed=False))
    db.session.commit()
    with pytest.raises(Conflict, match="nog niet gewist"):
        service.issue(worker, device, make_household())


def test_a_device_in_the_workshop_is_not_ready(app, worker):
    device = make_device("software", kind="tablet")
    with pytest.raises(Conflict) as refused:
        service.issue(worker, device, make_household())
    assert refused.value.code == "not_ready"
    assert "Deze tablet staat op ‘Software installeren’" in refused.value.message


def test_a_device_out_for_months_says_already_not_just(app, worker):
    device = make_ready_device()
    make_loan(worker, make_household(), device)
    device.state_changed_at = utcnow() - timedelta(days=60)
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        service.issue(worker, device, make_household())
    assert refused.value.message.startswith("Deze laptop is al uitgeleend")


def test_the_unique_index_backs_up_the_update(app, worker):
    """Even if the state were wrong, the database refuses a second open loan."""
    device = make_ready_device()
    make_loan(worker, make_household(), device)
    device.state = "ready"  # a corrupted state; rule 2 must still hold
    db.session.commit()
    with pytest.raises(Conflict) as refused:
        service.issue(worker, device, make_household())
    assert "net aan iemand anders uitgeleend" in refused.value.message
    db.session.rollback()
    assert count(Loan) == 1


# --- issuing -----------------------------------------------------------------------------


def test_a_loan_moves_the_device_and_logs_it(app, worker):
    household = make_household()
    device = make_ready_device()
    loan = make_loan(worker, household, device, deposit_cents=2500)
    assert db.session.get(Device, device.id).state == "on_loan"
    assert loan.due_date == households.add_months(date.today(), 12)
    assert loan.deposit_cents == 2500 and loan.closed_at is None
    verbs = [e.verb for e in db.session.scalars(select(Event).order_by(Event.id))]
    assert verbs[-2:] == ["device.state_changed", "loan.issued"]
    change = db.session.scalar(select(Event).where(Event.verb == "device.state_changed"))
    # The workshop reads the device's history: no household in it.
    assert change.data == {"source": "ready", "target": "on_loan", "note": "", "loan_id": loan.id}


def test_due_date_default_follows_the_setting(app, worker):
    settings.put(None, "loan_months", 6)
    loan = make_loan(worker, make_household())
    assert loan.due_date == households.add_months(date.today(), 6)


def test_the_open_loan_limit_per_household(app, worker):
    household = make_household()
    make_loan(worker, household)
    with pytest.raises(Conflict) as refused:
        service.issue(worker, make_ready_device(), household)
    assert refused.value.code == "too_many_open_loans"
    assert refused.value.message.startswith("Dit huishouden leent al 1 apparaat; meer mag niet.")
    db.session.rollback()
    settings.put(None, "max_open_loans_per_household", 2)
    make_loan(worker, household)
    assert service.open_loan_count(household) == 2


def test_a_gift_closes_at_once_and_retires_the_label(app, worker):
    device = make_ready_device()
    loan = make_loan(worker, make_household(), device, kind="gift")
    assert (loan.outcome, loan.due_date) == ("gifted", None)
    assert loan.closed_at is not None
    assert db.session.get(Device, device.id).state == "gifted"
    assert db.session.get(RetiredToken, device.public_token).device_id == device.id


def test_a_gift_with_a_deposit_is_refused(app, worker):
    with pytest.raises(Invalid) as refused:
        service.issue(worker, make_ready_device(), make_household(), "gift", deposit_cents=500)
    assert "deposit" in refused.value.errors


def test_a_due_date_in_the_past_is_refused(app, worker):
    with pytest.raises(Invalid) as refused:
        service.issue(
            worker, make_ready_device(), make_household(), due_date=date.today() - timedelta(days=1)
        )
    assert "due_date" in refused.value.errors


def test_an_erased_household_gets_nothing(app, worker):
    household = make_household()
    households.erase(worker, household)
    db.session.commit()
    with pytest.raises(Invalid) as refused:
        service.issue(worker, make_ready_device(), household)
    assert "gewist" in refused.value.errors["household"][0]


def test_find_device_by_tag_or_scanned_label(app):
    device = make_ready_device(asset_tag="UIT-00042")
    assert service.find_device(" uit-00042 ") == device
    url = f"https://hulp.uitleen.test/h/{device.public_token.lower()}"
    assert service.find_device(url) == device
    with pytest.raises(Invalid) as refused:
        service.find_device("UIT-99999")
    assert "UIT-99999" in refused.value.errors["device"][0]


@pytest.mark.parametrize("typed", ["1", "uit 1", "00001", "UIT-00001"])
def test_find_device_reads_a_typed_tag_like_the_device_search(app, typed):
    device = make_ready_device(asset_tag="UIT-00001")
    assert service.find_device(typed) == device
    assert device_service.find_exact(typed) == device


# --- after issuing -------------------------------------------------------------------------


def test_extend_needs_a_later_date(app, worker):
    loan = make_loan(worker, make_household())
    with pytest.raises(Invalid) as refused:
        service.extend(worker, loan, loan.due_date)
    assert "due_date" in refused.value.errors
    later = loan.due_date + timedelta(days=30)
    service.extend(worker, loan, later, "Nog een cursus")
    assert loan.due_date == later and "Nog een cursus" in loan.notes


def test_take_back_starts_a_new_round(app, worker):
    device = make_ready_device()
    loan = make_loan(worker, make_household(), device, deposit_cents=1000)
    service.take_back(
        worker, loan, "Kras op het deksel", charger_returned=False, deposit_refunded=True
    )
    db.session.commit()
    device = db.session.get(Device, device.id)
    assert device.state == "returned"
    assert (loan.outcome, loan.charger_returned, loan.deposit_refunded) == ("returned", False, True)
    assert loan.returned_at is not None and loan.closed_at is not None
    # Its old wipe and check no longer count: it must be wiped and checked again.
    assert lifecycle.evidence(device) == (False, False)
    assert "wiping" in lifecycle.allowed_targets(device, "volunteer")


def test_a_closed_loan_cannot_be_closed_again(app, worker):
    loan = make_loan(worker, make_household())
    service.take_back(worker, loan)
    with pytest.raises(Conflict, match="al afgesloten"):
        service.close(worker, loan, "lost", "x")


@pytest.mark.parametrize(
    ("outcome", "state"),
    [("kept", "gifted"), ("lost", "lost"), ("stolen", "lost"), ("broken", "returned")],
)
def test_closing_without_a_normal_return(app, worker, outcome, state):
    device = make_ready_device()
    loan = make_loan(worker, make_household(), device)
    service.close(worker, loan, outcome, "Samen afgesproken")
    db.session.commit()
    assert loan.outcome == outcome and loan.closed_at is not None
    assert db.session.get(Device, device.id).state == state
    retired = db.session.get(RetiredToken, device.public_token) is not None
    assert retired == (outcome == "kept")
    event = db.session.scalar(select(Event).where(Event.verb == "loan.closed"))
    assert event.data["outcome"] == outcome


def test_returned_is_not_a_close_outcome(app, worker):
    loan = make_loan(worker, make_household())
    with pytest.raises(Invalid):
        service.close(worker, loan, "returned", "x")


BLAME = ("schuld", "fout", "kapotgemaakt", "boete", "nalatig", "straf", "verloren door")


def test_closing_and_reminding_use_no_blaming_words(app, client, login_as):
    worker = login_as("intake")
    loan = make_loan(worker, make_household(phone="0612345678"))
    loan.due_date = date.today() - timedelta(days=20)
    db.session.commit()
    texts = [str(name) for name in service.OUTCOME_NAMES.values()]
    texts.append(service.reminder(loan).text)
    texts.append(client.get(f"/loans/{loan.id}").get_data(as_text=True))
    texts.append(client.get("/loans/reminders").get_data(as_text=True))
    found = [(word, text[:60]) for text in texts for word in BLAME if word in text.lower()]
    assert found == []
