"""Help requests: the public label lookup, storing a request, and the staff queue.

The public side reads only a device's public columns (id, kind, state, location) and never
touches loans or households: anyone can scan a label. The staff side (intake and
coordinators) may see the household behind a device on loan.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm import selectinload

from uitleen.audit.service import record
from uitleen.auth.models import User
from uitleen.db import utcnow
from uitleen.devices.lifecycle import FINAL_STATES
from uitleen.devices.models import Device, RetiredToken
from uitleen.errors import Conflict, NotFound, found
from uitleen.extensions import db
from uitleen.helpdesk.models import CATEGORIES, STATUSES, HelpRequest
from uitleen.households.models import Household
from uitleen.households.service import months_before
from uitleen.i18n import translated
from uitleen.loans.models import Loan
from uitleen.settings import service as settings
from uitleen.settings.models import Location, Setting

# Tokens are upper-case base32; anything else cannot be ours and never reaches the database.
TOKEN_PATTERN = re.compile(r"[A-Z2-7]{1,32}")
OPEN_STATUSES = ("new", "in_progress")

ACTIVE = "active"
RETIRED = "retired"
UNKNOWN = "unknown"


@dataclass(frozen=True)
class Place:
    """Where a household can walk in: a location, or the organisation's own address."""

    name: str
    address: str
    walk_in_hours: str = ""  # Dutch
    phone: str = ""
    # (language, walk-in hours) pairs: a tuple, so a Place can key the page cache.
    hours_translations: tuple[tuple[str, str], ...] = ()

    def hours(self, lang: str) -> tuple[str, str]:
        """(walk-in hours, their language): in `lang` when translated, else Dutch."""
        return translated(self.walk_in_hours, dict(self.hours_translations), lang)


@dataclass(frozen=True)
class Label:
    """What a scanned token tells the public page: no more than the device's public columns."""

    status: str  # ACTIVE, RETIRED or UNKNOWN
    token: str
    device_id: int | None = None
    kind: str | None = None
    place: Place | None = None
    asset_tag: str = ""  # printed on the label too; the agreement says to quote it
    settings: dict | None = field(default=None, compare=False)  # read with the lookup


def normalise_token(raw: str) -> str | None:
    """The token as stored (upper case), or None when it cannot be a token at all."""
    token = raw.strip().upper()
    return token if TOKEN_PATTERN.fullmatch(token) else None


def _place(row) -> Place | None:
    if row.location_name is None or not row.location_active:
        return None
    # Cleaned when written (settings.service), so read as stored: this runs on every scan.
    hours = tuple(sorted((row.walk_in_hours_translations or {}).items()))
    return Place(row.location_name, row.address, row.walk_in_hours, row.location_phone, hours)


@cache
def _label_query(setting_keys: tuple[str, ...]):
    """The label lookup, with the settings the page needs in the same round trip.

    Built once per set of keys: the statement is the same for every scan, only the
    token differs. Each setting is a scalar subquery on the settings' primary key.
    """
    stored = [
        select(Setting.value).where(Setting.key == key).scalar_subquery().label(f"setting_{i}")
        for i, key in enumerate(setting_keys)
    ]
    return (
        select(
            Device.id,
            Device.kind,
            Device.state,
            Device.asset_tag,
            Location.name.label("location_name"),
            Location.address,
            Location.walk_in_hours,
            Location.walk_in_hours_translations,
            Location.phone.label("location_phone"),
            Location.active.label("location_active"),
            *stored,
        )
        .outerjoin(Location, Location.id == Device.location_id)
        .where(Device.public_token == bindparam("token"))
    )


def _settings_of(row, setting_keys: tuple[str, ...]) -> dict:
    """The stored value of each setting, or its default (as settings.get_many gives them)."""
    values = {}
    for i, key in enumerate(setting_keys):
        value = row._mapping[f"setting_{i}"]
        values[key] = settings.DEFAULTS[key] if value is None else value
    return values


def lookup(raw_token: str, setting_keys: Sequence[str] = ()) -> Label:
    """Find a label's device by token: active, retired (rotated or left for good) or unknown.

    Recycled and gifted devices have left the stock for good (lifecycle.FINAL_STATES), so
    their labels are retired. A lost device keeps a live label on purpose: whoever finds
    it and scans the label should reach us. When the device exists, `setting_keys` are
    read in the same query (label.settings); otherwise label.settings is None.
    """
    token = normalise_token(raw_token)
    if token is None:
        return Label(UNKNOWN, raw_token)
    keys = tuple(setting_keys)
    row = db.session.execute(_label_query(keys), {"token": token}).first()
    if row is not None:
        status = RETIRED if row.state in FINAL_STATES else ACTIVE
        values = _settings_of(row, keys) if keys else None
        return Label(status, token, row.id, row.kind, _place(row), row.asset_tag, values)
    if db.session.get(RetiredToken, token) is not None:
        return Label(RETIRED, token)
    return Label(UNKNOWN, token)


