"""Domain errors, and the one place where any error becomes an HTTP response.

Services raise DomainError subclasses with a short machine code and a human message.
The edge answers JSON under /api and HTML elsewhere, always after a rollback, so a
failed request changes nothing.
"""

import logging

from flask import Flask, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_wtf.csrf import CSRFError
from marshmallow import ValidationError
from redis.exceptions import RedisError
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.exceptions import HTTPException

from uitleen.extensions import db

log = logging.getLogger(__name__)


class DomainError(Exception):
    """A request the domain refuses; carries a reason code and a message for people."""

    status = 409
    code = "conflict"

    def __init__(self, message: str, code: str | None = None, errors: dict | None = None):
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.errors = errors or {}


class Invalid(DomainError):
    """Input that breaks a rule; errors are keyed by field."""

    status = 422
    code = "validation_error"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


def found(model, ident, message: str, code: str = "not_found"):
    """The row of `model` with this primary key, or NotFound saying what is missing."""
    row = db.session.get(model, ident)
    if row is None:
        raise NotFound(message, code=code)
    return row


class FormRefused(Exception):
    """An HTML form drawn again with its errors (uitleen.forms.submit); answered as it is."""

    def __init__(self, response):
        super().__init__(response.status)
        self.response = response


def handle_form_refused(error: FormRefused):
    return error.response


class Refusal(ValueError):
    """Why a pure function (a reader, a document) cannot do its work: a message for people
    and a short code; the service that called it turns it into a DomainError."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message = message
        self.code = code


def field_error(field: str, message: str, code: str = "validation_error") -> Invalid:
    """One wrong field, said in plain words."""
    return Invalid(message, code=code, errors={field: [message]})


def wants_json() -> bool:
    return request.path.startswith("/api/")


def field_errors(errors) -> dict:
    """Flatten marshmallow/webargs error trees to {field: [messages]}, each message a str.

    The messages themselves are the schemas' own (uitleen.schemas, uitleen.validate), in
    the reader's language.
    """
    flat: dict[str, list[str]] = {}

    def walk(node, prefix: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                name = f"{prefix}.{key}" if prefix else str(key)
                walk(value, name)
        elif isinstance(node, list | tuple):
            if all(not isinstance(item, dict | list) for item in node):
                flat.setdefault(prefix or "_schema", []).extend(str(m) for m in node)
            else:
                for item in node:
                    walk(item, prefix)
        else:
            flat.setdefault(prefix or "_schema", []).append(str(node))

    walk(errors, "")
    return flat


def errors_of(error: Exception) -> dict:
    """Field errors from a schema or a domain refusal, for re-rendering a form."""
    if isinstance(error, ValidationError):
        return field_errors(error.messages)
    if isinstance(error, DomainError):
        return error.errors or {"_schema": [error.message]}
    raise error


def error_body(status: int, code: str, message: str, errors: dict | None = None) -> dict:
    body = {"status": status, "code": code, "message": message}
    if errors:
        body["errors"] = errors
    return body


_HTTP_MESSAGES = {
    400: (
        "bad_request",
        lazy_gettext("Dit verzoek begrijpen we niet. Controleer wat u stuurde."),
    ),
    401: (
        "unauthenticated",
        lazy_gettext("Log eerst in, of stuur een geldige API-sleutel mee."),
    ),
    403: (
        "forbidden",
        lazy_gettext("Dit mag uw rol niet. Vraag het aan uw coördinator."),
    ),
    404: ("not_found", lazy_gettext("Deze pagina of dit item bestaat niet.")),
    405: ("method_not_allowed", lazy_gettext("Deze handeling kan hier niet.")),
    409: ("conflict", lazy_gettext("Dit botst met iets dat al is opgeslagen.")),
    413: (
        "too_large",
        lazy_gettext("Wat u stuurde is te groot. Stuur minder tekst of een kleiner bestand."),
    ),
    415: ("unsupported_media_type", lazy_gettext("Stuur de gegevens als JSON.")),
    422: (
        "validation_error",
        lazy_gettext("Niet alles is goed ingevuld. Kijk bij de velden wat er mis is."),
    ),
    429: (
        "too_many_requests",
        lazy_gettext("Te veel pogingen achter elkaar. Wacht even en probeer het opnieuw."),
    ),
    500: (
        "server_error",
        lazy_gettext("Er ging bij ons iets mis. Er is niets opgeslagen. Probeer het opnieuw."),
    ),
    503: (
        "unavailable",
        lazy_gettext("Het is nu te druk. Probeer het over een minuut opnieuw."),
    ),
}


def _respond(status: int, code: str, message: str, errors: dict | None = None):
    if wants_json():
        response = jsonify(error_body(status, code, message, errors))
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="uitleen"'
        return response
    if status == 401:
        return redirect(url_for("auth.login", next=request.full_path))
    return (
        render_template("errors/error.html", status=status, code=code, message=message),
        status,
    )


def _standard(status: int) -> tuple[str, str]:
    code, message = _HTTP_MESSAGES.get(status, _HTTP_MESSAGES[500 if status >= 500 else 400])
    return code, str(message)


def handle_domain_error(error: DomainError):
    db.session.rollback()
    return _respond(error.status, error.code, error.message, error.errors)


def with_exception_headers(response, error: HTTPException):
    """Keep what the exception tells the client beside its body: Retry-After, Allow."""
    response = current_app.make_response(response)
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _size(size: int) -> str:
    return f"{size // (1024 * 1024)} MB" if size >= 1024 * 1024 else f"{size // 1024} kB"


def _too_large_message(message: str) -> str:
    """Say the route's limit when the body as a whole was too large."""
    limit = request.max_content_length
    if limit and (request.content_length or 0) > limit:
        return _(
            "Wat u stuurde is te groot: hier kan hoogstens %(size)s. "
            "Stuur minder tekst of een kleiner bestand.",
            size=_size(limit),
        )
    return message


