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
import uuid as uuid_module
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _

from uitleen.devices.snapshot import dmi
from uitleen.devices.snapshot.battery import read_battery
from uitleen.devices.snapshot.disks import DISK_KINDS, Disk, Skipped, read_disks
from uitleen.devices.snapshot.values import MAX_DEPTH, SnapshotError, refuse, text
from uitleen.inputs import json_depth

__all__ = ["DISK_KINDS", "Disk", "Skipped", "Snapshot", "SnapshotError", "parse_snapshot"]


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


def parse_snapshot(content: bytes | str) -> Snapshot:
    """The facts in one workbench-script snapshot; SnapshotError names what is missing."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            raise refuse(
                "not_json",
                _("Dit bestand is geen JSON-tekst. Kies het .json-bestand van workbench-script."),
                "file",
            ) from None
    try:
        body = json.loads(content)
    except (ValueError, RecursionError):
        body = refuse
    if body is refuse:
        raise refuse(
            "not_json",
            _("Dit is geen JSON. Kies het .json-bestand dat workbench-script maakte."),
            "file",
        )
    if json_depth(body) > MAX_DEPTH:
        raise refuse("garbled_section", _("Deze gegevens zijn te diep genest."), "file")
    if not isinstance(body, dict) or body.get("type") != "Snapshot":
        raise refuse(
            "not_a_snapshot",
            _(
                "Dit is geen hardware-opname van workbench-script: er staat geen "
                '"type": "Snapshot" in. Kies het bestand uit de map snapshots van de stick.'
            ),
            "type",
        )
    data = body.get("data")
    if not isinstance(data, dict):
        raise refuse("missing_section", _("De opname heeft geen gegevens (data)."), "data")
    snapshot_uuid = _uuid(body.get("uuid"))
    sections = dmi.read_dmidecode(data.get("dmidecode"))
    disks, skipped = read_disks(data)
    full, design = read_battery(data.get("inxi"))
    system = dmi.first(sections, "1")
    chassis = dmi.first(sections, "3")
    make = text(dmi.prop(system, "Manufacturer"), "data.dmidecode: Manufacturer", 80)
    return Snapshot(
        uuid=snapshot_uuid,
        taken_at=_timestamp(body.get("timestamp")),
        software=text(body.get("software"), "software", 40),
        version=text(body.get("version"), "version", 40),
        operator_id=text(body.get("operator_id"), "operator_id", 128),
        kind=dmi.CHASSIS_KINDS.get(dmi.prop(chassis, "Type").lower()),
        make=dmi.MAKERS.get(make.lower(), make),
        model=dmi.model_name(make, system),
        system_serial=text(dmi.prop(system, "Serial Number"), "data.dmidecode: Serial Number"),
        chassis_serial=text(dmi.prop(chassis, "Serial Number"), "data.dmidecode: Serial Number"),
        cpu=dmi.cpu(sections),
        ram_gb=dmi.ram_gb(sections),
        disks=disks,
        skipped=skipped,
        battery_full_wh=full,
        battery_design_wh=design,
    )


def _uuid(value) -> str:
    try:
        return str(uuid_module.UUID(value))
    except (TypeError, ValueError, AttributeError):
        raise refuse(
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
