"""Loan input and output; one input schema per action serves the API and the HTML form."""

import re
from decimal import Decimal, InvalidOperation

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_babel import lazy_gettext as _l

from uitleen import validate
from uitleen.loans.models import KINDS, OUTCOMES
from uitleen.loans.service import CLOSE_OUTCOMES, FILTERS
from uitleen.schemas import ID_RANGE, PageQuerySchema, Schema, required, required_text

MAX_DEPOSIT_CENTS = 100_000
# What the API takes as a deposit: 0 to 1000 euro, a comma or point before the cents.
DEPOSIT = r"^(1000([.,]00?)?|[0-9]{1,3}([.,][0-9]{1,2})?)$"


class Euros(ma.fields.Field):
    """An amount in euros as people type it ("25", "25,00", "€ 7.50"), loaded as cents."""

    def _deserialize(self, value, attr, data, **kwargs) -> int:
        text = re.sub(r"[€\s]", "", str(value)).replace(",", ".")
        try:
            amount = Decimal(text)
            if not amount.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise ma.ValidationError(
                _("Vul een bedrag in euro in, bijvoorbeeld 25 of 25,00.")
            ) from None
        cents = amount * 100
        if cents != cents.to_integral_value() or not 0 <= cents <= MAX_DEPOSIT_CENTS:
            raise ma.ValidationError(
                _("Vul een bedrag in van 0 tot 1000 euro, met hoogstens twee cijfers na de komma.")
            )
        return int(cents)

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else f"{Decimal(value) / 100:.2f}"


class IssueSchema(Schema):
    device = required_text(
        lazy_gettext("Vul het apparaat in: het nummer (UIT-00042) of scan het label."),
        300,
        metadata={"description": "asset tag (UIT-00042), or the label's scanned URL or token"},
    )
    household = required_text(
        lazy_gettext("Vul de code van het huishouden in, bijvoorbeeld HH-7Q4K."),
        20,
        metadata={"description": "household code, e.g. HH-7KQ2M"},
    )
    kind = ma.fields.String(load_default="loan", validate=validate.OneOf(KINDS))
    due_date = ma.fields.Date(
        allow_none=True, metadata={"description": "loans only; default: loan_months from today"}
    )
    deposit = Euros(
        allow_none=True,
        metadata={
            "type": "string",
            "pattern": DEPOSIT,
            "pattern_message": _l(
                "Vul een bedrag in van 0 tot 1000 euro, met hoogstens twee cijfers na de komma."
            ),
            "example": "25,00",
            "description": "deposit in euros, 0 to 1000, e.g. 25 or 25,00; loans only",
        },
    )
    note = ma.fields.String(allow_none=True, validate=validate.Length(max=2000))


class ExtendSchema(Schema):
    due_date = ma.fields.Date(
        required=True, error_messages=required(lazy_gettext("Vul de nieuwe terugbrengdatum in."))
    )
    note = ma.fields.String(allow_none=True, validate=validate.Length(max=2000))


class ReturnSchema(Schema):
    condition = ma.fields.String(
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "the device's condition on return, for the workshop"},
    )
    charger_returned = ma.fields.Boolean(load_default=False)
    deposit_refunded = ma.fields.Boolean(load_default=False)
    note = ma.fields.String(allow_none=True, validate=validate.Length(max=2000))


class CloseSchema(Schema):
    outcome = ma.fields.String(
        required=True,
        validate=validate.OneOf(tuple(CLOSE_OUTCOMES)),
        error_messages=required(lazy_gettext("Kies wat er is gebeurd.")),
    )
    note = required_text(lazy_gettext("Vul in wat er is gebeurd."), 2000)
    deposit_refunded = ma.fields.Boolean(load_default=False)


class LoanQuerySchema(PageQuerySchema):
    status = ma.fields.String(load_default="open", validate=validate.OneOf(FILTERS))
    household_id = ma.fields.Integer(load_default=None, validate=ID_RANGE)
    device = ma.fields.String(
        load_default=None, metadata={"description": "asset tag or scanned label of one device"}
    )


class LoanOutSchema(Schema):
    """For the intake desk and coordinators only: names the household by its code."""

    id = ma.fields.Integer()
    kind = ma.fields.String(validate=validate.OneOf(KINDS))
    device_id = ma.fields.Integer()
    asset_tag = ma.fields.Function(lambda loan: loan.device.asset_tag)
    household_id = ma.fields.Integer()
    household_code = ma.fields.Function(lambda loan: loan.household.code)
    issued_by_id = ma.fields.Integer(allow_none=True)
    issued_at = ma.fields.DateTime()
    due_date = ma.fields.Date(allow_none=True)
    deposit_cents = ma.fields.Integer(allow_none=True)
    deposit_refunded = ma.fields.Boolean(allow_none=True)
    returned_at = ma.fields.DateTime(allow_none=True)
    return_condition = ma.fields.String()
    charger_returned = ma.fields.Boolean(allow_none=True)
    closed_at = ma.fields.DateTime(allow_none=True)
    outcome = ma.fields.String(allow_none=True, validate=validate.OneOf(OUTCOMES))
    notes = ma.fields.String()


class ReminderSchema(Schema):
    loan_id = ma.fields.Function(lambda r: r.loan.id)
    asset_tag = ma.fields.Function(lambda r: r.loan.device.asset_tag)
    household_code = ma.fields.Function(lambda r: r.loan.household.code)
    due_date = ma.fields.Function(lambda r: r.loan.due_date.isoformat())
    overdue = ma.fields.Boolean()
    days = ma.fields.Integer(metadata={"description": "days late, or days left"})
    text = ma.fields.String(metadata={"description": "in the household's language"})
    language = ma.fields.String(metadata={"description": "the language of text"})
    tel_url = ma.fields.String(allow_none=True)
    whatsapp_url = ma.fields.String(allow_none=True)
