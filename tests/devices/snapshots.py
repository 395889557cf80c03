"""The hardware snapshot fixtures (see samples/snapshots/PROVENANCE.md) and changed copies."""

import copy
import json
import uuid
from pathlib import Path

SAMPLES = Path(__file__).parent / "samples" / "snapshots"
DELL = SAMPLES / "dell-latitude-e7240.snapshot.json"
VM = SAMPLES / "firecracker-vm.snapshot.json"
QEMU = SAMPLES / "qemu-pc.snapshot.json"
QEMU_SERIAL = "PF0QM042"
QEMU_DISK = "QM00042"
DELL_SERIAL = "5CQ6VY1"
DELL_DISKS = ("TW0XXM305508539G1361", "S33HNX0J203755R")


def dell(**changes) -> dict:
    """The Dell sample as a dict with a fresh uuid (each test its own record)."""
    snapshot = json.loads(DELL.read_text())
    snapshot["uuid"] = str(uuid.uuid4())
    return snapshot | changes


def disks(snapshot: dict) -> list[dict]:
    return json.loads(snapshot["data"]["smartctl"])


def with_disks(snapshot: dict, items: list[dict]) -> dict:
    snapshot = copy.deepcopy(snapshot)
    snapshot["data"]["smartctl"] = json.dumps(items)
    return snapshot


def with_attribute(snapshot: dict, index: int, number: int, raw: int) -> dict:
    """Disk `index` reports SMART attribute `number` with this raw value."""
    items = disks(snapshot)
    table = items[index]["ata_smart_attributes"]["table"]
    table[:] = [row for row in table if row["id"] != number]
    table.append(
        {"id": number, "name": f"attr_{number}", "raw": {"value": raw, "string": str(raw)}}
    )
    return with_disks(snapshot, items)


def with_serial(snapshot: dict, system: str) -> dict:
    """Another machine: dmidecode with this system and chassis serial."""
    snapshot = copy.deepcopy(snapshot)
    snapshot["data"]["dmidecode"] = snapshot["data"]["dmidecode"].replace(DELL_SERIAL, system)
    return snapshot


def with_disk_serials(snapshot: dict, *serials: str) -> dict:
    items = disks(snapshot)
    for item, serial in zip(items, serials, strict=False):
        item["serial_number"] = serial
    return with_disks(snapshot, items)


def with_battery(snapshot: dict, name: str) -> dict:
    """The inxi Battery section of battery/inxi-<name>.json added to the snapshot's inxi."""
    snapshot = copy.deepcopy(snapshot)
    inxi = json.loads(snapshot["data"]["inxi"])
    inxi += json.loads((SAMPLES / "battery" / f"inxi-{name}.json").read_text())
    snapshot["data"]["inxi"] = json.dumps(inxi)
    return snapshot


def body(snapshot: dict) -> bytes:
    """As workbench-script sends it: json.dumps of the snapshot, UTF-8."""
    return json.dumps(snapshot).encode("utf-8")
