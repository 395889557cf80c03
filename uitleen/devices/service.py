"""The refurbishment pipeline: intake, wipes, software, quality checks, moves and lists.

Plain functions with the actor first; they flush but never commit (the view or CLI does).
Every state change goes through lifecycle.move, so the state machine stays the only
place that says which move is allowed.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from uitleen import clock
from uitleen.audit import service as audit
from uitleen.audit.service import record
from uitleen.auth.models import User
from uitleen.auth.roles import COORDINATOR
from uitleen.db import as_utc, utcnow
from uitleen.devices import lifecycle, wipelog
from uitleen.devices.certificate import (
    CertificateData,
    CertificateDevice,
    CertificateDisk,
    CertificateError,
    render_certificate,
)
from uitleen.devices.models import (
    Counter,
    Device,
    Donor,
    QualityCheck,
    RetiredToken,
    SoftwareInstall,
    WipeDisk,
    WipeRecord,
    serial_key,
)
from uitleen.devices.tags import format_tag, parse_tag
from uitleen.errors import Conflict, Invalid, NotFound, field_error
from uitleen.extensions import db
from uitleen.settings import service as settings
from uitleen.settings.models import Location

ASSET_TAG_COUNTER = "asset_tag"
CERTIFICATE_COUNTER = "certificate"

KIND_NAMES = {
    "laptop": lazy_gettext("Laptop"),
    "desktop": lazy_gettext("Computer"),
    "tablet": lazy_gettext("Tablet"),
    "phone": lazy_gettext("Telefoon"),
    "other": lazy_gettext("Overig"),
}

DISK_RESULT_NAMES = {
    "passed": lazy_gettext("geslaagd"),
    "failed": lazy_gettext("mislukt"),
    "aborted": lazy_gettext("afgebroken"),
}

VERIFICATION_NAMES = {
    "none": lazy_gettext("geen"),
    "last": lazy_gettext("laatste ronde"),
    "all": lazy_gettext("alle rondes"),
}

# What a volunteer does next with a device in each state (the queue pages say this).
NEXT_STEP = {
    "intake": lazy_gettext("Wissen: start het wissen en leg de wisbeurt vast."),
    "wiping": lazy_gettext("Wisbeurt vastleggen of het nwipe-logboek inlezen."),
    "wiped": lazy_gettext("Software installeren en vastleggen."),
    "software": lazy_gettext("Software afmaken en vastleggen."),
    "qc": lazy_gettext("Controle doen; als alles goed is: klaar voor uitleen."),
    "ready": lazy_gettext("Klaar: wacht op uitleen."),
    "returned": lazy_gettext("Opnieuw wissen voordat het weer uitgaat."),
    "repair": lazy_gettext("Repareren, daarna opnieuw controleren."),
}

# Moves that belong to a loan: the loans service makes them, with the loan record.
LOAN_TARGETS = frozenset({"on_loan", "gifted"})

# Moves that need a reason a colleague can read later.
NOTE_REQUIRED = frozenset({"repair", "parts", "recycled", "lost"})


QC_RESULTS = ("pass", "fail", "na")

_URL_TOKEN_RE = re.compile(r"/h/([A-Z2-7]{20,32})/?(?:[?#].*)?$", re.IGNORECASE)
_BARE_TOKEN_RE = re.compile(r"^[A-Z2-7]{26}$")


# --- counters, tags and tokens ------------------------------------------------------


def reserve(name: str, count: int = 1) -> int:
    """Reserve `count` numbers of a counter in one UPDATE; returns the first of the block.

    The UPDATE … RETURNING row lock (PostgreSQL) or the write lock taken at BEGIN
    IMMEDIATE (SQLite) makes concurrent callers wait for each other, so blocks never overlap.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    _ensure_counter(name)
    last = db.session.execute(
        update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + count)
        .returning(Counter.value)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return last - count + 1


def raise_counter_to(name: str, value: int) -> None:
    """Make sure the counter is at least `value` (after importing numbers made elsewhere)."""
    _ensure_counter(name)
    db.session.execute(
        update(Counter)
        .where(Counter.name == name, Counter.value < value)
        .values(value=value)
        .execution_options(synchronize_session=False)
    )


def _ensure_counter(name: str) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(Counter).values(name=name, value=0).on_conflict_do_nothing())


def new_public_token() -> str:
    """128 bits from the CSPRNG as upper-case base32 without padding (26 characters)."""
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")


def label_url(token: str) -> str:
    from uitleen.labels.qr import label_url as make_url

    return make_url(current_app.config["UITLEEN_BASE_URL"], token)


def qr_matrix_for(token: str) -> bytes:
    """The stored QR matrix of a token's label URL (slow-ish: ~5–25 ms, do it once)."""
    from uitleen.labels.qr import make_matrix

    return make_matrix(label_url(token)).to_bytes()


def assign_token(device: Device) -> str:
    """Give the device a fresh public token and its QR matrix; returns the token."""
    device.public_token = new_public_token()
    device.qr_url = label_url(device.public_token)
    device.qr_matrix = qr_matrix_for(device.public_token)
    return device.public_token


def usable_matrix(matrix: bytes | None, qr_url: str | None, token: str) -> bytes | None:
    """A stored matrix, if it still encodes the token's label URL under today's base URL."""
    return matrix if matrix is not None and qr_url == label_url(token) else None


def ensure_qr_matrix(device: Device) -> bytes:
    """The device's QR matrix, made now if a bulk import left it empty or it is stale."""
    if usable_matrix(device.qr_matrix, device.qr_url, device.public_token) is None:
        device.qr_url = label_url(device.public_token)
        device.qr_matrix = qr_matrix_for(device.public_token)
    return device.qr_matrix


# --- donors --------------------------------------------------------------------------


def donors() -> list[Donor]:
    return list(db.session.scalars(select(Donor).order_by(Donor.name)))


def create_donor(
    actor, name: str, is_organisation: bool = False, contact: str = "", wants_certificate=False
) -> Donor:
    if not name.strip():
        raise field_error("new_donor_name", _("Vul de naam van de gever in."))
    donor = Donor(
        name=name.strip(),
        is_organisation=is_organisation,
        contact=contact.strip(),
        wants_certificate=wants_certificate,
    )
    db.session.add(donor)
    db.session.flush()
    record(actor, "donor.created", donor, name=donor.name, organisation=is_organisation)
    return donor


