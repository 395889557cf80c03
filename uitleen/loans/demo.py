"""Demo loans: open, due soon, overdue, returned (back to the workshop), a gift, and one
household whose data was erased after the retention period."""

from datetime import timedelta

from sqlalchemy import update

from uitleen.devices import demo as devices_demo
from uitleen.devices import service as devices
from uitleen.devices.models import Device
from uitleen.extensions import db
from uitleen.households import service as households
from uitleen.households.models import Household
from uitleen.loans import service
from uitleen.storyclock import at

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
ON_SHELF = timedelta(days=4)  # from intake to the day it was lent out


def seed(demo) -> None:
    worker = demo.users["intake"]
    homes = demo.objects["households"]
    now = demo.now
    made = []
    for index, kind, issued_days, due_days, deposit in OPEN:
        issued = now - timedelta(days=issued_days)
        device = _device_ready_by(demo, issued)
        with at(issued):
            loan = service.issue(
                worker,
                device,
                homes[index],
                kind,
                due_date=(now + timedelta(days=due_days)).date(),
                deposit_cents=deposit,
            )
        made.append(loan)
    for index, issued_days, returned_days, condition in RETURNED:
        issued = now - timedelta(days=issued_days)
        device = _device_ready_by(demo, issued)
        with at(issued):
            loan = service.issue(worker, device, homes[index])
        with at(now - timedelta(days=returned_days)):
            service.take_back(
                worker,
                loan,
                condition,
                charger_returned=returned_days > 10,
                note="Gebracht door de dochter",
            )
        made.append(loan)
    index, days = GIFT
    given = now - timedelta(days=days)
    device = _device_ready_by(demo, given)
    with at(given):
        made.append(service.issue(worker, device, homes[index], "gift"))

    # Lent and returned over a year ago, registered long before: past retention.
    long_ago = now - timedelta(days=400)
    issued = long_ago - timedelta(days=300)
    # Demo only: the households seeder registered everyone today; this one came long ago.
    db.session.execute(
        update(Household)
        .where(Household.id == homes[ERASED].id)
        .values(created_at=issued - timedelta(days=20))
    )
    device = _device_ready_by(demo, issued)
    with at(issued):
        old = service.issue(worker, device, homes[ERASED], due_date=long_ago.date())
    with at(long_ago):
        service.take_back(worker, old, "Werkt goed", charger_returned=True)
    made.append(old)
    db.session.flush()
    households.purge(None, now)
    db.session.expire_all()
    demo.objects["loans"] = made


def _device_ready_by(demo, moment) -> Device:
    """A device taken in, wiped, installed, checked and marked ready just before `moment`."""
    arrived = moment - ON_SHELF
    serial = demo.rng.randrange(16**6)
    with at(arrived):
        device = devices.register_device(
            demo.users["volunteer"],
            devices.DeviceInput(make="Lenovo", model="ThinkPad T480", serial=f"PF{serial:06X}L"),
        )
    devices_demo.bring_to_ready(demo.users["volunteer"], device, demo.rng, arrived)
    demo.objects.setdefault("devices", []).append(device)  # later seeders pick from these
    return device
