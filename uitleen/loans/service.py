"""Loans and gifts: issue race-safely, extend, take back, close, remind, print.

Rules 1 and 2 of the brief live in issue(): one conditional UPDATE takes the device off
the shelf only when it is ready, wiped and checked this round, and the partial unique
index uq_loans_one_open_per_device refuses a second open loan. No read-then-write check.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import quote

from flask_babel import force_locale, format_date, lazy_gettext, ngettext
from flask_babel import gettext as _
from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import IntegrityError

from uitleen import clock
from uitleen.audit.service import record
from uitleen.auth.models import User
from uitleen.db import as_utc, utcnow
from uitleen.devices import lifecycle
from uitleen.devices import service as devices
from uitleen.devices.models import Device, RetiredToken
from uitleen.errors import Conflict, field_error, found
from uitleen.extensions import db
from uitleen.households import service as households
from uitleen.households.models import Household
from uitleen.loans.agreement import AgreementData, render_agreement
from uitleen.loans.models import Loan
from uitleen.settings import service as settings

# Outcomes a worker picks when closing a loan without a normal return, and what then
# happens to the device. "broken" goes back to the workshop as returned: it has to be
# wiped again anyway, and the workshop decides there between repair, parts or recycling.
CLOSE_OUTCOMES = {"kept": "gifted", "lost": "lost", "stolen": "lost", "broken": "returned"}

OUTCOME_NAMES = {
    "returned": lazy_gettext("Teruggebracht"),
    "kept": lazy_gettext("Mag het houden"),
    "lost": lazy_gettext("Kwijtgeraakt"),
    "stolen": lazy_gettext("Gestolen"),
    "broken": lazy_gettext("Kapotgegaan"),
    "gifted": lazy_gettext("Geschonken"),
}
KIND_NAMES = {"loan": lazy_gettext("Lening"), "gift": lazy_gettext("Schenking")}

# A refusal within this time after the device left reads "just now"; later, "already".
JUST_NOW = timedelta(minutes=10)


def get(loan_id: int) -> Loan:
    return found(Loan, loan_id, _("Deze lening bestaat niet."), "loan_not_found")


def today() -> date:
    """Due dates are days on the organisation's calendar, not UTC's."""
    return clock.today()


def default_due_date(start: date | None = None) -> date:
    return households.add_months(start or today(), int(settings.get("loan_months")))


# --- finding a device --------------------------------------------------------------------


def open_loan_count(household: Household) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Loan)
        .where(Loan.household_id == household.id, Loan.closed_at.is_(None))
    )


def loans_of(household: Household) -> list[Loan]:
    """All loans of a household, newest first."""
    return list(
        db.session.scalars(
            select(Loan).where(Loan.household_id == household.id).order_by(Loan.id.desc())
        )
    )


def ready_devices(limit: int = 200) -> list[Device]:
    """Devices that can go out now (the life cycle's one definition of ready to lend)."""
    return lifecycle.ready_to_lend_devices(limit)


def find_device(reference: str) -> Device:
    """A device by its asset tag, or by its label (the scanned URL or token)."""
    text = (reference or "").strip()
    # The same reading of a typed tag or scanned label as the device search ("1", "uit 1").
    device = devices.find_exact(text)
    if device is None and text:
        # A scanner reads the label's QR code: a URL that ends in the public token.
        token = re.split(r"[/?#=]", text.rstrip("/"))[-1].upper()
        device = db.session.scalar(select(Device).where(Device.public_token == token))
    if device is None:
        raise field_error(
            "device",
            _(
                "Er is geen apparaat met nummer ‘%(tag)s’. Typ het nummer van de sticker, "
                "bijvoorbeeld UIT-00042, of scan de QR-code.",
                tag=text,
            ),
            code="device_not_found",
        )
    return device


def find_household(code: str) -> Household:
    household = households.by_code(code or "")
    if household is None:
        raise field_error(
            "household",
            _(
                "Er is geen huishouden met code ‘%(code)s’. Zoek het huishouden op, of "
                "registreer het eerst.",
                code=code or "",
            ),
            code="household_not_found",
        )
    return household


# --- issuing -----------------------------------------------------------------------------


def _why_not_issued(device: Device) -> Conflict:
    """The reason an issue UPDATE changed no row, read after the fact for the message only."""
    db.session.refresh(device)
    noun = lifecycle.noun(device)  # the same wording the life cycle uses
    if device.state in ("on_loan", "gifted"):
        if utcnow() - as_utc(device.state_changed_at) <= JUST_NOW:
            message = _(
                "%(noun)s is net aan iemand anders uitgeleend. Kies een ander apparaat.",
                noun=noun,
            )
        else:
            message = _("%(noun)s is al uitgeleend. Kies een ander apparaat.", noun=noun)
        return Conflict(message, code="already_issued")
    if device.state != "ready":
        return Conflict(
            _(
                "%(noun)s staat op ‘%(state)s’ en is niet klaar om mee te geven. "
                "Kies een apparaat dat klaar staat.",
                noun=noun,
                state=lifecycle.STATE_NAMES[device.state],
            ),
            code="not_ready",
        )
    try:
        lifecycle.guard_ready(device)  # raises: not wiped / not checked this round
    except Conflict as refused:
        return refused
    return Conflict(
        _("%(noun)s kon niet worden meegegeven. Probeer het opnieuw.", noun=noun),
        code="not_issued",
    )


def _retire_token(device: Device) -> None:
    """The label of a device that leaves for good stops working (the help page says so)."""
    token = device.public_token
    if not db.session.scalar(select(exists().where(RetiredToken.token == token))):
        db.session.add(RetiredToken(token=token, device_id=device.id))


def _check_household_may_borrow(household: Household, kind: str) -> None:
    if household.erased_at is not None:
        raise field_error(
            "household",
            _(
                "De gegevens van dit huishouden zijn gewist. Registreer het opnieuw om "
                "iets mee te geven."
            ),
            code="household_erased",
        )
    if kind != "loan":
        return  # a gift closes at once and never counts as open
    # Lock the household row first, so two desks lending it two devices at once are counted
    # one after the other (PostgreSQL; SQLite already serialises writing transactions).
    db.session.execute(select(Household.id).where(Household.id == household.id).with_for_update())
    limit = int(settings.get("max_open_loans_per_household"))
    if open_loan_count(household) >= limit:
        raise Conflict(
            ngettext(
                "Dit huishouden leent al %(num)s apparaat; meer mag niet. "
                "Neem eerst een apparaat terug, of vraag de coördinator.",
                "Dit huishouden leent al %(num)s apparaten; meer mag niet. "
                "Neem eerst een apparaat terug, of vraag de coördinator.",
                limit,
            ),
            code="too_many_open_loans",
        )


def issue(
    actor,
    device: Device,
    household: Household,
    kind: str = "loan",
    due_date: date | None = None,
    deposit_cents: int | None = None,
    note: str = "",
) -> Loan:
    """Lend (or give) a ready device to a household, safe against two desks at once."""
    if kind not in ("loan", "gift"):
        raise field_error("kind", _("Kies lenen of schenken."))
    if kind == "gift" and deposit_cents:
        raise field_error("deposit", _("Bij een schenking hoort geen borg. Laat de borg leeg."))
    if kind == "loan":
        due_date = due_date or default_due_date()
        if due_date <= today():
            raise field_error("due_date", _("Kies een terugbrengdatum na vandaag."))
    else:
        due_date = None
    _check_household_may_borrow(household, kind)

    target = "on_loan" if kind == "loan" else "gifted"
    result = db.session.execute(lifecycle.issue_update(device.id, target))
    if result.rowcount != 1:
        raise _why_not_issued(device)
    db.session.expire(device, ["state", "state_changed_at"])  # the UPDATE bypassed the session

    now = utcnow()
    loan = Loan(
        device_id=device.id,
        household_id=household.id,
        kind=kind,
        issued_by_id=actor.id if actor is not None else None,
        issued_at=now,
        due_date=due_date,
        deposit_cents=deposit_cents or None,
        notes=note or "",
    )
    if kind == "gift":
        loan.closed_at, loan.outcome = now, "gifted"
    try:
        with db.session.begin_nested():
            db.session.add(loan)
    except IntegrityError:
        # Rule 2 backed by the database: another open loan for this device exists.
        raise Conflict(
            _(
                "%(noun)s is net aan iemand anders uitgeleend. Kies een ander apparaat.",
                noun=lifecycle.noun(device),
            ),
            code="already_issued",
        ) from None
    if kind == "gift":
        _retire_token(device)
    # The device's history is read by the workshop: it names the loan, never the household.
    lifecycle.record_change(actor, device, "ready", target, loan_id=loan.id)
    record(
        actor,
        "loan.issued",
        loan,
        device_id=device.id,
        household_id=household.id,
        kind=kind,
        due_date=due_date,
        deposit_cents=loan.deposit_cents,
    )
    households.serve(actor, household, loan_id=loan.id)
    return loan


def issue_from_input(
    actor,
    *,
    device: str,
    household: str,
    kind: str | None = "loan",
    due_date: date | None = None,
    deposit: int | None = None,
    note: str | None = "",
) -> Loan:
    """issue() from validated form or API input (IssueSchema): a device reference (tag,
    label URL or token), a household code; the deposit in cents."""
    return issue(
        actor,
        find_device(device),
        find_household(household),
        kind=kind or "loan",
        due_date=due_date,
        deposit_cents=deposit,
        note=note or "",
    )


# --- after issuing -----------------------------------------------------------------------


def _require_open_loan(loan: Loan) -> None:
    if loan.closed_at is not None:
        raise Conflict(_("Deze lening is al afgesloten."), code="loan_closed")
    if loan.kind != "loan":
        raise Conflict(_("Een schenking hoeft niet terug."), code="not_a_loan")


def _add_note(loan: Loan, note: str | None) -> None:
    if note:
        loan.notes = f"{loan.notes}\n{note}".strip() if loan.notes else note


def extend(actor, loan: Loan, due_date: date, note: str = "") -> Loan:
    """Give the household more time: the new due date must be later than the old one."""
    _require_open_loan(loan)
    if loan.due_date is not None and due_date <= loan.due_date:
        raise field_error(
            "due_date",
            _(
                "Kies een datum na de huidige terugbrengdatum (%(date)s).",
                date=format_date(loan.due_date, "long"),
            ),
        )
    if due_date <= today():
        raise field_error("due_date", _("Kies een terugbrengdatum na vandaag."))
    old = loan.due_date
    loan.due_date = due_date
    _add_note(loan, note)
    record(actor, "loan.extended", loan, old_due_date=old, due_date=due_date)
    return loan


def _deposit_refunded(loan: Loan, refunded: bool | None) -> bool | None:
    return bool(refunded) if loan.deposit_cents else None


def take_back(
    actor,
    loan: Loan,
    condition: str = "",
    charger_returned: bool = False,
    deposit_refunded: bool | None = None,
    note: str = "",
) -> Loan:
    """The device came back: close the loan; the device starts a new round (wipe, check)."""
    _require_open_loan(loan)
    now = utcnow()
    loan.returned_at = loan.closed_at = now
    loan.outcome = "returned"
    loan.return_condition = condition or ""
    loan.charger_returned = bool(charger_returned)
    loan.deposit_refunded = _deposit_refunded(loan, deposit_refunded)
    _add_note(loan, note)
    # The condition is the desk's words about a household's use: it stays on the loan
    # (intake and coordinators), out of the device history the workshop reads.
    lifecycle.move(actor, loan.device, "returned", loan_id=loan.id)
    record(
        actor,
        "loan.returned",
        loan,
        charger_returned=loan.charger_returned,
        deposit_refunded=loan.deposit_refunded,
    )
    return loan


def close(actor, loan: Loan, outcome: str, note: str, deposit_refunded: bool | None = None) -> Loan:
    """Close a loan that did not come back the usual way: kept, lost, stolen or broken."""
    if outcome not in CLOSE_OUTCOMES:
        raise field_error(
            "outcome", _("Kies: mag het houden, kwijtgeraakt, gestolen of kapotgegaan.")
        )
    _require_open_loan(loan)
    now = utcnow()
    loan.closed_at = now
    loan.outcome = outcome
    loan.deposit_refunded = _deposit_refunded(loan, deposit_refunded)
    if outcome == "broken":
        loan.returned_at = now  # it comes back to the workshop
    _add_note(loan, note)
    target = CLOSE_OUTCOMES[outcome]
    lifecycle.move(actor, loan.device, target, loan_id=loan.id, outcome=outcome)
    if target == "gifted":
        _retire_token(loan.device)
    record(actor, "loan.closed", loan, outcome=outcome, deposit_refunded=loan.deposit_refunded)
    return loan


# --- lists and reminders -------------------------------------------------------------------

FILTERS = ("open", "overdue", "due_soon", "closed", "all")


def due_soon_days() -> int:
    return int(settings.get("loan_due_soon_days"))


def list_loans(
    status: str = "open",
    household_id: int | None = None,
    after: int | None = None,
    limit: int = 50,
    on: date | None = None,
    device: str | None = None,
) -> list[Loan]:
    """Loans by status, newest first (overdue and due soon: earliest due first).

    `device` narrows to one device, by asset tag or its scanned label.
    """
    on = on or today()
    query = select(Loan).limit(limit)
    if device:
        query = query.where(Loan.device_id == find_device(device).id)
    open_loan = and_(Loan.closed_at.is_(None), Loan.kind == "loan")
    if status == "open":
        query = query.where(Loan.closed_at.is_(None))
    elif status == "overdue":
        query = query.where(open_loan, Loan.due_date < on)
    elif status == "due_soon":
        until = on + timedelta(days=due_soon_days())
        query = query.where(open_loan, Loan.due_date >= on, Loan.due_date <= until)
    elif status == "closed":
        query = query.where(Loan.closed_at.is_not(None))
    if household_id is not None:
        query = query.where(Loan.household_id == household_id)
    if status in ("overdue", "due_soon"):
        query = query.order_by(Loan.due_date, Loan.id)
    else:
        query = query.order_by(Loan.id.desc())
        if after:
            query = query.where(Loan.id < after)
    return list(db.session.scalars(query))


def open_loan_for(device_reference: str) -> Loan | None:
    """The open loan of a device in hand (typed tag or scanned label), if it is out."""
    loans = list_loans("open", device=device_reference, limit=1)
    return loans[0] if loans else None


def count_loans(status: str, on: date | None = None) -> int:

    on = on or today()
    query = (
        select(func.count()).select_from(Loan).where(Loan.closed_at.is_(None), Loan.kind == "loan")
    )
    if status == "overdue":
        query = query.where(Loan.due_date < on)
    elif status == "due_soon":
        until = on + timedelta(days=due_soon_days())
        query = query.where(Loan.due_date >= on, Loan.due_date <= until)
    return db.session.scalar(query)


@dataclass(frozen=True)
class Reminder:
    loan: Loan
    overdue: bool
    days: int  # days late (overdue) or days left
    text: str
    language: str  # of the text: the household's, or Dutch while untranslated
    tel_url: str | None
    whatsapp_url: str | None


OVERDUE_TEXT = (
    "dit is %(organisation)s. Wilt u het apparaat %(tag)s terugbrengen? "
    "We hadden %(date)s afgesproken. Hebt u het nog nodig? Bel of app ons, "
    "dan kijken we samen of u het langer mag houden."
)
DUE_SOON_TEXT = (
    "dit is %(organisation)s. Een herinnering: het apparaat %(tag)s mag terug "
    "vóór %(date)s. Hebt u het langer nodig? Bel of app ons even."
)


def reminder_language(language: str) -> str:
    """The household's language when the reminder is translated into it, else Dutch.

    A message is then wholly in one language, never Dutch words around a foreign date.
    """
    with force_locale(language):
        translated = _(DUE_SOON_TEXT) != DUE_SOON_TEXT
    return language if translated else "nl"


def reminder_text(loan: Loan, on: date | None = None) -> str:
    """A friendly reminder in the household's language; no blame, an offer of more time."""
    on = on or today()
    household = loan.household
    values = {"organisation": settings.get("org_name"), "tag": loan.device.asset_tag}
    with force_locale(reminder_language(household.language or "nl")):
        values["date"] = format_date(loan.due_date, "long")
        if household.contact_name:
            greeting = _("Hallo %(name)s,", name=household.contact_name)
        else:
            greeting = _("Hallo,")
        if loan.due_date < on:
            body = _(
                "dit is %(organisation)s. Wilt u het apparaat %(tag)s terugbrengen? "
                "We hadden %(date)s afgesproken. Hebt u het nog nodig? Bel of app ons, "
                "dan kijken we samen of u het langer mag houden.",
                **values,
            )
        else:
            body = _(
                "dit is %(organisation)s. Een herinnering: het apparaat %(tag)s mag terug "
                "vóór %(date)s. Hebt u het langer nodig? Bel of app ons even.",
                **values,
            )
        return f"{greeting} {body}"


def reminder(loan: Loan, on: date | None = None) -> Reminder:
    on = on or today()
    text = reminder_text(loan, on)
    digits = households.phone_digits(loan.household.phone)
    return Reminder(
        loan=loan,
        overdue=loan.due_date < on,
        days=abs((on - loan.due_date).days),
        text=text,
        language=reminder_language(loan.household.language or "nl"),
        tel_url=f"tel:+{digits}" if digits else None,
        whatsapp_url=f"https://wa.me/{digits}?text={quote(text, safe='')}" if digits else None,
    )


def reminders(on: date | None = None) -> list[Reminder]:
    """Overdue loans first (longest late first), then those due within the setting's days."""
    on = on or today()
    loans = list_loans("overdue", limit=500, on=on) + list_loans("due_soon", limit=500, on=on)
    return [reminder(loan, on) for loan in loans]


# --- the agreement -----------------------------------------------------------------------


def agreement_data(loan: Loan) -> AgreementData:
    device, household = loan.device, loan.household
    worker = db.session.get(User, loan.issued_by_id) if loan.issued_by_id else None
    values = settings.get_many(["org_name", "org_phone", "org_whatsapp", "org_address"])
    description = " ".join(part for part in (device.make, device.model) if part) or device.kind
    return AgreementData(
        organisation=values["org_name"],
        phone=values["org_phone"],
        whatsapp=values["org_whatsapp"] or None,
        address=values["org_address"],
        asset_tag=device.asset_tag,
        device=description,
        household_code=household.code,
        contact_name=household.contact_name or None,
        kind=loan.kind,
        issued_on=clock.local(loan.issued_at).date(),
        due_on=loan.due_date if loan.kind == "loan" else None,
        worker=worker.name if worker is not None else "",
        deposit_cents=loan.deposit_cents if loan.kind == "loan" else None,
    )


def print_agreement(actor, loan: Loan) -> bytes:
    """The loan agreement PDF in the household's language; printing is logged."""
    language = loan.household.language or "nl"
    document = render_agreement(agreement_data(loan), language)
    record(actor, "loan.agreement_printed", loan, language=language)
    return document


def agreement_filename(loan: Loan) -> str:
    return f"afspraken-{loan.device.asset_tag}-{loan.household.code}.pdf"


def issued_on(loan: Loan) -> datetime:
    return as_utc(loan.issued_at)