def _donor_for(actor, data: dict) -> Donor | None:
    """An existing donor by id, or a new one from the new_donor_* fields."""
    if data.get("donor_id"):
        donor = db.session.get(Donor, data["donor_id"])
        if donor is None:
            raise field_error(
                "donor_id", _("Deze gever bestaat niet. Kies een gever uit de lijst.")
            )
        return donor
    if (data.get("new_donor_name") or "").strip():
        return create_donor(
            actor,
            data["new_donor_name"],
            bool(data.get("new_donor_is_organisation")),
            data.get("new_donor_contact") or "",
            bool(data.get("new_donor_wants_certificate")),
        )
    return None


def _location(location_id: int | None) -> Location | None:
    if not location_id:
        return None
    location = db.session.get(Location, location_id)
    if location is None:
        raise field_error("location_id", _("Deze locatie bestaat niet. Kies een locatie."))
    return location


# --- intake and edit -----------------------------------------------------------------

DEVICE_FIELDS = (
    "kind",
    "make",
    "model",
    "serial",
    "cpu",
    "ram_gb",
    "storage_gb",
    "storage_type",
    "battery_health",
    "screen_inches",
    "os_licence",
    "condition_grade",
    "condition_notes",
    "notes",
)


class DuplicateSerial(Conflict):
    """Another device already has this serial: the same laptop, unless the user says why not."""

    code = "duplicate_serial"

    def __init__(self, existing: Device):
        message = _(
            "Er staat al een %(make)s met serienummer %(serial)s in het systeem: %(tag)s. "
            "Open dat apparaat en kijk of het hetzelfde is. Is het echt een ander apparaat, "
            "vink dan ‘Dit is echt een ander apparaat’ aan en zeg waarom.",
            make=existing.make,
            serial=existing.serial,
            tag=existing.asset_tag,
        )
        super().__init__(message, errors={"serial": [message]})
        self.existing = existing


class SerialOnLoan(Conflict):
    """The serial belongs to a device that is out on loan: it is that device, come back."""

    code = "serial_on_loan"

    def __init__(self, existing: Device):
        message = _(
            "Serienummer %(serial)s hoort bij %(tag)s, en dat apparaat is nu uitgeleend. "
            "Het is dus hetzelfde apparaat: registreer het niet opnieuw. Laat de balie het "
            "terugnemen via de uitlening; daarna gaat het weer door de werkplaats.",
            serial=existing.serial,
            tag=existing.asset_tag,
        )
        super().__init__(message, errors={"serial": [message]})
        self.existing = existing


def normalise_serial(serial: str) -> str:
    return "".join(serial.split()).upper()


def find_same_serial(serial: str, exclude_id: int | None = None) -> Device | None:
    """A device with this serial, whatever its make is spelled as; one on loan first.

    The make is not compared: "HP", "Hewlett-Packard" and "HP Inc." are one maker, and a
    serial shared by two makers is rare enough that asking once costs less than missing
    a laptop that came back under another spelling.
    """
    key = serial_key(serial)
    if not key:
        return None
    query = select(Device).where(Device.serial_key == key)
    if exclude_id is not None:
        query = query.where(Device.id != exclude_id)
    on_loan = case((Device.state == "on_loan", 0), else_=1)
    return db.session.scalars(query.order_by(on_loan, Device.id).limit(1)).first()


def _check_duplicate(data: dict, serial: str, exclude_id: int | None = None) -> str:
    """Refuse a serial another device has while that one is on loan; otherwise ask the user
    to confirm it is another device, and why."""
    existing = find_same_serial(serial, exclude_id)
    if existing is None:
        return ""
    if existing.state == "on_loan":
        raise SerialOnLoan(existing)
    if not data.get("confirm_duplicate"):
        raise DuplicateSerial(existing)
    reason = (data.get("duplicate_reason") or "").strip()
    if not reason:
        raise field_error(
            "duplicate_reason",
            _(
                "Zeg kort waarom dit een ander apparaat is dan %(tag)s, bijvoorbeeld "
                "‘serienummer op de sticker is anders’.",
                tag=existing.asset_tag,
            ),
        )
    return existing.asset_tag


def register_device(actor, data: dict) -> Device:
    """Intake of one donated device: tag, token and QR matrix, donor, location."""
    values = {key: data[key] for key in DEVICE_FIELDS if data.get(key) is not None}
    values["serial"] = normalise_serial(values.get("serial", ""))
    values["make"] = (values.get("make") or "").strip()
    same_as = _check_duplicate(data, values["serial"])
    donor = _donor_for(actor, data)
    location = _location(data.get("location_id"))
    now = utcnow()
    device = Device(
        **values,
        asset_tag=format_tag(reserve(ASSET_TAG_COUNTER)),
        donor=donor,
        location=location,
        state="intake",
        state_changed_at=now,
        cycle_started_at=now,
        created_at=now,
    )
    assign_token(device)
    db.session.add(device)
    db.session.flush()
    details = {"asset_tag": device.asset_tag, "make": device.make, "model": device.model}
    if same_as:
        details |= {"same_serial_as": same_as, "reason": data["duplicate_reason"].strip()}
    record(actor, "device.registered", device, **details)
    return device


def update_device(actor, device: Device, data: dict) -> Device:
    """Change specs, donor or location; the audit event lists what changed."""
    changes = {}
    new = {key: data[key] for key in DEVICE_FIELDS if key in data}
    if "serial" in new:
        new["serial"] = normalise_serial(new["serial"] or "")
    serial = new.get("serial", device.serial)
    if serial_key(serial) != device.serial_key:
        same_as = _check_duplicate(data, serial, exclude_id=device.id)
        if same_as:
            changes["same_serial_as"] = same_as
    for key, value in new.items():
        value = "" if value is None and isinstance(getattr(device, key), str) else value
        if getattr(device, key) != value:
            changes[key] = [getattr(device, key), value]
            setattr(device, key, value)
    if "donor_id" in data or data.get("new_donor_name"):
        donor = _donor_for(actor, data)
        if donor is not device.donor:
            changes["donor"] = [
                device.donor.name if device.donor else None,
                getattr(donor, "name", None),
            ]
            device.donor = donor
    if "location_id" in data:
        location = _location(data.get("location_id"))
        if location is not device.location:
            old = device.location.name if device.location else None
            changes["location"] = [old, location.name if location else None]
            device.location = location
    if changes:
        record(actor, "device.updated", device, changes=changes)
    db.session.flush()
    return device


