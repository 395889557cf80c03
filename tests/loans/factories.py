"""Devices ready to lend, made straight with the models (rule 1's evidence included)."""

import itertools
import secrets
from datetime import timedelta

from uitleen.db import utcnow
from uitleen.devices.models import Device, QualityCheck, WipeRecord
from uitleen.extensions import db
from uitleen.loans import service
from uitleen.loans.models import Loan

_numbers = itertools.count(1)
TOKEN_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(26))


def make_device(
    state: str = "ready",
    wiped: bool = True,
    checked: bool = True,
    kind: str = "laptop",
    commit: bool = True,
    **fields,
) -> Device:
    """A device in `state`; wiped/checked add a passed wipe and check after its round began."""
    started = utcnow() - timedelta(days=3)
    device = Device(
        asset_tag=fields.pop("asset_tag", f"UIT-{90000 + next(_numbers):05d}"),
        public_token=new_token(),
        kind=kind,
        make=fields.pop("make", "Lenovo"),
        model=fields.pop("model", "ThinkPad T480"),
        state=state,
        cycle_started_at=started,
        state_changed_at=started,
        **fields,
    )
    db.session.add(device)
    db.session.flush()
    if wiped:
        db.session.add(
            WipeRecord(
                device_id=device.id,
                method="NIST Clear",
                nist_class="Clear",
                passed=True,
                finished_at=started + timedelta(days=1),
            )
        )
    if checked:
        db.session.add(
            QualityCheck(device_id=device.id, passed=True, recorded_at=started + timedelta(days=2))
        )
    if commit:
        db.session.commit()
    return device


def make_ready_device(**fields) -> Device:
    return make_device("ready", **fields)


def make_loan(
    actor, household, device=None, kind: str = "loan", commit: bool = True, **fields
) -> Loan:
    loan = service.issue(actor, device or make_ready_device(), household, kind=kind, **fields)
    if commit:
        db.session.commit()
    return loan
