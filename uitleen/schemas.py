"""The base of every schema, saying each error in plain words; the error shape,
pagination and the range of an id, shared by every API."""

import marshmallow as ma
from flask_babel import lazy_gettext

from uitleen import validate
from uitleen.db import MAX_ID

F = ma.fields

TEXT = lazy_gettext("Vul hier tekst in.")
BOOLEAN = lazy_gettext("Kies ja of nee.")
WHOLE = lazy_gettext("Vul een heel getal in, bijvoorbeeld 8.")
NUMBER = lazy_gettext("Vul een getal in, bijvoorbeeld 8.")
DATETIME = lazy_gettext("Vul een datum en tijd in, bijvoorbeeld 2026-03-01T14:30.")
DATE = lazy_gettext("Vul een datum in als JJJJ-MM-DD, bijvoorbeeld 2026-03-01.")
LIST = lazy_gettext('Stuur hier een lijst, bijvoorbeeld ["een", "twee"].')
OBJECT = lazy_gettext('Stuur hier een object, bijvoorbeeld {"naam": "waarde"}.')

# What each kind of field says when a value does not fit it; the first class a field is an
# instance of decides. (marshmallow's own English messages never reach a reader.)
MESSAGES: list[tuple[type[F.Field], dict]] = [
    (
        F.Email,
        {
            "invalid": lazy_gettext(
                "Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl."
            ),
            "invalid_utf8": TEXT,
        },
    ),
    (F.String, {"invalid": TEXT, "invalid_utf8": TEXT}),
    (F.Boolean, {"invalid": BOOLEAN}),
    (F.Integer, {"invalid": WHOLE, "too_large": lazy_gettext("Vul een kleiner getal in.")}),
    (
        F.Number,
        {
            "invalid": NUMBER,
            "too_large": lazy_gettext("Vul een kleiner getal in."),
            "special": NUMBER,
        },
    ),
    (F.DateTime, dict.fromkeys(("invalid", "invalid_awareness", "format"), DATETIME)),
    (F.Date, dict.fromkeys(("invalid", "invalid_awareness", "format"), DATE)),
    (F.List, {"invalid": LIST}),
    (F.Tuple, {"invalid": LIST}),
    (F.Mapping, {"invalid": OBJECT}),
    (F.Nested, {"type": OBJECT}),
]
ANY_FIELD = {
    "required": validate.FILL_IN,
    "null": validate.FILL_IN,
    "validator_failed": lazy_gettext("Deze waarde past hier niet."),
}


def required(message) -> dict:
    """error_messages of a required field: what to fill in, also when sent empty or null.

    A Length(min=1) on the field says the same when the value is empty.
    """
    return {"required": message, "null": message}


def required_text(missing, max_length: int, **kwargs) -> F.String:
    """Text that must be filled in: `missing` says which ("Vul het merk in."), also when
    it is sent empty; longer than max_length says the limit."""
    return F.String(
        required=True,
        validate=validate.Length(1, max_length),
        error_messages=required(missing),
        **kwargs,
    )


def plain_field(field: F.Field) -> None:
    """Our messages wherever the field still has marshmallow's; the inner fields too."""
    defaults = dict(ANY_FIELD)
    for kind, messages in MESSAGES:
        if isinstance(field, kind):
            defaults |= messages
            break
    for key, message in defaults.items():
        if field.error_messages.get(key) == _marshmallow_default(field, key):
            field.error_messages[key] = message
    for validator in field.validators:
        if isinstance(validator, validate.Length) and validator.empty is None:
            validator.empty = field.error_messages["required"]
        elif isinstance(validator, ma.validate.Email):
            # marshmallow's Email field checks with a validator made from its message.
            validator.error = field.error_messages["invalid"]
    for inner in (
        getattr(field, "inner", None),
        getattr(field, "key_field", None),
        getattr(field, "value_field", None),
        *(getattr(field, "tuple_fields", None) or ()),
    ):
        if inner is not None:
            plain_field(inner)


def _marshmallow_default(field: F.Field, key: str):
    for cls in type(field).__mro__:
        message = getattr(cls, "default_error_messages", {}).get(key)
        if message is not None:
            return message
    return None


class Schema(ma.Schema):
    """Every schema of ours: each error says what to do, in the reader's language."""

    error_messages = {
        "unknown": lazy_gettext("Dit veld kennen we niet. Laat het weg."),
        "type": lazy_gettext("Dit soort waarde past hier niet."),
    }

    def on_bind_field(self, field_name: str, field_obj: F.Field) -> None:
        plain_field(field_obj)


# Every id a client sends (path, query or body): 1 to 2**31 - 1, so both databases give
# the same answer (PostgreSQL's INTEGER stops there; SQLite would just find nothing).
# Declared with the field, so the OpenAPI document says it too.
ID_RANGE = validate.Range(min=1, max=MAX_ID)


class TrimmedSchema(Schema):
    """A form whose text loses the spaces around it (pasted text brings them along);
    fields named in keep_spaces keep theirs (a password)."""

    keep_spaces: tuple[str, ...] = ()

    @ma.pre_load
    def trim(self, data, **_kwargs):
        if not isinstance(data, dict):
            return data  # marshmallow answers "Invalid input type"
        return {
            k: v.strip() if isinstance(v, str) and k not in self.keep_spaces else v
            for k, v in data.items()
        }


class ErrorSchema(Schema):
    status = ma.fields.Integer(required=True)
    code = ma.fields.String(required=True, metadata={"description": "short machine code"})
    message = ma.fields.String(required=True, metadata={"description": "for people"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "per field: what is wrong and how to fix it"},
    )


class PageQuerySchema(Schema):
    after = ma.fields.Integer(
        load_default=None,
        validate=ID_RANGE,
        metadata={"description": "id of the last item of the previous page"},
    )
    limit = ma.fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
