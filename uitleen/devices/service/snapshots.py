"""Hardware snapshots: register or update a device from what the machine says about itself.

One snapshot uuid is one record, also when workbench-script sends it twice at once: the
uuid is claimed first, in a savepoint, and the loser answers with the winner's record.
Disk health only ever fails checks; nothing is marked passed by a snapshot alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from uitleen import clock
from uitleen.audit.service import record
from uitleen.auth.models import User
from uitleen.devices import lifecycle
from uitleen.devices import snapshot as reader
from uitleen.devices.models import (
    Device,
    HardwareSnapshot,
    SnapshotDisk,
    WipeDisk,
    WipeRecord,
    serial_key,
)
from uitleen.devices.service.checks import (
    QC_BATTERY_ITEM,
    QC_STORAGE_ITEM,
    record_hardware_findings,
)
from uitleen.devices.service.intake import (
    DeviceInput,
    normalise_serial,
    register_device,
    update_device,
)
from uitleen.devices.service.names import format_bytes
from uitleen.errors import Conflict, Invalid
from uitleen.extensions import db
from uitleen.settings import service as settings


@dataclass(frozen=True)
class SnapshotResult:
    record: HardwareSnapshot
    device: Device
    created: bool  # a new device was registered
    replayed: bool  # this uuid was imported before: nothing changed now
    changes: dict
    findings: list
    skipped: list


class SnapshotMatchesTwo(Conflict):
    code = "snapshot_matches_two_devices"

    def __init__(self, by_serial: Device, by_disk: Device):
        message = _(
            "Deze opname past bij twee apparaten: %(first)s (serienummer %(serial)s) en "
            "%(second)s (dezelfde schijf). Kijk welk apparaat dit is; is een schijf verhuisd, "
            "zet dat dan eerst recht. Er is niets opgeslagen.",
            first=by_serial.asset_tag,
            serial=by_serial.serial or "?",
            second=by_disk.asset_tag,
        )
        super().__init__(message, errors={"file": [message]})
        self.devices = (by_serial, by_disk)


def _refused(error: reader.SnapshotError) -> Invalid:
    errors = {part: [error.message] for part in error.missing}
    return Invalid(error.message, code=error.code, errors=errors)


def snapshot_by_uuid(snapshot_uuid: str) -> HardwareSnapshot | None:
    return db.session.scalars(
        select(HardwareSnapshot).where(HardwareSnapshot.uuid == snapshot_uuid)
    ).first()


def import_snapshot(
    actor: User | None, content: bytes, source: str = "api", filename: str = ""
) -> SnapshotResult:
    """Read one snapshot and register or update its device; nothing is saved if it is bad."""
    try:
        facts = reader.parse_snapshot(content)
    except reader.SnapshotError as error:
        raise _refused(error) from error
    existing = snapshot_by_uuid(facts.uuid)
    if existing is not None:
        return _replay(existing)
    row = HardwareSnapshot(
        uuid=facts.uuid,
        software=facts.software,
        version=facts.version,
        operator_id=facts.operator_id,
        taken_at=clock.from_local(facts.taken_at),
        source=source,
        filename=(filename or "")[:255],
        battery_full_wh=facts.battery_full_wh,
        battery_design_wh=facts.battery_design_wh,
        content=content,
        recorded_by_id=actor.id if actor is not None else None,
        disks=[SnapshotDisk(**_disk_values(disk)) for disk in facts.disks],
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        # The same snapshot at the same moment (workbench-script retries): the other was first.
        winner = snapshot_by_uuid(facts.uuid)
        if winner is None or winner.device_id is None:  # pragma: no cover - it rolled back
            raise Conflict(_("Deze opname wordt al ingelezen."), code="snapshot_busy") from None
        return _replay(winner)
    device = _match(facts)
    specs = _specs(facts)
    if device is None:
        device = register_device(actor, DeviceInput.from_data(specs))
        created, changes = True, {}
    else:
        created, changes = False, _update(actor, device, specs)
    row.device_id = device.id
    row.findings = _findings(facts)
    db.session.flush()
    record(
        actor,
        "snapshot.imported",
        device,
        snapshot_id=row.id,
        uuid=row.uuid,
        source=source,
        created=created,
        changes=changes,
        disks=[disk.serial for disk in facts.disks],
        findings=[finding["code"] for finding in row.findings],
    )
    if row.findings:
        record_hardware_findings(actor, device, _failed_items(row.findings))
    db.session.flush()
    skipped = [{"device": s.device_name, "reason": s.reason} for s in facts.skipped]
    return SnapshotResult(row, device, created, False, changes, row.findings, skipped)


def _replay(existing: HardwareSnapshot) -> SnapshotResult:
    device = db.session.get(Device, existing.device_id)
    return SnapshotResult(existing, device, False, True, {}, existing.findings, [])


def _disk_values(disk: reader.Disk) -> dict:
    return {
        "device_name": disk.device_name,
        "model": disk.model,
        "serial": disk.serial,
        "size_bytes": disk.size_bytes,
        "kind": disk.kind,
        "smart_passed": disk.smart_passed,
        "power_on_hours": disk.power_on_hours,
        "reallocated_sectors": disk.reallocated_sectors,
        "pending_sectors": disk.pending_sectors,
    }


def _system_serial(facts: reader.Snapshot) -> str:
    """The system's serial, or the chassis's where the firmware left a placeholder."""
    for serial in (facts.system_serial, facts.chassis_serial):
        if serial_key(serial):
            return serial
    return ""


def _specs(facts: reader.Snapshot) -> dict:
    sizes = [disk.size_bytes for disk in facts.disks if disk.size_bytes]
    largest = max(facts.disks, key=lambda disk: disk.size_bytes or 0)
    specs = {
        "kind": facts.kind,
        "make": facts.make,
        "model": facts.model,
        "serial": normalise_serial(_system_serial(facts)),
        "cpu": facts.cpu,
        "ram_gb": facts.ram_gb,
        "storage_gb": round(sum(sizes) / 1_000_000_000) if sizes else None,
        "storage_type": largest.kind,
        "battery_health": facts.battery_health,
    }
    return {key: value for key, value in specs.items() if value not in (None, "")}


def _devices_with_disks(keys: set[str]) -> list[Device]:
    """Devices whose snapshots (by serial key) or wipe logs (as written) name these disks."""
    if not keys:
        return []
    by_snapshot = (
        select(HardwareSnapshot.device_id)
        .join(SnapshotDisk)
        .where(SnapshotDisk.serial_key.in_(keys), HardwareSnapshot.device_id.is_not(None))
    )
    by_wipe = select(WipeRecord.device_id).join(WipeDisk).where(WipeDisk.disk_serial.in_(keys))
    ids = set(db.session.scalars(by_snapshot)) | set(db.session.scalars(by_wipe))
    if not ids:
        return []
    return list(db.session.scalars(select(Device).where(Device.id.in_(ids)).order_by(Device.id)))


def _match(facts: reader.Snapshot) -> Device | None:
    """The device by its system serial, then by its disks' serials; two is refused."""
    key = serial_key(_system_serial(facts))
    by_serial = (
        list(db.session.scalars(select(Device).where(Device.serial_key == key).order_by(Device.id)))
        if key
        else []
    )
    real = [disk.serial for disk in facts.disks if serial_key(disk.serial)]  # no placeholders
    by_disk = _devices_with_disks({serial_key(serial) for serial in real} | set(real))
    if len(by_serial) > 1:
        raise SnapshotMatchesTwo(by_serial[0], by_serial[1])
    if by_serial:
        others = [device for device in by_disk if device.id != by_serial[0].id]
        if others:
            raise SnapshotMatchesTwo(by_serial[0], others[0])
        return by_serial[0]
    if len(by_disk) > 1:
        raise SnapshotMatchesTwo(by_disk[0], by_disk[1])
    return by_disk[0] if by_disk else None