def get_device(device_id: int) -> Device:
    device = db.session.get(Device, device_id)
    if device is None:
        raise NotFound(_("Dit apparaat bestaat niet."), code="device_not_found")
    return device


def device_by_tag(tag: str) -> Device | None:
    return db.session.scalars(select(Device).where(Device.asset_tag == tag)).first()


# --- moves ---------------------------------------------------------------------------


def transition(actor, device: Device, target: str, note: str = "") -> Device:
    """A move the user asked for; some moves need a note that says why.

    Issuing, giving away and taking back belong to a loan, so they go through the loans
    service (which keeps the loan record); here they are refused with a pointer there.
    """
    if target in LOAN_TARGETS or device.state == "on_loan":
        raise Conflict(
            _(
                "Uitlenen, schenken en terugnemen gaan via de uitleen, zodat de uitleen "
                "goed wordt vastgelegd. Open de uitleen van dit apparaat."
            ),
            code="use_loans",
        )
    note = (note or "").strip()
    if target in NOTE_REQUIRED and not note:
        raise field_error(
            "note",
            _("Schrijf kort op waarom, zodat een collega het later begrijpt."),
            code="note_required",
        )
    lifecycle.move(actor, device, target, note)
    db.session.flush()
    return device


def _advance(actor, device: Device, path: tuple[str, ...], note: str) -> None:
    """Follow a path of moves as far as the state machine allows from where it is now."""
    if device.state not in path:
        return
    for target in path[path.index(device.state) + 1 :]:
        lifecycle.move(actor, device, target, note)


# --- wipes ---------------------------------------------------------------------------

# A log's clock may run a little ahead of the server's; anything beyond this is refused.
CLOCK_SLACK = timedelta(minutes=5)
# The biggest wiped disk must hold at least this share of the storage recorded at intake.
SIZE_PLAUSIBLE_SHARE = 0.5

REVIEW_NAMES = {
    "": "",
    lifecycle.NEEDS_REVIEW: lazy_gettext("wacht op controle door een coördinator"),
    lifecycle.ACCEPTED: lazy_gettext("goedgekeurd door een coördinator"),
    lifecycle.REJECTED: lazy_gettext("afgekeurd door een coördinator"),
}


def _refuse_workshop_work(device: Device, what: str) -> Conflict:
    return Conflict(
        _(
            "%(what)s kan niet: dit apparaat staat op ‘%(state)s’.",
            what=what,
            state=lifecycle.STATE_NAMES[device.state],
        ),
        code="not_in_workshop",
    )


def _require_wipe_state(device: Device) -> None:
    """Wipes are recorded in the workshop, and late for a device out on loan (the desk hears)."""
    if not lifecycle.work_allowed(device, lifecycle.RECORD_WIPE):
        raise _refuse_workshop_work(device, _("Een wisbeurt vastleggen"))


def _nist(method: str, given: str | None) -> str:
    if given:
        return wipelog.NistClass(given).value
    found = wipelog.nist_class(method)
    if found is None:
        raise field_error(
            "nist_class",
            _(
                "Van de methode ‘%(method)s’ weten we het NIST-niveau niet. Kies zelf: "
                "Clear (overschrijven), Purge (secure erase/sanitize) of Destroy (vernietigen).",
                method=method,
            ),
        )
    return found.value


def _check_times(device: Device, started_at: datetime | None, finished_at: datetime, field: str):
    """A wipe from before the device (re)entered this round, or from the future, proves nothing."""
    if as_utc(finished_at) < as_utc(device.cycle_started_at):
        raise field_error(
            field,
            _(
                "Deze wisbeurt eindigde op %(end)s, vóór %(tag)s (opnieuw) binnenkwam op "
                "%(start)s. Kies de wisbeurt van na de intake of terugkomst.",
                end=clock.format_local(finished_at),
                tag=device.asset_tag,
                start=clock.format_local(device.cycle_started_at),
            ),
            code="wipe_before_round",
        )
    now = utcnow()
    latest = max(as_utc(moment) for moment in (started_at, finished_at) if moment is not None)
    if latest > now + CLOCK_SLACK:
        raise field_error(
            field,
            _(
                "Deze wisbeurt eindigt op %(end)s, later dan nu (%(now)s). Een wisbeurt kan "
                "niet in de toekomst liggen: kijk of de klok van de wiscomputer goed staat en "
                "of u het goede logboek kiest.",
                end=clock.format_local(latest),
                now=clock.format_local(now),
            ),
            code="wipe_in_future",
        )


def _known_disk_serials(device: Device) -> set[str]:
    """Disk serials earlier evidence (not rejected) recorded for this device."""
    rows = db.session.scalars(
        select(WipeDisk.disk_serial)
        .join(WipeRecord)
        .where(
            WipeRecord.device_id == device.id,
            WipeRecord.review_status != lifecycle.REJECTED,
            WipeDisk.disk_serial != "",
        )
    )
    return {normalise_serial(serial) for serial in rows}


def _review_reasons(
    device: Device, disks: list[WipeDisk], system_serial: str | None = None
) -> list[dict]:
    """Why this evidence does not fit what we know of the device; empty when it fits."""
    reasons: list[dict] = []
    sizes = [disk.size_bytes for disk in disks if disk.size_bytes]
    if device.storage_gb and sizes:
        recorded = device.storage_gb * 1_000_000_000
        if max(sizes) < recorded * SIZE_PLAUSIBLE_SHARE:
            reasons.append(
                {
                    "code": "disk_too_small",
                    "found": format_bytes(max(sizes)),
                    "recorded": f"{device.storage_gb} GB",
                }
            )
    known = _known_disk_serials(device)
    new = sorted({normalise_serial(d.disk_serial) for d in disks if d.disk_serial} - known)
    if known and new:
        reasons.append(
            {
                "code": "disk_serial_changed",
                "found": ", ".join(new),
                "known": ", ".join(sorted(known)),
            }
        )
    if system_serial and device.serial and normalise_serial(system_serial) != device.serial:
        reasons.append(
            {"code": "system_serial_differs", "found": system_serial, "known": device.serial}
        )
    return reasons


