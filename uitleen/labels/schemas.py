"""One input schema for a print request: the API's JSON and the HTML forms alike."""

import marshmallow as ma
from flask_babel import lazy_gettext

from uitleen import validate
from uitleen.devices.lifecycle import STATES
from uitleen.labels.service import MAX_COPIES, MAX_LABELS
from uitleen.schemas import Schema, required_text

F = ma.fields


class LabelPrintInSchema(Schema):
    """Which devices, on which label format, starting at which position of the sheet."""

    class Meta:
        unknown = ma.EXCLUDE  # HTML forms also send csrf_token and the submit button

    format = required_text(
        lazy_gettext("Kies een labelformaat."),
        60,
        metadata={"description": "a format id: a file name in labels/ without .toml, e.g. L7160"},
    )
    device_ids = F.List(
        F.Integer(),
        load_default=list,
        validate=validate.Length(max=MAX_LABELS),
        metadata={"description": "devices by id, printed in this order"},
    )
    tags = F.List(
        F.String(validate=validate.Length(min=1, max=200)),
        load_default=list,
        validate=validate.Length(max=MAX_LABELS),
        metadata={"description": "asset tags ('UIT-00042', '42') or scanned label URLs"},
    )
    state = F.String(
        load_default=None,
        allow_none=True,
        validate=validate.OneOf(STATES),
        metadata={
            "description": "all devices in this state, by asset tag; `ready`: those ready to lend"
        },
    )
    start = F.Integer(
        load_default=1,
        validate=validate.Range(min=1),
        metadata={"description": "position of the first label on the first sheet (1 = top left)"},
    )
    copies = F.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_COPIES))

    @ma.pre_load
    def blanks(self, data, **kwargs):
        """HTML forms send '' for an empty choice or number; treat that as not given."""
        if not isinstance(data, dict):
            return data
        return {key: value for key, value in data.items() if value != ""}


class RotationInSchema(Schema):
    """Why the label is replaced; required when the device is on loan."""

    reason = F.String(load_default="", validate=validate.Length(max=200))


class RotationSchema(Schema):
    """A device's label after rotation: print this URL's QR code; the old one is retired."""

    device_id = F.Integer()
    asset_tag = F.String()
    public_token = F.String()
    label_url = F.String()
