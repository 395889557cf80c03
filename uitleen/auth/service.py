"""Accounts, passwords, lockout and API tokens."""

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, literal, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from uitleen.audit.service import record
from uitleen.auth.models import ApiToken, User
from uitleen.auth.roles import ROLES
from uitleen.db import utcnow
from uitleen.errors import Conflict, Invalid, NotFound, field_error, found
from uitleen.extensions import db

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "uit_"  # noqa: S105 - a label, not a secret


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


@lru_cache(maxsize=4)
def _throwaway_hash(method: str) -> str:
    return generate_password_hash("not-a-real-password", method=method)


def _spend_a_check(password: str) -> None:
    """One check against a throwaway hash (made once per process), so an unknown address
    or a locked account costs as long as a wrong password."""
    check_password_hash(_throwaway_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def get_user(user_id: int) -> User:
    return found(User, user_id, _("Deze medewerker bestaat niet."))


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise field_error(
            "password",
            _(
                "Kies een wachtwoord van minstens %(n)s tekens. Een zin van een paar woorden "
                "werkt goed.",
                n=MIN_PASSWORD_LENGTH,
            ),
        )


def create_user(actor, email: str, name: str, role: str, password: str) -> User:
    email = normalise_email(email)
    if "@" not in email:
        raise field_error("email", _("Vul een geldig e-mailadres in."))
    if role not in ROLES:
        raise field_error("role", _("Kies een rol: %(roles)s.", roles=", ".join(ROLES)))
    check_password_rules(password)
    if user_by_email(email) is not None:
        taken = _("Er is al een medewerker met dit e-mailadres.")
        raise Conflict(taken, code="email_taken", errors={"email": [taken]})
    user = User(
        email=email,
        name=name.strip() or email,
        role=role,
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
    record(actor, "user.created", user, email=email, role=role)
    return user


def set_password(actor, user: User, password: str) -> None:
    """Set a new password: every session and every API token of the account ends with the
    old one, since whoever knew the old password may have made them."""
    check_password_rules(password)
    user.password_hash = hash_password(password)
    user.session_version += 1  # sign out everywhere else
    user.failed_logins = 0
    user.locked_until = None
    revoked = _revoke_tokens_of(user)
    record(actor, "user.password_set", user, tokens_revoked=revoked)


def log_out(user: User) -> None:
    """End this account's sessions on the server, so a copy of the cookie stops working too.

    One version for all sessions: logging out on one computer also ends the others (a
    workshop PC left logged in is the risk this closes).
    """
    user.session_version += 1
    record(user, "user.logged_out", user)


def _revoke_tokens_of(user: User) -> int:
    tokens = list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        )
    )
    for token in tokens:
        token.revoked_at = utcnow()
    return len(tokens)


def set_role(actor, user: User, role: str) -> None:
    if role not in ROLES:
        raise field_error("role", _("Kies een rol: %(roles)s.", roles=", ".join(ROLES)))
    old = user.role
    user.role = role
    user.session_version += 1
    record(actor, "user.role_changed", user, old=old, new=role)


def deactivate(actor, user: User) -> None:
    """Close the account: its sessions end and its API tokens stop working."""
    user.active = False
    user.session_version += 1
    _revoke_tokens_of(user)
    record(actor, "user.deactivated", user)


def reactivate(actor, user: User) -> None:
    user.active = True
    user.failed_logins = 0
    user.locked_until = None
    record(actor, "user.reactivated", user)


class LoginRefused(Invalid):
    code = "login_failed"


def _refused() -> LoginRefused:
    # One answer for an unknown address, a wrong password and a locked account, so the
    # form never tells which addresses have an account. It names the lock as a possible
    # reason: someone who types the right password during a lock then knows to wait,
    # rather than think they forgot it.
    return LoginRefused(
        _(
            "Het e-mailadres of het wachtwoord klopt niet. Let op hoofdletters. Na %(n)s "
            "keer een verkeerd wachtwoord gaat het account %(minutes)s minuten op slot; dan "
            "werkt ook het goede wachtwoord even niet. Lukt het niet? Vraag uw coördinator "
            "om hulp.",
            n=current_app.config["LOGIN_MAX_FAILURES"],
            minutes=current_app.config["LOGIN_LOCK_MINUTES"],
        )
    )


