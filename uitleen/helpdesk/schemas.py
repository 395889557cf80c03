"""Input and output schemas of help requests.

The messages of AskInSchema are read by households in their own language: they are
household-facing texts, translated in every household language.
"""

import re

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from marshmallow import EXCLUDE, fields

from uitleen import validate
from uitleen.helpdesk.models import CATEGORIES, STATUSES
from uitleen.i18n import isolate
from uitleen.schemas import Schema, required

MESSAGE_MAX = 1000
NOTE_MAX = 2000
PHONE_DIGITS = (10, 15)
# Digits, spaces, a leading +, dashes and parentheses: how people write numbers.
PHONE_CHARACTERS = re.compile(r"\+?[0-9 ()\-]+")
QUEUE_FILTERS = ("open", *STATUSES, "all")


def phone_is_valid(phone: str) -> bool:
    """A Dutch or international number as people type it, with 10 to 15 digits."""
    if not PHONE_CHARACTERS.fullmatch(phone):
        return False
    low, high = PHONE_DIGITS
    return low <= sum(c.isdigit() for c in phone) <= high


def _check_category(value: str) -> None:
    if value not in CATEGORIES:
        raise ma.ValidationError(_("Tik eerst op wat er mis is."))


def _check_message(value: str) -> None:
    if len(value) > MESSAGE_MAX:
        raise ma.ValidationError(
            _("Uw bericht is te lang. Maak het korter: hoogstens %(max)s tekens.", max=MESSAGE_MAX)
        )


def _check_phone(value: str) -> None:
    if value and not phone_is_valid(value):
        raise ma.ValidationError(
            _(
                "Dit telefoonnummer klopt niet. Typ het nummer met 10 tot 15 cijfers, "
                "bijvoorbeeld %(mobile)s of %(international)s. Of laat het leeg.",
                # Isolated: in a right-to-left sentence the numbers keep their order.
                mobile=isolate("06 12345678"),
                international=isolate("+31 6 12345678"),
            )
        )


class _Trimmed(fields.String):
    """A string without the spaces around it (phones paste with spaces and newlines)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


class AskInSchema(Schema):
    """The public help-request form: what is wrong, and optionally a message and a number."""

    class Meta:
        unknown = EXCLUDE  # form_token and anything a browser adds are not ours to store

    category = _Trimmed(
        required=True,
        validate=_check_category,
        error_messages={"required": lazy_gettext("Tik eerst op wat er mis is.")},
    )
    message = _Trimmed(load_default="", validate=_check_message)
    phone = _Trimmed(load_default="", validate=_check_phone)


# Staff side ------------------------------------------------------------------------------


class QueueQuerySchema(Schema):
    status = fields.String(load_default="open", validate=validate.OneOf(QUEUE_FILTERS))
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    mine = fields.Boolean(load_default=False)


class NoteInSchema(Schema):
    note = _Trimmed(
        required=True,
        validate=validate.Length(min=1, max=NOTE_MAX),
        error_messages=required(lazy_gettext("Vul de notitie in.")),
    )


class CloseInSchema(Schema):
    note = _Trimmed(load_default="", validate=validate.Length(max=NOTE_MAX))


class HelpRequestPatchSchema(Schema):
    """Move a request (in_progress takes or reopens it, done closes it) and/or add a note."""

    status = fields.String(validate=validate.OneOf(("in_progress", "done")))
    note = _Trimmed(validate=validate.Length(max=NOTE_MAX))


class DeviceRefSchema(Schema):
    id = fields.Integer()
    asset_tag = fields.String()
    kind = fields.String()
    make = fields.String()
    model = fields.String()


class StaffRefSchema(Schema):
    id = fields.Integer()
    name = fields.String()


class BorrowerSchema(Schema):
    """The household that has the device on loan: intake workers and coordinators only."""

    household_id = fields.Integer()
    code = fields.String()
    contact_name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    language = fields.String()
    loan_kind = fields.String()


class HelpRequestOutSchema(Schema):
    """A help request for the desk (the queue is closed to the workshop role)."""

    id = fields.Integer(attribute="request.id")
    status = fields.String(attribute="request.status")
    category = fields.String(attribute="request.category")
    message = fields.String(attribute="request.message")
    callback_phone = fields.String(attribute="request.callback_phone")
    language = fields.String(attribute="request.language")
    created_at = fields.DateTime(attribute="request.created_at")
    taken_at = fields.DateTime(attribute="request.taken_at", allow_none=True)
    closed_at = fields.DateTime(attribute="request.closed_at", allow_none=True)
    staff_notes = fields.String(attribute="request.staff_notes")
    device = fields.Nested(DeviceRefSchema, attribute="request.device")
    taken_by = fields.Nested(StaffRefSchema, attribute="request.taken_by", allow_none=True)
    borrower = fields.Nested(BorrowerSchema, allow_none=True)
