"""Rows for report tests, made straight on the models with chosen timestamps."""

from datetime import UTC, date, datetime
from itertools import count

from uitleen.devices.models import Device, QualityCheck, WipeRecord
from uitleen.extensions import db
from uitleen.helpdesk.models import HelpRequest
from uitleen.households.models import Household
from uitleen.loans.models import Loan
from uitleen.vouchers.models import Voucher, VoucherBatch

_n = count(1)


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def device(state: str = "ready", created_at: datetime | None = None, **fields) -> Device:
    n = next(_n)
    moment = created_at or at(2026, 3, 10)
    row = Device(
        asset_tag=f"RPT-{n:05d}",
        public_token=f"TOKEN{n:011d}",
        state=state,
        created_at=moment,
        state_changed_at=fields.pop("state_changed_at", moment),
        cycle_started_at=moment,
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


def lendable(created_at: datetime) -> Device:
    """A ready device with the passed wipe and check that make it ready to lend."""
    row = device("ready", created_at=created_at)
    wipe(row, created_at)
    db.session.add(QualityCheck(device_id=row.id, passed=True, recorded_at=created_at))
    db.session.flush()
    return row


def wipe(device_row: Device, finished_at: datetime, passed: bool = True) -> WipeRecord:
    row = WipeRecord(
        device_id=device_row.id,
        method="DoD Short",
        nist_class="Clear",
        passed=passed,
        finished_at=finished_at,
    )
    db.session.add(row)
    db.session.flush()
    return row


def household(partner: str = "School", language: str = "nl", created_at=None) -> Household:
    n = next(_n)
    row = Household(
        code=f"HH-{n:05d}",
        referral_partner=partner,
        language=language,
        contact_name=f"Naam {n}",
        phone="0612345678",
        created_at=created_at or at(2026, 1, 5),
    )
    db.session.add(row)
    db.session.flush()
    return row


def loan(
    device_row: Device,
    household_row: Household,
    issued_at: datetime,
    returned_at: datetime | None = None,
    due_date: date | None = None,
    kind: str = "loan",
) -> Loan:
    row = Loan(
        device_id=device_row.id,
        household_id=household_row.id,
        kind=kind,
        issued_at=issued_at,
        due_date=due_date,
        returned_at=returned_at,
        closed_at=returned_at,
        outcome="returned" if returned_at else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


def batch(provider: str = "KPN", expires_on: date = date(2099, 1, 1)) -> VoucherBatch:
    row = VoucherBatch(provider=provider, product="Internet 6 maanden", expires_on=expires_on)
    db.session.add(row)
    db.session.flush()
    return row


def voucher(
    batch_row: VoucherBatch, status: str = "available", household_row=None, assigned_at=None
):
    row = Voucher(
        batch_id=batch_row.id,
        code=f"CODE-{next(_n):08d}",
        status=status,
        household_id=household_row.id if household_row else None,
        assigned_at=assigned_at,
    )
    db.session.add(row)
    db.session.flush()
    return row


def help_request(
    device_row: Device, category: str = "no_internet", status: str = "new", created_at=None
):
    row = HelpRequest(
        device_id=device_row.id,
        category=category,
        status=status,
        created_at=created_at or at(2026, 3, 12),
    )
    db.session.add(row)
    db.session.flush()
    return row
