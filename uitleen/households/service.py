"""Households: register with the least data, search, the waiting list, and erasure.

Personal fields (contact name, phone, notes) are kept only as long as they are needed:
purge() erases them a set number of months after the household's last loan ended, and
erase() does it at once when the household asks.

Where free text about a household may live (and nowhere else):

- households: contact_name, phone, notes
- waiting_entries.note
- loans: notes, return_condition (the desk's words; never copied to the device history)
- vouchers.note (redeem and revoke notes)
- help_requests sent from a device while the household had it: message, callback_phone,
  staff_notes
- events about those rows, and device events that name one of its loans, under the keys
  in FREE_TEXT_KEYS only

_erase_rows() blanks all of it in one go, for erase() and purge() alike: the rows of
loans, vouchers and help requests through their answers to signals.erasing. What stays is
what the funders' reports count: the household code, the loans, vouchers and help
requests themselves (dates, kinds, outcomes, categories), and in the event log what was
done, by whom and when. tests/households/test_erasure.py searches every text column of
every table after erasure, so free text put anywhere else fails that test.
"""

import calendar
import re
import secrets
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import and_, exists, func, or_, select, update

from uitleen import clock
from uitleen.audit.models import Event
from uitleen.audit.service import record
from uitleen.db import utcnow
from uitleen.errors import Conflict, field_error, found
from uitleen.extensions import db
from uitleen.households import signals
from uitleen.households.models import NEEDS, PROOF_KINDS, Household, WaitingEntry
from uitleen.settings import service as settings

# No 0/O, 1/I/L or U/V look-alikes: a code read aloud over the phone stays unambiguous.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 5
CODE_PREFIX = "HH-"

PERSONAL_FIELDS = ("contact_name", "phone", "notes")
EDITABLE_FIELDS = (
    *PERSONAL_FIELDS,
    "language",
    "household_size",
    "school_children",
    "referral_partner",
    "proof_kind",
    "consent_date",
)

PROOF_NAMES = {
    "stadspas": lazy_gettext("Stadspas"),
    "income_statement": lazy_gettext("Inkomensverklaring"),
    "referral_letter": lazy_gettext("Verwijsbrief"),
    "other": lazy_gettext("Anders"),
}
NEED_NAMES = {
    "school": lazy_gettext("School"),
    "work": lazy_gettext("Werk of werk zoeken"),
    "language_class": lazy_gettext("Taalles"),
    "other": lazy_gettext("Anders"),
}
assert set(PROOF_NAMES) == set(PROOF_KINDS) and set(NEED_NAMES) == set(NEEDS)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def months_before(moment: datetime, months: int) -> datetime:
    shifted = add_months(moment.date(), -months)
    return moment.replace(year=shifted.year, month=shifted.month, day=shifted.day)


def new_code() -> str:
    """A fresh household code like HH-7KQ2M: random, short, easy to read aloud."""
    for _attempt in range(20):
        code = CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
        if not db.session.scalar(select(exists().where(Household.code == code))):
            return code
    raise RuntimeError("no free household code found; widen CODE_LENGTH")


