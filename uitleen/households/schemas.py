"""Household input and output; one input schema serves the API and the HTML form."""

import re
from datetime import date

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from uitleen import clock, validate
from uitleen.households.models import NEEDS, PROOF_KINDS
from uitleen.i18n import SUPPORTED
from uitleen.schemas import PageQuerySchema, Schema, required

# A phone number: an optional + first, then 8 to 15 digits with spaces ( ) . / - between
# them. One pattern, so the OpenAPI document states the same rule the app keeps.
PHONE_PATTERN = r"^\+?(?:[ ()./-]*[0-9]){8,15}[ ()./-]*$"


def form_values(form, checkboxes: tuple[str, ...] = ()) -> dict:
    """An HTML form as schema input: empty fields are None, unticked boxes are false."""
    values = {k: (v if v.strip() else None) for k, v in form.items() if k != "csrf_token"}
    for name in checkboxes:
        values[name] = name in form
    return values


def check_phone(value: str | None) -> None:
    if value is None:
        return
    if not re.fullmatch(PHONE_PATTERN, value):
        raise ma.ValidationError(
            _("Vul een telefoonnummer in met 8 tot 15 cijfers, bijvoorbeeld 06 12345678.")
        )


def check_consent_date(value: date) -> None:
    # The organisation's today: at 00:30 in Amsterdam it is still yesterday in UTC.
    if value > clock.today():
        raise ma.ValidationError(
            _(
                "De datum van toestemming kan niet in de toekomst liggen. "
                "Vul de datum van vandaag in."
            )
        )
    if value.year < 2000:
        raise ma.ValidationError(_("Vul een datum na 2000 in, bijvoorbeeld de datum van vandaag."))


class HouseholdInSchema(Schema):
    """What the intake desk fills in; everything personal is optional."""

    contact_name = ma.fields.String(
        allow_none=True,
        validate=validate.Length(max=120),
        metadata={"description": "optional; erased after the retention period"},
    )
    phone = ma.fields.String(
        allow_none=True,
        validate=check_phone,
        metadata={"description": "optional; 8 to 15 digits", "pattern": PHONE_PATTERN},
    )
    notes = ma.fields.String(allow_none=True, validate=validate.Length(max=2000))
    language = ma.fields.String(
        load_default="nl",
        validate=validate.OneOf(SUPPORTED),
        metadata={"description": "for documents and reminders"},
    )
    household_size = ma.fields.Integer(allow_none=True, validate=validate.Range(min=1, max=30))
    school_children = ma.fields.Integer(allow_none=True, validate=validate.Range(min=0, max=20))
    referral_partner = ma.fields.String(
        allow_none=True,
        validate=validate.Length(max=80),
        metadata={"description": "one of the setting referral_partners, or empty"},
    )
    proof_kind = ma.fields.String(
        required=True,
        validate=validate.OneOf(PROOF_KINDS),
        metadata={"description": "the kind of proof seen; never a copy"},
        error_messages=required(lazy_gettext("Kies welk bewijs u heeft gezien.")),
    )
    consent_date = ma.fields.Date(
        required=True,
        validate=check_consent_date,
        error_messages=required(lazy_gettext("Vul de datum van de toestemming in.")),
    )

    @ma.validates_schema
    def children_fit_household(self, data: dict, **_kwargs) -> None:
        size, children = data.get("household_size"), data.get("school_children")
        if size is not None and children is not None and children > size:
            raise ma.ValidationError(
                _("Er kunnen niet meer schoolgaande kinderen zijn dan mensen in het huishouden."),
                "school_children",
            )


class HouseholdPatchSchema(HouseholdInSchema):
    """Only the fields sent change."""

    language = ma.fields.String(validate=validate.OneOf(SUPPORTED))
    proof_kind = ma.fields.String(validate=validate.OneOf(PROOF_KINDS))
    consent_date = ma.fields.Date(validate=check_consent_date)


class HouseholdOutSchema(Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()
    contact_name = ma.fields.String(allow_none=True)
    phone = ma.fields.String(allow_none=True)
    notes = ma.fields.String(allow_none=True)
    language = ma.fields.String()
    household_size = ma.fields.Integer(allow_none=True)
    school_children = ma.fields.Integer(allow_none=True)
    referral_partner = ma.fields.String()
    proof_kind = ma.fields.String()
    consent_date = ma.fields.Date(allow_none=True)
    created_at = ma.fields.DateTime()
    erased_at = ma.fields.DateTime(allow_none=True)


class HouseholdQuerySchema(PageQuerySchema):
    q = ma.fields.String(
        load_default="", metadata={"description": "part of the code, contact name or phone"}
    )


class WaitingInSchema(Schema):
    need = ma.fields.String(
        required=True,
        validate=validate.OneOf(NEEDS),
        error_messages=required(lazy_gettext("Kies wat het huishouden nodig heeft.")),
    )
    note = ma.fields.String(allow_none=True, validate=validate.Length(max=1000))


class WaitingOutSchema(Schema):
    id = ma.fields.Integer()
    household_id = ma.fields.Integer()
    household_code = ma.fields.Function(lambda entry: entry.household.code)
    need = ma.fields.String()
    note = ma.fields.String()
    created_at = ma.fields.DateTime()
