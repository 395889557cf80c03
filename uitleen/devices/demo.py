"""Demo workshop: donors, devices in every workshop state, wipes (one from an nwipe log,
one failed), software, checks and erasure certificates, all made through the service,
each step at its own moment in the past weeks (uitleen.storyclock.at).

Lent, returned and given devices come from the loans and reports seeders, which take
their own devices through the same steps (bring_to_ready) before they lend them out.
"""

import zlib
from datetime import timedelta
from pathlib import Path

from uitleen.clock import zone
from uitleen.devices import service
from uitleen.extensions import db
from uitleen.settings import service as settings
from uitleen.storyclock import at

DEMO_LOG = Path(__file__).with_name("demo_nwipe_log.txt")

LOCATIONS = [
    ("Werkplaats De Brug", "Kerkstraat 1, 1011 AB Amsterdam", "di en do 10:00–16:00"),
    ("Bibliotheek Noord", "Buikslotermeerplein 1, 1025 XL Amsterdam", "za 11:00–14:00"),
]

DONORS = [
    # name, organisation, contact, wants a certificate
    ("Van der Linden Accountants B.V.", True, "ict@vanderlinden-accountants.nl", True),
    ("Gemeente Amsterdam, afdeling ICT", True, "hergebruik@amsterdam.nl", True),
    ("Wilma Bakker", False, "06 1234 5678", False),
    ("Ahmed El Amrani", False, "", False),
    ("Henk Jansen", False, "henk.jansen@example.nl", True),
]

WIN10, WIN11, WIN10_HOME = "Windows 10 Pro", "Windows 11 Pro", "Windows 10 Home"
MODELS = [
    # kind, make, model, cpu, ram, storage, type, screen, licence
    ("laptop", "Lenovo", "ThinkPad T480", "Intel Core i5-8350U", 8, 256, "ssd", 14.0, WIN10),
    ("laptop", "Lenovo", "ThinkPad L390", "Intel Core i5-8265U", 8, 256, "ssd", 13.3, WIN10),
    ("laptop", "HP", "EliteBook 840 G5", "Intel Core i5-8250U", 16, 512, "nvme", 14.0, WIN11),
    ("laptop", "HP", "ProBook 450 G6", "Intel Core i3-8145U", 8, 256, "ssd", 15.6, ""),
    ("laptop", "Dell", "Latitude 5490", "Intel Core i5-8350U", 8, 256, "ssd", 14.0, WIN10),
    ("laptop", "Dell", "Latitude 7400", "Intel Core i7-8665U", 16, 512, "nvme", 14.0, WIN11),
    ("laptop", "Apple", "MacBook Air 2017", "Intel Core i5-5350U", 8, 128, "ssd", 13.3, ""),
    ("laptop", "Acer", "Aspire 5 A515", "AMD Ryzen 5 3500U", 8, 512, "ssd", 15.6, WIN10_HOME),
    ("desktop", "Fujitsu", "Esprimo D538", "Intel Core i5-8400", 8, 500, "hdd", None, WIN10),
    ("tablet", "Samsung", "Galaxy Tab A7", "Unisoc T618", 3, 32, "emmc", 10.4, ""),
]  # fmt: skip

# Company laptops are all the same model; their serials come from the asset list.
COMPANY_MODEL = MODELS[0]

# How many devices end up in each state (ready leaves plenty for the loans seeder).
PLAN = [
    ("intake", 4),
    ("wiping", 3),
    ("wiped", 2),
    ("qc", 3),
    ("ready", 18),
    ("repair", 2),
    ("parts", 1),
    ("recycled", 1),
    ("lost", 1),
]


def _locations(demo):
    existing = settings.locations()
    if existing:
        return existing
    user = demo.users["coordinator"]
    return [
        settings.create_location(user, name, address, hours) for name, address, hours in LOCATIONS
    ]


def _data(demo, n: int, donor, location, company: bool) -> dict:
    rng = demo.rng
    kind, make, model, cpu, ram, storage, type_, screen, licence = (
        COMPANY_MODEL if company else rng.choice(MODELS)
    )
    prefix = {"Lenovo": "PF", "HP": "5CG", "Dell": "CN0", "Apple": "C02"}.get(make, "SN")
    return {
        "kind": kind,
        "make": make,
        "model": model,
        "serial": f"{prefix}{rng.randrange(16**6):06X}{n:02d}",
        "cpu": cpu,
        "ram_gb": ram,
        "storage_gb": storage,
        "storage_type": type_,
        "battery_health": rng.randrange(55, 98) if kind in ("laptop", "tablet") else None,
        "screen_inches": screen,
        "os_licence": licence,
        "condition_grade": rng.choice("AABBBC"),
        "condition_notes": rng.choice(["", "", "Krasje op de klep", "Toets F2 plakt wat"]),
        "donor_id": donor.id,
        "location_id": location.id,
    }


def _wipe(user, device, rng, passed: bool = True) -> None:
    method, tool = rng.choice(
        [("PRNG Stream", "nwipe"), ("DoD Short", "nwipe"), ("ATA Secure Erase", "hdparm")]
    )
    disk = {
        "disk_model": rng.choice(["SAMSUNG MZ7LN256HAJQ", "SK hynix SC311", "WDC WD5000LPLX"]),
        "disk_serial": _disk_serial(device),
        "result": "passed" if passed else "failed",
    }
    service.record_wipe(
        user,
        device,
        service.WipeInput(
            method=method,
            tool=tool,
            tool_version="0.35" if tool == "nwipe" else "9.60",
            passes=1 if method != "DoD Short" else 3,
            verification="last",
            disks=(service.DiskInput(**disk),),
        ),
    )


