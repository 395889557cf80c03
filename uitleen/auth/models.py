"""Staff accounts and API tokens."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uitleen.auth.roles import ROLES
from uitleen.db import one_of, utcnow
from uitleen.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (one_of("role", ROLES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped on deactivation and password change: every session cookie carries it.
    session_version: Mapped[int] = mapped_column(default=1)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None]
    language: Mapped[str] = mapped_column(String(8), default="nl")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """The session's identity, taken at login: who, which session version, since when.

        The start (epoch seconds) bounds the session's lifetime (uitleen.auth.sessions).
        """
        from uitleen.auth import sessions  # it reads this model

        return f"{self.id}:{self.session_version}:{int(sessions.clock())}"

    # Flask-Login compares users by get_id, which now carries a time: compare by row.
    def __eq__(self, other: object) -> bool:
        return isinstance(other, User) and other.id == self.id

    __hash__ = UserMixin.__hash__

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Only a SHA-256 of the token is kept; the token is shown once when made.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
