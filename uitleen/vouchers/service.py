"""Voucher batches and codes: import, exactly-once assignment, redeem, revoke, reveal,
letters, stock and the issued report. Functions flush; the caller commits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from uitleen import clock
from uitleen.audit.service import record
from uitleen.db import utcnow
from uitleen.errors import Conflict, Invalid, field_error, found
from uitleen.extensions import db
from uitleen.households.models import Household
from uitleen.i18n import SUPPORTED, clean_translations, translated
from uitleen.loans.models import Loan
from uitleen.pdf import PageFullError
from uitleen.settings import service as settings
from uitleen.vouchers import importer
from uitleen.vouchers.letter import LetterData, render_voucher_letter
from uitleen.vouchers.models import Voucher, VoucherBatch

ASSIGN_ATTEMPTS = 5  # lost races retried before we ask the worker to try again
KNOWN_CODES_CHUNK = 500  # codes per IN (...) when looking for codes already known
MASK = "••••••••"
# "1. ", "2) ", "- ", "* ", "• " at the start of a step: the letter numbers steps itself.
LIST_MARKER = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•·])\s+")


# --- reading -------------------------------------------------------------------------


def today() -> date:
    """Expiry dates are days on the organisation's calendar, not UTC's."""
    return clock.today()


def mask(code: str) -> str:
    """A code as lists show it: dots and only the last few characters."""
    tail = 4 if len(code) >= 10 else 2
    return MASK + code[-tail:]


def get_batch(batch_id: int) -> VoucherBatch:
    return found(
        VoucherBatch,
        batch_id,
        _("Deze partij bestaat niet. Kies een andere partij."),
        "batch_not_found",
    )


def get_voucher(voucher_id: int) -> Voucher:
    return found(
        Voucher,
        voucher_id,
        _("Deze voucher bestaat niet. Zoek hem op in de lijst van de partij."),
        "voucher_not_found",
    )


def is_expired(batch: VoucherBatch, on: date | None = None) -> bool:
    return batch.expires_on < (on or today())


def list_batches() -> list[VoucherBatch]:
    """All batches, the ones that expire soonest first, expired ones last."""
    batches = db.session.scalars(select(VoucherBatch).order_by(VoucherBatch.expires_on.desc()))
    current = today()
    return sorted(batches, key=lambda b: (b.expires_on < current, b.expires_on, b.id))


def vouchers_of_batch(
    batch_id: int, status: str | None = None, after: int | None = None, limit: int = 100
) -> list[Voucher]:
    """A page of a batch's vouchers by id (keyset), optionally of one status."""
    query = select(Voucher).where(Voucher.batch_id == batch_id).order_by(Voucher.id).limit(limit)
    if status:
        query = query.where(Voucher.status == status)
    if after:
        query = query.where(Voucher.id > after)
    return list(db.session.scalars(query))


def vouchers_of_household(household_id: int) -> list[Voucher]:
    return list(
        db.session.scalars(
            select(Voucher).where(Voucher.household_id == household_id).order_by(Voucher.id)
        )
    )