def _update(actor: User | None, device: Device, specs: dict) -> dict:
    """Change what the snapshot knows better; a serial someone typed stays (it names the box)."""
    if device.serial_key:
        specs.pop("serial", None)
    changes = {
        key: [getattr(device, key), value]
        for key, value in specs.items()
        if getattr(device, key) != value
    }
    if changes:
        changed = {key: new for key, (_old, new) in changes.items()}
        update_device(actor, device, DeviceInput.from_data(changed))
    return changes


def _findings(facts: reader.Snapshot) -> list[dict]:
    """What the hardware says is wrong, with the figures: disks first, then the battery."""
    limits = settings.get_many(["disk_bad_sectors_max", "battery_health_min"])
    most = limits["disk_bad_sectors_max"]
    findings = []
    for disk in facts.disks:
        name = {"disk": disk.serial, "model": disk.model}
        if disk.smart_passed is False:
            findings.append({"code": "smart_failed", "item": QC_STORAGE_ITEM, **name})
        bad = {
            "reallocated": disk.reallocated_sectors or 0,
            "pending": disk.pending_sectors or 0,
        }
        if bad["reallocated"] > most or bad["pending"] > most:
            findings.append(
                {"code": "bad_sectors", "item": QC_STORAGE_ITEM, "max": most, **name, **bad}
            )
    health = facts.battery_health
    if health is not None and health < limits["battery_health_min"]:
        findings.append(
            {
                "code": "battery_weak",
                "item": QC_BATTERY_ITEM,
                "health": health,
                "min": limits["battery_health_min"],
                "full_wh": facts.battery_full_wh,
                "design_wh": facts.battery_design_wh,
            }
        )
    return findings


