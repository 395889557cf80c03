"""Wipe evidence: recorded by hand or read from an nwipe log, reviewed by a coordinator."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from uitleen import clock
from uitleen.audit.service import record
from uitleen.auth.models import User
from uitleen.auth.roles import COORDINATOR
from uitleen.db import as_utc, utcnow
from uitleen.devices import lifecycle, wipelog
from uitleen.devices.models import (
    Device,
    WipeDisk,
    WipeRecord,
    serial_key,
)
from uitleen.devices.service.certificates import _certify
from uitleen.devices.service.intake import device_by_tag
from uitleen.devices.service.moves import _refuse_workshop_work
from uitleen.devices.service.names import DISK_RESULT_NAMES, format_bytes
from uitleen.devices.service.snapshots import snapshot_disk_keys, unwiped_snapshot_disks
from uitleen.errors import Conflict, NotFound, field_error
from uitleen.extensions import db

# A log's clock may run a little ahead of the server's; anything beyond this is refused.
CLOCK_SLACK = timedelta(minutes=5)


CLOCK_SLACK = timedelta(minutes=5)
# The biggest wiped disk must hold at least this share of the storage recorded at intake.
SIZE_PLAUSIBLE_SHARE = 0.5


REVIEW_NAMES = {
    "": "",
    lifecycle.NEEDS_REVIEW: lazy_gettext("wacht op controle door een coördinator"),
    lifecycle.ACCEPTED: lazy_gettext("goedgekeurd door een coördinator"),
    lifecycle.REJECTED: lazy_gettext("afgekeurd door een coördinator"),
}


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
    """Disk serials earlier evidence (not rejected) and hardware snapshots recorded for this
    device: a disk none of them saw is not known to be this device's."""
    keys = db.session.scalars(
        select(WipeDisk.serial_key)
        .join(WipeRecord)
        .where(
            WipeRecord.device_id == device.id,
            WipeRecord.review_status != lifecycle.REJECTED,
            WipeDisk.serial_key != "",
        )
    )
    return set(keys) | snapshot_disk_keys(device)


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
    new = sorted({d.serial_key for d in disks} - known - {"", None})
    if known and new:
        reasons.append(
            {
                "code": "disk_serial_changed",
                "found": ", ".join(new),
                "known": ", ".join(sorted(known)),
            }
        )
    wiped = {d.serial_key for d in disks if d.result == "passed"} - {"", None}
    missing = unwiped_snapshot_disks(device, wiped) if wiped else set()
    if missing:
        reasons.append({"code": "snapshot_disk_not_wiped", "missing": ", ".join(sorted(missing))})
    found_key = serial_key(system_serial)
    if found_key and device.serial_key and found_key != device.serial_key:
        reasons.append(
            {"code": "system_serial_differs", "found": system_serial, "known": device.serial}
        )
    return reasons


@dataclass(frozen=True)
class DiskInput:
    """One wiped disk, as WipeDiskInSchema loads it."""

    result: str
    disk_model: str = ""
    disk_serial: str = ""
    size_bytes: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    errors: int = 0


@dataclass(frozen=True)
class WipeInput:
    """A wipe recorded by hand, as WipeInSchema loads it."""

    method: str
    disks: tuple[DiskInput, ...] = ()
    nist_class: str | None = None
    tool: str = ""
    tool_version: str = ""
    passes: int | None = None
    verification: str = ""

    @classmethod
    def from_data(cls, data: dict) -> WipeInput:
        """From WipeInSchema's output (the API and the form both load it)."""
        optional = ("nist_class", "tool", "tool_version", "passes", "verification")
        return cls(
            method=data["method"],
            disks=tuple(DiskInput(**disk) for disk in data.get("disks") or ()),
            **{key: data[key] for key in optional if key in data},
        )


def record_wipe(actor: User | None, device: Device, data: WipeInput) -> WipeRecord:
    """A hand-recorded wipe with one row per disk; moves the device along when it passed."""
    _require_wipe_state(device)
    disks = data.disks
    if not disks:
        raise field_error("disks", _("Vul minstens één schijf in."))
    ends = [d.finished_at for d in disks if d.finished_at]
    starts = [d.started_at for d in disks if d.started_at]
    finished_at = max((as_utc(e) for e in ends), default=utcnow())
    started_at = min((as_utc(s) for s in starts), default=None)
    _check_times(device, started_at, finished_at, "disks")
    wipe = WipeRecord(
        device_id=device.id,
        method=data.method.strip(),
        nist_class=_nist(data.method, data.nist_class),
        tool=data.tool or "",
        tool_version=data.tool_version or "",
        passes=data.passes,
        verification=data.verification or "",
        started_at=started_at,
        finished_at=finished_at,
        operator_id=actor.id if actor is not None else None,
        source="manual",
        passed=all(d.result == "passed" for d in disks),
        disks=[
            WipeDisk(
                disk_model=d.disk_model or "",
                disk_serial=d.disk_serial or "",
                size_bytes=d.size_bytes,
                result=d.result,
                started_at=d.started_at,
                finished_at=d.finished_at,
                errors=d.errors or 0,
            )
            for d in disks
        ],
    )
    return _save_wipe(actor, device, wipe)


def _save_wipe(
    actor: User | None, device: Device, wipe: WipeRecord, system_serial: str | None = None
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


def _follow_evidence(actor: User | None, device: Device, wipe: WipeRecord) -> None:
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
    if serial_key(log.system_serial):
        matches = list(
            db.session.scalars(
                select(Device).where(Device.serial_key == serial_key(log.system_serial)).limit(2)
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


def import_wipe_log(
    actor: User | None, content: bytes, filename: str, device: Device | None = None
):
    """Read an nwipe log and save it as a wipe record; nothing is saved if it cannot be read."""
    log_sha256 = hashlib.sha256(content).hexdigest()
    existing = _same_log(log_sha256)
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
        log_sha256=log_sha256,
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


def review_wipe(
    actor: User | None, device: Device, wipe: WipeRecord, accept: bool, note: str
) -> WipeRecord:
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