def _software(user, device, rng) -> None:
    items = settings.get("software_checklist")
    os_name, version = rng.choice(
        [("Linux Mint", "22 Cinnamon"), ("Windows 11", "23H2 (image 2026-01)"), ("Zorin OS", "17")]
    )
    service.record_software(
        user, device, os_name=os_name, os_version=version, checklist=dict.fromkeys(items, "done")
    )


def _check(user, device, failed: tuple[str, ...] = (), notes: str = "") -> None:
    items = settings.get("qc_checklist")
    results = {item: ("fail" if item in failed else "pass") for item in items}
    if device.kind == "desktop":
        results.update({"Accu houdt lading": "na", "Touchpad": "na"})
    service.record_quality_check(user, device, results=results, notes=notes)


def _disk_serial(device) -> str:
    """The same disk every time a device is wiped: a changed disk would wait for review."""
    return f"S3{zlib.crc32(device.serial.encode()):08X}"


def _import_log(user, device, day) -> None:
    """The embedded ShredOS log, as if it was written for this device on `day`: its system
    serial and disk are this device's, so the evidence fits what intake recorded."""
    text = DEMO_LOG.read_text(encoding="utf-8")
    text = text.replace("2025/03/01", day.strftime("%Y/%m/%d"))
    text = text.replace("UIT-00017", device.asset_tag)
    text = text.replace("PF0XK2LM", device.serial).replace("S3YJNX0K812345", _disk_serial(device))
    service.import_wipe_log(user, text.encode(), f"nwipe_log_{device.asset_tag}.txt", device)


# When each step happens, in hours after the device came in (it came in 3 or more days ago).
WIPED, INSTALLED, CHECKED, MARKED_READY, CERTIFIED = 26, 50, 60, 61, 70


def _bring_to(user, device, state: str, rng, arrived, first_ready: bool) -> None:
    def then(hours: int):
        return at(arrived + timedelta(hours=hours))

    if state == "intake":
        return
    if state == "wiping":
        with then(WIPED):
            # One failed wipe on record: it must be wiped again before it moves on.
            if rng.random() < 0.6:
                _wipe(user, device, rng, passed=False)
            else:
                service.transition(user, device, "wiping")
        return
    if first_ready:
        # Wiped the day after it came in (the log is in local time), imported the day after.
        with then(INSTALLED - 1):
            _import_log(user, device, (arrived + timedelta(days=1)).astimezone(zone()).date())
    else:
        with then(WIPED):
            _wipe(user, device, rng)
    if state == "wiped":
        return
    with then(INSTALLED):
        _software(user, device, rng)
    if state == "qc":
        return
    with then(CHECKED):
        if state == "repair":
            _check(user, device, failed=("Toetsenbord",), notes="Toetsen Q en W reageren niet")
            return
        if state in ("parts", "recycled"):
            service.transition(user, device, "parts", "Moederbord defect; accu en geheugen bewaard")
            if state == "recycled":
                service.transition(
                    user, device, "recycled", "Naar de milieustraat, schijf vernietigd"
                )
            return
        if state == "lost":
            service.transition(user, device, "lost", "Niet meer gevonden na de verhuizing")
            return
        _check(user, device)
    with then(MARKED_READY):
        service.mark_ready(user, device)


def bring_to_ready(user, device, rng, arrived) -> None:
    """Wipe, install, check and mark ready a device that came in at `arrived` (for the
    loans and reports seeders, whose devices were lent out after this)."""
    _bring_to(user, device, "ready", rng, arrived, first_ready=False)


def seed(demo) -> None:
    user = demo.users["volunteer"]
    rng = demo.rng
    locations = _locations(demo)
    demo.objects["locations"] = locations
    donors = [
        service.create_donor(user, name, organisation, contact, certificate)
        for name, organisation, contact, certificate in DONORS
    ]
    demo.objects["donors"] = donors
    company = donors[0]

    devices = []
    n = 0
    imported = False
    for state, count in PLAN:
        for _ in range(count):
            n += 1
            # The accountancy's laptops are most of the stock that is wiped or further.
            from_company = (
                state in ("wiped", "qc", "ready")
                and n % 4 != 0
                and sum(d.donor_id == company.id for d, _arrived in devices) < 14
            )
            donor = company if from_company else rng.choice(donors[1:])
            location = locations[n % len(locations)]
            arrived = demo.now - timedelta(days=rng.randrange(3, 40), hours=rng.randrange(8))
            with at(arrived):
                device = service.register_device(
                    user, service.DeviceInput(**_data(demo, n, donor, location, from_company))
                )
            first_ready = state == "ready" and not imported
            imported = imported or first_ready
            _bring_to(user, device, state, rng, arrived, first_ready)
            devices.append((device, arrived))

    # Every passed wipe got its certificate number when it started to count; nothing to do
    # for the donors who asked for one but print it.
    db.session.flush()
    demo.objects["devices"] = [device for device, _arrived in devices]