def review_reason_text(reason: dict) -> str:
    """One review reason as a sentence in the reader's language."""
    texts = {
        "disk_too_small": _(
            "De grootste gewiste schijf is %(found)s, maar bij de intake staat %(recorded)s "
            "opslag. Is dit wel de schijf van dit apparaat?"
        ),
        "disk_serial_changed": _(
            "Schijf %(found)s is nieuw: eerder is bij dit apparaat %(known)s gewist. Is de "
            "schijf vervangen, of hoort dit logboek bij een ander apparaat?"
        ),
        "system_serial_differs": _(
            "Het logboek komt van een computer met serienummer %(found)s; dit apparaat heeft "
            "serienummer %(known)s."
        ),
    }
    values = {key: value for key, value in reason.items() if key != "code"}
    return texts.get(reason.get("code"), str(reason.get("code"))) % values


def format_bytes(size: int) -> str:
    """Disk sizes as makers print them: decimal units, three significant figures."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB"):
        if value < 1000 or unit == "TB":
            return f"{value:.0f} {unit}" if value >= 100 or unit == "B" else f"{value:.3g} {unit}"
        value /= 1000
    return f"{size} B"  # pragma: no cover - the loop always returns


def record_wipe(actor, device: Device, data: dict) -> WipeRecord:
    """A hand-recorded wipe with one row per disk; moves the device along when it passed."""
    _require_wipe_state(device)
    disks = data.get("disks") or []
    if not disks:
        raise field_error("disks", _("Vul minstens één schijf in."))
    ends = [d["finished_at"] for d in disks if d.get("finished_at")]
    starts = [d["started_at"] for d in disks if d.get("started_at")]
    finished_at = max((as_utc(e) for e in ends), default=utcnow())
    started_at = min((as_utc(s) for s in starts), default=None)
    _check_times(device, started_at, finished_at, "disks")
    wipe = WipeRecord(
        device_id=device.id,
        method=data["method"].strip(),
        nist_class=_nist(data["method"], data.get("nist_class")),
        tool=data.get("tool") or "",
        tool_version=data.get("tool_version") or "",
        passes=data.get("passes"),
        verification=data.get("verification") or "",
        started_at=started_at,
        finished_at=finished_at,
        operator_id=actor.id if actor is not None else None,
        source="manual",
        passed=all(d["result"] == "passed" for d in disks),
        disks=[
            WipeDisk(
                disk_model=d.get("disk_model") or "",
                disk_serial=d.get("disk_serial") or "",
                size_bytes=d.get("size_bytes"),
                result=d["result"],
                started_at=d.get("started_at"),
                finished_at=d.get("finished_at"),
                errors=d.get("errors") or 0,
            )
            for d in disks
        ],
    )
    return _save_wipe(actor, device, wipe)


def _save_wipe(
    actor, device: Device, wipe: WipeRecord, system_serial: str | None = None
) -> WipeRecord:
    """Save the wipe with its review verdict, log it, and let the device follow the evidence."""
    wipe.review_reasons = _review_reasons(device, wipe.disks, system_serial)
    wipe.review_status = lifecycle.NEEDS_REVIEW if wipe.review_reasons else ""
    try:
        with db.session.begin_nested():
            db.session.add(wipe)
    except IntegrityError:
        # Two uploads of the same log at the same moment: the other one was first.
        raise _already_imported(_same_log(wipe.log_sha256)) from None
    record(
        actor,
        "wipe.recorded",
        device,
        wipe_id=wipe.id,
        method=wipe.method,
        nist_class=wipe.nist_class,
        passed=wipe.passed,
        source=wipe.source,
        disks=[[d.disk_serial, d.result] for d in wipe.disks],
        log_sha256=wipe.log_sha256,
        review=[reason["code"] for reason in wipe.review_reasons],
    )
    _follow_evidence(actor, device, wipe)
    db.session.flush()
    return wipe


def _follow_evidence(actor, device: Device, wipe: WipeRecord) -> None:
    """Move the device as its newest evidence says (lifecycle.passed_wipe_in_round, the one
    rule): a passed wipe finishes the wiping, a failed or aborted one sends the device back
    to wiping, or, out on loan, to the desk's attention."""
    note = _("Wisbeurt %(id)s vastgelegd", id=wipe.id)
    if device.state in ("intake", "returned", "repair"):
        lifecycle.move(actor, device, "wiping", note)  # someone is wiping it
    if wipe.review_status not in lifecycle.COUNTING_REVIEWS:
        return
    wiped = lifecycle.evidence(device)[0]
    if wipe.passed:
        if wiped and device.state == "wiping":
            lifecycle.move(actor, device, "wiped", note)
        _certify(actor, device, wipe)
        return
    if wiped:
        return  # a passed wipe finished after this one: it still counts
    reason = _(
        "Wisbeurt %(id)s is niet geslaagd (%(outcome)s): het apparaat moet opnieuw gewist worden.",
        id=wipe.id,
        outcome=", ".join(sorted({str(DISK_RESULT_NAMES[d.result]) for d in wipe.disks})),
    )
    if device.state in ("wiped", "software", "qc", "ready"):
        lifecycle.move(actor, device, "wiping", reason, wipe_id=wipe.id)
    elif device.state == "on_loan":
        device.attention = reason
        record(actor, "device.needs_attention", device, wipe_id=wipe.id, reason="wipe_not_passed")


def _same_log(sha256: str | None) -> WipeRecord | None:
    if sha256 is None:
        return None
    return db.session.scalars(select(WipeRecord).where(WipeRecord.log_sha256 == sha256)).first()


