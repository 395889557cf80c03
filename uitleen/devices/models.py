"""Devices, donors, and the work recorded on each device."""

import re
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship, validates

from uitleen.db import one_of, utcnow
from uitleen.devices import wipelog
from uitleen.devices.wipelog import DiskResult
from uitleen.extensions import db
from uitleen.settings.models import Location

# The life cycle's states; lifecycle.py says which moves between them are allowed.
STATES = (
    "intake",
    "wiping",
    "wiped",
    "software",
    "qc",
    "ready",
    "on_loan",
    "returned",
    "repair",
    "parts",
    "recycled",
    "lost",
    "gifted",
)
KINDS = ("laptop", "desktop", "tablet", "phone", "other")
GRADES = ("A", "B", "C")
STORAGE_TYPES = ("ssd", "hdd", "nvme", "emmc", "other")

# The placeholders the wipe-log reader ignores too, in serial_key's own form.
_PLACEHOLDER_KEYS = frozenset(
    re.sub(r"[^0-9A-Z]", "", placeholder.upper()) for placeholder in wipelog._PLACEHOLDERS
)


def serial_key(serial: str | None) -> str:
    """What two serials must share to be one device: their letters and digits.

    "5CG-1234 ABC" and "5cg1234abc" are one sticker typed twice. A placeholder that a BIOS
    or a form leaves ("To be filled by O.E.M.", "0", "XXXXXXXX") identifies nothing: ''.
    """
    key = re.sub(r"[^0-9A-Z]", "", (serial or "").upper())
    if key in _PLACEHOLDER_KEYS or len(set(key)) <= 1:
        return ""
    return key


class Donor(db.Model):
    __tablename__ = "donors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(160), index=True)
    is_organisation: Mapped[bool] = mapped_column(default=False)
    contact: Mapped[str] = mapped_column(String(200), default="")
    wants_certificate: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Device(db.Model):
    __tablename__ = "devices"
    __table_args__ = (
        Index("ix_devices_state_id", "state", "id"),
        Index("ix_devices_make_serial", "make", "serial"),
        Index("ix_devices_model", "model"),
        one_of("state", STATES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_tag: Mapped[str] = mapped_column(String(16), unique=True)
    # 128 random bits, upper-case base32: the only thing a label's QR code carries.
    public_token: Mapped[str] = mapped_column(String(32), unique=True)
    # The token URL's QR matrix, made once with the token (choosing a mask is slow).
    qr_matrix: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The URL that matrix encodes: a changed UITLEEN_BASE_URL makes it stale, not wrong.
    qr_url: Mapped[str | None] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16), default="laptop")
    make: Mapped[str] = mapped_column(String(80), default="")
    model: Mapped[str] = mapped_column(String(120), default="")
    serial: Mapped[str] = mapped_column(String(120), default="", index=True)
    # Kept by serial_key() whenever serial is set: finds the same device typed another way.
    serial_key: Mapped[str] = mapped_column(String(120), default="", server_default="", index=True)
    cpu: Mapped[str] = mapped_column(String(120), default="")
    ram_gb: Mapped[int | None]
    storage_gb: Mapped[int | None]
    storage_type: Mapped[str] = mapped_column(String(16), default="")
    battery_health: Mapped[int | None]  # percent of design capacity
    screen_inches: Mapped[float | None]
    os_licence: Mapped[str] = mapped_column(String(120), default="")
    condition_grade: Mapped[str] = mapped_column(String(1), default="B")
    condition_notes: Mapped[str] = mapped_column(Text, default="")
    donor_id: Mapped[int | None] = mapped_column(ForeignKey("donors.id"), index=True)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("locations.id"), index=True)
    state: Mapped[str] = mapped_column(String(16), default="intake")
    state_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the current refurbishment round began (intake or the latest return):
    # only a wipe and a quality check recorded after this moment count (rule 1).
    cycle_started_at: Mapped[datetime] = mapped_column(default=utcnow)
    notes: Mapped[str] = mapped_column(Text, default="")
    # Set when evidence about a device that is already out (a failed wipe found later)
    # needs the desk: the reason, shown on the loan and the device; empty otherwise.
    attention: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # monthly counts

    donor: Mapped[Donor | None] = relationship()
    location: Mapped[Location | None] = relationship()

    @validates("serial")
    def _keep_serial_key(self, _key: str, serial: str) -> str:
        self.serial_key = serial_key(serial)
        return serial