def find_vouchers(
    batch_id: int | None = None,
    status: str | None = None,
    household_id: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> list[Voucher]:
    """Vouchers filtered by batch, status and household, a page by id."""
    query = select(Voucher).order_by(Voucher.id).limit(limit)
    if batch_id is not None:
        query = query.where(Voucher.batch_id == batch_id)
    if status:
        query = query.where(Voucher.status == status)
    if household_id is not None:
        query = query.where(Voucher.household_id == household_id)
    if after:
        query = query.where(Voucher.id > after)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class BatchStock:
    """How many codes a batch has in each status, and whether it runs low."""

    batch_id: int
    provider: str
    product: str
    expires_on: date
    expired: bool
    available: int
    assigned: int
    redeemed: int
    revoked: int
    expired_codes: int
    low_stock: bool

    @property
    def total(self) -> int:
        return self.available + self.assigned + self.redeemed + self.revoked + self.expired_codes


def stock_by_batch() -> list[BatchStock]:
    """Per batch: codes per status, and a low-stock flag below the voucher_low_stock setting.

    An expired batch is never low (it cannot be handed out any more); its available
    codes count as expired even before `uitleen vouchers expire` marks them.
    """
    return _stock(list_batches())


def stock_of(batch: VoucherBatch) -> BatchStock:
    return _stock([batch])[0]


@dataclass(frozen=True)
class BatchWithStock:
    """A batch as the API shows it: the batch's own columns, and its codes per status."""

    batch: VoucherBatch
    stock: BatchStock

    def __getattr__(self, name: str):
        return getattr(self.batch, name)


def with_stock(batches: list[VoucherBatch]) -> list[BatchWithStock]:
    """Each batch with its stock, counted in one query for all of them."""
    return [BatchWithStock(b, s) for b, s in zip(batches, _stock(batches), strict=True)]


def _stock(batches: list[VoucherBatch]) -> list[BatchStock]:
    threshold = int(settings.get("voucher_low_stock"))
    query = select(Voucher.batch_id, Voucher.status, func.count()).group_by(
        Voucher.batch_id, Voucher.status
    )
    if len(batches) == 1:
        query = query.where(Voucher.batch_id == batches[0].id)
    counts: dict[int, dict[str, int]] = {}
    for batch_id, status, count in db.session.execute(query):
        counts.setdefault(batch_id, {})[status] = count
    current = today()
    stock = []
    for batch in batches:
        per = counts.get(batch.id, {})
        expired = is_expired(batch, current)
        available = 0 if expired else per.get("available", 0)
        stock.append(
            BatchStock(
                batch_id=batch.id,
                provider=batch.provider,
                product=batch.product,
                expires_on=batch.expires_on,
                expired=expired,
                available=available,
                assigned=per.get("assigned", 0),
                redeemed=per.get("redeemed", 0),
                revoked=per.get("revoked", 0),
                expired_codes=per.get("expired", 0) + (per.get("available", 0) if expired else 0),
                low_stock=not expired and available < threshold,
            )
        )
    return stock


def low_stock_batches() -> list[BatchStock]:
    return [s for s in stock_by_batch() if s.low_stock]


def assignable_batches() -> list[BatchStock]:
    """Batches a worker can pick from: not expired and with codes left."""
    return [s for s in stock_by_batch() if not s.expired and s.available > 0]


# --- batches ---------------------------------------------------------------------------


def steps_from_text(text: str) -> list[str]:
    """Plain text, one step per line, to a list of steps (list markers and blanks dropped)."""
    steps = []
    for line in text.splitlines():
        step = LIST_MARKER.sub("", line).strip()
        if step:
            steps.append(step)
    return steps


def product_in(batch: VoucherBatch, lang: str) -> str:
    """The batch's product in lang, or its Dutch name when it has none in that language."""
    return translated(batch.product, batch.product_translations, lang)[0]


def steps_for(batch: VoucherBatch, lang: str) -> list[str]:
    """The batch's steps in lang, or its Dutch steps when it has none in that language."""
    steps = batch.activation_steps or {}
    return list(steps.get(lang) or steps.get("nl") or [])


def create_batch(
    actor,
    provider: str,
    product: str,
    expires_on: date,
    activation_steps: dict[str, str],
    months: int | None = None,
    value: Decimal | None = None,
    product_translations: dict[str, str] | None = None,
) -> VoucherBatch:
    """A new, empty batch; steps per language as plain text, Dutch required."""
    if expires_on < today():
        raise _expiry_in_the_past()
    steps = _checked_steps(activation_steps, provider, product)
    batch = VoucherBatch(
        provider=provider.strip(),
        product=product.strip(),
        product_translations=clean_translations(product_translations),
        months=months,
        value_cents=_cents(value),
        expires_on=expires_on,
        activation_steps=steps,
    )
    db.session.add(batch)
    db.session.flush()
    record(
        actor,
        "voucher_batch.created",
        batch,
        provider=batch.provider,
        product=batch.product,
        expires_on=expires_on,
        languages=sorted(steps),
    )
    return batch


def update_batch(
    actor,
    batch: VoucherBatch,
    provider: str,
    product: str,
    expires_on: date,
    activation_steps: dict[str, str],
    months: int | None = None,
    value: Decimal | None = None,
    product_translations: dict[str, str] | None = None,
) -> VoucherBatch:
    """Correct a batch (a typo in a step, a new expiry date); its codes stay as they are."""
    if expires_on < today() and expires_on != batch.expires_on:
        raise _expiry_in_the_past()
    steps = _checked_steps(activation_steps, provider, product)
    new = {
        "provider": provider.strip(),
        "product": product.strip(),
        "product_translations": clean_translations(product_translations),
        "months": months,
        "value_cents": _cents(value),
        "expires_on": expires_on,
        "activation_steps": steps,
    }
    changed = sorted(key for key, value in new.items() if getattr(batch, key) != value)
    for key in changed:
        setattr(batch, key, new[key])
    db.session.flush()
    if changed:
        record(actor, "voucher_batch.changed", batch, fields=changed)
    return batch


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())


