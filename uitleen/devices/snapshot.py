"""Read a hardware snapshot from eReuse's workbench-script into plain facts.

A snapshot is one JSON object: `type: "Snapshot"`, `uuid`, `timestamp`, `software`,
`version`, `operator_id` and `data`, where `data.dmidecode` is dmidecode's text,
`data.smartctl` is a list (or the JSON text of a list) of `smartctl -x --json` objects, one
per disk, and `data.inxi` is inxi's JSON output (or its text). The legacy form sends the list
as `data.smart` and no inxi. smartctl and inxi speak JSON already; dmidecode's text is read
with dmiparser. Pure: no database, no Flask; the service decides what the facts mean.
"""

from __future__ import annotations

import json
import re
import uuid as uuid_module
from dataclasses import dataclass
from datetime import datetime

from dmiparser import DmiParser
from flask_babel import gettext as _

# Nothing in a snapshot nests deeper than smartctl's tables; this is far above them.
MAX_DEPTH = 64
DISK_KINDS = ("ssd", "hdd", "nvme", "other")
# ATA SMART attributes, by number: what every maker reports the same way.
REALLOCATED, POWER_ON_HOURS, PENDING = 5, 9, 197
# smartctl's exit status, bits 0 and 1: the command or the device could not be opened at all.
UNREADABLE = 0b11
# Chassis types (SMBIOS 3.x names as dmidecode prints them) and the kind of device they are.
_CHASSIS_KINDS = {
    "laptop": "laptop",
    "notebook": "laptop",
    "portable": "laptop",
    "sub notebook": "laptop",
    "convertible": "laptop",
    "detachable": "tablet",
    "tablet": "tablet",
    "desktop": "desktop",
    "low profile desktop": "desktop",
    "mini tower": "desktop",
    "tower": "desktop",
    "mini pc": "desktop",
    "all in one": "desktop",
    "space-saving": "desktop",
}
# The names makers give themselves in firmware, and the name people use.
_MAKERS = {
    "dell inc.": "Dell",
    "hewlett-packard": "HP",
    "hp": "HP",
    "lenovo": "Lenovo",
    "asustek computer inc.": "Asus",
    "acer": "Acer",
    "toshiba": "Toshiba",
    "fujitsu": "Fujitsu",
    "apple inc.": "Apple",
    "microsoft corporation": "Microsoft",
    "samsung electronics co., ltd.": "Samsung",
}
_BATTERY_CONDITION = re.compile(r"^\s*([0-9.]+)\s*/\s*([0-9.]+)\s*Wh")
_MEMORY_SIZE = re.compile(r"^\s*(\d+)\s*(kB|MB|GB|TB)\s*$")


class SnapshotError(Exception):
    """A snapshot that cannot be used: a short code, a message, and the parts at fault."""

    def __init__(self, code: str, message: str, missing: list[str]):
        super().__init__(message)
        self.code = code
        self.message = message
        self.missing = missing


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


@dataclass(frozen=True)
class Snapshot:
    uuid: str
    taken_at: datetime | None
    software: str
    version: str
    operator_id: str
    kind: str | None
    make: str
    model: str
    system_serial: str
    chassis_serial: str
    cpu: str
    ram_gb: int | None
    disks: tuple[Disk, ...]
    skipped: tuple[Skipped, ...]
    battery_full_wh: float | None
    battery_design_wh: float | None

    @property
    def battery_health(self) -> int | None:
        """Full charge as a share of the design capacity, in percent."""
        if not self.battery_full_wh or not self.battery_design_wh:
            return None
        return round(100 * self.battery_full_wh / self.battery_design_wh)


def _refuse(code: str, message: str, *missing: str) -> SnapshotError:
    return SnapshotError(code, message, list(missing))


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, level)
            stack.extend((item, level + 1) for item in node)
    return deepest


def _json(text: str | bytes, part: str):
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):  # also UnicodeDecodeError
        value = _refuse
    if value is _refuse or _depth(value) > MAX_DEPTH:
        raise _refuse(
            "garbled_section",
            _("%(part)s is geen leesbare JSON.", part=part),
            part,
        )
    return value


def _text(value, part: str, limit: int = 120) -> str:
    """A short identifier as people can read and store it; a garbled one is refused."""
    if value is None:
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise _refuse("garbled_section", _("%(part)s is geen tekst.", part=part), part)
    text = str(value)
    if any(ord(c) < 32 or ord(c) == 127 or "\ud800" <= c <= "\udfff" for c in text):
        raise _refuse(
            "garbled_section",
            _(
                "%(part)s bevat tekens die geen tekst zijn (het apparaat gaf onleesbare "
                "gegevens). Maak de opname opnieuw.",
                part=part,
            ),
            part,
        )
    return " ".join(text.split())[:limit]


