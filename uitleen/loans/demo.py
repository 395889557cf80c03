"""Demo loans: open, due soon, overdue, returned (back to the workshop), a gift, and one
household whose data was erased after the retention period."""

import itertools
import secrets
from datetime import timedelta

from sqlalchemy import update

from uitleen.devices.models import Device, QualityCheck, WipeRecord
from uitleen.extensions import db
from uitleen.households import service as households
from uitleen.households.models import Household
from uitleen.loans import service
from uitleen.loans.models import Loan

# household index, kind, days since issue, days until due (negative: overdue), deposit
OPEN = [
    (0, "loan", 200, 165, 2500),
    (1, "loan", 90, 275, None),
    (2, "loan", 358, 7, 2500),  # due soon
    (3, "loan", 370, -5, None),  # overdue
    (4, "loan", 400, -35, 1000),  # overdue
    (5, "loan", 380, -15, None),  # overdue, no name on record
    (6, "loan", 30, 335, None),
    (9, "loan", 355, 10, None),  # due soon
]
RETURNED = [  # household index, days since issue, days since return, condition
    (10, 300, 20, "Werkt goed; kleine kras op het deksel"),
    (11, 250, 6, "Accu houdt het kort vol"),
]
GIFT = (12, 60)
ERASED = 7  # ended long ago: the retention purge has erased the personal data
DEVICES_NEEDED = len(OPEN) + len(RETURNED) + 2
READY_LEFT = 4  # keep some ready, so the waiting list's next in line can be served


def seed(demo) -> None:
    worker = demo.users["intake"]
    homes = demo.objects["households"]
    devices = _ready_devices(demo)
    made = []
    for index, kind, issued_days, due_days, deposit in OPEN:
        loan = service.issue(worker, devices.pop(), homes[index], kind, deposit_cents=deposit)
        _set(
            loan,
            issued_at=demo.now - timedelta(days=issued_days),
            due_date=(demo.now + timedelta(days=due_days)).date(),
        )
        made.append(loan)
    for index, issued_days, returned_days, condition in RETURNED:
        loan = service.issue(worker, devices.pop(), homes[index])
        service.take_back(
            worker,
            loan,
            condition,
            charger_returned=returned_days > 10,
            note="Gebracht door de dochter",
        )
        back = demo.now - timedelta(days=returned_days)
        _set(
            loan,
            issued_at=demo.now - timedelta(days=issued_days),
            returned_at=back,
            closed_at=back,
            due_date=(demo.now + timedelta(days=365 - issued_days)).date(),
        )
        made.append(loan)
    index, days = GIFT
    gift = service.issue(worker, devices.pop(), homes[index], "gift")
    _set(gift, issued_at=demo.now - timedelta(days=days), closed_at=demo.now - timedelta(days=days))
    made.append(gift)

    # Lent and returned over a year ago, registered long before: past retention.
    old = service.issue(worker, devices.pop(), homes[ERASED])
    service.take_back(worker, old, "Werkt goed", charger_returned=True)
    long_ago = demo.now - timedelta(days=400)
    _set(old, issued_at=long_ago - timedelta(days=300), returned_at=long_ago, closed_at=long_ago)
    db.session.execute(
        update(Household)
        .where(Household.id == homes[ERASED].id)
        .values(created_at=long_ago - timedelta(days=320))
    )
    made.append(old)
    db.session.flush()
    households.purge(None, demo.now)
    db.session.expire_all()
    demo.objects["loans"] = made


def _set(loan: Loan, **values) -> None:
    """Demo only: place a loan back in time."""
    db.session.flush()
    db.session.execute(update(Loan).where(Loan.id == loan.id).values(**values))


def _ready_devices(demo) -> list[Device]:
    """Issuable devices from the devices seeder; made here when it left too few."""
    issuable = {d.id for d in service.ready_devices(limit=1000)}
    devices = [d for d in demo.objects.get("devices", []) if d.id in issuable]
    missing = DEVICES_NEEDED + READY_LEFT - len(devices)
    numbers = itertools.count(900)
    for _ in range(max(missing, 0)):
        devices.append(_make_ready_device(demo, next(numbers)))
    return devices[:DEVICES_NEEDED][::-1]


def _make_ready_device(demo, number: int) -> Device:
    """A ready device with its passed wipe and check, for a demo without the devices seeder."""
    started = demo.now - timedelta(days=10)
    device = Device(
        asset_tag=f"UIT-{number:05d}",
        public_token="".join(secrets.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(26)),
        make="Lenovo",
        model="ThinkPad T480",
        state="ready",
        cycle_started_at=started,
        state_changed_at=started,
    )
    db.session.add(device)
    db.session.flush()
    db.session.add(
        WipeRecord(
            device_id=device.id,
            method="NIST Clear",
            nist_class="Clear",
            passed=True,
            finished_at=started + timedelta(days=1),
        )
    )
    db.session.add(
        QualityCheck(device_id=device.id, passed=True, recorded_at=started + timedelta(days=2))
    )
    return device