def _expiry_in_the_past() -> Invalid:
    return field_error(
        "expires_on", _("Deze datum is al voorbij. Vul de vervaldatum in die op de codes staat.")
    )


def _checked_steps(texts: dict[str, str], provider: str, product: str) -> dict[str, list[str]]:
    """Steps per supported language; Dutch required; each language must fit on one letter."""
    steps = {}
    for lang, text in (texts or {}).items():
        if lang not in SUPPORTED:
            raise field_error(
                "activation_steps",
                _(
                    "Taal %(lang)s kennen we niet. Kies uit: %(langs)s.",
                    lang=lang,
                    langs=", ".join(SUPPORTED),
                ),
            )
        lines = steps_from_text(text or "")
        if lines:
            steps[lang] = lines
    if "nl" not in steps:
        raise field_error(
            "steps_nl",
            _("Vul de stappen in het Nederlands in, één stap per regel."),
        )
    for lang, lines in steps.items():
        _check_fits(lang, lines, provider, product)
    return steps


def _check_fits(lang: str, steps: list[str], provider: str, product: str) -> None:
    """Refuse steps that would not fit on the one-page letter, before any code is printed."""
    sample = LetterData(
        organisation=str(settings.get("org_name")),
        phone=str(settings.get("org_phone")),
        whatsapp=str(settings.get("org_whatsapp")),
        address=str(settings.get("org_address")),
        provider=provider,
        product=product,
        code="X" * 16,
        steps=tuple(steps),
        expires_on=today(),
        household_code="HH-XXXX",
    )
    try:
        render_voucher_letter(sample, lang)
    except PageFullError:
        raise field_error(
            f"steps_{lang}",
            _("Deze stappen passen niet op één brief. Maak ze korter of gebruik minder stappen."),
        ) from None


# --- import ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    added: int
    duplicates_in_file: int
    already_known: int


def import_codes(actor, batch: VoucherBatch, data: bytes) -> ImportReport:
    """Add a file's new codes to a batch, all or nothing; repeats and known codes are skipped."""
    if is_expired(batch):
        raise Conflict(
            _(
                "Deze partij is verlopen; codes toevoegen heeft geen zin. "
                "Maak een nieuwe partij met de juiste vervaldatum."
            ),
            code="batch_expired",
        )
    parsed = importer.parse_codes(data)
    known = _known_codes(parsed.codes)
    new = [code for code in parsed.codes if code not in known]
    if new:
        try:
            with db.session.begin_nested():
                db.session.execute(
                    insert(Voucher),
                    [
                        {"batch_id": batch.id, "code": code, "status": "available", "note": ""}
                        for code in new
                    ],
                )
        except IntegrityError:
            # Someone imported some of these codes at the same moment.
            raise Conflict(
                _("Iemand anders las net dezelfde codes in. Probeer het opnieuw."),
                code="import_race",
            ) from None
    report = ImportReport(
        added=len(new), duplicates_in_file=parsed.duplicates_in_file, already_known=len(known)
    )
    record(
        actor,
        "voucher_batch.codes_imported",
        batch,
        added=report.added,
        duplicates_in_file=report.duplicates_in_file,
        already_known=report.already_known,
    )
    return report


