"""Refuse input no database can store, before any view sees it; bound what a request sends.

PostgreSQL refuses NUL characters in text, neither database takes a lone UTF-16
surrogate, and both stop at 64-bit integers. Left alone, such input becomes a 500 deep
inside a view (and only on one of the two databases); here it becomes a 422 that names
the field, the same on both.

A JSON body is read here once, with limits Python's parser lacks (nesting depth, digits
in a number), so that no later reader (webargs, a schema hook, a view) meets a body that
makes it raise RecursionError or ValueError. How many bytes a request may send is set
per route (body_limit); the default is small.
"""

import json

import flask
from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.exceptions import NotFound as NotFoundError
from werkzeug.routing import IntegerConverter, ValidationError

from uitleen.db import MAX_ID
from uitleen.errors import DomainError, NotFound, field_error

MAX_INTEGER = 2**63 - 1
# No input of ours nests deeper than a few levels; 32 leaves room and stays far below
# the interpreter's recursion limit for every reader after this one.
MAX_JSON_DEPTH = 32
# 2**63 has 19 digits; a longer number cannot be stored, and past 4300 digits Python's
# int() refuses it with a ValueError.
MAX_DIGITS = 20
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
ECHO_MAX = 1000  # the most a refused form shows back of a field that declares no maximum


class BadJson(DomainError):
    status = 400
    code = "invalid_json"


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: an id, 1 to 2**31 - 1, the same on both databases.

    Every integer in our URLs is a primary key. Outside this range the route does not
    match (404), and the OpenAPI document says the range (flask-smorest reads min/max).
    """

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)

    def to_python(self, value: str):
        if len(value) > MAX_DIGITS:  # int() of thousands of digits costs time; refuse first
            raise ValidationError()
        return super().to_python(value)


class _TooLong:
    """Stands in for a number with more digits than any column holds."""

    def __repr__(self) -> str:
        return "<number with too many digits>"


TOO_LONG = _TooLong()


def _integer(text: str):
    return TOO_LONG if len(text.lstrip("-")) > MAX_DIGITS else int(text)


def json_depth(value) -> int:
    """How deep a parsed JSON value nests, without recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = list(node.values())
        if isinstance(node, list):
            deepest = max(deepest, level)
            stack.extend((item, level + 1) for item in node)
    return deepest


def _too_deep() -> BadJson:
    return BadJson(
        _(
            "De gegevens zijn te diep genest: hoogstens %(max)s lagen. "
            "Stuur een eenvoudiger object.",
            max=MAX_JSON_DEPTH,
        ),
        code="json_too_deep",
    )


_NO_BODY = object()


def json_body():
    """The request's JSON body, read once with our limits; _NO_BODY when there is none.

    Raises BadJson (400) for a body that is not JSON or nests too deep.
    """
    if not request.is_json:
        return _NO_BODY
    cached = getattr(request, "_uitleen_json", None)
    if cached is not None:
        return cached[0]
    data = request.get_data(cache=True)
    if not data.strip():
        body = _NO_BODY
    else:
        try:
            body = json.loads(data, parse_int=_integer)
        except RecursionError:
            raise _too_deep() from None
        except ValueError:  # also UnicodeDecodeError
            raise BadJson(
                _("Dit is geen geldige JSON. Controleer de haakjes, komma's en aanhalingstekens.")
            ) from None
        if json_depth(body) > MAX_JSON_DEPTH:
            raise _too_deep()
    request._uitleen_json = (body,)
    return body


def _bad_text(text: str) -> bool:
    return "\x00" in text or any("\ud800" <= char <= "\udfff" for char in text)


def problem(value) -> str | None:
    """Why this value cannot be stored, or None when it can; walks JSON structures."""
    if isinstance(value, str):
        return "text" if _bad_text(value) else None
    if value is TOO_LONG:
        return "number"
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
    body = json_body()
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


def raw_body(view):
    """This route reads its JSON body itself, as a file (a hardware snapshot): its own
    reader answers what is wrong with it, so no field check runs here first."""
    view.raw_body = True
    return view


def refuse_unstorable_input() -> None:
    """before_request: a 422 naming the first field that holds unstorable input."""
    if getattr(route_view(request.endpoint, request.method), "raw_body", False):
        return
    for value in (request.view_args or {}).values():
        if problem(value):
            raise NotFound(_("Deze pagina of dit item bestaat niet."))
    body = json_body()
    if body is not _NO_BODY and not isinstance(body, dict):
        # Every API input is an object; a bare number, list or null would reach schema
        # hooks that expect one.
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


def route_view(endpoint: str | None, method: str):
    """The function that answers this endpoint and method (a MethodView's method), or None.

    Decorators that declare something about a route (roles, a body limit) mark this
    function; functools.wraps carries the mark out through the decorators above it.
    """
    view = current_app.view_functions.get(endpoint) if endpoint else None
    view_class = getattr(view, "view_class", None)
    if view_class is not None:  # flask-smorest MethodView: one function per method
        name = "get" if method == "HEAD" else method.lower()
        view = getattr(view_class, name, None)
    return view


def body_limit(config_key: str):
    """Let this route take bodies up to app.config[config_key] bytes, not the default.

    Uploads need megabytes; everything else stays under MAX_CONTENT_LENGTH.
    """

    def decorator(view):
        view.body_limit = config_key
        return view

    return decorator


class Request(flask.Request):
    """A request whose body limit is the matched route's (see body_limit).

    Read whenever the body is read, by whichever code reads it first (CSRFProtect, a
    schema, a view), so no reader can take more than the route allows.
    """

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is not None:
            return self._max_content_length
        if current_app:
            key = getattr(route_view(self.endpoint, self.method), "body_limit", None)
            if key:
                return current_app.config[key]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def echo(form: dict, limits: dict[str, int]) -> dict:
    """What a refused form shows back: each value cut to its field's maximum length.

    The error says the value was too long; showing all of it again only makes the
    answer as large as whatever was sent.
    """
    return {
        name: value[: limits.get(name, ECHO_MAX)] if isinstance(value, str) else value
        for name, value in form.items()
    }


def id_out_of_range_is_not_found() -> None:
    """An id outside IdConverter's range is a page that does not exist: 404, not 405.

    When the converter refuses an id, werkzeug's matcher still remembers the methods of
    the rules whose path matched, so PATCH /api/v1/help-requests/<30 digits> answered
    "405, use GET, HEAD or OPTIONS". Asked with GET, the same path is simply not found.
    """
    if not isinstance(request.routing_exception, MethodNotAllowed):
        return
    try:
        current_app.url_map.bind_to_environ(request.environ).match(request.path, method="GET")
    except NotFoundError:
        request.routing_exception = NotFoundError()
    except HTTPException:  # a real 405 (no GET here either) or a redirect: keep it
        pass


def head_is_get() -> None:
    """Answer HEAD exactly as GET (the server then sends the headers only).

    Views that show a form answer GET and take anything else as the form's post; CSRF
    checks only POST, PUT, PATCH and DELETE. So a HEAD (a link checker, a prefetch)
    reached the saving branch unchecked: HEAD /settings/help-texts?lang=nl emptied the
    Dutch help texts.
    """
    if request.method == "HEAD":
        request.method = "GET"


def init_app(app) -> None:
    """Both run after CSRFProtect's own before_request check (registered earlier)."""
    app.request_class = Request
    app.url_map.converters["int"] = IdConverter
    app.before_request(head_is_get)
    app.before_request(id_out_of_range_is_not_found)
    app.before_request(drop_csrf_field)
    app.before_request(refuse_unstorable_input)