def phone_digits(phone: str | None) -> str:
    """The phone number in international digits (Dutch numbers get 31), for links."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+"):
        return digits
    if digits.startswith("00"):
        return digits[2:]
    if digits.startswith("0"):
        return "31" + digits[1:]
    return digits


def get(household_id: int) -> Household:
    return found(Household, household_id, _("Dit huishouden bestaat niet."), "household_not_found")


def by_code(code: str) -> Household | None:
    code = code.strip().upper()
    if code and not code.startswith(CODE_PREFIX):
        code = CODE_PREFIX + code
    return db.session.scalar(select(Household).where(Household.code == code))


def check_referral_partner(partner: str | None) -> None:
    """A referral partner must come from the list the coordinator keeps."""
    partners = settings.get("referral_partners")
    if partner and partner not in partners:
        raise field_error(
            "referral_partner",
            _("Kies een verwijzer uit de lijst: %(partners)s.", partners=", ".join(partners)),
        )


def register(actor, data: dict) -> Household:
    """A new household from validated input; only a code is ever required."""
    check_referral_partner(data.get("referral_partner"))
    household = Household(code=new_code())
    for key in EDITABLE_FIELDS:
        if key in data:
            setattr(household, key, data[key])
    household.referral_partner = household.referral_partner or ""
    household.proof_kind = household.proof_kind or ""
    db.session.add(household)
    db.session.flush()
    # The log says what kind of data was given, never the data itself.
    record(
        actor,
        "household.registered",
        household,
        language=household.language,
        referral_partner=household.referral_partner,
        proof_kind=household.proof_kind,
        given=sorted(k for k in PERSONAL_FIELDS if getattr(household, k)),
    )
    return household


def update_household(actor, household: Household, data: dict) -> Household:
    """Change the fields in data; the log names the fields changed, not their contents."""
    if household.erased_at is not None and any(data.get(k) for k in PERSONAL_FIELDS):
        raise Conflict(
            _(
                "De gegevens van dit huishouden zijn gewist. Registreer het huishouden "
                "opnieuw als het weer iets komt lenen."
            ),
            code="household_erased",
        )
    if "referral_partner" in data:
        check_referral_partner(data["referral_partner"])
    changed = []
    for key in EDITABLE_FIELDS:
        if key in data and getattr(household, key) != data[key]:
            value = data[key]
            if key in ("referral_partner", "proof_kind") and value is None:
                value = ""
            setattr(household, key, value)
            changed.append(key)
    size, children = household.household_size, household.school_children
    if size is not None and children is not None and children > size:
        raise field_error(
            "school_children",
            _("Er kunnen niet meer schoolgaande kinderen zijn dan mensen in het huishouden."),
        )
    if changed:
        record(actor, "household.updated", household, fields=changed)
    return household


def search(query: str = "", limit: int = 50, after: int | None = None) -> list[Household]:
    """Households whose code, contact name or phone matches, newest first."""
    statement = select(Household).order_by(Household.id.desc()).limit(limit)
    if after:
        statement = statement.where(Household.id < after)
    query = query.strip()
    if query:
        digits = re.sub(r"\D", "", query)
        conditions = [
            Household.code.ilike(f"%{_escape(query)}%", escape="\\"),
            Household.contact_name.ilike(f"%{_escape(query)}%", escape="\\"),
        ]
        if len(digits) >= 3:
            # Match 0612345678 against "06 12 34 56 78" or "06-12345678".
            bare = func.replace(func.replace(Household.phone, " ", ""), "-", "")
            conditions.append(bare.like(f"%{digits}%"))
        statement = statement.where(or_(*conditions))
    return list(db.session.scalars(statement))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- erasure ---------------------------------------------------------------------------


# Keys of an event's data that may hold someone's words; erasure blanks them.
FREE_TEXT_KEYS = frozenset(
    {"note", "notes", "message", "condition", "contact_name", "phone", "callback_phone"}
)


def _erase_rows(household_ids: list[int], now: datetime) -> None:
    """Blank the personal fields of these households and every free text about them.

    The one place erasure happens (the module docstring lists where such text may live).
    """
    blank(Household, Household.id, household_ids,
           contact_name=None, phone=None, notes=None, erased_at=now)  # fmt: skip
    blank(WaitingEntry, WaitingEntry.household_id, household_ids, note="")
    # Loans, vouchers and help requests blank their own rows about these households and
    # name them (event subject type -> ids) so their events are scrubbed below too.
    subjects = {
        "households": household_ids,
        "waiting_entries": db.session.scalars(
            select(WaitingEntry.id).where(WaitingEntry.household_id.in_(household_ids))
        ).all(),
    }
    for _receiver, named in signals.erasing.send(None, household_ids=household_ids):
        subjects.update(named)
    _scrub_events(subjects)


def blank(model, column, ids, **values) -> None:
    """Set these columns of the rows whose `column` is in `ids` (erasure, by any package)."""
    if ids:
        db.session.execute(
            update(model)
            .where(column.in_(ids))
            .values(**values)
            .execution_options(synchronize_session="fetch")
        )


def _scrub_events(subjects: dict) -> None:
    """Blank the free-text keys of the events about these rows (subject type -> ids); what
    was done, by whom and when stays. Device events only where they name one of the loans."""
    loan_ids = set(subjects.get("loans", ()))
    about = [
        and_(Event.subject_type == kind, Event.subject_id.in_([str(i) for i in ids]))
        for kind, ids in subjects.items()
        if ids
    ]
    if not about:
        return
    for event in db.session.scalars(select(Event).where(or_(*about))):
        data = event.data or {}
        if event.subject_type == "devices" and data.get("loan_id") not in loan_ids:
            continue  # the workshop's own words about the device
        if FREE_TEXT_KEYS.intersection(data):
            event.data = {k: ("" if k in FREE_TEXT_KEYS else v) for k, v in data.items()}


def erase(actor, household: Household) -> Household:
    """Erase a household's personal data on its request; the code and loans stay."""
    if household.erased_at is not None:
        return household  # already done: asking twice changes nothing
    # Loans refuses (Conflict) while the household still has a device.
    signals.erase_requested.send(household)
    now = utcnow()
    _close_waiting(household, now)
    _erase_rows([household.id], now)
    record(actor, "household.erased", household, reason="request")
    return household