class RetiredToken(db.Model):
    """A label token that was rotated away or belongs to a device that left for good."""

    __tablename__ = "retired_tokens"

    token: Mapped[str] = mapped_column(String(32), primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    retired_at: Mapped[datetime] = mapped_column(default=utcnow)


class WipeRecord(db.Model):
    """One erasure session of a device; per-disk results in WipeDisk."""

    __tablename__ = "wipe_records"
    __table_args__ = (Index("ix_wipe_records_device_finished", "device_id", "finished_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    method: Mapped[str] = mapped_column(String(60))  # the tool's own name: "DoD Short"
    nist_class: Mapped[str] = mapped_column(String(10))  # Clear / Purge / Destroy
    tool: Mapped[str] = mapped_column(String(60), default="")
    tool_version: Mapped[str] = mapped_column(String(40), default="")
    passes: Mapped[int | None]
    verification: Mapped[str] = mapped_column(String(20), default="")
    passed: Mapped[bool] = mapped_column(default=False)  # every disk passed
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime] = mapped_column(default=utcnow)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    source: Mapped[str] = mapped_column(String(20), default="manual")  # manual / nwipe-log
    log_filename: Mapped[str] = mapped_column(String(255), default="")
    # The original log, kept as evidence; its SHA-256 makes one log one record.
    log_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    log_content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    # "" (nothing to review), needs_review (implausible evidence: counts for nothing until
    # a coordinator accepts it), accepted or rejected; the reasons as codes with values.
    review_status: Mapped[str] = mapped_column(String(16), default="")
    review_reasons: Mapped[list] = mapped_column(JSON, default=list)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str] = mapped_column(Text, default="")
    certificate_number: Mapped[str | None] = mapped_column(String(32), unique=True)
    # Random and unguessable: the certificate's QR code opens its public verification page.
    verification_token: Mapped[str | None] = mapped_column(String(32), unique=True)
    certified_at: Mapped[datetime | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    disks: Mapped[list["WipeDisk"]] = relationship(
        back_populates="record", cascade="all, delete-orphan", order_by="WipeDisk.id"
    )


class WipeDisk(db.Model):
    __tablename__ = "wipe_disks"
    __table_args__ = (one_of("result", DiskResult),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("wipe_records.id"), index=True)
    disk_model: Mapped[str] = mapped_column(String(120), default="")
    disk_serial: Mapped[str] = mapped_column(String(120), default="")
    # serial_key(disk_serial), kept by the validator below: matched against the disks of
    # earlier wipes and of hardware snapshots by the one rule devices use.
    serial_key: Mapped[str] = mapped_column(String(120), default="", index=True)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)  # disks pass 2**31 bytes
    result: Mapped[str] = mapped_column(String(16))  # passed / failed / aborted
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    errors: Mapped[int] = mapped_column(default=0)

    record: Mapped[WipeRecord] = relationship(back_populates="disks")

    @validates("disk_serial")
    def _keep_serial_key(self, _key: str, serial: str) -> str:
        self.serial_key = serial_key(serial)
        return serial


class SoftwareInstall(db.Model):
    __tablename__ = "software_installs"

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    os_name: Mapped[str] = mapped_column(String(80))
    os_version: Mapped[str] = mapped_column(String(80), default="")  # or image name
    checklist: Mapped[dict] = mapped_column(JSON, default=dict)  # item -> done (bool)
    notes: Mapped[str] = mapped_column(Text, default="")
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class QualityCheck(db.Model):
    __tablename__ = "quality_checks"
    __table_args__ = (Index("ix_quality_checks_device_recorded", "device_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"))
    results: Mapped[dict] = mapped_column(JSON, default=dict)  # item -> pass / fail / n/a
    passed: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class Counter(db.Model):
    """Named sequences (asset tags, certificate numbers), reserved with one UPDATE."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


class HardwareSnapshot(db.Model):
    """One hardware snapshot (workbench-script) as received; its uuid makes it one record."""

    __tablename__ = "hardware_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True)
    # Empty only inside the transaction that claims the uuid and then finds the device.
    device_id: Mapped[int | None] = mapped_column(ForeignKey("devices.id"), index=True)
    software: Mapped[str] = mapped_column(String(40), default="")
    version: Mapped[str] = mapped_column(String(40), default="")
    operator_id: Mapped[str] = mapped_column(String(128), default="")  # the tool's, hashed
    taken_at: Mapped[datetime | None]
    source: Mapped[str] = mapped_column(String(12), default="api")  # api / upload / cli
    filename: Mapped[str] = mapped_column(String(255), default="")
    battery_full_wh: Mapped[float | None]
    battery_design_wh: Mapped[float | None]
    # What it found wrong (what it changed is in the audit events).
    findings: Mapped[list] = mapped_column(JSON, default=list)
    content: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))  # kept as evidence
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    disks: Mapped[list["SnapshotDisk"]] = relationship(
        back_populates="snapshot", cascade="all, delete-orphan", order_by="SnapshotDisk.id"
    )


class SnapshotDisk(db.Model):
    """A disk a snapshot found, with smartctl's health figures."""

    __tablename__ = "snapshot_disks"

    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("hardware_snapshots.id"), index=True)
    device_name: Mapped[str] = mapped_column(String(60), default="")  # /dev/sda
    model: Mapped[str] = mapped_column(String(120), default="")
    serial: Mapped[str] = mapped_column(String(120), default="")
    serial_key: Mapped[str] = mapped_column(String(120), default="", index=True)
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16), default="")  # ssd / hdd / nvme / other
    smart_passed: Mapped[bool | None]
    power_on_hours: Mapped[int | None]
    reallocated_sectors: Mapped[int | None] = mapped_column(BigInteger)
    pending_sectors: Mapped[int | None] = mapped_column(BigInteger)

    snapshot: Mapped[HardwareSnapshot] = relationship(back_populates="disks")

    @validates("serial")
    def _keep_serial_key(self, _key: str, serial: str) -> str:
        self.serial_key = serial_key(serial)
        return serial