def finding_text(finding: dict) -> str:
    """One finding as a sentence with its figures."""
    texts = {
        "smart_failed": _("Schijf %(model)s (%(disk)s): SMART-zelftest zegt FAILED."),
        "bad_sectors": _(
            "Schijf %(model)s (%(disk)s): %(reallocated)s vervangen en %(pending)s wachtende "
            "slechte sectoren (hoogstens %(max)s)."
        ),
        "battery_weak": _(
            "Accu houdt nog %(full_wh)s van %(design_wh)s Wh vast: %(health)s%% (minstens "
            "%(min)s%%)."
        ),
    }
    values = {key: value for key, value in finding.items() if key not in ("code", "item")}
    return texts.get(finding.get("code"), str(finding.get("code"))) % values


def _failed_items(findings: list[dict]) -> dict[str, list[str]]:
    items: dict[str, list[str]] = {}
    for finding in findings:
        items.setdefault(finding["item"], []).append(finding_text(finding))
    return items


def disk_summary(disk: SnapshotDisk) -> str:
    """A disk on one line: model, serial, size."""
    parts = [disk.model or _("onbekend model"), disk.serial]
    if disk.size_bytes:
        parts.append(format_bytes(disk.size_bytes))
    return " · ".join(part for part in parts if part)


def latest_snapshot(device: Device) -> HardwareSnapshot | None:
    return db.session.scalars(
        select(HardwareSnapshot)
        .where(HardwareSnapshot.device_id == device.id)
        .order_by(HardwareSnapshot.recorded_at.desc(), HardwareSnapshot.id.desc())
        .limit(1)
    ).first()


def snapshot_disk_keys(device: Device, latest_only: bool = False) -> set[str]:
    """The disks hardware snapshots found in this device (the latest snapshot's, if asked)."""
    query = select(SnapshotDisk.serial_key).join(HardwareSnapshot)
    query = query.where(HardwareSnapshot.device_id == device.id, SnapshotDisk.serial_key != "")
    if latest_only:
        latest = (
            select(HardwareSnapshot.id)
            .where(HardwareSnapshot.device_id == device.id)
            .order_by(HardwareSnapshot.recorded_at.desc(), HardwareSnapshot.id.desc())
            .limit(1)
            .scalar_subquery()
        )
        query = query.where(HardwareSnapshot.id == latest)
    return set(db.session.scalars(query))


def unwiped_snapshot_disks(device: Device, wiped: set[str]) -> set[str]:
    """Disks the latest snapshot found that neither `wiped` nor a passed wipe that counts in
    this round erased: data may still be on them."""
    erased = db.session.scalars(
        select(WipeDisk.serial_key)
        .join(WipeRecord)
        .join(Device, Device.id == WipeRecord.device_id)
        .where(Device.id == device.id, lifecycle.counting_wipe(), WipeDisk.result == "passed")
    )
    done = wiped | set(erased)
    return snapshot_disk_keys(device, latest_only=True) - done