def _already_imported(existing: WipeRecord | None) -> Conflict:
    """One log, one record: the answer names the record the log already made."""
    if existing is None:  # pragma: no cover - the unique index named a row that is gone
        return Conflict(_("Dit logboek is al ingelezen."), code="log_already_imported")
    tag = db.session.scalar(select(Device.asset_tag).where(Device.id == existing.device_id))
    message = _(
        "Dit logboek is al ingelezen op %(when)s, als wisbeurt %(id)s van %(tag)s. Eén "
        "logboek geeft één wisbeurt; open die wisbeurt.",
        when=clock.format_local(existing.recorded_at),
        id=existing.id,
        tag=tag,
    )
    return Conflict(message, code="log_already_imported", errors={"file": [message]})


def _device_for_log(log: wipelog.WipeLog, filename: str) -> Device:
    """The device a log names, by asset tag (log or file name), else by system serial."""
    if len(log.asset_tags) > 1:
        raise field_error(
            "file",
            _(
                "In dit logboek staan meerdere inventarisnummers (%(tags)s). Open het juiste "
                "apparaat en lees het logboek daar in.",
                tags=", ".join(log.asset_tags),
            ),
            code="ambiguous_device",
        )
    if log.asset_tag:
        device = device_by_tag(log.asset_tag)
        if device is None:
            raise field_error(
                "file",
                _("Het logboek noemt %(tag)s, maar dat apparaat bestaat niet.", tag=log.asset_tag),
                code="unknown_device",
            )
        return device
    if log.system_serial:
        matches = list(
            db.session.scalars(
                select(Device).where(Device.serial == normalise_serial(log.system_serial)).limit(2)
            )
        )
        if len(matches) == 1:
            return matches[0]
    raise field_error(
        "file",
        _(
            "We weten niet bij welk apparaat dit logboek hoort: er staat geen inventarisnummer "
            "(zoals UIT-00042) in het logboek of de bestandsnaam, en het serienummer %(serial)s "
            "past niet bij precies één apparaat. Open het apparaat en lees het logboek daar in.",
            serial=log.system_serial or "?",
        ),
        code="unknown_device",
    )


def import_wipe_log(actor, content: bytes, filename: str, device: Device | None = None):
    """Read an nwipe log and save it as a wipe record; nothing is saved if it cannot be read."""
    existing = _same_log(hashlib.sha256(content).hexdigest())
    if existing is not None:
        raise _already_imported(existing)
    try:
        log = wipelog.parse_nwipe_log(content, filename)
    except wipelog.WipeLogError as error:
        raise field_error("file", error.message, code=error.code) from error
    if device is None:
        device = _device_for_log(log, filename)
    elif log.asset_tag and log.asset_tag != device.asset_tag:
        raise field_error(
            "file",
            _(
                "Dit logboek hoort bij %(other)s, niet bij %(tag)s. Kies het goede logboek of "
                "open %(other)s.",
                other=log.asset_tag,
                tag=device.asset_tag,
            ),
            code="other_device",
        )
    _require_wipe_state(device)
    if log.nist_class is None:
        raise field_error(
            "file",
            _(
                "De methode ‘%(method)s’ wist niets (ze leest de schijf alleen). "
                "Wis de schijf met een echte wismethode.",
                method=log.method,
            ),
            code="not_an_erasure",
        )
    finished_at = clock.from_local(log.finished_at) or utcnow()
    _check_times(device, clock.from_local(log.started_at), finished_at, "file")
    wipe = WipeRecord(
        device_id=device.id,
        method=log.method[:60],
        nist_class=log.nist_class.value,
        tool=log.tool,
        tool_version=log.version or "",
        passes=log.passes,
        verification=log.verification.value,
        passed=log.passed,
        started_at=clock.from_local(log.started_at),
        finished_at=finished_at,
        operator_id=actor.id if actor is not None else None,
        source="nwipe-log",
        log_filename=(filename or "")[:255],
        log_sha256=hashlib.sha256(content).hexdigest(),
        log_content=content,
        disks=[
            WipeDisk(
                disk_model=(disk.model or "")[:120],
                disk_serial=(disk.serial or "")[:120],
                size_bytes=disk.size_bytes,
                result=disk.result.value,
                started_at=clock.from_local(disk.started_at),
                finished_at=clock.from_local(disk.finished_at),
                errors=disk.pass_errors + disk.verify_errors + disk.sync_errors,
            )
            for disk in log.disks
        ],
    )
    return _save_wipe(actor, device, wipe, system_serial=log.system_serial)


def get_wipe(device: Device, wipe_id: int) -> WipeRecord:
    wipe = db.session.get(WipeRecord, wipe_id)
    if wipe is None or wipe.device_id != device.id:
        raise NotFound(_("Deze wisbeurt bestaat niet."), code="wipe_not_found")
    return wipe


def review_wipe(actor, device: Device, wipe: WipeRecord, accept: bool, note: str) -> WipeRecord:
    """A coordinator's verdict on evidence that did not fit: accepted, it counts; with a note."""
    if actor is not None and actor.role != COORDINATOR:
        raise Conflict(
            _("Alleen een coördinator mag een wisbeurt goed- of afkeuren."), code="role_not_allowed"
        )
    if wipe.review_status != lifecycle.NEEDS_REVIEW:
        raise Conflict(_("Deze wisbeurt wacht niet op controle."), code="not_waiting_for_review")
    note = (note or "").strip()
    if not note:
        raise field_error(
            "note",
            _("Schrijf kort op waarom, zodat een collega het later begrijpt."),
            code="note_required",
        )
    wipe.review_status = lifecycle.ACCEPTED if accept else lifecycle.REJECTED
    wipe.reviewed_by_id = actor.id if actor is not None else None
    wipe.reviewed_at = utcnow()
    wipe.review_note = note
    db.session.flush()
    record(actor, "wipe.reviewed", device, wipe_id=wipe.id, decision=wipe.review_status, note=note)
    if accept:
        _require_wipe_state(device)
        _follow_evidence(actor, device, wipe)
    db.session.flush()
    return wipe


