"""Settings with defaults in one place; stored values override them."""

from sqlalchemy import select

from uitleen.audit.service import record
from uitleen.extensions import db
from uitleen.settings.models import Location, Setting

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
    "help_callback_days": 2,
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
    if key not in DEFAULTS:
        raise KeyError(key)
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


def add_location(actor, name: str, address: str = "", walk_in_hours: str = "", phone: str = ""):
    location = Location(name=name, address=address, walk_in_hours=walk_in_hours, phone=phone)
    db.session.add(location)
    db.session.flush()
    record(actor, "location.created", location, name=name)
    return location
