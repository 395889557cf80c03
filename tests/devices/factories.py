"""Devices in any state, made through the real service functions (other domains use these)."""

from itertools import count

from uitleen.devices import service
from uitleen.devices.models import Device
from uitleen.extensions import db
from uitleen.settings import service as settings

_serials = count(1)


def device_data(**changes) -> dict:
    values = {
        "kind": "laptop",
        "make": "Lenovo",
        "model": "ThinkPad T480",
        "serial": f"PF{next(_serials):06d}",
        "cpu": "Intel Core i5-8250U",
        "ram_gb": 8,
        "storage_gb": 256,
        "storage_type": "ssd",
        "battery_health": 81,
        "screen_inches": 14.0,
        "condition_grade": "B",
    }
    return values | changes


def make_device(actor=None, **changes) -> Device:
    """A device just taken in (state intake)."""
    device = service.register_device(actor, service.DeviceInput(**device_data(**changes)))
    db.session.flush()
    return device


def wipe_data(result: str = "passed", **changes) -> dict:
    values = {
        "method": "PRNG Stream",
        "tool": "nwipe",
        "tool_version": "0.35",
        "passes": 1,
        "verification": "last",
        "disks": [
            {"disk_model": "SAMSUNG MZ7LN256", "disk_serial": "S3YJNX0K81", "result": result}
        ],
    }
    return values | changes


def wipe_input(result: str = "passed", **changes) -> service.WipeInput:
    """wipe_data as the service takes it."""
    return service.WipeInput.from_data(wipe_data(result, **changes))


def qc_results(failed: tuple[str, ...] = ()) -> dict:
    return {item: ("fail" if item in failed else "pass") for item in settings.get("qc_checklist")}


def software_data() -> dict:
    return {
        "os_name": "Linux Mint",
        "os_version": "22 Cinnamon",
        "checklist": dict.fromkeys(settings.get("software_checklist"), "done"),
    }


def make_wiped_device(actor=None, **changes) -> Device:
    device = make_device(actor, **changes)
    service.record_wipe(actor, device, wipe_input())
    return device


def make_qc_device(actor=None, **changes) -> Device:
    """Wiped and software installed: waiting for the quality check."""
    device = make_wiped_device(actor, **changes)
    service.record_software(actor, device, **software_data())
    return device


def make_ready_device(actor=None, **changes) -> Device:
    """Wiped, installed and checked in this round, and marked ready for loan."""
    device = make_qc_device(actor, **changes)
    service.record_quality_check(actor, device, results=qc_results())
    service.mark_ready(actor, device)
    db.session.flush()
    return device
