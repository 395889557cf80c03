"""What vouchers answers to the signals of an earlier step (households)."""

from sqlalchemy import select

from uitleen.extensions import db
from uitleen.households import signals as households
from uitleen.households.service import blank
from uitleen.vouchers.models import Voucher


def erase_vouchers(_sender, household_ids: list[int]) -> dict:
    """Blank the redeem and revoke notes of these households' vouchers; name the vouchers."""
    blank(Voucher, Voucher.household_id, household_ids, note="")
    return {
        "vouchers": db.session.scalars(
            select(Voucher.id).where(Voucher.household_id.in_(household_ids))
        ).all()
    }


def connect() -> None:
    """Subscribe to the households signals (create_app calls this; idempotent)."""
    households.erasing.connect(erase_vouchers)
