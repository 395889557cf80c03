"""Refuse input no database can store, before any view sees it.

PostgreSQL refuses NUL characters in text, neither database takes a lone UTF-16
surrogate, and both stop at 64-bit integers. Left alone, such input becomes a 500 deep
inside a view (and only on one of the two databases); here it becomes a 422 that names
the field, the same on both.
"""

from flask import request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict

from uitleen.errors import NotFound, field_error

MAX_INTEGER = 2**63 - 1
MAX_ID = 2**31 - 1  # primary keys are INTEGER: 32 bits on PostgreSQL
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _bad_text(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= char <= "\udfff" for char in text)


def problem(value) -> str | None:
    """Why this value cannot be stored, or None when it can; walks JSON structures."""
    if isinstance(value, str):
        return "text" if _bad_text(value) else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return "number" if abs(value) > MAX_INTEGER else None
    if isinstance(value, dict):
        items = list(value.keys()) + list(value.values())
    elif isinstance(value, list | tuple):
        items = value
    else:
        return None
    for item in items:
        found = problem(item)
        if found:
            return found
    return None


def _message(kind: str) -> str:
    if kind == "number":
        return _("Dit getal is te groot. Vul een kleiner getal in.")
    return _("Hier staat een teken dat we niet kunnen opslaan. Typ de tekst opnieuw.")


def _fields():
    """(field, value) pairs from the query string, a form and a JSON body."""
    for name, values in request.args.lists():
        yield name, [name, *values]
    if request.mimetype in FORM_TYPES:
        for name, values in request.form.lists():
            yield name, [name, *values]
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict):
            yield from body.items()


def drop_csrf_field() -> None:
    """before_request, after CSRFProtect checked it: the token is transport, not input.

    Views load request.form into schemas that refuse unknown fields; without this, every
    form posted by a real browser would fail on `csrf_token`, while tests (CSRF off) pass.
    """
    if request.mimetype in FORM_TYPES and "csrf_token" in request.form:
        fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
        request.form = ImmutableMultiDict(fields)


def refuse_unstorable_input() -> None:
    """before_request: a 422 naming the first field that holds unstorable input."""
    for value in (request.view_args or {}).values():
        if problem(value) or (isinstance(value, int) and abs(value) > MAX_ID):
            raise NotFound(_("Deze pagina of dit item bestaat niet."))
    if request.is_json and not isinstance(request.get_json(silent=True), dict | None):
        # Every API input is an object; a bare number or list would reach schema hooks
        # that expect one.
        raise field_error(
            "_schema",
            _('Stuur de gegevens als één JSON-object, bijvoorbeeld {"make": "Dell"}.'),
            code="not_an_object",
        )
    for name, value in _fields():
        kind = problem(value)
        if kind:
            field = name if isinstance(name, str) and not _bad_text(name) else "_schema"
            raise field_error(field, _message(kind), code="unstorable_input")


def init_app(app) -> None:
    """Both run after CSRFProtect's own before_request check (registered earlier)."""
    app.before_request(drop_csrf_field)
    app.before_request(refuse_unstorable_input)