def _claim_attempt(user: User) -> int | None:
    """Count this attempt before its password is checked: its number, or None when locked.

    One conditional UPDATE, so parallel attempts cannot all read the same count: the
    attempt that reaches LOGIN_MAX_FAILURES sets the lock in the same statement, and every
    later one finds no row to update. A lock that has run out starts the count again.
    """
    now = utcnow()
    config = current_app.config
    lock_type = User.__table__.c.locked_until.type
    attempt = case((User.locked_until.is_not(None), 1), else_=User.failed_logins + 1)
    locked_until = case(
        (
            attempt >= config["LOGIN_MAX_FAILURES"],
            literal(now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"]), lock_type),
        ),
        else_=literal(None, lock_type),
    )
    return db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.locked_until.is_(None), User.locked_until <= now))
        .values(failed_logins=attempt, locked_until=locked_until)
        .returning(User.failed_logins),
        execution_options={"synchronize_session": "fetch"},
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User:
    """The user for these credentials, counting failures and locking after too many.

    Every attempt costs exactly one password check, whatever the outcome, so the time
    taken does not tell an unknown address or a locked account from a wrong password.
    """
    user = user_by_email(email)
    attempt = _claim_attempt(user) if user is not None else None
    if attempt is None:
        _spend_a_check(password)
        raise _refused()
    if not check_password_hash(user.password_hash, password):
        if attempt >= current_app.config["LOGIN_MAX_FAILURES"]:
            record(None, "user.locked", user)
        raise _refused()
    user.failed_logins = 0
    user.locked_until = None
    if not user.active:
        raise LoginRefused(
            _("Dit account is uitgeschakeld. Vraag uw coördinator om het weer aan te zetten."),
            code="account_inactive",
        )
    record(user, "user.logged_in", user)
    return user


def load_session_user(session_id: str) -> User | None:
    """The user behind a session cookie, if that session is still valid."""
    user_id, _sep, version = session_id.partition(":")
    if not user_id.isdigit() or not version.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _hash_token(token: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 is enough; no slow hash needed.
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(actor, user: User, name: str = "") -> str:
    """Make an API token for `user` and return it; only its hash is stored."""
    if not user.active:
        raise Conflict(_("Dit account is uitgeschakeld."), code="account_inactive")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken(
        user_id=user.id, token_hash=_hash_token(token), prefix=token[:10], name=name
    )
    db.session.add(api_token)
    db.session.flush()
    record(actor, "token.created", api_token, user_id=user.id, prefix=api_token.prefix)
    return token


def revoke_token(actor, prefix_or_id: str) -> ApiToken:
    query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
    if prefix_or_id.isdigit():
        query = query.where(ApiToken.id == int(prefix_or_id))
    else:
        query = query.where(ApiToken.prefix == prefix_or_id[:10])
    tokens = list(db.session.scalars(query))
    if not tokens:
        raise NotFound(_("Geen actieve API-sleutel gevonden met %(ref)s.", ref=prefix_or_id))
    if len(tokens) > 1:
        raise Conflict(_("Meer dan één sleutel past hierbij; gebruik het nummer."))
    token = tokens[0]
    token.revoked_at = utcnow()
    record(actor, "token.revoked", token, prefix=token.prefix)
    return token


def user_for_token(token: str) -> User | None:
    """The active user behind a bearer token, or None for an unknown or revoked token."""
    api_token = db.session.scalar(
        select(ApiToken).where(
            ApiToken.token_hash == _hash_token(token), ApiToken.revoked_at.is_(None)
        )
    )
    if api_token is None or not api_token.user.active:
        return None
    return api_token.user


def count_users() -> int:
    return db.session.scalar(select(func.count()).select_from(User)) or 0
