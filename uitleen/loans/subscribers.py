"""What loans answers to the signals of an earlier step (households): its pages, erasure
and retention all need to know about a household's loans."""

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import exists, or_, select

from uitleen.devices import lifecycle
from uitleen.devices import signals as devices
from uitleen.errors import Conflict
from uitleen.extensions import db
from uitleen.households import signals as households
from uitleen.households.models import Household
from uitleen.households.service import blank
from uitleen.loans import handover, service
from uitleen.loans.models import Loan
from uitleen.loans.service import KIND_NAMES, OUTCOME_NAMES


def household_page(household) -> dict:
    """A household's loans, newest first, with a reminder ready for each open one that is due."""
    loans = service.loans_of(household)
    return {
        "loans": loans,
        "reminders": {
            loan.id: service.reminder(loan)
            for loan in loans
            if loan.closed_at is None and loan.due_date
        },
        "kind_names": KIND_NAMES,
        "outcome_names": OUTCOME_NAMES,
    }


def waiting_list_page(_sender) -> dict:
    """How many devices are ready to hand out."""
    return {"ready": lifecycle.count_ready_to_lend()}  # the one rule, as every count


def refuse_erasure_while_lent(household: Household) -> None:
    """A household with a device still out is not erased: first the device comes back."""
    if service.open_loan_count(household):
        raise Conflict(
            _(
                "Dit huishouden heeft nog een apparaat in bruikleen. Neem het eerst terug of "
                "sluit de lening af; daarna kunt u de gegevens wissen."
            ),
            code="household_has_open_loan",
        )


def erase_loans(_sender, household_ids: list[int]) -> dict:
    """Blank the desk's words on these households' loans; name the loans and their devices."""
    loans = db.session.execute(
        select(Loan.id, Loan.device_id).where(Loan.household_id.in_(household_ids))
    ).all()
    blank(Loan, Loan.household_id, household_ids, notes="", return_condition="")
    return {
        "loans": {loan_id for loan_id, _device in loans},
        # Device events are scrubbed only where they name one of these loans.
        "devices": {device_id for _loan, device_id in loans},
    }


def loan_holds_retention(cutoff: datetime):
    """A household with an open loan, or one that ended after the cutoff, is still helped."""
    return exists().where(
        Loan.household_id == Household.id,
        or_(Loan.closed_at.is_(None), Loan.closed_at > cutoff),
    )


def connect() -> None:
    """Subscribe to the households signals (create_app calls this once per app; idempotent)."""
    households.household_page.connect(household_page)
    households.waiting_list_page.connect(waiting_list_page)
    households.erase_requested.connect(refuse_erasure_while_lent)
    households.erasing.connect(erase_loans)
    households.retention_holds.connect(loan_holds_retention)
    devices.label_retired.connect(handover.new_label_due)
    devices.device_tasks.connect(handover.device_tasks)
