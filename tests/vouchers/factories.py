"""Households, batches and codes for voucher tests, made straight with the models."""

import itertools
from datetime import date, timedelta

from uitleen.db import utcnow
from uitleen.devices.models import Device
from uitleen.extensions import db
from uitleen.households.models import Household
from uitleen.loans.models import Loan
from uitleen.vouchers.models import Voucher, VoucherBatch

_numbers = itertools.count(1)

STEPS = {
    "nl": ["Zet de simkaart in uw telefoon.", "Ga naar lebara.nl/activeren.", "Typ uw code."],
    "ar": ["ضعوا شريحة SIM في هاتفكم.", "افتحوا الموقع lebara.nl/activeren.", "اكتبوا الرمز."],
}


def make_household(language: str = "nl", referral_partner: str = "", **fields) -> Household:
    household = Household(
        code=fields.pop("code", f"HH-T{next(_numbers):04d}"),
        language=language,
        referral_partner=referral_partner,
        **fields,
    )
    db.session.add(household)
    db.session.commit()
    return household


def make_batch(
    codes: int | list[str] = 0,
    provider: str = "Lebara",
    product: str = "Prepaid SIM 20 GB per maand, 6 maanden",
    expires_on: date | None = None,
    steps: dict | None = None,
) -> VoucherBatch:
    """A batch with `codes` available codes (a count, or the codes themselves)."""
    batch = VoucherBatch(
        provider=provider,
        product=product,
        months=6,
        expires_on=expires_on or date.today() + timedelta(days=180),
        activation_steps=STEPS if steps is None else steps,
        created_at=utcnow(),
    )
    db.session.add(batch)
    db.session.flush()
    if isinstance(codes, int):
        codes = [f"C{batch.id:03d}X{n:05d}QZ" for n in range(1, codes + 1)]
    db.session.add_all(Voucher(batch_id=batch.id, code=code, note="") for code in codes)
    db.session.commit()
    return batch


def make_loan(household: Household) -> Loan:
    """An open loan of a fresh device to this household (the rows only, no rules)."""
    n = next(_numbers)
    device = Device(
        asset_tag=f"UIT-V{n:04d}", public_token=f"VOUCHERTESTTOKEN{n:06d}", state="on_loan"
    )
    db.session.add(device)
    db.session.flush()
    loan = Loan(device_id=device.id, household_id=household.id)
    db.session.add(loan)
    db.session.commit()
    return loan