def retention_due(now: datetime | None = None) -> list[int]:
    """Ids of households whose personal data is past the retention period.

    Counted from the end of the last loan, or from registration when there was none;
    a household with an open loan or a place on the waiting list is still being helped.
    """
    now = now or utcnow()
    cutoff = months_before(now, int(settings.get("retention_months")))
    # Loans keeps a household with an open loan or one that ended after the cutoff.
    still_helped = [clause for _receiver, clause in signals.retention_holds.send(cutoff)]
    waiting = exists().where(
        WaitingEntry.household_id == Household.id,
        or_(
            and_(WaitingEntry.served_at.is_(None), WaitingEntry.removed_at.is_(None)),
            WaitingEntry.created_at > cutoff,
        ),
    )
    return list(
        db.session.scalars(
            select(Household.id)
            .where(
                Household.erased_at.is_(None),
                Household.created_at <= cutoff,
                *[~clause for clause in still_helped],
                ~waiting,
            )
            .order_by(Household.id)
        )
    )


def purge(actor=None, now: datetime | None = None) -> int:
    """Erase personal data past retention; returns how many households were erased."""
    now = now or utcnow()
    ids = retention_due(now)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        _erase_rows(chunk, now)
        for household_id in chunk:
            record(actor, "household.erased", ("households", household_id), reason="retention")
    return len(ids)


# --- the waiting list ------------------------------------------------------------------


def waiting_list(limit: int = 200) -> list[WaitingEntry]:
    """Households waiting for a device, first come first served."""
    return list(
        db.session.scalars(
            select(WaitingEntry)
            .where(WaitingEntry.served_at.is_(None), WaitingEntry.removed_at.is_(None))
            .order_by(WaitingEntry.id)
            .limit(limit)
        )
    )


def waiting_count() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(WaitingEntry)
        .where(WaitingEntry.served_at.is_(None), WaitingEntry.removed_at.is_(None))
    )


def next_in_line() -> WaitingEntry | None:
    entries = waiting_list(limit=1)
    return entries[0] if entries else None


def open_entry(household: Household) -> WaitingEntry | None:
    return db.session.scalar(
        select(WaitingEntry).where(
            WaitingEntry.household_id == household.id,
            WaitingEntry.served_at.is_(None),
            WaitingEntry.removed_at.is_(None),
        )
    )


def add_to_waiting_list(actor, household: Household, need: str, note: str = "") -> WaitingEntry:
    if household.erased_at is not None:
        raise Conflict(
            _("De gegevens van dit huishouden zijn gewist. Registreer het opnieuw."),
            code="household_erased",
        )
    if open_entry(household) is not None:
        raise Conflict(_("Dit huishouden staat al op de wachtlijst."), code="already_waiting")
    entry = WaitingEntry(household_id=household.id, need=need, note=note or "")
    db.session.add(entry)
    db.session.flush()
    record(actor, "waiting.added", entry, household_id=household.id, need=need)
    return entry


def get_entry(entry_id: int) -> WaitingEntry:
    return found(WaitingEntry, entry_id, _("Deze plek op de wachtlijst bestaat niet."))


def remove_from_waiting_list(actor, entry: WaitingEntry) -> WaitingEntry:
    """Take a household off the list without a device (it found one elsewhere, or moved)."""
    if entry.served_at is not None or entry.removed_at is not None:
        raise Conflict(_("Dit huishouden staat niet meer op de wachtlijst."), code="not_waiting")
    entry.removed_at = utcnow()
    record(actor, "waiting.removed", entry, household_id=entry.household_id)
    return entry


def serve(actor, household: Household, loan_id: int | None = None) -> WaitingEntry | None:
    """Mark the household's waiting entry served (called when it gets a device)."""
    entry = open_entry(household)
    if entry is not None:
        entry.served_at = utcnow()
        record(actor, "waiting.served", entry, household_id=household.id, loan_id=loan_id)
    return entry


def _close_waiting(household: Household, now: datetime) -> None:
    entry = open_entry(household)
    if entry is not None:
        entry.removed_at = now


def waited_days(entry: WaitingEntry, today: date | None = None) -> int:
    today = today or clock.today()
    return (today - clock.local(entry.created_at).date()).days
