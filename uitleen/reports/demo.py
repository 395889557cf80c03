"""Demo: a year of history behind today's stock, so the dashboard and reports show something.

Runs last (see uitleen.wiring.DEMO_SEEDERS). Devices that came in over the past year and have
since left (lent and returned, given away, recycled) are added with their households,
wipes, loans, help requests and audit events, all placed back in time. Today's stock from
the other seeders is left as it is.
"""

from datetime import timedelta

from sqlalchemy import update

from uitleen.audit.models import Event
from uitleen.audit.service import record
from uitleen.db import as_utc
from uitleen.devices import service as devices
from uitleen.devices.models import Device, WipeRecord
from uitleen.extensions import db
from uitleen.helpdesk.models import CATEGORIES, HelpRequest
from uitleen.households import service as households
from uitleen.households.models import Household
from uitleen.loans.models import Loan

# Devices received per month, oldest first: a programme that grew over the year.
RECEIVED = (6, 8, 7, 10, 12, 9, 14, 16, 13, 18, 20)
MODELS = (
    ("Lenovo", "ThinkPad T470"),
    ("Lenovo", "ThinkPad X260"),
    ("HP", "EliteBook 840 G3"),
    ("Dell", "Latitude E7450"),
    ("Dell", "Latitude 5480"),
    ("Apple", "MacBook Air 2015"),
)
LANGUAGES = ("nl", "nl", "nl", "ar", "ar", "tr", "uk", "pl", "en")


def _backdate(event: Event, moment) -> None:
    event.at = moment


def _backdate_subject(subject_type: str, subject_id: int, moment) -> None:
    """Demo only: move the events a service wrote for this subject back in time."""
    db.session.flush()
    db.session.execute(
        update(Event)
        .where(Event.subject_type == subject_type, Event.subject_id == str(subject_id))
        .values(at=moment)
    )


def _household(demo, moment) -> Household:
    partners = demo.objects.get("referral_partners") or [
        "School",
        "Schuldhulp",
        "Taalles",
        "Sociaal wijkteam",
        "Bibliotheek",
    ]
    household = households.register(
        demo.users["intake"],
        {
            "language": demo.rng.choice(LANGUAGES),
            "referral_partner": demo.rng.choice(partners),
            "household_size": demo.rng.randint(1, 6),
            "consent_date": moment.date(),
        },
    )
    household.created_at = moment
    _backdate_subject("households", household.id, moment)
    return household


def _history_of_one(demo, received, serial: int) -> None:
    """One device's year: intake, wipe, then lent and returned, given away, or recycled."""
    rng, now = demo.rng, demo.now
    volunteer, desk = demo.users["volunteer"], demo.users["intake"]
    make, model = rng.choice(MODELS)
    device = devices.register_device(
        volunteer, {"kind": "laptop", "make": make, "model": model, "serial": f"HIST{serial:05d}"}
    )
    db.session.flush()
    device.created_at = device.cycle_started_at = received
    _backdate_subject("devices", device.id, received)

    def step(source: str, target: str, moment, **data) -> None:
        device.state, device.state_changed_at = target, moment
        event = record(
            volunteer if target != "on_loan" else desk,
            "device.state_changed",
            device,
            source=source,
            target=target,
            note="",
            **data,
        )
        _backdate(event, moment)

    fate = rng.random()
    if fate < 0.2:  # too old or broken: straight to recycling
        step("intake", "recycled", received + timedelta(days=rng.randint(2, 12)))
        return
    wiped = received + timedelta(days=rng.randint(1, 6))
    wipe = WipeRecord(device_id=device.id, method="DoD Short", nist_class="Clear",
                      tool="nwipe", passes=3, passed=True, finished_at=wiped,
                      operator_id=volunteer.id, recorded_at=wiped)  # fmt: skip
    db.session.add(wipe)
    db.session.flush()
    _backdate(record(volunteer, "wipe.recorded", device, wipe_id=wipe.id, passed=True), wiped)
    step("intake", "wiping", wiped - timedelta(hours=2))
    step("wiping", "wiped", wiped)
    ready = wiped + timedelta(days=rng.randint(2, 10))
    step("wiped", "ready", ready)
    issued = ready + timedelta(days=rng.randint(1, 20))
    if issued > now - timedelta(days=2):
        return  # still on the shelf: today's stock
    household = _household(demo, issued - timedelta(days=rng.randint(3, 30)))
    gift = fate > 0.8
    loan = Loan(device_id=device.id, household_id=household.id, kind="gift" if gift else "loan",
                issued_by_id=desk.id, issued_at=issued,
                due_date=(issued + timedelta(days=365)).date())  # fmt: skip
    db.session.add(loan)
    db.session.flush()
    step("ready", "gifted" if gift else "on_loan", issued, loan_id=loan.id)
    _backdate(record(desk, "loan.issued", loan, device_id=device.id, kind=loan.kind), issued)
    if gift:
        loan.closed_at, loan.outcome = issued, "gifted"
        return
    for _ in range(rng.choice((0, 0, 1, 2))):
        asked = issued + timedelta(days=rng.randint(3, 90))
        if asked < now:
            request = HelpRequest(
                device_id=device.id,
                category=rng.choice(CATEGORIES),
                language=household.language,
                status="done",
                created_at=asked,
                closed_at=asked + timedelta(days=2),
            )
            db.session.add(request)
    returned = issued + timedelta(days=rng.randint(45, 240))
    if returned > now - timedelta(days=1):
        return  # still lent out
    loan.returned_at = loan.closed_at = returned
    loan.outcome, loan.return_condition = "returned", "Werkt nog goed"
    step("on_loan", "returned", returned, loan_id=loan.id)
    _backdate(record(desk, "loan.returned", loan), returned)
    if rng.random() < 0.5:  # worn out after its loan
        step("returned", "recycled", returned + timedelta(days=rng.randint(3, 20)))


def seed(demo) -> None:
    rng, now = demo.rng, demo.now
    serial = 0
    for index, count in enumerate(RECEIVED):
        months_ago = len(RECEIVED) - index  # 11 … 1 months before today
        start = now - timedelta(days=30 * months_ago)
        for _ in range(count):
            serial += 1
            received = start + timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 8))
            _history_of_one(demo, received, serial)
    db.session.flush()
    # Today's stock from the devices seeder arrived over the last weeks, not all today.
    for device in demo.objects.get("devices", []):
        arrived = as_utc(device.created_at)
        if arrived is not None and arrived > now - timedelta(days=60):
            earlier = arrived - timedelta(days=rng.randint(0, 45))
            db.session.execute(
                update(Device).where(Device.id == device.id).values(created_at=earlier)
            )
    demo.objects["history_devices"] = serial
