"""Counters (asset tags, certificate numbers), public tokens and label QR matrices."""

from __future__ import annotations

import base64
import re
import secrets

from flask import current_app
from sqlalchemy import bindparam, update
from sqlalchemy.dialects import postgresql, sqlite

from uitleen import qr
from uitleen.devices.models import (
    Counter,
    Device,
)
from uitleen.extensions import db

ASSET_TAG_COUNTER = "asset_tag"
CERTIFICATE_COUNTER = "certificate"


_URL_TOKEN_RE = re.compile(r"/h/([A-Z2-7]{20,32})/?(?:[?#].*)?$", re.IGNORECASE)
_BARE_TOKEN_RE = re.compile(r"^[A-Z2-7]{26}$")
# Labels printed before 2027 carry 26 characters, newer ones 20: both keep working.
_BARE_LABEL_TOKEN_RE = re.compile(r"^(?:[A-Z2-7]{20}|[A-Z2-7]{26})$")
_BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
LABEL_TOKEN_LENGTH = 20


def reserve(name: str, count: int = 1) -> int:
    """Reserve `count` numbers of a counter in one UPDATE; returns the first of the block.

    The UPDATE … RETURNING row lock (PostgreSQL) or the write lock taken at BEGIN
    IMMEDIATE (SQLite) makes concurrent callers wait for each other, so blocks never overlap.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    _ensure_counter(name)
    last = db.session.execute(
        update(Counter)
        .where(Counter.name == name)
        .values(value=Counter.value + count)
        .returning(Counter.value)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return last - count + 1


def raise_counter_to(name: str, value: int) -> None:
    """Make sure the counter is at least `value` (after importing numbers made elsewhere)."""
    _ensure_counter(name)
    db.session.execute(
        update(Counter)
        .where(Counter.name == name, Counter.value < value)
        .values(value=value)
        .execution_options(synchronize_session=False)
    )


def _ensure_counter(name: str) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(insert(Counter).values(name=name, value=0).on_conflict_do_nothing())


def new_public_token() -> str:
    """128 bits from the CSPRNG as upper-case base32 without padding (26 characters)."""
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=")


def new_label_token() -> str:
    """100 bits from the CSPRNG as 20 upper-case base32 characters, for a label's QR code.

    Shorter than new_public_token so the label URL fits QR version 2 (25 × 25 modules)
    with a typical host name: fewer, larger modules scan from further away. 100 bits
    stay far beyond guessing or enumerating (the public pages are rate-limited too).
    """
    return "".join(secrets.choice(_BASE32) for _ in range(LABEL_TOKEN_LENGTH))


def label_url(token: str) -> str:
    return qr.label_url(current_app.config["UITLEEN_BASE_URL"], token)


def qr_matrix_for(token: str) -> bytes:
    """The stored QR matrix of a token's label URL (slow-ish: ~5–25 ms, do it once)."""
    return qr.make_matrix(label_url(token)).to_bytes()


def assign_token(device: Device) -> str:
    """Give the device a fresh public token and its QR matrix; returns the token."""
    device.public_token = new_label_token()
    device.qr_url = label_url(device.public_token)
    device.qr_matrix = qr_matrix_for(device.public_token)
    return device.public_token


def usable_matrix(matrix: bytes | None, qr_url: str | None, token: str) -> bytes | None:
    """A stored matrix, if it still encodes the token's label URL under today's base URL
    and was made by today's encoder rule (an older one is a larger symbol than needed)."""
    return matrix if qr.is_current(matrix) and qr_url == label_url(token) else None


def store_qr_matrices(matrices: dict[str, bytes]) -> None:
    """Keep QR matrices made for labels, by public token, in one UPDATE per batch of rows.

    A device whose token changed since (a rotated label) matches no row and keeps its own.
    """
    table = Device.__table__
    statement = (
        table.update()
        .where(table.c.public_token == bindparam("token"))
        .values(qr_matrix=bindparam("matrix"), qr_url=bindparam("url"))
    )
    rows = [
        {"token": token, "matrix": matrix, "url": label_url(token)}
        for token, matrix in matrices.items()
    ]
    db.session.execute(statement, rows)
