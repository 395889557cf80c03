"""Devices with labels, households with an open loan, and help requests, made with the models."""

import itertools
import secrets
from datetime import date, timedelta

from uitleen.db import utcnow
from uitleen.devices.models import Device
from uitleen.extensions import db
from uitleen.helpdesk.models import HelpRequest
from uitleen.households.models import Household
from uitleen.loans.models import Loan
from uitleen.settings.models import Location

_numbers = itertools.count(1)
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def new_token() -> str:
    """A label token as the devices pipeline makes them: 26 characters of base32."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(26))


def make_location(**fields) -> Location:
    n = next(_numbers)
    values = {
        "name": f"Werkplaats Oost {n}",
        "address": "Dapperstraat 12\n1093 BT Amsterdam",
        "walk_in_hours": "dinsdag 10.00 tot 12.00 uur\nwoensdag 13.00 tot 16.00 uur",
    }
    location = Location(**(values | fields))
    db.session.add(location)
    db.session.flush()
    return location


def make_labelled_device(state: str = "on_loan", location=None, **fields) -> Device:
    """A device with a label token, committed."""
    n = next(_numbers)
    device = Device(
        asset_tag=fields.pop("asset_tag", f"UIT-{70000 + n:05d}"),
        public_token=fields.pop("public_token", new_token()),
        kind=fields.pop("kind", "laptop"),
        make="Dell",
        model="Latitude 5490",
        state=state,
        location_id=location.id if location is not None else None,
        **fields,
    )
    db.session.add(device)
    db.session.commit()
    return device


def lend_to_household(device: Device, **fields) -> tuple[Household, Loan]:
    """A household with a name and a phone number and an open loan of `device`, committed."""
    n = next(_numbers)
    household = Household(
        code=fields.pop("code", f"HH-Q{n:04d}"),
        contact_name=fields.pop("contact_name", "Fatima Bouzid"),
        phone=fields.pop("phone", "06 98765432"),
        language=fields.pop("language", "ar"),
        consent_date=date(2026, 1, 5),
    )
    db.session.add(household)
    db.session.flush()
    loan = Loan(
        device_id=device.id,
        household_id=household.id,
        kind="loan",
        issued_at=utcnow() - timedelta(days=40),
        due_date=date(2027, 3, 17),
        **fields,
    )
    db.session.add(loan)
    db.session.commit()
    return household, loan


def make_help_request(device: Device, **fields) -> HelpRequest:
    values = {"category": "no_internet", "message": "", "callback_phone": "", "language": "nl"}
    help_request = HelpRequest(device_id=device.id, **(values | fields))
    db.session.add(help_request)
    db.session.commit()
    return help_request
