"""Erasure leaves no trace of the person: every text column of every table is searched.

A distinctive name and phone number go into every free-text field a household touches
(registration, waiting list, loan notes, return condition, voucher notes, help requests,
staff notes), through the real service functions. After erasure, each table in the
metadata is read column by column; a new text column cannot escape the search.
"""

import json
from datetime import timedelta

from sqlalchemy import JSON, String, func, select

from tests.loans.factories import make_loan
from tests.vouchers.factories import make_batch
from uitleen.db import utcnow
from uitleen.devices.models import Device, QualityCheck, WipeRecord
from uitleen.extensions import db
from uitleen.helpdesk import service as helpdesk
from uitleen.helpdesk.models import HelpRequest
from uitleen.households import service
from uitleen.households.models import Household, WaitingEntry
from uitleen.loans import service as loans
from uitleen.loans.models import Loan
from uitleen.vouchers import service as vouchers
from uitleen.vouchers.models import Voucher

NAME = "Zwanetta Quibus"
PHONE = "06 9182 7364"
# What a search for the person would look for, also in numbers written another way.
TRACES = ("Zwanetta", "Quibus", "9182", "91827364", "7364")


def said(what: str) -> str:
    return f"{what}: {NAME}, bel {PHONE}"


def text_columns():
    """Every text or JSON column of every table the app knows, from the metadata."""
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | JSON)]
        if columns:
            yield table, columns


def traces_left() -> list[str]:
    found = []
    for table, columns in text_columns():
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                if any(trace in (text or "") for trace in TRACES):
                    found.append(f"{table.name}.{column.name}: {text}")
    return found


def help_request(device: Device, what: str) -> HelpRequest:
    label = helpdesk.lookup(device.public_token)
    return helpdesk.create_request(label, "no_internet", said(what), PHONE, "nl")


def ready_again(device: Device) -> None:
    """A returned device wiped and checked again, ready for the next household."""
    later = utcnow() + timedelta(seconds=1)
    db.session.add(WipeRecord(device_id=device.id, method="NIST Clear", passed=True,
                              nist_class="Clear", finished_at=later))  # fmt: skip
    db.session.add(QualityCheck(device_id=device.id, passed=True, recorded_at=later))
    device.state = "ready"
    db.session.commit()


def seed(worker):
    """A household that used every path that takes free text; returns it and what it got."""
    household = service.register(
        worker,
        {"contact_name": NAME, "phone": PHONE, "notes": said("notitie"), "language": "nl"},
    )
    service.add_to_waiting_list(worker, household, "school", said("wachtlijst"))
    db.session.commit()

    returned = make_loan(worker, household, note=said("uitgifte"))
    loans.extend(worker, returned, utcnow().date() + timedelta(days=400), said("verlengd"))
    help_request(returned.device, "hulpvraag tijdens lening")
    noted = help_request(returned.device, "tweede hulpvraag")
    helpdesk.add_note(worker, noted, said("teruggebeld"))
    loans.take_back(worker, returned, said("staat"), True, note=said("teruggebracht"))
    db.session.commit()

    kept = make_loan(worker, household, note=said("tweede uitgifte"))
    help_request(kept.device, "hulpvraag voor houden")
    loans.close(worker, kept, "kept", said("mag houden"))

    first, second = make_batch(codes=2), make_batch(codes=2)
    redeemed = vouchers.assign(worker, first.id, household_id=household.id)
    vouchers.redeem(worker, redeemed, said("gebruikt"))
    revoked = vouchers.assign(worker, second.id, household_id=household.id)
    vouchers.revoke(worker, revoked, said("ingetrokken"))
    db.session.commit()
    return household, returned, kept


def test_erasure_leaves_no_trace_in_any_text_column(app, make_user, api_headers):
    worker = make_user("intake")
    household, returned, kept = seed(worker)
    # The device comes back and goes to the next household, whose words must stay.
    device = db.session.get(Device, returned.device_id)
    ready_again(device)
    other = service.register(worker, {"contact_name": "Bram Anders", "language": "nl"})
    make_loan(worker, other, device=device)
    theirs = helpdesk.create_request(
        helpdesk.lookup(device.public_token), "password", "Wachtwoord kwijt", "0201234567", "nl"
    )
    db.session.commit()
    assert len(traces_left()) > 15  # the seed reached every field (and the search sees it)
    loan_count = db.session.scalar(select(func.count()).select_from(Loan))
    voucher_count = db.session.scalar(
        select(func.count()).select_from(Voucher).where(Voucher.household_id == household.id)
    )

    response = app.test_client().post(
        f"/api/v1/households/{household.id}/erase", headers=api_headers("coordinator")
    )

    assert response.status_code == 200, response.json
    db.session.expire_all()
    assert traces_left() == []
    # The counts for the funders' reports stay: loans, vouchers, help requests.
    assert db.session.scalar(select(func.count()).select_from(Loan)) == loan_count
    assert (
        db.session.scalar(
            select(func.count()).select_from(Voucher).where(Voucher.household_id == household.id)
        )
        == voucher_count
    )
    assert db.session.scalar(select(func.count()).select_from(HelpRequest)) == 4
    assert db.session.get(Household, household.id).code == household.code
    # The next household's help request is not theirs to erase.
    theirs = db.session.get(HelpRequest, theirs.id)
    assert (theirs.message, theirs.callback_phone) == ("Wachtwoord kwijt", "0201234567")
    # The log keeps what was done, by whom and when.
    kept_loan = db.session.get(Loan, kept.id)
    assert kept_loan.outcome == "kept" and kept_loan.notes == ""
    verbs = {e.verb for e in loans_events(returned.id)}
    assert {"loan.issued", "loan.extended", "loan.returned"} <= verbs


def loans_events(loan_id: int):
    from uitleen.audit.service import history

    return history("loans", loan_id)


def test_purge_past_retention_erases_the_same_fields(app, make_user):
    worker = make_user("intake")
    household, _returned, _kept = seed(worker)
    db.session.execute(
        Household.__table__.update().values(created_at=utcnow() - timedelta(days=900))
    )
    ago = utcnow() - timedelta(days=800)
    db.session.execute(
        Loan.__table__.update().values(issued_at=ago - timedelta(days=30), closed_at=ago)
    )
    db.session.execute(HelpRequest.__table__.update().values(created_at=ago - timedelta(days=9)))
    db.session.execute(
        WaitingEntry.__table__.update().values(created_at=utcnow() - timedelta(days=900))
    )
    db.session.commit()

    assert service.purge(None) == 1
    db.session.commit()
    db.session.expire_all()
    assert traces_left() == []
