"""Voucher schemas: one per input (API and form alike), and outputs that mask codes.

Only AssignedVoucherSchema and RevealedCodeSchema carry a code in full.
"""

import marshmallow as ma
from flask_babel import lazy_gettext
from flask_smorest.fields import Upload

from uitleen import validate
from uitleen.extensions import db
from uitleen.households.models import Household
from uitleen.i18n import SUPPORTED
from uitleen.schemas import ID_RANGE, Schema, required, required_text
from uitleen.vouchers.models import STATUSES
from uitleen.vouchers.service import mask, steps_for

STEPS_HELP = (
    "Per language code (nl required; en, ar, tr, pl, uk optional): plain text, one step per line."
)


# 0 to 10000 euro with at most two decimals, as text: what the API takes, exactly.
EURO = r"^(10000(\.00?)?|[0-9]{1,4}(\.[0-9]{1,2})?)$"


def _euro_amount(value) -> None:
    if not 0 <= value <= 10000:
        raise ma.ValidationError(str(lazy_gettext("Vul een bedrag in van 0 tot 10000 euro.")))


class BatchInSchema(Schema):
    provider = required_text(lazy_gettext("Vul de aanbieder in."), 120)
    product = required_text(
        lazy_gettext("Vul het product in."),
        200,
        metadata={"description": "What the household gets, e.g. 'Prepaid SIM, 20 GB per maand'"},
    )
    months = ma.fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(min=1, max=60)
    )
    value = ma.fields.Decimal(
        load_default=None,
        allow_none=True,
        places=2,
        as_string=True,
        # A plain function, not Range: apispec would print a Decimal bound as a string,
        # which makes the OpenAPI document invalid.
        validate=_euro_amount,
        metadata={
            "description": "Value in euro from 0 to 10000, e.g. '120.00'",
            "type": "string",
            "pattern": EURO,
            "pattern_message": lazy_gettext("Vul een bedrag in van 0 tot 10000 euro."),
        },
    )
    expires_on = ma.fields.Date(
        required=True, error_messages=required(lazy_gettext("Vul de vervaldatum in."))
    )
    product_translations = ma.fields.Nested(
        Schema.from_dict(
            {
                lang: ma.fields.String(validate=validate.Length(max=200))
                for lang in SUPPORTED
                if lang != "nl"
            },
            name="ProductTranslationsSchema",
        ),
        load_default=dict,
        metadata={"description": "The product in each household language but Dutch"},
    )
    # One field per language, so the document names the languages it takes.
    activation_steps = ma.fields.Nested(
        Schema.from_dict(
            {lang: ma.fields.String(validate=validate.Length(max=3000)) for lang in SUPPORTED},
            name="ActivationStepsSchema",
        ),
        required=True,
        metadata={"description": STEPS_HELP},
        error_messages=required(lazy_gettext("Vul de stappen in om de voucher te gebruiken.")),
    )

    @ma.validates_schema
    def months_or_value(self, data, **_kwargs):
        if data.get("months") is None and data.get("value") is None:
            raise ma.ValidationError(
                str(lazy_gettext("Vul het aantal maanden in, of de waarde in euro.")), "months"
            )


class BatchOutSchema(Schema):
    id = ma.fields.Integer()
    provider = ma.fields.String()
    product = ma.fields.String()
    months = ma.fields.Integer(allow_none=True)
    value = ma.fields.Method("_value", metadata={"description": "euro, or null"})
    expires_on = ma.fields.Date()
    activation_steps = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String())
    )
    product_translations = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    created_at = ma.fields.DateTime()

    def _value(self, batch):
        return None if batch.value_cents is None else f"{batch.value_cents / 100:.2f}"


class StockSchema(Schema):
    available = ma.fields.Integer()
    assigned = ma.fields.Integer()
    redeemed = ma.fields.Integer()
    revoked = ma.fields.Integer()
    expired_codes = ma.fields.Integer()
    total = ma.fields.Integer()
    expired = ma.fields.Boolean(metadata={"description": "the batch is past its expiry date"})
    low_stock = ma.fields.Boolean(metadata={"description": "fewer codes left than the setting"})


class BatchWithStockSchema(BatchOutSchema):
    """Dumps a service.BatchWithStock: the stock is counted by the service, not here."""

    stock = ma.fields.Nested(StockSchema, metadata={"description": "codes per status"})