def _certify(actor, device: Device, wipe: WipeRecord) -> None:
    """Number a passed wipe's certificate once, when the evidence starts to count."""
    if wipe.certificate_number is not None:
        return
    wipe.certificate_number = f"EC-{utcnow().year}-{reserve(CERTIFICATE_COUNTER):05d}"
    wipe.verification_token = new_public_token()
    wipe.certified_at = utcnow()
    db.session.flush()
    record(actor, "wipe.certified", device, wipe_id=wipe.id, number=wipe.certificate_number)


def verification_url(token: str) -> str:
    """The short public address a certificate's QR code opens."""
    return f"{current_app.config['UITLEEN_BASE_URL']}/c/{token}"


@dataclass(frozen=True)
class CertificateFacts:
    """What the public verification page may show: the certificate's facts, no people."""

    number: str
    finished_at: datetime
    method: str
    nist_class: str
    disk_count: int
    passed: bool
    still_counts: bool  # no failed wipe of the device came after it


def certificate_facts(token: str) -> CertificateFacts | None:
    """The facts behind a certificate's verification token, or None for an unknown one."""
    if not _BARE_TOKEN_RE.match(token or ""):
        return None
    wipe = db.session.scalars(
        select(WipeRecord)
        .where(WipeRecord.verification_token == token)
        .options(selectinload(WipeRecord.disks))
    ).first()
    if wipe is None:
        return None
    return CertificateFacts(
        number=wipe.certificate_number,
        finished_at=wipe.finished_at,
        method=wipe.method,
        nist_class=wipe.nist_class,
        disk_count=len(wipe.disks),
        passed=wipe.passed and all(disk.result == "passed" for disk in wipe.disks),
        still_counts=not _failed_later(wipe),
    )


def _failed_later(wipe: WipeRecord) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(WipeRecord)
            .where(
                WipeRecord.device_id == wipe.device_id,
                WipeRecord.id != wipe.id,
                WipeRecord.passed.is_(False),
                WipeRecord.review_status != lifecycle.REJECTED,
                WipeRecord.finished_at >= wipe.finished_at,
            )
        )
    )


def certificate(device: Device, wipe: WipeRecord) -> tuple[str, bytes]:
    """The erasure certificate PDF of a certified wipe: (file name, bytes). Reads only."""
    if not wipe.passed or wipe.review_status not in lifecycle.COUNTING_REVIEWS:
        raise Conflict(
            _(
                "Geen certificaat: deze wisbeurt is niet geslaagd of wacht nog op controle. "
                "Wis de schijf opnieuw of vraag een coördinator de wisbeurt te bekijken."
            ),
            code="wipe_not_passed",
        )
    if wipe.certificate_number is None:
        raise Conflict(
            _(
                "Deze wisbeurt telt niet meer: er is later een wisbeurt mislukt. Maak het "
                "certificaat van de nieuwste geslaagde wisbeurt."
            ),
            code="wipe_not_certified",
        )
    operator = db.session.get(User, wipe.operator_id) if wipe.operator_id else None
    org = settings.get_many(["org_name", "org_address", "org_phone"])
    data = CertificateData(
        number=wipe.certificate_number,
        organisation_name=org["org_name"],
        organisation_address=org["org_address"].replace(", ", "\n", 1),
        organisation_phone=org["org_phone"],
        donor_name=device.donor.name if device.donor else "",
        device=CertificateDevice(
            asset_tag=device.asset_tag,
            kind=str(KIND_NAMES.get(device.kind, device.kind)),
            make=device.make,
            model=device.model,
            serial=device.serial or None,
        ),
        issued_on=clock.local(wipe.certified_at or wipe.recorded_at).date(),
        disks=[
            CertificateDisk(
                model=disk.disk_model or _("onbekend model"),
                serial=disk.disk_serial or None,
                size=format_bytes(disk.size_bytes) if disk.size_bytes else None,
                method=wipe.method,
                nist_class=wipelog.NistClass(wipe.nist_class),
                passes=wipe.passes,
                verification=wipelog.Verification(wipe.verification)
                if wipe.verification in {v.value for v in wipelog.Verification}
                else None,
                result=wipelog.DiskResult(disk.result),
                finished_at=clock.local(disk.finished_at or wipe.finished_at),
                operator=operator.name if operator else _("onbekend"),
                tool=wipe.tool or None,
                tool_version=wipe.tool_version or None,
            )
            for disk in wipe.disks
        ],
        log_sha256=wipe.log_sha256,
        verification_url=verification_url(wipe.verification_token),
    )
    try:
        pdf = render_certificate(data)
    except CertificateError as error:
        raise Conflict(error.message, code=error.code) from error
    return f"certificaat-{wipe.certificate_number}-{device.asset_tag}.pdf", pdf


# --- software and quality check --------------------------------------------------------

# A software item is done, not done or not applicable; stored as true / false / null, so
# rows from before n.v.t. existed (only true and false) read the same.
SOFTWARE_ANSWERS = {"done": True, "not_done": False, "na": None}


def _answers(
    items: list[str],
    given: dict,
    at_once: bool,
    *,
    field: str,
    choices,
    all_value: str,
    all_field: str,
    all_name: str,
    ask: str,
    how: str,
) -> tuple[dict, str]:
    """Every item answered on purpose: one by one, or all at once by the explicit control.

    Nothing is assumed for an item nobody answered. Returns the answers and how they were
    given ("per_item" or "all_at_once") for the audit event.
    """
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(given) - set(items))
    if unknown:
        errors[field] = [
            _("Deze punten staan niet op de lijst: %(items)s.", items=", ".join(unknown))
        ]
    for item in items:
        if item in given and not (isinstance(given[item], str) and given[item] in choices):
            errors[f"{field}.{item}"] = [ask]
    if at_once:
        contrary = [item for item in items if item in given and given[item] != all_value]
        if contrary:
            for item in contrary:
                errors[f"{field}.{item}"] = [
                    _("Dit past niet bij ‘%(control)s’.", control=all_name)
                ]
            errors[all_field] = [
                _(
                    "U koos ‘%(control)s’, maar bij %(items)s koos u iets anders. Haal "
                    "‘%(control)s’ weg en kies per punt, of pas die punten aan.",
                    control=all_name,
                    items=", ".join(contrary),
                )
            ]
            raise Invalid(
                _(
                    "‘%(control)s’ (%(field)s) en het antwoord bij %(items)s spreken elkaar "
                    "tegen. Stuur alleen %(field)s, of alleen een antwoord per punt.",
                    control=all_name,
                    field=all_field,
                    items=", ".join(contrary),
                ),
                code="all_at_once_contradicted",
                errors=errors,
            )
    else:
        missing = [item for item in items if item not in given]
        for item in missing:
            errors[f"{field}.{item}"] = [ask]
        if missing:
            raise Invalid(
                _(
                    "Nog geen antwoord bij: %(items)s. %(how)s Of kies ‘%(control)s’ "
                    "(%(field)s) als dat voor elk punt klopt.",
                    items=", ".join(missing),
                    how=how,
                    control=all_name,
                    field=all_field,
                ),
                code="checklist_incomplete",
                errors=errors,
            )
    if errors:
        raise Invalid(_("Niet elk antwoord past. Kijk bij de punten."), errors=errors)
    if at_once:
        return dict.fromkeys(items, all_value), "all_at_once"
    return {item: given[item] for item in items}, "per_item"


