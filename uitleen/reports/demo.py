"""Demo: a year of history behind today's stock, so the dashboard and reports show something.

Runs last (see uitleen.wiring.DEMO_SEEDERS). Devices that came in over the past year and have
since left (lent and returned, given away, recycled) are added with their households,
wipes, loans and help requests, through the same services as real work, each step at its
own moment (uitleen.storyclock.at). Today's stock from the other seeders is left as it is.
"""

from datetime import timedelta

from uitleen.devices import demo as devices_demo
from uitleen.devices import service as devices
from uitleen.extensions import db
from uitleen.helpdesk import service as helpdesk
from uitleen.helpdesk.models import CATEGORIES
from uitleen.households import service as households
from uitleen.households.models import Household
from uitleen.loans import service as loans
from uitleen.storyclock import at

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


def _household(demo, moment) -> Household:
    partners = demo.objects.get("referral_partners") or [
        "School",
        "Schuldhulp",
        "Taalles",
        "Sociaal wijkteam",
        "Bibliotheek",
    ]
    with at(moment):
        return households.register(
            demo.users["intake"],
            {
                "language": demo.rng.choice(LANGUAGES),
                "referral_partner": demo.rng.choice(partners),
                "household_size": demo.rng.randint(1, 6),
                "consent_date": moment.date(),
            },
        )


def _help_request(demo, device, household, asked) -> None:
    """A help request sent from the device's label, handled and closed two days later."""
    desk = demo.users["intake"]
    with at(asked):
        label = helpdesk.lookup(device.public_token)
        request = helpdesk.create_request(
            label, demo.rng.choice(CATEGORIES), "", "", household.language
        )
    with at(asked + timedelta(days=1)):
        helpdesk.take(desk, request)
    with at(asked + timedelta(days=2)):
        helpdesk.close(desk, request, "Opgelost")


def _history_of_one(demo, received, serial: int) -> None:
    """One device's year: intake, wipe, then lent and returned, given away, or recycled."""
    rng, now = demo.rng, demo.now
    volunteer, desk = demo.users["volunteer"], demo.users["intake"]
    make, model = rng.choice(MODELS)
    with at(received):
        device = devices.register_device(
            volunteer, devices.DeviceInput(make=make, model=model, serial=f"HIST{serial:05d}")
        )

    fate = rng.random()
    if fate < 0.2:  # too old or broken: straight to recycling
        with at(min(received + timedelta(days=rng.randint(2, 12)), now)):
            devices.transition(volunteer, device, "recycled", "Te oud om op te knappen")
        return
    devices_demo.bring_to_ready(volunteer, device, rng, received)
    issued = received + timedelta(days=rng.randint(4, 30))
    if issued > now - timedelta(days=2):
        return  # still on the shelf: today's stock
    household = _household(demo, issued - timedelta(days=rng.randint(3, 30)))
    gift = fate > 0.8
    with at(issued):
        loan = loans.issue(
            desk,
            device,
            household,
            "gift" if gift else "loan",
            due_date=None if gift else (issued + timedelta(days=365)).date(),
        )
    if gift:
        return
    returned = issued + timedelta(days=rng.randint(45, 240))
    for _ in range(rng.choice((0, 0, 1, 2))):
        asked = issued + timedelta(days=rng.randint(3, 90))
        if asked < min(returned, now - timedelta(days=3)):  # asked while they had it
            _help_request(demo, device, household, asked)
    if returned > now - timedelta(days=1):
        return  # still lent out
    with at(returned):
        loans.take_back(desk, loan, "Werkt nog goed", charger_returned=True)
    recycled = returned + timedelta(days=rng.randint(3, 20))
    if rng.random() < 0.5 and recycled < now:  # worn out after its loan
        with at(recycled):
            devices.transition(volunteer, device, "recycled", "Versleten na de uitleen")


def seed(demo) -> None:
    rng, now = demo.rng, demo.now
    serial = 0
    for index, count in enumerate(RECEIVED):
        months_ago = len(RECEIVED) - index  # 11 … 1 months before today
        start = now - timedelta(days=30 * months_ago)
        for _ in range(count):
            serial += 1
            received = start + timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 8))
            # Every step of its story (ready takes three days) lies in the past.
            received = min(received, now - timedelta(days=3))
            _history_of_one(demo, received, serial)
    db.session.flush()
    demo.objects["history_devices"] = serial
