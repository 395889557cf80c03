"""Input schemas of the settings pages and API: one schema per form, errors per field."""

import re

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from uitleen import validate
from uitleen.i18n import DEFAULT, SUPPORTED
from uitleen.schemas import Schema, TrimmedSchema, required, required_text
from uitleen.settings.helptexts import SECTION_KEYS

# An optional + first, then at least 6 digits with spaces ( ) - between them; at most 24
# characters (the field's Length). Stated as the field's pattern in the OpenAPI document.
PHONE = r"^\+?(?:[ ()-]*[0-9]){6,}[ ()-]*$"


def _phone(value: str) -> None:
    if value and not re.fullmatch(PHONE, value):
        raise ma.ValidationError(
            _("Vul een telefoonnummer in met cijfers, bijvoorbeeld 020 123 4567 of +31 6 12345678.")
        )


def _whole(minimum: int, maximum: int, missing) -> ma.fields.Integer:
    return ma.fields.Integer(
        required=True,
        strict=False,
        validate=validate.Range(minimum, maximum),
        error_messages=required(missing),
    )


class GeneralSettingsSchema(TrimmedSchema):
    """Organisation, loan defaults, retention and the voucher threshold."""

    org_name = required_text(lazy_gettext("Vul de naam van de organisatie in."), 120)
    org_phone = ma.fields.String(
        required=True,
        validate=[validate.Length(1, 24), _phone],
        metadata={"pattern": PHONE},
        error_messages=required(lazy_gettext("Vul het telefoonnummer in.")),
    )
    org_whatsapp = ma.fields.String(
        load_default="",
        validate=[validate.Length(0, 24), _phone],
        metadata={"pattern": f"^$|{PHONE}"},
    )
    org_address = ma.fields.String(load_default="", validate=validate.Length(0, 255))
    loan_months = _whole(1, 60, lazy_gettext("Vul in hoeveel maanden een lening duurt."))
    max_open_loans_per_household = _whole(
        1, 10, lazy_gettext("Vul in hoeveel apparaten een huishouden tegelijk mag lenen.")
    )
    loan_due_soon_days = _whole(
        1, 90, lazy_gettext("Vul in hoeveel dagen van tevoren een lening bijna terug moet.")
    )
    retention_months = _whole(1, 120, lazy_gettext("Vul in hoeveel maanden we gegevens bewaren."))
    voucher_low_stock = _whole(
        0, 100_000, lazy_gettext("Vul in bij hoeveel codes de voorraad bijna op is.")
    )
    # Optional, so API clients written before it keep working; the form always sends it.
    max_open_vouchers_per_household = ma.fields.Integer(
        strict=False, validate=validate.Range(1, 10)
    )
    help_callback_days = _whole(1, 30, lazy_gettext("Vul in binnen hoeveel dagen we terugbellen."))
    # Limits for hardware snapshots; optional like the one above.
    disk_bad_sectors_max = ma.fields.Integer(strict=False, validate=validate.Range(0, 100_000))
    battery_health_min = ma.fields.Integer(strict=False, validate=validate.Range(0, 100))


def _item_list(what: str, missing) -> ma.fields.List:
    return ma.fields.List(
        ma.fields.String(validate=validate.Length(1, 80)),
        required=True,
        error_messages=required(missing),
        validate=validate.Length(1, 50),
        metadata={"description": f"{what}, one entry per item"},
    )


class ListsSchema(Schema):
    """Checklists and referral partners; a form sends them as one item per line."""

    software_checklist = _item_list(
        "software checklist", lazy_gettext("Vul minstens één onderdeel van de softwarelijst in.")
    )
    qc_checklist = _item_list(
        "quality-check checklist",
        lazy_gettext("Vul minstens één onderdeel van de controlelijst in."),
    )
    referral_partners = _item_list(
        "referral partners", lazy_gettext("Vul minstens één doorverwijzer in.")
    )

    @ma.pre_load
    def split_lines(self, data, **_kwargs):
        """Text from a textarea becomes a list; blank lines and edge spaces are dropped."""
        if not isinstance(data, dict):
            return data  # marshmallow answers "Invalid input type"
        out = dict(data)
        for key in ("software_checklist", "qc_checklist", "referral_partners"):
            value = out.get(key)
            if isinstance(value, str):
                value = value.splitlines()
            if isinstance(value, list):
                out[key] = [v.strip() for v in value if isinstance(v, str) and v.strip()]
        return out

    @ma.validates_schema(skip_on_field_errors=False)
    def no_duplicates(self, data, **_kwargs):
        errors = {}
        for key, items in data.items():
            seen, doubles = set(), []
            for item in items:
                if item.lower() in seen:
                    doubles.append(item)
                seen.add(item.lower())
            if doubles:
                errors[key] = [
                    _("Deze staan er twee keer in: %(items)s.", items=", ".join(doubles))
                ]
        if errors:
            raise ma.ValidationError(errors)


