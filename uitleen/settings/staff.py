"""Staff management for coordinators, on top of the account functions in uitleen.auth.

The guards here keep an organisation from locking itself out: nobody changes or closes
their own account from this page, and the last active coordinator stays a coordinator.
"""

import secrets

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import func, select

from uitleen import validate
from uitleen.auth import service as auth
from uitleen.auth.models import User
from uitleen.auth.roles import COORDINATOR, ROLES
from uitleen.errors import Conflict
from uitleen.extensions import db
from uitleen.schemas import Schema, TrimmedSchema, required

# No look-alike characters (0/o, 1/l/i): a password read from the screen is typed right.
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 - an alphabet


class StaffSchema(TrimmedSchema):
    keep_spaces = ("password",)

    email = ma.fields.Email(
        required=True,
        validate=validate.Length(3, 254),
        error_messages=required(lazy_gettext("Vul het e-mailadres in.")),
    )
    name = ma.fields.String(load_default="", validate=validate.Length(0, 120))
    role = ma.fields.String(
        required=True,
        validate=validate.OneOf(ROLES),
        error_messages=required(lazy_gettext("Kies een rol.")),
    )
    # Empty: a one-time password is made and shown once.
    password = ma.fields.String(load_default="", load_only=True)


class RoleSchema(Schema):
    role = ma.fields.String(
        required=True,
        validate=validate.OneOf(ROLES),
        error_messages=required(lazy_gettext("Kies een rol.")),
    )


class PasswordSchema(Schema):
    password = ma.fields.String(load_default="", load_only=True)


class StaffOutSchema(Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()
    active = ma.fields.Boolean()
    created_at = ma.fields.DateTime()


def one_time_password() -> str:
    """Three groups of four, like 'k7pm-x2qa-9hte': 70 bits, easy to read out and type."""
    groups = ("".join(secrets.choice(PASSWORD_ALPHABET) for _i in range(4)) for _g in range(3))
    return "-".join(groups)


def staff_list() -> list[User]:
    """Everyone, active accounts first, then by name."""
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.name)))


def _active_coordinators() -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == COORDINATOR, User.active.is_(True))
    )


def _not_yourself(actor, user: User) -> None:
    if actor is not None and actor.id == user.id:
        raise Conflict(
            _(
                "Uw eigen account verandert u hier niet. Vraag een andere coördinator, "
                "zo kan niemand zichzelf per ongeluk buitensluiten."
            ),
            code="own_account",
        )


def _keeps_a_coordinator(user: User) -> None:
    if user.role == COORDINATOR and user.active and _active_coordinators() <= 1:
        raise Conflict(
            _("Dit is de laatste coördinator. Maak eerst iemand anders coördinator."),
            code="last_coordinator",
        )


def create_staff(actor, data: dict) -> tuple[User, str | None]:
    """A new account; returns it and the one-time password when none was typed."""
    password = data.get("password") or ""
    generated = None if password else one_time_password()
    user = auth.create_user(
        actor, data["email"], data.get("name", ""), data["role"], password or generated
    )
    return user, generated


def change_role(actor, user: User, role: str) -> User:
    if role != user.role:
        _not_yourself(actor, user)
        _keeps_a_coordinator(user)
        auth.set_role(actor, user, role)
    return user


def set_active(actor, user: User, active: bool) -> User:
    if active and not user.active:
        auth.reactivate(actor, user)
    elif not active and user.active:
        _not_yourself(actor, user)
        _keeps_a_coordinator(user)
        auth.deactivate(actor, user)
    return user


def reset_password(actor, user: User, password: str = "") -> str | None:
    """Set the typed password, or make a one-time one and return it to show once."""
    _not_yourself(actor, user)
    generated = None if password else one_time_password()
    auth.set_password(actor, user, password or generated)
    return generated
