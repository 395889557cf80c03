"""What helpdesk answers to the signals of an earlier step (households)."""

from sqlalchemy import exists, or_, select

from uitleen.extensions import db
from uitleen.helpdesk.models import HelpRequest
from uitleen.households import signals as households
from uitleen.households.service import blank
from uitleen.loans.models import Loan


def _sent_while_lent(household_ids: list[int]):
    """Help requests come from a label, not a person: those sent from a device while one
    of these households had it (a kept, lost or given device has no working label)."""
    return exists().where(
        Loan.household_id.in_(household_ids),
        Loan.device_id == HelpRequest.device_id,
        HelpRequest.created_at >= Loan.issued_at,
        or_(Loan.closed_at.is_(None), HelpRequest.created_at <= Loan.closed_at),
    )


def erase_help_requests(_sender, household_ids: list[int]) -> dict:
    """Blank the words of help requests sent while these households had the device."""
    ids = list(db.session.scalars(select(HelpRequest.id).where(_sent_while_lent(household_ids))))
    blank(HelpRequest, HelpRequest.id, ids, message="", callback_phone="", staff_notes="")
    return {"help_requests": ids}


def connect() -> None:
    """Subscribe to the households signals (create_app calls this; idempotent)."""
    households.erasing.connect(erase_help_requests)
