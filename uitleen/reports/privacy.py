"""What personal data is kept, for how long, and the household purge run from the page.

The retention rule itself lives with the households (uitleen.households.service); this
module only asks it questions, so the page and the scheduled purge can never disagree.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, or_, select

from uitleen import clock
from uitleen.audit.models import Event
from uitleen.auth.models import User
from uitleen.db import as_utc, utcnow
from uitleen.extensions import db
from uitleen.helpdesk.models import HelpRequest
from uitleen.helpdesk.service import purge_closed
from uitleen.households import service as households
from uitleen.households.models import Household
from uitleen.settings import service as settings

PURGE_VERB = "household.erased"
PURGE_COMMAND = "uitleen households purge"


def due_ids(now: datetime) -> list[int]:
    return households.retention_due(now)


def run_purge(actor, now: datetime | None = None) -> int:
    """Erase personal data past retention now; returns how many households were erased.

    Closed help requests lose their message and call-back number in the same run.
    """
    purge_closed(actor, now)
    return households.purge(actor, now)


def next_due_date(now: datetime, horizon_days: int) -> date | None:
    """The first day on which one more household becomes due, by bisecting the rule.

    Asking the households' own rule (instead of copying it) keeps this date honest; it
    takes about log2(horizon) queries, only on this page.
    """
    already = len(due_ids(now))
    if len(due_ids(now + timedelta(days=horizon_days))) <= already:
        return None
    low, high = 0, horizon_days  # due count at low == already, at high > already
    while high - low > 1:
        middle = (low + high) // 2
        if len(due_ids(now + timedelta(days=middle))) > already:
            high = middle
        else:
            low = middle
    return clock.today(now + timedelta(days=high))  # the day on the organisation's calendar


@dataclass(frozen=True)
class Summary:
    retention_months: int
    households_with_personal_data: int
    households_due_now: int
    next_due: date | None
    last_purge: datetime | None
    help_requests_with_contact: int
    staff_accounts: int
    purge_command: str = PURGE_COMMAND


def summary(now: datetime | None = None) -> Summary:
    """Figures for the data protection page."""
    now = now or utcnow()
    months = int(settings.get("retention_months"))
    personal = or_(
        Household.contact_name.is_not(None),
        Household.phone.is_not(None),
        Household.notes.is_not(None),
    )
    with_contact = or_(HelpRequest.callback_phone != "", HelpRequest.message != "")
    return Summary(
        retention_months=months,
        households_with_personal_data=db.session.scalar(
            select(func.count()).where(Household.erased_at.is_(None), personal)
        )
        or 0,
        households_due_now=len(due_ids(now)),
        next_due=next_due_date(now, horizon_days=months * 31 + 2),
        last_purge=as_utc(
            db.session.scalar(select(func.max(Event.at)).where(Event.verb == PURGE_VERB))
        ),
        help_requests_with_contact=db.session.scalar(
            select(func.count()).select_from(HelpRequest).where(with_contact)
        )
        or 0,
        staff_accounts=db.session.scalar(select(func.count()).select_from(User)) or 0,
    )
