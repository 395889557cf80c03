"""Donors, taking a device in, editing it, and the duplicate-serial rule."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import case, select

from uitleen.audit.service import record
from uitleen.auth.models import User
from uitleen.db import utcnow
from uitleen.devices.models import (
    Device,
    Donor,
    serial_key,
)
from uitleen.devices.service.counters import ASSET_TAG_COUNTER, assign_token, reserve
from uitleen.devices.tags import format_tag
from uitleen.errors import Conflict, field_error, found
from uitleen.extensions import db
from uitleen.settings.models import Location


def donors() -> list[Donor]:
    return list(db.session.scalars(select(Donor).order_by(Donor.name)))


def create_donor(
    actor: User | None,
    name: str,
    is_organisation: bool = False,
    contact: str = "",
    wants_certificate=False,
) -> Donor:
    if not name.strip():
        raise field_error("new_donor_name", _("Vul de naam van de gever in."))
    donor = Donor(
        name=name.strip(),
        is_organisation=is_organisation,
        contact=contact.strip(),
        wants_certificate=wants_certificate,
    )
    db.session.add(donor)
    db.session.flush()
    record(actor, "donor.created", donor, name=donor.name, organisation=is_organisation)
    return donor


@dataclass(frozen=True)
class DeviceInput:
    """A device as intake and edit take it (the fields of DeviceInSchema).

    An edit changes only the fields in `sent`: a PATCH names a few, the form all.
    """

    make: str = ""
    model: str = ""
    kind: str = "laptop"
    serial: str = ""
    cpu: str = ""
    ram_gb: int | None = None
    storage_gb: int | None = None
    storage_type: str | None = ""
    battery_health: int | None = None
    screen_inches: float | None = None
    os_licence: str = ""
    condition_grade: str = "B"
    condition_notes: str = ""
    notes: str = ""
    donor_id: int | None = None
    new_donor_name: str = ""
    new_donor_is_organisation: bool = False
    new_donor_contact: str = ""
    new_donor_wants_certificate: bool = False
    location_id: int | None = None
    confirm_duplicate: bool = False
    duplicate_reason: str = ""
    sent: frozenset[str] = frozenset()

    @classmethod
    def from_data(cls, data: dict) -> DeviceInput:
        """The schema's output; the fields it holds are the ones sent."""
        return cls(**data, sent=frozenset(data))

    def specs(self, only_sent: bool = False) -> dict:
        """The device's own columns: all that have a value, or (an edit) those sent."""
        if only_sent:
            return {key: getattr(self, key) for key in DEVICE_FIELDS if key in self.sent}
        return {key: getattr(self, key) for key in DEVICE_FIELDS if getattr(self, key) is not None}


def _donor_for(actor: User | None, entry: DeviceInput) -> Donor | None:
    """An existing donor by id, or a new one from the new_donor_* fields."""
    if entry.donor_id:
        donor = db.session.get(Donor, entry.donor_id)
        if donor is None:
            raise field_error(
                "donor_id", _("Deze gever bestaat niet. Kies een gever uit de lijst.")
            )
        return donor
    if (entry.new_donor_name or "").strip():
        return create_donor(
            actor,
            entry.new_donor_name,
            bool(entry.new_donor_is_organisation),
            entry.new_donor_contact or "",
            bool(entry.new_donor_wants_certificate),
        )
    return None


def _location(location_id: int | None) -> Location | None:
    if not location_id:
        return None
    location = db.session.get(Location, location_id)
    if location is None:
        raise field_error("location_id", _("Deze locatie bestaat niet. Kies een locatie."))
    return location


# The specs a machine can tell about itself (a hardware snapshot), then what people add.
SPEC_FIELDS = (
    "kind",
    "make",
    "model",
    "serial",
    "cpu",
    "ram_gb",
    "storage_gb",
    "storage_type",
    "battery_health",
)
DEVICE_FIELDS = SPEC_FIELDS + (
    "screen_inches",
    "os_licence",
    "condition_grade",
    "condition_notes",
    "notes",
)


class SameSerial(Conflict):
    """The serial is another device's (`existing`); said at the serial field, in the words
    of the subclass (which may name the device's make, serial and tag)."""

    says = ""

    def __init__(self, existing: Device):
        facts = {"make": existing.make, "serial": existing.serial, "tag": existing.asset_tag}
        message = str(self.says) % facts
        super().__init__(message, errors={"serial": [message]})
        self.existing = existing


class DuplicateSerial(SameSerial):
    """Another device already has this serial: the same laptop, unless the user says why not."""

    code = "duplicate_serial"
    says = lazy_gettext(
        "Er staat al een %(make)s met serienummer %(serial)s in het systeem: %(tag)s. "
        "Open dat apparaat en kijk of het hetzelfde is. Is het echt een ander apparaat, "
        "vink dan ‘Dit is echt een ander apparaat’ aan en zeg waarom."
    )