def _known_codes(codes: list[str]) -> set[str]:
    known: set[str] = set()
    for start in range(0, len(codes), KNOWN_CODES_CHUNK):
        chunk = codes[start : start + KNOWN_CODES_CHUNK]
        known.update(db.session.scalars(select(Voucher.code).where(Voucher.code.in_(chunk))))
    return known


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
        raise _wrong_status(voucher, _("Alleen een uitgegeven voucher kan gebruikt zijn."))
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
        raise _wrong_status(
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


def _wrong_status(voucher: Voucher, message: str) -> Conflict:
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


# --- the letter ------------------------------------------------------------------------


def letter_data(voucher: Voucher) -> tuple[LetterData, str]:
    """What goes on the letter, and the household's language to print it in."""
    household = db.session.get(Household, voucher.household_id)
    lang = household.language if household.language in SUPPORTED else "nl"
    org = settings.get_many(["org_name", "org_phone", "org_whatsapp", "org_address"])
    batch = voucher.batch
    data = LetterData(
        organisation=str(org["org_name"]),
        phone=str(org["org_phone"]),
        whatsapp=str(org["org_whatsapp"]) or None,
        address=str(org["org_address"]) or None,
        provider=batch.provider,
        product=product_in(batch, lang),
        code=voucher.code,
        steps=tuple(steps_for(batch, lang)),
        expires_on=batch.expires_on,
        household_code=household.code,
    )
    return data, lang


def letter_filename(voucher_id: int) -> str:
    return f"voucherbrief-{voucher_id}.pdf"


def print_letter(actor, voucher: Voucher) -> bytes:
    """The voucher letter as PDF bytes in the household's language; printing is logged."""
    if voucher.status not in ("assigned", "redeemed") or voucher.household_id is None:
        raise _wrong_status(voucher, _("Een brief is er alleen voor een uitgegeven voucher."))
    data, lang = letter_data(voucher)
    document = render_voucher_letter(data, lang)
    record(actor, "voucher.letter_printed", voucher, language=lang)
    return document


# --- the issued report -----------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    key: str
    issued: int
    redeemed: int


@dataclass(frozen=True)
class IssuedReport:
    start: date
    end: date
    total: int
    redeemed: int
    by_month: list[ReportRow]
    by_provider: list[ReportRow]
    by_referral_partner: list[ReportRow]


def issued_report(start: date, end: date) -> IssuedReport:
    """Vouchers handed out from start to end (inclusive, by the organisation's days), per
    month, provider and referral partner; `redeemed` counts those marked redeemed since."""
    if end < start:
        raise field_error("end", _("De einddatum ligt vóór de begindatum. Draai ze om."))
    begin, until = _local_midnight(start), _local_midnight(end + timedelta(days=1))
    handed_out = (
        select(
            _local_month(start, end).label("month"),
            VoucherBatch.provider.label("provider"),
            Household.referral_partner.label("partner"),
            case((Voucher.status == "redeemed", 1), else_=0).label("redeemed"),
        )
        .join(VoucherBatch, Voucher.batch_id == VoucherBatch.id)
        .join(Household, Voucher.household_id == Household.id)
        .where(Voucher.assigned_at >= begin, Voucher.assigned_at < until)
        .subquery()
    )
    # Grouped outside: PostgreSQL does not see the month CASE, with its bound parameters,
    # in SELECT and GROUP BY as the same expression.
    rows = db.session.execute(
        select(
            handed_out.c.month,
            handed_out.c.provider,
            handed_out.c.partner,
            func.count(),
            func.sum(handed_out.c.redeemed),
        ).group_by(handed_out.c.month, handed_out.c.provider, handed_out.c.partner)
    ).all()
    return IssuedReport(
        start=start,
        end=end,
        total=sum(r[3] for r in rows),
        redeemed=sum(int(r[4] or 0) for r in rows),
        by_month=_totals(rows, 0),
        by_provider=_totals(rows, 1),
        by_referral_partner=_totals(rows, 2),
    )


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, clock.zone()).astimezone(UTC)


def _local_month(start: date, end: date):
    """'YYYY-MM' of Voucher.assigned_at on the organisation's calendar, for rows from start.

    SQLite knows no time zones, so the months' local bounds are compared instead.
    """
    whens = []
    first = start.replace(day=1)
    while first <= end:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        whens.append((Voucher.assigned_at < _local_midnight(following), first.strftime("%Y-%m")))
        first = following
    return case(*whens)


def _totals(rows, index: int) -> list[ReportRow]:
    issued: dict[str, int] = {}
    used: dict[str, int] = {}
    for row in rows:
        key = row[index] or ""
        issued[key] = issued.get(key, 0) + row[3]
        used[key] = used.get(key, 0) + int(row[4] or 0)
    order = sorted(issued) if index == 0 else sorted(issued, key=lambda k: (-issued[k], k))
    return [ReportRow(key=k, issued=issued[k], redeemed=used[k]) for k in order]