def handle_http_exception(error: HTTPException):
    db.session.rollback()
    status = error.code or 500
    code, message = _standard(status)
    if status == 413:
        message = _too_large_message(message)
    errors = None
    data = getattr(error, "data", None)  # webargs/flask-smorest put field errors here
    if data and "messages" in data:
        errors = field_errors(data["messages"])
        # webargs nests by location ("json", "query"); field names are what people need.
        errors = {key.split(".", 1)[-1]: value for key, value in errors.items()}
    return with_exception_headers(_respond(status, code, message, errors), error)


def handle_csrf_error(error: CSRFError):
    db.session.rollback()
    message = _(
        "Dit formulier is verlopen of niet compleet. "
        "Laad de pagina opnieuw en probeer het nog eens."
    )
    return _respond(400, "csrf_failed", message)


def handle_integrity_error(error: IntegrityError):
    db.session.rollback()
    log.info("integrity error: %s", error.orig)
    return _respond(
        409, "conflict", _("Dit is intussen door iemand anders veranderd. Probeer het opnieuw.")
    )


def handle_data_error(error: DataError | OverflowError):
    # A value the database refuses (a number too large for its column, say; SQLite's
    # driver raises OverflowError past 64 bits): the input's fault, not ours. Schemas
    # should catch it first; this keeps it from becoming a 500.
    db.session.rollback()
    log.info("data error: %s", getattr(error, "orig", error))
    return _respond(
        422,
        "value_out_of_range",
        _("Een van de waarden past niet: te groot of te lang. Controleer de getallen."),
    )


def handle_operational_error(error: OperationalError):
    db.session.rollback()
    log.warning("database busy or unreachable: %s", error.orig)
    code, message = _standard(503)
    return _respond(503, code, message)


def handle_queue_unreachable(error: RedisError):
    # The shared queue (uitleen.tasks) is down or unreachable: nothing was handed over.
    db.session.rollback()
    log.error("Redis unreachable: %s", error)
    return _respond(
        503,
        "queue_unreachable",
        _(
            "Het achtergrondproces is nu niet bereikbaar; er is niets opgeslagen. Probeer "
            "het zo opnieuw. Blijft het zo, vraag de beheerder om Redis te controleren."
        ),
    )


def handle_unexpected(error: Exception):
    db.session.rollback()
    log.exception("unhandled error")
    code, message = _standard(500)
    return _respond(500, code, message)


def register_errorhandlers(app: Flask) -> None:
    app.register_error_handler(FormRefused, handle_form_refused)
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(IntegrityError, handle_integrity_error)
    app.register_error_handler(DataError, handle_data_error)
    app.register_error_handler(RedisError, handle_queue_unreachable)
    app.register_error_handler(OverflowError, handle_data_error)
    app.register_error_handler(OperationalError, handle_operational_error)
    app.register_error_handler(Exception, handle_unexpected)
