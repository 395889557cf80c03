"""What loans adds to the pages of earlier steps (households), through their signals."""

from uitleen.households import signals as households
from uitleen.loans import service
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
    return {"ready": len(service.ready_devices(limit=500))}


def connect() -> None:
    """Subscribe to the households signals (create_app calls this once per app; idempotent)."""
    households.household_page.connect(household_page)
    households.waiting_list_page.connect(waiting_list_page)
