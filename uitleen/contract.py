"""The API takes exactly what its OpenAPI document says: no silent coercion of JSON.

The same marshmallow schemas serve the HTML forms, which send every value as text ("8",
"on"), so the schemas themselves stay lenient. A JSON client has real types: here, before
a schema loads a JSON body, each value must already have the type its field documents
(an integer is a whole number, not 2.0 or "2"; a boolean is true or false, not 0 or
"yes"; a list is a list, not a line of text), fields the schema does not know are
refused, and a PATCH must change something. Errors stay keyed by field, in plain Dutch.
"""

import re

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint as SmorestBlueprint
from webargs.flaskparser import FlaskParser

from uitleen.schemas import BOOLEAN, LIST, NUMBER, OBJECT, TEXT, WHOLE

F = ma.fields


JSON_TYPES = ("boolean", "integer", "number", "string", "array", "object")


def _kind(field: F.Field) -> str | None:
    """The JSON type a field documents, or None when it takes more than one."""
    if field.metadata.get("type") in JSON_TYPES:
        return field.metadata["type"]  # what the document says wins
    if isinstance(field, F.Boolean):
        return "boolean"
    if isinstance(field, F.Integer):
        return "integer"
    if isinstance(field, F.Number):
        return "number"
    if isinstance(field, F.String | F.Date | F.DateTime | F.Time | F.UUID):
        return "string"
    if isinstance(field, F.List):
        return "array"
    if isinstance(field, F.Dict):
        return "object"
    if isinstance(field, F.Nested):
        return "array" if field.many else "object"
    return None  # Raw, Function, and our own fields check their values themselves


def _fits(kind: str, value) -> bool:
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "string":
        return isinstance(value, str)
    if kind == "array":
        return isinstance(value, list)
    return isinstance(value, dict)


def _message(kind: str) -> str:
    """What the schemas say for a value of another kind (uitleen.schemas), said here first."""
    return str(
        {
            "boolean": BOOLEAN,
            "integer": WHOLE,
            "number": NUMBER,
            "string": TEXT,
            "array": LIST,
            "object": OBJECT,
        }[kind]
    )


def _check_value(field: F.Field, value, name: str, errors: dict) -> None:
    if value is None:
        return  # allow_none is the schema's to judge, with its own message
    kind = _kind(field)
    if kind is None:
        return
    if not _fits(kind, value):
        errors[name] = [_message(kind)]
        return
    pattern, message = field.metadata.get("pattern"), field.metadata.get("pattern_message")
    if pattern and message and isinstance(value, str) and not re.fullmatch(pattern, value):
        # A pattern the field's own reading does not check (Decimal reads "1e3" too):
        # the document states it, so the API keeps it.
        try:
            field.deserialize(value)
        except ma.ValidationError as error:  # the field's own words say best what is wrong
            errors[name] = [str(m) for m in error.messages]
        else:
            errors[name] = [str(message)]
        return
    if isinstance(field, F.Nested):
        schema = field.schema
        for index, item in enumerate(value if field.many else [value]):
            prefix = f"{name}.{index}" if field.many else name
            if isinstance(item, dict):
                check_types(schema, item, errors, prefix)
    elif isinstance(field, F.List):
        for index, item in enumerate(value):
            _check_value(field.inner, item, f"{name}.{index}", errors)
    elif isinstance(field, F.Dict) and field.value_field is not None:
        for key, item in value.items():
            _check_value(field.value_field, item, f"{name}.{key}", errors)


def check_types(schema: ma.Schema, data: dict, errors: dict, prefix: str = "") -> dict:
    """Add {field: [message]} for each value whose JSON type is not its field's type."""
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if key in data:
            _check_value(field, data[key], f"{prefix}.{key}" if prefix else key, errors)
    return errors


class StrictParser(FlaskParser):
    """webargs' Flask parser, strict about JSON bodies (see the module's docstring), and
    about query parameters the operation does not name."""

    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        "json": ma.RAISE,
        "query": ma.RAISE,
        "querystring": ma.RAISE,
    }

    def pre_load(self, location_data, *, schema, req, location):
        if location != "json":
            return location_data
        data = location_data if isinstance(location_data, dict) else {}
        if req.method == "PATCH" and not data:
            raise ma.ValidationError(
                {"_schema": [_("Stuur minstens één veld dat u wilt veranderen.")]}
            )
        errors = check_types(schema, data, {})
        if errors:
            # Say what else is wrong too, as the schema would: load without the values
            # of the wrong type, and keep our message for those.
            rest = {key: value for key, value in data.items() if key.split(".")[0] not in errors}
            try:
                schema.load(rest, unknown=ma.RAISE)
            except ma.ValidationError as error:
                if isinstance(error.messages, dict):
                    errors = {**error.messages, **errors}
            raise ma.ValidationError(errors)
        return location_data


class Blueprint(SmorestBlueprint):
    """flask-smorest's Blueprint with the strict parser; every API blueprint is one."""

    ARGUMENTS_PARSER = StrictParser()