def record_software(actor, device: Device, data: dict) -> SoftwareInstall:
    """The OS and the checklist; a wiped device moves on to the quality check.

    `checklist` holds an answer per item ("done", "not_done" or "na"); `all_done` is the
    explicit "Alles gedaan" that answers every item as done at once.
    """
    if not lifecycle.work_allowed(device, lifecycle.RECORD_SOFTWARE):
        if device.state in ("intake", "wiping", "returned"):
            raise Conflict(
                _(
                    "%(noun)s is nog niet gewist. Leg eerst een geslaagde wisbeurt vast.",
                    noun=lifecycle.noun(device),
                ),
                code="not_wiped",
            )
        raise _refuse_workshop_work(device, _("Software vastleggen"))
    items = settings.get("software_checklist")
    answers, answered = _answers(
        items,
        data.get("checklist") or {},
        bool(data.get("all_done")),
        field="checklist",
        choices=SOFTWARE_ANSWERS,
        all_value="done",
        all_field="all_done",
        all_name=_("Alles gedaan"),
        ask=_("Kies gedaan, niet gedaan of n.v.t."),
        how=_("Kies per punt gedaan (done), niet gedaan (not_done) of n.v.t. (na)."),
    )
    install = SoftwareInstall(
        device_id=device.id,
        os_name=data["os_name"].strip(),
        os_version=(data.get("os_version") or "").strip(),
        checklist={item: SOFTWARE_ANSWERS[answer] for item, answer in answers.items()},
        notes=data.get("notes") or "",
        operator_id=actor.id if actor is not None else None,
        recorded_at=utcnow(),
    )
    db.session.add(install)
    db.session.flush()
    record(
        actor,
        "software.recorded",
        device,
        install_id=install.id,
        os=f"{install.os_name} {install.os_version}".strip(),
        answered=answered,
        missing=[item for item, answer in answers.items() if answer == "not_done"],
        not_applicable=[item for item, answer in answers.items() if answer == "na"],
    )
    _advance(actor, device, ("wiped", "software", "qc"), _("Software vastgelegd"))
    db.session.flush()
    return install


def record_quality_check(actor, device: Device, data: dict) -> QualityCheck:
    """Pass / fail / n.a. per item; any fail sends the device to repair with the reason.

    `results` holds an answer per item; `all_pass` is the explicit "Alles in orde" that
    answers every item as pass at once.
    """
    if not lifecycle.work_allowed(device, lifecycle.RECORD_CHECK):
        raise Conflict(
            _(
                "Een controle kan pas na het wissen en de software. Dit apparaat staat op "
                "‘%(state)s’.",
                state=lifecycle.STATE_NAMES[device.state],
            ),
            code="not_ready_for_check",
        )
    items = settings.get("qc_checklist")
    results, answered = _answers(
        items,
        data.get("results") or {},
        bool(data.get("all_pass")),
        field="results",
        choices=QC_RESULTS,
        all_value="pass",
        all_field="all_pass",
        all_name=_("Alles in orde"),
        ask=_("Kies goed, fout of n.v.t."),
        how=_("Kies per punt goed (pass), fout (fail) of n.v.t. (na)."),
    )
    failed = [item for item in items if results[item] == "fail"]
    check = QualityCheck(
        device_id=device.id,
        results=results,
        passed=not failed,
        notes=data.get("notes") or "",
        operator_id=actor.id if actor is not None else None,
        recorded_at=utcnow(),
    )
    db.session.add(check)
    db.session.flush()
    record(
        actor,
        "quality_check.recorded",
        device,
        check_id=check.id,
        answered=answered,
        failed=failed,
    )
    if failed:
        reason = _("Controle afgekeurd: %(items)s", items=", ".join(failed))
        if check.notes:
            reason = f"{reason}. {check.notes}"
        if device.state != "repair":
            lifecycle.move(actor, device, "repair", reason)
    elif device.state in ("software", "repair"):
        lifecycle.move(actor, device, "qc", _("Controle goedgekeurd"))
    db.session.flush()
    return check


def mark_ready(actor, device: Device) -> Device:
    return transition(actor, device, "ready")


# --- what a device page shows ----------------------------------------------------------


@dataclass(frozen=True)
class DeviceWork:
    wipes: list[WipeRecord]
    installs: list[SoftwareInstall]
    checks: list[QualityCheck]
    wiped: bool
    checked: bool
    operators: dict[int, str]


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor_name: str
    verb: str
    data: dict


def history(device: Device) -> list[HistoryLine]:
    """The device's events as every role may read them, newest first.

    A move made at the loan desk (it names a loan) shows without its note: rows written
    before the return condition stopped being copied here still hold the desk's words.
    """
    return [
        HistoryLine(
            event.at,
            event.actor_name,
            event.verb,
            {
                k: v
                for k, v in (event.data or {}).items()
                if not (k == "note" and "loan_id" in event.data)
            },
        )
        for event in audit.history("devices", device.id)
    ]


