"""The disks: one `smartctl -x --json` object each, as a list or the JSON text of one."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _

from uitleen.devices.snapshot.values import json_section, number, refuse, text

DISK_KINDS = ("ssd", "hdd", "nvme", "other")
# ATA SMART attributes, by number: what every maker reports the same way.
REALLOCATED, POWER_ON_HOURS, PENDING = 5, 9, 197
# smartctl's exit status, bits 0 and 1: the command or the device could not be opened at all.
UNREADABLE = 0b11


@dataclass(frozen=True)
class Disk:
    device_name: str
    model: str
    serial: str
    size_bytes: int | None
    kind: str
    smart_passed: bool | None
    power_on_hours: int | None
    reallocated_sectors: int | None
    pending_sectors: int | None


@dataclass(frozen=True)
class Skipped:
    """A disk smartctl could not read: its device name and smartctl's own words."""

    device_name: str
    reason: str


def _smartctl_list(data: dict) -> list:
    value = data.get("smartctl", data.get("smart"))
    if value is None:
        raise refuse(
            "missing_section",
            _("De opname heeft geen smartctl-gegevens over de schijven."),
            "data.smartctl",
        )
    if isinstance(value, str):
        value = json_section(value, "data.smartctl")
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise refuse(
            "garbled_section",
            _("data.smartctl moet een lijst met één smartctl-object per schijf zijn."),
            "data.smartctl",
        )
    return value


def read_disks(data: dict) -> tuple[tuple[Disk, ...], tuple[Skipped, ...]]:
    disks, skipped = [], []
    for index, item in enumerate(_smartctl_list(data)):
        part = f"data.smartctl[{index}]"
        device = item.get("device") if isinstance(item.get("device"), dict) else {}
        run = item.get("smartctl") if isinstance(item.get("smartctl"), dict) else {}
        name = text(device.get("name") or _argv_device(run), f"{part}.device.name", 60)
        status = number(run.get("exit_status")) or 0
        serial = text(item.get("serial_number"), f"{part}.serial_number")
        if status & UNREADABLE or not serial:
            skipped.append(Skipped(name or part, _smartctl_messages(run, part)))
            continue
        disks.append(_disk(item, device, name, serial, part))
    if not disks:
        details = "; ".join(f"{s.device_name}: {s.reason}" for s in skipped)
        raise refuse(
            "no_disks",
            _(
                "smartctl kon geen enkele schijf lezen, dus we weten niet welke schijven gewist "
                "moeten worden. %(details)s",
                details=details or _("De lijst is leeg."),
            ),
            "data.smartctl",
        )
    return tuple(disks), tuple(skipped)


def _argv_device(run: dict) -> str:
    argv = run.get("argv")
    return argv[-1] if isinstance(argv, list) and argv and isinstance(argv[-1], str) else ""


def _smartctl_messages(run: dict, part: str) -> str:
    messages = run.get("messages") if isinstance(run.get("messages"), list) else []
    texts = [
        text(m.get("string"), f"{part}.smartctl.messages", 200)
        for m in messages
        if isinstance(m, dict)
    ]
    return "; ".join(t for t in texts if t) or _("geen serienummer")


def _disk(item: dict, device: dict, name: str, serial: str, part: str) -> Disk:
    capacity = item.get("user_capacity") if isinstance(item.get("user_capacity"), dict) else {}
    size = number(capacity.get("bytes")) or number(item.get("nvme_total_capacity"))
    nvme_log = item.get("nvme_smart_health_information_log")
    nvme_log = nvme_log if isinstance(nvme_log, dict) else {}
    power_on = item.get("power_on_time") if isinstance(item.get("power_on_time"), dict) else {}
    status = item.get("smart_status") if isinstance(item.get("smart_status"), dict) else {}
    passed = status.get("passed")
    attributes = _attributes(item)
    model = item.get("model_name") or " ".join(
        str(item.get(key) or "") for key in ("scsi_vendor", "scsi_product")
    )
    return Disk(
        device_name=name,
        model=text(model, f"{part}.model_name"),
        serial=serial,
        size_bytes=size or None,
        kind=_disk_kind(item, device),
        smart_passed=passed if isinstance(passed, bool) else None,
        power_on_hours=_first_number(
            power_on.get("hours"), nvme_log.get("power_on_hours"), attributes.get(POWER_ON_HOURS)
        ),
        reallocated_sectors=attributes.get(REALLOCATED),
        pending_sectors=attributes.get(PENDING),
    )


def _first_number(*values) -> int | None:
    for value in values:
        if number(value) is not None:
            return number(value)
    return None


def _attributes(item: dict) -> dict[int, int]:
    """ATA SMART attributes by number: their raw values."""
    table = item.get("ata_smart_attributes")
    rows = table.get("table") if isinstance(table, dict) else None
    found = {}
    for row in rows if isinstance(rows, list) else ():
        if isinstance(row, dict) and isinstance(row.get("raw"), dict):
            key, raw = number(row.get("id")), number(row["raw"].get("value"))
            if key is not None and raw is not None:
                found[key] = raw
    return found


def _disk_kind(item: dict, device: dict) -> str:
    if str(device.get("protocol", "")).lower() == "nvme" or device.get("type") == "nvme":
        return "nvme"
    rotation = number(item.get("rotation_rate"))
    if rotation is None:
        return "other"
    return "ssd" if rotation == 0 else "hdd"