class LocationSchema(TrimmedSchema):
    name = required_text(lazy_gettext("Vul de naam van de locatie in."), 120)
    address = ma.fields.String(load_default="", validate=validate.Length(0, 255))
    walk_in_hours = ma.fields.String(load_default="", validate=validate.Length(0, 1000))
    phone = ma.fields.String(
        load_default="",
        validate=[validate.Length(0, 24), _phone],
        metadata={"pattern": f"^$|{PHONE}"},
    )
    # The walk-in hours in each household language but Dutch (the field above). The form
    # posts them as walk_in_hours_<code>; the API as this one object.
    walk_in_hours_translations = ma.fields.Nested(
        Schema.from_dict(
            {
                code: ma.fields.String(validate=validate.Length(0, 1000))
                for code in SUPPORTED
                if code != DEFAULT
            }
        ),
        load_default=dict,
    )

    @ma.pre_load
    def gather_translations(self, data, **_kwargs):
        """The form posts walk_in_hours_<code> fields; the API sends one object."""
        if not isinstance(data, dict):
            return data  # marshmallow answers "Invalid input type"
        data = dict(data)
        form_fields = {
            code: str(data.pop(f"walk_in_hours_{code}")).strip()
            for code in SUPPORTED
            if f"walk_in_hours_{code}" in data
        }
        if form_fields and "walk_in_hours_translations" not in data:
            data["walk_in_hours_translations"] = form_fields
        return data


class LocationOutSchema(LocationSchema):
    id = ma.fields.Integer()
    active = ma.fields.Boolean()


MAX_STEPS = 12


class HelpSectionSchema(Schema):
    title = required_text(lazy_gettext("Geef dit onderdeel een titel."), 80)
    steps = ma.fields.List(
        ma.fields.String(validate=validate.Length(1, 300)),
        required=True,
        validate=validate.Length(1, MAX_STEPS),
        error_messages=required(lazy_gettext("Schrijf minstens één stap, één per regel.")),
    )


class HelpTextsSchema(Schema):
    """Own texts for one language: per section a title and steps, or nothing (the default).

    The form posts <section>.title and <section>.steps (one step per line); a section
    left completely empty keeps the text that ships with the app.
    """

    # One field per section, so the document names the sections the app knows.
    sections = ma.fields.Nested(
        Schema.from_dict(
            {key: ma.fields.Nested(HelpSectionSchema) for key in SECTION_KEYS},
            name="HelpSectionsSchema",
        ),
        load_default=dict,
        metadata={"description": "per section (" + ", ".join(SECTION_KEYS) + "): title and steps"},
    )

    @ma.pre_load
    def from_form(self, data, **_kwargs):
        if not isinstance(data, dict):
            return data  # marshmallow answers "Invalid input type"
        if "sections" in data:
            return data
        sections, errors = {}, {}
        for key in SECTION_KEYS:
            title = (data.get(f"{key}.title") or "").strip()
            lines = (data.get(f"{key}.steps") or "").splitlines()
            steps = [line.strip() for line in lines if line.strip()]
            if title and steps:
                sections[key] = {"title": title, "steps": steps}
            elif title:
                errors[f"{key}.steps"] = [_("Schrijf minstens één stap, één per regel.")]
            elif steps:
                errors[f"{key}.title"] = [_("Geef dit onderdeel een titel.")]
        if errors:
            raise ma.ValidationError(errors)
        return {"sections": sections}
