"""Declarative base, constraint names and SQLite connection behaviour."""

from contextvars import ContextVar
from datetime import UTC, datetime

from flask import current_app, has_request_context, request
from sqlalchemy import CheckConstraint, DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry
from sqlalchemy.types import TypeDecorator

# Primary keys are INTEGER: 32 bits on PostgreSQL. Ids past this are refused on input
# (uitleen.inputs, uitleen.schemas), the same on SQLite, which would take 64 bits.
MAX_ID = 2**31 - 1

# Stable constraint names so Alembic can alter and drop them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def as_utc(moment: datetime | None) -> datetime | None:
    """A stored moment as an aware UTC datetime, whichever database it came from."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


class UTCDateTime(TypeDecorator):
    """A moment in UTC, given back zone-aware by SQLite too (which stores it without zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
            if dialect.name == "sqlite":
                value = value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return as_utc(value)


class Base(DeclarativeBase):
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def one_of(column: str, values) -> CheckConstraint:
    """CHECK that a column holds one of the values its constant lists (named
    ck_<table>_<column>_known); the values are kept in `info` so a test can compare them."""
    allowed = tuple(str(value) for value in values)
    listed = ", ".join("'" + value.replace("'", "''") + "'" for value in allowed)
    return CheckConstraint(
        f"{column} IN ({listed})", name=f"{column}_known", info={"values": allowed}
    )


# Set only by seed-demo (uitleen.storyclock.at), which tells a year of history through the real
# services and needs each step stamped at the moment it happens in that story.
STORY_TIME: ContextVar[datetime | None] = ContextVar("story_time", default=None)


def utcnow() -> datetime:
    return STORY_TIME.get() or datetime.now(UTC)


_READ_ONLY_METHODS = {"GET", "HEAD", "OPTIONS"}


def writes(view):
    """Mark a GET view that writes (a printed document is logged), so it locks up front."""
    view.writes = True
    return view


def _view_writes() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    view_class = getattr(view, "view_class", None)
    if view_class is not None:
        view = getattr(view_class, request.method.lower(), None)
    return getattr(view, "writes", False)


def _wants_write() -> bool:
    """A request that may write takes SQLite's write lock up front; reads stay concurrent."""
    if has_request_context():
        return request.method not in _READ_ONLY_METHODS or _view_writes()
    return True  # CLI commands and scripts


def configure_sqlite(engine: Engine) -> None:
    """WAL, busy timeout, foreign keys, and BEGIN IMMEDIATE for writing transactions.

    A deferred transaction that reads and then writes fails with "database is locked"
    when another worker wrote in between; taking the lock at BEGIN makes it wait instead.
    """

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=15000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write() else "BEGIN")
