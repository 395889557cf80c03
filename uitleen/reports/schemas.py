"""Input and output schemas of the reports: one period schema serves the page and the API."""

import re

import marshmallow as ma
from flask_babel import gettext as _

from uitleen.reports.service import Period
from uitleen.schemas import Schema

MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_DAYS = 5 * 366


class PeriodQuerySchema(Schema):
    """A period as from/to dates (inclusive), or a month as YYYY-MM."""

    start = ma.fields.Date(data_key="from", load_default=None)
    end = ma.fields.Date(data_key="to", load_default=None)
    month = ma.fields.String(load_default=None)

    @ma.validates("month")
    def check_month(self, value, **_kwargs):
        if value and not MONTH.match(value):
            raise ma.ValidationError(_("Kies een maand als JJJJ-MM, bijvoorbeeld 2026-03."))

    @ma.validates_schema
    def check_order(self, data, **_kwargs):
        start, end = data.get("start"), data.get("end")
        if (start is None) != (end is None):
            field = "to" if end is None else "from"
            raise ma.ValidationError(_("Vul zowel de begin- als de einddatum in."), field)
        if start and end and start > end:
            raise ma.ValidationError(_("De einddatum ligt vóór de begindatum."), "to")
        if start and end and (end - start).days > MAX_DAYS:
            raise ma.ValidationError(_("Kies een periode van hoogstens vijf jaar."), "to")


def period_from(data: dict, default: Period) -> Period:
    """The Period a loaded PeriodQuerySchema asks for; the default when it asks nothing."""
    if data.get("month"):
        year, month = (int(part) for part in data["month"].split("-"))
        return Period.month(year, month)
    if data.get("start"):
        return Period(data["start"], data["end"])
    return default


class DevicesSchema(Schema):
    received = ma.fields.Integer()
    wiped = ma.fields.Integer()
    issued = ma.fields.Integer()
    returned = ma.fields.Integer()
    recycled = ma.fields.Integer()


PAIRS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"name": {"type": "string"}, "count": {"type": "integer"}},
    },
}


def _pairs(attribute: str):
    """(name, count) pairs as a list of {"name", "count"} objects."""
    return ma.fields.Function(
        lambda obj: [{"name": k, "count": n} for k, n in getattr(obj, attribute)],
        metadata=PAIRS,
    )


class ReportSchema(Schema):
    start = ma.fields.Function(lambda r: r.period.start.isoformat(), data_key="from")
    end = ma.fields.Function(lambda r: r.period.end.isoformat(), data_key="to")
    devices = ma.fields.Nested(DevicesSchema)
    households_served = ma.fields.Integer()
    households_new = ma.fields.Integer()
    per_partner = _pairs("per_partner")
    per_language = _pairs("per_language")
    vouchers_per_provider = _pairs("vouchers_per_provider")
    help_per_category = _pairs("help_per_category")


class BatchStockSchema(Schema):
    id = ma.fields.Integer()
    provider = ma.fields.String()
    product = ma.fields.String()
    expires_on = ma.fields.Date()
    left = ma.fields.Integer()
    total = ma.fields.Integer()
    low = ma.fields.Boolean()


class DashboardSchema(Schema):
    stock = _pairs("stock")
    months = ma.fields.List(ma.fields.String())
    received = ma.fields.List(ma.fields.Integer())
    issued = ma.fields.List(ma.fields.Integer())
    returned = ma.fields.List(ma.fields.Integer())
    loans_open = ma.fields.Integer()
    loans_overdue = ma.fields.Integer()
    batches = ma.fields.List(ma.fields.Nested(BatchStockSchema))
    low_stock_threshold = ma.fields.Integer()
    help_new = ma.fields.Integer()
    help_in_progress = ma.fields.Integer()
    help_open = ma.fields.Integer()
    ready_to_lend = ma.fields.Integer()