def create_request(
    label: Label, category: str, message: str, phone: str, language: str
) -> HelpRequest:
    """Store a help request against the label's device (never a household); actor: system."""
    if label.status != ACTIVE or label.device_id is None:
        raise NotFound(_("Dit label kennen wij niet."), code="unknown_label")
    if category not in CATEGORIES:
        raise ValueError(f"unknown category {category!r}")
    help_request = HelpRequest(
        device_id=label.device_id,
        category=category,
        message=message,
        callback_phone=phone,
        language=language,
        status="new",
    )
    db.session.add(help_request)
    db.session.flush()
    # No message and no phone number in the log: they are the household's words.
    record(
        None,
        "help_request.created",
        help_request,
        device_id=label.device_id,
        category=category,
        language=language,
        has_phone=bool(phone),
        has_message=bool(message),
    )
    return help_request


# The staff queue ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Borrower:
    """The household that has the device now: only for intake workers and coordinators."""

    household_id: int
    code: str
    contact_name: str | None
    phone: str | None
    language: str
    loan_kind: str


@dataclass(frozen=True)
class QueueItem:
    """A help request with the household that has its device now (None when not on loan)."""

    request: HelpRequest
    borrower: Borrower | None


def get_request(request_id: int) -> HelpRequest:
    return found(
        HelpRequest, request_id, _("Deze hulpvraag bestaat niet."), "help_request_not_found"
    )


def queue(
    status: str | None = None,
    category: str | None = None,
    taken_by_id: int | None = None,
    limit: int = 200,
) -> list[HelpRequest]:
    """Help requests for the desk: open ones by default, new before in progress, oldest first.

    status "open" (default) is new + in progress; "all" is every status.
    """
    query = select(HelpRequest).options(
        selectinload(HelpRequest.device), selectinload(HelpRequest.taken_by)
    )
    if status in STATUSES:
        query = query.where(HelpRequest.status == status)
    elif status != "all":
        query = query.where(HelpRequest.status.in_(OPEN_STATUSES))
    if category in CATEGORIES:
        query = query.where(HelpRequest.category == category)
    if taken_by_id is not None:
        query = query.where(HelpRequest.taken_by_id == taken_by_id)
    order = case({"new": 0, "in_progress": 1}, value=HelpRequest.status, else_=2)
    if status in ("done", "all"):
        query = query.order_by(order, HelpRequest.id.desc())
    else:
        query = query.order_by(order, HelpRequest.id)
    return list(db.session.scalars(query.limit(limit)))


def open_count() -> int:
    """How many requests wait for someone (new or in progress)."""
    return db.session.scalar(
        select(func.count()).select_from(HelpRequest).where(HelpRequest.status.in_(OPEN_STATUSES))
    )


def counts_by_status() -> dict[str, int]:
    rows = db.session.execute(select(HelpRequest.status, func.count()).group_by(HelpRequest.status))
    counts = dict.fromkeys(STATUSES, 0)
    counts.update({status: n for status, n in rows})
    return counts


def borrowers(device_ids) -> dict[int, Borrower]:
    """device id -> the household with an open loan of it (intake and coordinators only)."""
    ids = set(device_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(
            Loan.device_id,
            Loan.kind,
            Household.id,
            Household.code,
            Household.contact_name,
            Household.phone,
            Household.language,
        )
        .join(Household, Household.id == Loan.household_id)
        .where(Loan.device_id.in_(ids), Loan.closed_at.is_(None))
    )
    return {
        row.device_id: Borrower(
            row.id, row.code, row.contact_name, row.phone, row.language, row.kind
        )
        for row in rows
    }


def borrower(help_request: HelpRequest) -> Borrower | None:
    return borrowers([help_request.device_id]).get(help_request.device_id)