def _number(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value) if 0 <= value < 2**62 else None


def parse_snapshot(content: bytes | str) -> Snapshot:
    """The facts in one workbench-script snapshot; SnapshotError names what is missing."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            raise _refuse(
                "not_json",
                _("Dit bestand is geen JSON-tekst. Kies het .json-bestand van workbench-script."),
                "file",
            ) from None
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):
        body = _refuse
    if body is _refuse:
        raise _refuse(
            "not_json",
            _("Dit is geen JSON. Kies het .json-bestand dat workbench-script maakte."),
            "file",
        )
    if _depth(body) > MAX_DEPTH:
        raise _refuse("garbled_section", _("Deze gegevens zijn te diep genest."), "file")
    if not isinstance(body, dict) or body.get("type") != "Snapshot":
        raise _refuse(
            "not_a_snapshot",
            _(
                "Dit is geen hardware-opname van workbench-script: er staat geen "
                '"type": "Snapshot" in. Kies het bestand uit de map snapshots van de stick.'
            ),
            "type",
        )
    data = body.get("data")
    if not isinstance(data, dict):
        raise _refuse("missing_section", _("De opname heeft geen gegevens (data)."), "data")
    snapshot_uuid = _uuid(body.get("uuid"))
    sections = _dmidecode(data.get("dmidecode"))
    disks, skipped = _disks(data)
    full, design = _battery(data.get("inxi"))
    system = _first(sections, "1")
    chassis = _first(sections, "3")
    make = _text(_prop(system, "Manufacturer"), "data.dmidecode: Manufacturer", 80)
    return Snapshot(
        uuid=snapshot_uuid,
        taken_at=_timestamp(body.get("timestamp")),
        software=_text(body.get("software"), "software", 40),
        version=_text(body.get("version"), "version", 40),
        operator_id=_text(body.get("operator_id"), "operator_id", 128),
        kind=_CHASSIS_KINDS.get(_prop(chassis, "Type").lower()),
        make=_MAKERS.get(make.lower(), make),
        model=_model(make, system),
        system_serial=_text(_prop(system, "Serial Number"), "data.dmidecode: Serial Number"),
        chassis_serial=_text(_prop(chassis, "Serial Number"), "data.dmidecode: Serial Number"),
        cpu=_cpu(sections),
        ram_gb=_ram_gb(sections),
        disks=disks,
        skipped=skipped,
        battery_full_wh=full,
        battery_design_wh=design,
    )


def _uuid(value) -> str:
    try:
        return str(uuid_module.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise _refuse(
            "missing_section",
            _("De opname heeft geen geldig uuid; zonder uuid kunnen we dubbel inlezen niet zien."),
            "uuid",
        ) from None


def _timestamp(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if 1990 <= moment.year <= 2200 else None


def _dmidecode(text) -> list[dict]:
    if not isinstance(text, str) or not text.strip():
        raise _refuse(
            "missing_section",
            _("De opname heeft geen dmidecode-gegevens (merk, model, serienummer)."),
            "data.dmidecode",
        )
    try:
        sections = DmiParser(text).data
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        sections = []
    if not _first(sections, "1"):
        raise _refuse(
            "missing_section",
            _(
                "dmidecode vond geen systeemgegevens (merk, model, serienummer). Dat gebeurt in "
                "een virtuele machine of zonder rootrechten. Start workbench-script op het "
                "apparaat zelf, als root."
            ),
            "data.dmidecode",
        )
    return sections


def _first(sections: list[dict], dmi_type: str) -> dict:
    for section in sections:
        if section.get("handle", {}).get("type") == dmi_type:
            return section
    return {}


def _all(sections: list[dict], dmi_type: str) -> list[dict]:
    return [s for s in sections if s.get("handle", {}).get("type") == dmi_type]


def _prop(section: dict, name: str) -> str:
    values = section.get("props", {}).get(name, {}).get("values") or [""]
    return values[0] if isinstance(values[0], str) else ""


def _model(make: str, system: dict) -> str:
    """Lenovo puts its machine type in Product Name and the name people know in Version."""
    model = _text(_prop(system, "Product Name"), "data.dmidecode: Product Name")
    version = _text(_prop(system, "Version"), "data.dmidecode: Version")
    if make.lower() == "lenovo" and version and not version.lower().startswith("not "):
        return version
    return model


def _cpu(sections: list[dict]) -> str:
    for section in _all(sections, "4"):
        if _prop(section, "Status").startswith("Populated") or len(_all(sections, "4")) == 1:
            name = _text(_prop(section, "Version"), "data.dmidecode: Processor Version")
            return " ".join(re.sub(r"\((R|TM|tm|r)\)", "", name).split())
    return ""


def _ram_gb(sections: list[dict]) -> int | None:
    factor = {"kB": 1 / 1024, "MB": 1, "GB": 1024, "TB": 1024 * 1024}
    total_mb = 0.0
    for section in _all(sections, "17"):
        found = _MEMORY_SIZE.match(_prop(section, "Size"))
        if found:
            total_mb += int(found.group(1)) * factor[found.group(2)]
    return round(total_mb / 1024) or None


def _smartctl_list(data: dict) -> list:
    value = data.get("smartctl", data.get("smart"))
    if value is None:
        raise _refuse(
            "missing_section",
            _("De opname heeft geen smartctl-gegevens over de schijven."),
            "data.smartctl",
        )
    if isinstance(value, str):
        value = _json(value, "data.smartctl")
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _refuse(
            "garbled_section",
            _("data.smartctl moet een lijst met één smartctl-object per schijf zijn."),
            "data.smartctl",
        )
    return value


def _disks(data: dict) -> tuple[tuple[Disk, ...], tuple[Skipped, ...]]:
    disks, skipped = [], []
    for index, item in enumerate(_smartctl_list(data)):
        part = f"data.smartctl[{index}]"
        device = item.get("device") if isinstance(item.get("device"), dict) else {}
        run = item.get("smartctl") if isinstance(item.get("smartctl"), dict) else {}
        name = _text(device.get("name") or _argv_device(run), f"{part}.device.name", 60)
        status = _number(run.get("exit_status")) or 0
        serial = _text(item.get("serial_number"), f"{part}.serial_number")
        if status & UNREADABLE or not serial:
            skipped.append(Skipped(name or part, _smartctl_messages(run, part)))
            continue
        disks.append(_disk(item, device, name, serial, part))
    if not disks:
        details = "; ".join(f"{s.device_name}: {s.reason}" for s in skipped)
        raise _refuse(
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
        _text(m.get("string"), f"{part}.smartctl.messages", 200)
        for m in messages
        if isinstance(m, dict)
    ]
    return "; ".join(t for t in texts if t) or _("geen serienummer")


def _disk(item: dict, device: dict, name: str, serial: str, part: str) -> Disk:
    capacity = item.get("user_capacity") if isinstance(item.get("user_capacity"), dict) else {}
    size = _number(capacity.get("bytes")) or _number(item.get("nvme_total_capacity"))
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
        model=_text(model, f"{part}.model_name"),
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
        if _number(value) is not None:
            return _number(value)
    return None


def _attributes(item: dict) -> dict[int, int]:
    """ATA SMART attributes by number: their raw values."""
    table = item.get("ata_smart_attributes")
    rows = table.get("table") if isinstance(table, dict) else None
    found = {}
    for row in rows if isinstance(rows, list) else ():
        if isinstance(row, dict) and isinstance(row.get("raw"), dict):
            number, raw = _number(row.get("id")), _number(row["raw"].get("value"))
            if number is not None and raw is not None:
                found[number] = raw
    return found


def _disk_kind(item: dict, device: dict) -> str:
    if str(device.get("protocol", "")).lower() == "nvme" or device.get("type") == "nvme":
        return "nvme"
    rotation = _number(item.get("rotation_rate"))
    if rotation is None:
        return "other"
    return "ssd" if rotation == 0 else "hdd"


def _battery(inxi) -> tuple[float | None, float | None]:
    """Full and design capacity in Wh from inxi's Battery section, if it has one."""
    if inxi is None or (isinstance(inxi, str) and not inxi.strip()):
        return None, None
    if isinstance(inxi, str):
        inxi = _json(inxi, "data.inxi")
    if not isinstance(inxi, list):
        raise _refuse("garbled_section", _("data.inxi is geen inxi-uitvoer."), "data.inxi")
    for section in inxi:
        if not isinstance(section, dict):
            continue
        for key, rows in section.items():
            if not key.endswith("#Battery") or not isinstance(rows, list):
                continue
            for row in rows:
                for field, value in row.items() if isinstance(row, dict) else ():
                    found = isinstance(value, str) and _BATTERY_CONDITION.match(value)
                    if field.endswith("#condition") and found:
                        full, design = float(found.group(1)), float(found.group(2))
                        if 0 < full < 10_000 and 0 < design < 10_000:
                            return full, design
    return None, None
