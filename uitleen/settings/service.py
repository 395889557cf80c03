"""Settings with defaults in one place; stored values override them."""

from flask_babel import gettext as _
from sqlalchemy import func, select

from uitleen.audit.service import record
from uitleen.errors import field_error, found
from uitleen.extensions import db
from uitleen.i18n import clean_translations
from uitleen.settings.models import Location, Setting
from uitleen.settings.signals import checking

DEFAULTS: dict[str, object] = {
    "org_name": "Stichting Digitaal Dichtbij",
    "org_phone": "020 123 4567",
    "org_whatsapp": "+31612345678",
    "org_address": "Buurthuis De Brug, Kerkstraat 1, 1011 AB Amsterdam",
    "loan_months": 12,
    "max_open_loans_per_household": 1,
    "retention_months": 12,
    "loan_due_soon_days": 14,
    "voucher_low_stock": 10,
    # Codes a household may hold at once from one batch (assigned, not yet used or revoked).
    "max_open_vouchers_per_household": 1,
    "help_callback_days": 2,
    # A hardware snapshot fails the storage check above this many reallocated or pending
    # sectors on one disk, and the battery check below this share of design capacity (%).
    "disk_bad_sectors_max": 10,
    "battery_health_min": 50,
    # Help-page texts per language: {lang: {section: {"title": ..., "steps": [...]}}}.
    "help_texts": {},
    "software_checklist": [
        "Kantoorpakket",
        "Webbrowser",
        "Advertentieblokker",
        "Videobellen",
        "PDF-lezer",
        "Nederlandse spellingcontrole en toetsenbord",
        "Automatische updates aan",
        "Toegankelijkheidsinstellingen",
    ],
    "qc_checklist": [
        "Gaat aan",
        "Accu houdt lading",
        "Opslag (schijf)",
        "Scherm",
        "Toetsenbord",
        "Touchpad",
        "Wifi",
        "Bluetooth",
        "Webcam",
        "Microfoon",
        "Luidsprekers",
        "USB-poorten",
        "Lader aanwezig",
    ],
    "referral_partners": [
        "School",
        "Schuldhulp",
        "Taalles",
        "Sociaal wijkteam",
        "Bibliotheek",
    ],
}


def get(key: str):
    """The stored value of a setting, or its default."""
    if key not in DEFAULTS:
        raise KeyError(key)
    row = db.session.get(Setting, key)
    return DEFAULTS[key] if row is None else row.value


def get_many(keys) -> dict:
    keys = list(keys)
    rows = db.session.scalars(select(Setting).where(Setting.key.in_(keys)))
    stored = {row.key: row.value for row in rows}
    return {key: stored.get(key, DEFAULTS[key]) for key in keys}


def put(actor, key: str, value) -> None:
    """Store a setting; a later step that prints it may refuse a value (see signals)."""
    if key not in DEFAULTS:
        raise KeyError(key)
    for _receiver, problem in checking.send(key, value=value):
        if problem:
            raise field_error(key, problem, "does_not_fit")
    row = db.session.get(Setting, key)
    old = DEFAULTS[key] if row is None else row.value
    if row is None:
        db.session.add(Setting(key=key, value=value))
    else:
        row.value = value
    record(actor, "setting.changed", ("setting", key), old=old, new=value)


def locations(active_only: bool = True) -> list[Location]:
    query = select(Location).order_by(Location.name)
    if active_only:
        query = query.where(Location.active.is_(True))
    return list(db.session.scalars(query))


def put_many(actor, values: dict) -> list[str]:
    """Store each changed value (one audit event per change); returns the changed keys."""
    current = get_many(values)
    changed = [key for key, value in values.items() if current[key] != value]
    for key in changed:
        put(actor, key, values[key])
    return changed


def put_help_texts(actor, lang: str, sections: dict) -> list[str]:
    """Own help-page texts for one language; no sections restores the shipped defaults."""
    texts = dict(get("help_texts") or {})
    if sections:
        texts[lang] = sections
    else:
        texts.pop(lang, None)
    return put_many(actor, {"help_texts": texts})


def get_location(location_id: int) -> Location:
    return found(Location, location_id, _("Deze locatie bestaat niet."))


def _check_location_name(name: str, location_id: int | None = None) -> None:
    query = select(Location.id).where(func.lower(Location.name) == name.strip().lower())
    if location_id is not None:
        query = query.where(Location.id != location_id)
    if db.session.scalar(query) is not None:
        raise field_error(
            "name", _("Er is al een locatie met deze naam. Kies een andere naam."), "name_taken"
        )


def create_location(
    actor,
    name: str,
    address: str = "",
    walk_in_hours: str = "",
    phone: str = "",
    walk_in_hours_translations: dict[str, str] | None = None,
) -> Location:
    """A new location; the name must be unique (without regard to capitals)."""
    _check_location_name(name)
    location = Location(
        name=name.strip(),
        address=address,
        walk_in_hours=walk_in_hours,
        phone=phone,
        walk_in_hours_translations=clean_translations(walk_in_hours_translations),
    )
    db.session.add(location)
    db.session.flush()
    record(actor, "location.created", location, name=location.name)
    return location


LOCATION_FIELDS = ("name", "address", "walk_in_hours", "phone", "walk_in_hours_translations")


def update_location(actor, location: Location, **fields) -> Location:
    """Change a location's name, address, walk-in hours or phone; logs what changed."""
    if "name" in fields:
        fields["name"] = fields["name"].strip()
        _check_location_name(fields["name"], location.id)
    if "walk_in_hours_translations" in fields:
        fields["walk_in_hours_translations"] = clean_translations(
            fields["walk_in_hours_translations"]
        )
    changes = {}
    for key in LOCATION_FIELDS:
        if key in fields and getattr(location, key) != fields[key]:
            changes[key] = {"old": getattr(location, key), "new": fields[key]}
            setattr(location, key, fields[key])
    if changes:
        record(actor, "location.updated", location, changes=changes)
    return location


def set_location_active(actor, location: Location, active: bool) -> Location:
    """Deactivate a location (kept for history) or bring it back."""
    if location.active != active:
        location.active = active
        record(actor, "location.activated" if active else "location.deactivated", location)
    return location