def work(device: Device) -> DeviceWork:
    """Everything recorded on the device, newest first, in four queries."""
    wipes = list(
        db.session.scalars(
            select(WipeRecord)
            .where(WipeRecord.device_id == device.id)
            .options(selectinload(WipeRecord.disks))
            .order_by(WipeRecord.id.desc())
        )
    )
    installs = list(
        db.session.scalars(
            select(SoftwareInstall)
            .where(SoftwareInstall.device_id == device.id)
            .order_by(SoftwareInstall.id.desc())
        )
    )
    checks = list(
        db.session.scalars(
            select(QualityCheck)
            .where(QualityCheck.device_id == device.id)
            .order_by(QualityCheck.id.desc())
        )
    )
    ids = {r.operator_id for r in (*wipes, *installs, *checks) if r.operator_id}
    operators = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())
        if ids
        else {}
    )
    wiped, checked = lifecycle.evidence(device)
    return DeviceWork(wipes, installs, checks, wiped, checked, operators)


# --- lists and search --------------------------------------------------------------------


@dataclass(frozen=True)
class Lookup:
    """What the search box was given: a tag, a token (scanned label) or free text."""

    tag: str | None = None
    token: str | None = None
    text: str = ""


def parse_lookup(value: str) -> Lookup:
    """'uit-42', 'UIT-00042', '42', a scanned label URL …/h/TOKEN, or words to search."""
    value = (value or "").strip()
    if not value:
        return Lookup()
    match = _URL_TOKEN_RE.search(value)
    if match:
        return Lookup(token=match.group(1).upper())
    if _BARE_TOKEN_RE.match(value.upper()) and not value.isdigit():
        return Lookup(token=value.upper(), text=value)
    number = parse_tag(value)
    if number is not None:
        return Lookup(tag=format_tag(number), text=value)
    return Lookup(text=value)


def find_exact(value: str) -> Device | None:
    """The one device a typed or scanned tag or label URL points to, if any."""
    lookup = parse_lookup(value)
    if lookup.token:
        device = db.session.scalars(
            select(Device).where(Device.public_token == lookup.token)
        ).first()
        if device is None:  # an old label of a device whose token was rotated
            retired = db.session.get(RetiredToken, lookup.token)
            device = db.session.get(Device, retired.device_id) if retired else None
        return device
    if lookup.tag:
        return device_by_tag(lookup.tag)
    return None


@dataclass(frozen=True)
class DevicePage:
    items: list[SimpleNamespace]  # light rows with the device's columns, .donor, .location
    next_after: int | None


# Every column a list shows or the API returns; the QR matrix stays in the database.
_LIST_COLUMNS = [c for c in Device.__table__.c if c.name not in ("qr_matrix", "qr_url")]
_DONOR_COLUMNS = ("id", "name", "is_organisation", "wants_certificate")


def _listed(row) -> SimpleNamespace:
    """A list row as an object: plain attributes, donor and location as small objects."""
    values = dict(row._mapping)
    donor = {key: values.pop(f"donor__{key}") for key in _DONOR_COLUMNS}
    location = {"id": values.pop("location_ref"), "name": values.pop("location_name")}
    values["donor"] = SimpleNamespace(**donor) if donor["id"] is not None else None
    values["location"] = SimpleNamespace(**location) if location["id"] is not None else None
    return SimpleNamespace(**values)


def search(
    q: str = "",
    state: str | None = None,
    kind: str | None = None,
    location_id: int | None = None,
    after: int | None = None,
    limit: int = 50,
    order: str = "desc",
) -> DevicePage:
    """One page of devices, keyset on id, with donor and location joined in the same query.

    Rows, not ORM objects: a list page needs no identity map, and skipping it halves the
    time of a 50-row page.
    """
    query = (
        select(
            *_LIST_COLUMNS,
            *(getattr(Donor, key).label(f"donor__{key}") for key in _DONOR_COLUMNS),
            Location.id.label("location_ref"),
            Location.name.label("location_name"),
        )
        .outerjoin(Donor, Donor.id == Device.donor_id)
        .outerjoin(Location, Location.id == Device.location_id)
    )
    if state == "ready":  # what can really be lent, as everywhere "ready" is counted
        query = query.where(lifecycle.ready_to_lend())
    elif state:
        query = query.where(Device.state == state)
    if kind:
        query = query.where(Device.kind == kind)
    if location_id:
        query = query.where(Device.location_id == location_id)
    lookup = parse_lookup(q)
    text = lookup.text.strip()
    if lookup.token and not text:
        query = query.where(Device.public_token == lookup.token)
    elif text:
        like = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(
            or_(
                Device.asset_tag == (lookup.tag or text.upper()),
                Device.serial.like(normalise_serial(like) + "%", escape="\\"),
                func.lower(Device.make).like(like.lower() + "%", escape="\\"),
                func.lower(Device.model).like("%" + like.lower() + "%", escape="\\"),
            )
        )
    if order == "asc":
        query = query.order_by(Device.id.asc())
        if after:
            query = query.where(Device.id > after)
    else:
        query = query.order_by(Device.id.desc())
        if after:
            query = query.where(Device.id < after)
    items = [_listed(row) for row in db.session.execute(query.limit(limit + 1))]
    more = len(items) > limit
    items = items[:limit]
    return DevicePage(items, items[-1].id if more and items else None)


def queue_counts(states, cap: int = 1000) -> dict[str, int]:
    """Devices waiting in each of these states, counted up to `cap` (one statement).

    Each count reads at most `cap` entries of the (state, id) index, so the home page and
    the queue tabs cost the same at 100 or 100,000 devices; show `cap` as "1000+".
    """
    counts = [
        select(func.count())
        .select_from(select(Device.id).where(Device.state == state).limit(cap).subquery())
        .scalar_subquery()
        .label(state)
        for state in states
    ]
    return dict(db.session.execute(select(*counts)).one()._mapping)


def counts_by_state() -> dict[str, int]:
    """Devices per state, one GROUP BY on the (state, id) index."""
    rows = db.session.execute(select(Device.state, func.count()).group_by(Device.state)).all()
    counts = dict.fromkeys(lifecycle.STATES, 0)
    counts.update({state: count for state, count in rows})
    return counts
