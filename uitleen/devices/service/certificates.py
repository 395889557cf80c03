"""Erasure certificates: numbered once a wipe counts, public facts, the PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from uitleen import clock
from uitleen.audit.service import record
from uitleen.auth.models import User
from uitleen.db import utcnow
from uitleen.devices import lifecycle, wipelog
from uitleen.devices.certificate import render_certificate
from uitleen.devices.certificate_facts import (
    CertificateData,
    CertificateDevice,
    CertificateDisk,
    CertificateError,
)
from uitleen.devices.models import (
    Device,
    WipeRecord,
)
from uitleen.devices.service.counters import (
    _BARE_TOKEN_RE,
    CERTIFICATE_COUNTER,
    new_public_token,
    reserve,
)
from uitleen.devices.service.names import KIND_NAMES, format_bytes
from uitleen.devices.service.snapshots import disk_summary, latest_snapshot
from uitleen.errors import Conflict
from uitleen.extensions import db
from uitleen.settings import service as settings


def _certify(actor: User | None, device: Device, wipe: WipeRecord) -> None:
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
        still_counts=not db.session.scalar(select(lifecycle.undone_by_a_later_failure(wipe))),
    )


def _found_disks(device: Device, wipe: WipeRecord) -> list[str]:
    """The latest hardware snapshot's disks, each saying whether this wipe erased it."""
    snapshot = latest_snapshot(device)
    wiped = {disk.serial_key for disk in wipe.disks} - {""}
    lines = []
    for disk in snapshot.disks if snapshot is not None else ():
        done = _("gewist") if disk.serial_key in wiped else _("niet in deze wisbeurt")
        lines.append(f"{disk_summary(disk)} · {done}")
    return lines


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
        found_disks=_found_disks(device, wipe),
        verification_url=verification_url(wipe.verification_token),
    )
    try:
        pdf = render_certificate(data)
    except CertificateError as error:
        raise Conflict(error.message, code=error.code) from error
    return f"certificaat-{wipe.certificate_number}-{device.asset_tag}.pdf", pdf