class ImportFileSchema(Schema):
    file = Upload(
        required=True,
        metadata={"description": "CSV (a 'code' column, or the first) or text, one code a line"},
        error_messages=required(lazy_gettext("Kies eerst een bestand met codes.")),
    )


class ImportReportSchema(Schema):
    added = ma.fields.Integer()
    duplicates_in_file = ma.fields.Integer()
    already_known = ma.fields.Integer()


class VoucherQuerySchema(Schema):
    batch_id = ma.fields.Integer(load_default=None, validate=ID_RANGE)
    household_id = ma.fields.Integer(load_default=None, validate=ID_RANGE)
    status = ma.fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    after = ma.fields.Integer(
        load_default=None,
        validate=ID_RANGE,
        metadata={"description": "id of the last item of the previous page"},
    )
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))


class VoucherOutSchema(Schema):
    """A voucher with its code masked: what every list and detail shows."""

    id = ma.fields.Integer()
    batch_id = ma.fields.Integer()
    code_masked = ma.fields.Function(lambda v: mask(v.code))
    status = ma.fields.String()
    household_id = ma.fields.Integer(allow_none=True)
    loan_id = ma.fields.Integer(allow_none=True)
    assigned_at = ma.fields.DateTime(allow_none=True)
    assigned_by_id = ma.fields.Integer(allow_none=True)
    redeemed_at = ma.fields.DateTime(allow_none=True)
    revoked_at = ma.fields.DateTime(allow_none=True)
    note = ma.fields.String()


class AssignedVoucherSchema(VoucherOutSchema):
    """The answer to an assignment: the only response that carries the code in full."""

    code = ma.fields.String()
    provider = ma.fields.Function(lambda v: v.batch.provider)
    product = ma.fields.Function(lambda v: v.batch.product)
    expires_on = ma.fields.Function(lambda v: v.batch.expires_on.isoformat())
    activation_steps = ma.fields.Method("_steps")

    def _steps(self, voucher):
        household = db.session.get(Household, voucher.household_id)
        return steps_for(voucher.batch, household.language if household else "nl")


class RevealedCodeSchema(Schema):
    id = ma.fields.Integer()
    code = ma.fields.String()


class AssignInSchema(Schema):
    batch_id = ma.fields.Integer(
        required=True, validate=ID_RANGE, error_messages=required(lazy_gettext("Kies een partij."))
    )
    household_id = ma.fields.Integer(load_default=None, allow_none=True, validate=ID_RANGE)
    household_code = ma.fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=16),
        metadata={"description": "instead of household_id: the household's code"},
    )
    loan_id = ma.fields.Integer(load_default=None, allow_none=True, validate=ID_RANGE)

    @ma.validates_schema
    def one_household(self, data, **_kwargs):
        if data.get("household_id") is None and not (data.get("household_code") or "").strip():
            raise ma.ValidationError(
                str(lazy_gettext("Vul de code van het huishouden in, bijvoorbeeld HH-7Q4K.")),
                "household_code",
            )


class RedeemInSchema(Schema):
    note = ma.fields.String(load_default="", validate=validate.Length(max=1000))


class RevokeInSchema(Schema):
    note = required_text(lazy_gettext("Vul de reden in."), 1000)


# As the funder report: a longer period only makes one request take minutes.
MAX_REPORT_DAYS = 5 * 366


class ReportQuerySchema(Schema):
    start = ma.fields.Date(
        required=True, error_messages=required(lazy_gettext("Vul de begindatum in."))
    )
    end = ma.fields.Date(
        required=True,
        metadata={"description": "at most five years after start"},
        error_messages=required(lazy_gettext("Vul de einddatum in.")),
    )

    @ma.validates_schema
    def not_too_long(self, data, **_kwargs):
        start, end = data.get("start"), data.get("end")
        if start and end and (end - start).days > MAX_REPORT_DAYS:
            raise ma.ValidationError(
                str(lazy_gettext("Kies een periode van hoogstens vijf jaar.")), "end"
            )


class ReportRowSchema(Schema):
    key = ma.fields.String()
    issued = ma.fields.Integer()
    redeemed = ma.fields.Integer()


class IssuedReportSchema(Schema):
    start = ma.fields.Date()
    end = ma.fields.Date()
    total = ma.fields.Integer()
    redeemed = ma.fields.Integer()
    by_month = ma.fields.List(ma.fields.Nested(ReportRowSchema))
    by_provider = ma.fields.List(ma.fields.Nested(ReportRowSchema))
    by_referral_partner = ma.fields.List(ma.fields.Nested(ReportRowSchema))
