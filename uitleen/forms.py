"""One path for every HTML form: load the input, call the service, commit once; or roll
back and show the same form again, each error at its field.

A view says what to do and how to draw its form with errors:

    location = forms.submit(
        lambda: service.create_location(actor(), **LocationSchema().load(form)),
        again=lambda errors, _error: render_template("location.html", form=form, errors=errors),
    )

A ValidationError (the schema) or a DomainError (the service) rolls the session back
first, so `again` reads what is stored and not the half-done change. It gets the errors
per field and the error itself (some refusals carry more, such as the device that has
the same serial). The page it draws
goes out with the error's status (422 for input, 409 for a conflict). A redirect from
`again` (a page that says the error in a flash message) keeps its own status.
"""

from collections.abc import Callable
from typing import TypeVar

from flask import make_response
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from uitleen.errors import DomainError, FormRefused, errors_of
from uitleen.extensions import db

T = TypeVar("T")


def status_of(error: ValidationError | DomainError) -> int:
    return error.status if isinstance(error, DomainError) else 422


Again = Callable[[dict, Exception], ResponseReturnValue]


def submit(action: Callable[[], T], again: Again, commit: bool = True) -> T:
    """Run action and commit; on a refusal roll back and raise the form drawn again.

    commit=False: the view goes on and commits once itself (printing labels decides
    after the check whether to draw now or start a job, and commits then).
    """
    try:
        result = action()
    except (ValidationError, DomainError) as error:
        db.session.rollback()
        response = make_response(again(errors_of(error), error))
        if response.status_code == 200:
            response.status_code = status_of(error)
        raise FormRefused(response) from error
    if commit:
        db.session.commit()
    return result


def attempt(action: Callable[[], T], fallback: T) -> tuple[T, dict]:
    """For pages that only read (a search, a period): the result and no errors, or the
    fallback and the errors per field. Nothing is committed."""
    try:
        return action(), {}
    except (ValidationError, DomainError) as error:
        db.session.rollback()
        return fallback, errors_of(error)


def flat(errors: dict) -> str:
    """All messages in one line, for a flash message above the page."""
    return " ".join(message for messages in errors.values() for message in messages)