def take(actor: User, help_request: HelpRequest) -> HelpRequest:
    """Take a new request: in progress, on your name. Two people at once: one wins."""
    if help_request.status == "in_progress" and help_request.taken_by_id == actor.id:
        return help_request
    now = utcnow()
    result = db.session.execute(
        update(HelpRequest)
        .where(HelpRequest.id == help_request.id, HelpRequest.status == "new")
        .values(status="in_progress", taken_by_id=actor.id, taken_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(help_request)
    if result.rowcount != 1:
        if help_request.status == "done":
            raise Conflict(
                _("Deze hulpvraag is al afgerond. Heropen hem als er nog iets moet gebeuren."),
                code="help_request_done",
            )
        taker = db.session.get(User, help_request.taken_by_id) if help_request.taken_by_id else None
        raise Conflict(
            _(
                "%(name)s heeft deze hulpvraag al opgepakt. Overleg met hem of haar.",
                name=taker.name if taker else _("iemand anders"),
            ),
            code="help_request_taken",
        )
    record(actor, "help_request.taken", help_request)
    return help_request


def _stamp(actor: User, at: datetime) -> str:
    return f"[{at:%Y-%m-%d %H:%M} UTC, {actor.name}]"


def add_note(actor: User, help_request: HelpRequest, note: str) -> HelpRequest:
    """Append a dated note with the writer's name; earlier notes are never changed."""
    note = note.strip()
    if not note:
        return help_request
    entry = f"{_stamp(actor, utcnow())} {note}"
    notes = help_request.staff_notes or ""
    help_request.staff_notes = f"{notes}\n{entry}" if notes else entry
    # The note may hold personal details: the log says that a note was added, not what.
    record(actor, "help_request.noted", help_request, length=len(note))
    return help_request


def close(actor: User, help_request: HelpRequest, note: str = "") -> HelpRequest:
    """Mark a request done (from new or in progress), with an optional last note."""
    if help_request.status == "done":
        raise Conflict(_("Deze hulpvraag is al afgerond."), code="help_request_done")
    add_note(actor, help_request, note)
    previous = help_request.status
    help_request.status = "done"
    help_request.closed_at = utcnow()
    if help_request.taken_by_id is None:
        help_request.taken_by_id = actor.id
        help_request.taken_at = help_request.closed_at
    record(actor, "help_request.closed", help_request, previous=previous)
    return help_request


def reopen(actor: User, help_request: HelpRequest) -> HelpRequest:
    """A closed request that needs more work goes back in progress, on your name."""
    if help_request.status != "done":
        raise Conflict(_("Deze hulpvraag is nog open."), code="help_request_open")
    help_request.status = "in_progress"
    help_request.closed_at = None
    help_request.taken_by_id = actor.id
    help_request.taken_at = utcnow()
    record(actor, "help_request.reopened", help_request)
    return help_request


def change(
    actor: User, help_request: HelpRequest, status: str | None = None, note: str | None = None
) -> HelpRequest:
    """The API's PATCH: move to a status (through take/close/reopen) and/or add a note."""
    if status == "new":
        raise Conflict(
            _("Een hulpvraag kan niet terug naar nieuw. Zet hem op in behandeling."),
            code="help_request_status",
        )
    if status == "in_progress":
        if help_request.status == "done":
            reopen(actor, help_request)
        else:
            take(actor, help_request)
    if note:
        add_note(actor, help_request, note)
    if status == "done":
        close(actor, help_request)
    return help_request


def with_borrowers(requests: list[HelpRequest]) -> list[QueueItem]:
    """Each request with its device's current borrower, in one query for the whole list."""
    found = borrowers(r.device_id for r in requests)
    return [QueueItem(r, found.get(r.device_id)) for r in requests]


# --- retention -------------------------------------------------------------------------


def purge_closed(actor=None, now: datetime | None = None) -> int:
    """Erase the message and call-back number of requests closed past the retention period.

    The request itself (device, category, dates) stays for the help-request counts.
    """
    now = now or utcnow()
    cutoff = months_before(now, int(settings.get("retention_months")))
    due = (
        HelpRequest.status == "done",
        HelpRequest.closed_at <= cutoff,
        (HelpRequest.message != "") | (HelpRequest.callback_phone != ""),
    )
    ids = list(db.session.scalars(select(HelpRequest.id).where(*due)))
    if ids:
        db.session.execute(
            update(HelpRequest)
            .where(HelpRequest.id.in_(ids))
            .values(message="", callback_phone="")
            .execution_options(synchronize_session=False)
        )
        record(actor, "help_request.erased", ("help_requests", "retention"), ids=ids)
    return len(ids)
