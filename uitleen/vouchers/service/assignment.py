"""Exactly-once assignment of a code to a household, and what happens to it after:
redeem, revoke, reveal, expiry."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select, update

from uitleen.audit.service import record
from uitleen.db import utcnow
from uitleen.errors import Conflict, field_error
from uitleen.extensions import db
from uitleen.households.models import Household
from uitleen.loans.models import Loan
from uitleen.settings import service as settings
from uitleen.vouchers.models import Voucher, VoucherBatch
from uitleen.vouchers.service.stock import is_expired, today

ASSIGN_ATTEMPTS = 5  # lost races retried before we ask the worker to try again


# --- assignment ------------------------------------------------------------------------


def assign(
    actor,
    batch_id: int,
    household_id: int | None = None,
    loan_id: int | None = None,
    household_code: str | None = None,
) -> Voucher:
    """Hand the next available code of a batch to a household, exactly once.

    A candidate is picked, then claimed with `UPDATE … WHERE id = :id AND status =
    'available'`; a row count of 0 means another worker claimed it first, so we pick
    again. PostgreSQL skips rows other transactions have locked; SQLite serialises
    writers with BEGIN IMMEDIATE.
    """
    batch = db.session.get(VoucherBatch, batch_id)
    if batch is None:
        raise field_error(
            "batch_id",
            _("Deze partij bestaat niet. Kies een andere partij."),
            code="batch_not_found",
        )
    if is_expired(batch):
        raise field_error(
            "batch_id",
            _(
                "Deze partij is verlopen op %(date)s. Kies een andere partij.",
                date=format_date(batch.expires_on, "long"),
            ),
            code="batch_expired",
        )
    household = _assignable_household(household_id, household_code)
    loan = _matching_loan(loan_id, household)
    _check_household_limit(
        batch.id, household, "household_id" if household_id is not None else "household_code"
    )
    for _attempt in range(ASSIGN_ATTEMPTS):
        candidate = _next_available(batch.id)
        if candidate is None:
            raise Conflict(
                _(
                    "Deze partij heeft geen codes meer. Lees nieuwe codes in, "
                    "of kies een andere partij."
                ),
                code="no_codes_left",
                errors={"batch_id": [_("Geen codes meer in deze partij.")]},
            )
        now = utcnow()
        claimed = db.session.execute(
            update(Voucher)
            .where(Voucher.id == candidate, Voucher.status == "available")
            .values(
                status="assigned",
                household_id=household.id,
                loan_id=loan.id if loan else None,
                assigned_at=now,
                assigned_by_id=actor.id if actor is not None else None,
            )
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount == 1:
            break
    else:
        raise Conflict(
            _("Het is nu erg druk met deze partij. Probeer het nog een keer."),
            code="assign_busy",
        )
    voucher = db.session.scalars(
        select(Voucher).where(Voucher.id == candidate).execution_options(populate_existing=True)
    ).one()
    record(
        actor,
        "voucher.assigned",
        voucher,
        batch_id=batch.id,
        household_id=household.id,
        loan_id=voucher.loan_id,
    )
    return voucher


def _check_household_limit(batch_id: int, household: Household, field: str) -> None:
    """A household holds at most the set number of open codes of one batch.

    The household's row is locked first, so two desks giving it a code at the same moment
    take turns here and the second counts the first one's code (PostgreSQL; SQLite runs
    one writer at a time already, from BEGIN IMMEDIATE).
    """
    limit = int(settings.get("max_open_vouchers_per_household"))
    db.session.execute(select(Household.id).where(Household.id == household.id).with_for_update())
    held = db.session.scalar(
        select(func.count())
        .select_from(Voucher)
        .where(
            Voucher.batch_id == batch_id,
            Voucher.household_id == household.id,
            Voucher.status == "assigned",
        )
    )
    if held >= limit:
        if limit == 1:
            message = _("Dit huishouden heeft al een code uit deze partij.")
        else:
            message = _(
                "Dit huishouden heeft al %(n)s codes uit deze partij; meer mag niet.", n=held
            )
        raise Conflict(
            message + " " + _("Is een code kwijt of werkt hij niet? Trek die code dan eerst in."),
            code="voucher_limit",
            errors={field: [message]},
        )


def _next_available(batch_id: int) -> int | None:
    query = (
        select(Voucher.id)
        .where(Voucher.batch_id == batch_id, Voucher.status == "available")
        .order_by(Voucher.id)
        .limit(1)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Two workers never wait on, or pick, the same row.
        query = query.with_for_update(skip_locked=True)
    return db.session.scalar(query)


def _assignable_household(household_id: int | None, household_code: str | None) -> Household:
    if household_id is not None:
        household = db.session.get(Household, household_id)
        field = "household_id"
    else:
        code = (household_code or "").strip()
        household = db.session.scalar(
            select(Household).where(func.upper(Household.code) == code.upper())
        )
        field = "household_code"
    if household is None:
        raise field_error(
            field,
            _("Dit huishouden bestaat niet. Zoek het huishouden op en probeer het opnieuw."),
            code="household_not_found",
        )
    if household.erased_at is not None:
        raise field_error(
            field,
            _(
                "De gegevens van dit huishouden zijn gewist. "
                "Schrijf het huishouden opnieuw in als het weer iets nodig heeft."
            ),
            code="household_erased",
        )
    return household


def _matching_loan(loan_id: int | None, household: Household) -> Loan | None:
    if loan_id is None:
        return None
    loan = db.session.get(Loan, loan_id)
    if loan is None or loan.household_id != household.id:
        raise field_error(
            "loan_id",
            _(
                "Deze uitlening hoort niet bij dit huishouden. "
                "Kies een uitlening van dit huishouden, of laat het veld leeg."
            ),
            code="loan_mismatch",
        )
    return loan


# --- after assignment ------------------------------------------------------------------


def redeem(actor, voucher: Voucher, note: str = "") -> Voucher:
    """Mark a voucher redeemed, after checking with the household that it works.

    Claimed with `UPDATE … WHERE status = 'assigned'`: a worker who revoked or redeemed it
    since this voucher was read makes the row count 0, and this one is refused.
    """
    if voucher.status != "assigned":
        raise wrong_status(voucher, _("Alleen een uitgegeven voucher kan gebruikt zijn."))
    values = {"status": "redeemed", "redeemed_at": utcnow()}
    if note.strip():
        values["note"] = _append_note(voucher.note, note)
    if not _move(voucher, "assigned", values):
        raise _moved_on(voucher)
    record(actor, "voucher.redeemed", voucher, household_id=voucher.household_id)
    return voucher


def revoke(actor, voucher: Voucher, note: str) -> Voucher:
    """Take a code out of use for good (lost, blocked by the provider); needs a reason.

    Claimed with `UPDATE … WHERE status = <the status read>`, so a code that was assigned
    or redeemed in the meantime is not revoked on the strength of an old page.
    """
    if not note.strip():
        raise field_error("note", _("Schrijf kort op waarom deze code niet meer gebruikt wordt."))
    if voucher.status not in ("available", "assigned"):
        raise wrong_status(
            voucher, _("Alleen een beschikbare of uitgegeven voucher kan ingetrokken worden.")
        )
    previous = voucher.status
    values = {
        "status": "revoked",
        "revoked_at": utcnow(),
        "note": _append_note(voucher.note, note),
    }
    if not _move(voucher, previous, values):
        raise _moved_on(voucher)
    record(actor, "voucher.revoked", voucher, previous=previous, note=note.strip())
    return voucher


def _move(voucher: Voucher, expected: str, values: dict) -> bool:
    """Change the voucher only if its status is still `expected`; whether it did.

    The voucher is read again either way, so the caller sees what the database holds.
    """
    db.session.flush()
    moved = db.session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.status == expected)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(voucher)
    return moved.rowcount == 1


def _moved_on(voucher: Voucher) -> Conflict:
    return Conflict(
        _("Iemand anders heeft deze voucher net veranderd.")
        + " "
        + _("Deze voucher is nu: %(status)s.", status=status_name(voucher.status))
        + " "
        + _("Bekijk hem opnieuw voordat u verder gaat."),
        code="voucher_changed",
    )


def reveal(actor, voucher: Voucher) -> str:
    """The full code, for one worker, once; the reveal is logged (the code is not)."""
    record(actor, "voucher.revealed", voucher, status=voucher.status)
    return voucher.code


def expire_batches(actor=None, on: date | None = None) -> int:
    """Mark the available codes of expired batches expired; returns how many.

    Assigned codes stay assigned: the household holds them and may have used them.
    """
    on = on or today()
    expired_batches = select(VoucherBatch.id).where(VoucherBatch.expires_on < on)
    per_batch = db.session.execute(
        select(Voucher.batch_id, func.count())
        .where(Voucher.batch_id.in_(expired_batches), Voucher.status == "available")
        .group_by(Voucher.batch_id)
        .order_by(Voucher.batch_id)
    ).all()
    if not per_batch:
        return 0
    db.session.execute(
        update(Voucher)
        .where(Voucher.batch_id.in_(expired_batches), Voucher.status == "available")
        .values(status="expired")
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()
    for batch_id, count in per_batch:
        record(actor, "voucher_batch.expired", ("voucher_batches", batch_id), codes=count)
    return sum(count for _batch, count in per_batch)


def _append_note(existing: str, note: str) -> str:
    return (existing + "\n" if existing else "") + note.strip()


def wrong_status(voucher: Voucher, message: str) -> Conflict:
    return Conflict(
        message + " " + _("Deze voucher is nu: %(status)s.", status=status_name(voucher.status)),
        code="wrong_status",
    )


def status_name(status: str) -> str:
    names = {
        "available": _("beschikbaar"),
        "assigned": _("uitgegeven"),
        "redeemed": _("gebruikt"),
        "expired": _("verlopen"),
        "revoked": _("ingetrokken"),
    }
    return names.get(status, status)