class SerialOnLoan(SameSerial):
    """The serial belongs to a device that is out on loan: it is that device, come back."""

    code = "serial_on_loan"
    says = lazy_gettext(
        "Serienummer %(serial)s hoort bij %(tag)s, en dat apparaat is nu uitgeleend. "
        "Het is dus hetzelfde apparaat: registreer het niet opnieuw. Laat de balie het "
        "terugnemen via de uitlening; daarna gaat het weer door de werkplaats."
    )


def normalise_serial(serial: str) -> str:
    return "".join(serial.split()).upper()


def find_same_serial(serial: str, exclude_id: int | None = None) -> Device | None:
    """A device with this serial, whatever its make is spelled as; one on loan first.

    The make is not compared: "HP", "Hewlett-Packard" and "HP Inc." are one maker, and a
    serial shared by two makers is rare enough that asking once costs less than missing
    a laptop that came back under another spelling.
    """
    key = serial_key(serial)
    if not key:
        return None
    query = select(Device).where(Device.serial_key == key)
    if exclude_id is not None:
        query = query.where(Device.id != exclude_id)
    on_loan = case((Device.state == "on_loan", 0), else_=1)
    return db.session.scalars(query.order_by(on_loan, Device.id).limit(1)).first()


def _check_duplicate(entry: DeviceInput, serial: str, exclude_id: int | None = None) -> str:
    """Refuse a serial another device has while that one is on loan; otherwise ask the user
    to confirm it is another device, and why."""
    existing = find_same_serial(serial, exclude_id)
    if existing is None:
        return ""
    if existing.state == "on_loan":
        raise SerialOnLoan(existing)
    if not entry.confirm_duplicate:
        raise DuplicateSerial(existing)
    reason = (entry.duplicate_reason or "").strip()
    if not reason:
        raise field_error(
            "duplicate_reason",
            _(
                "Zeg kort waarom dit een ander apparaat is dan %(tag)s, bijvoorbeeld "
                "‘serienummer op de sticker is anders’.",
                tag=existing.asset_tag,
            ),
        )
    return existing.asset_tag


def register_device(actor: User | None, entry: DeviceInput) -> Device:
    """Intake of one donated device: tag, token and QR matrix, donor, location."""
    values = entry.specs()
    values["serial"] = normalise_serial(values.get("serial", ""))
    values["make"] = (values.get("make") or "").strip()
    same_as = _check_duplicate(entry, values["serial"])
    donor = _donor_for(actor, entry)
    location = _location(entry.location_id)
    now = utcnow()
    device = Device(
        **values,
        asset_tag=format_tag(reserve(ASSET_TAG_COUNTER)),
        donor=donor,
        location=location,
        state="intake",
        state_changed_at=now,
        cycle_started_at=now,
        created_at=now,
    )
    assign_token(device)
    db.session.add(device)
    db.session.flush()
    details = {"asset_tag": device.asset_tag, "make": device.make, "model": device.model}
    if same_as:
        details |= {"same_serial_as": same_as, "reason": entry.duplicate_reason.strip()}
    record(actor, "device.registered", device, **details)
    return device


def update_device(actor: User | None, device: Device, entry: DeviceInput) -> Device:
    """Change specs, donor or location; the audit event lists what changed."""
    changes = {}
    new = entry.specs(only_sent=True)
    if "serial" in new:
        new["serial"] = normalise_serial(new["serial"] or "")
    serial = new.get("serial", device.serial)
    if serial_key(serial) != device.serial_key:
        same_as = _check_duplicate(entry, serial, exclude_id=device.id)
        if same_as:
            changes["same_serial_as"] = same_as
    for key, value in new.items():
        value = "" if value is None and isinstance(getattr(device, key), str) else value
        if getattr(device, key) != value:
            changes[key] = [getattr(device, key), value]
            setattr(device, key, value)
    if "donor_id" in entry.sent or entry.new_donor_name:
        donor = _donor_for(actor, entry)
        if donor is not device.donor:
            changes["donor"] = [
                device.donor.name if device.donor else None,
                getattr(donor, "name", None),
            ]
            device.donor = donor
    if "location_id" in entry.sent:
        location = _location(entry.location_id)
        if location is not device.location:
            old = device.location.name if device.location else None
            changes["location"] = [old, location.name if location else None]
            device.location = location
    if changes:
        record(actor, "device.updated", device, changes=changes)
    db.session.flush()
    return device


def get_device(device_id: int) -> Device:
    return found(Device, device_id, _("Dit apparaat bestaat niet."), "device_not_found")


def device_by_tag(tag: str) -> Device | None:
    return db.session.scalars(select(Device).where(Device.asset_tag == tag)).first()
