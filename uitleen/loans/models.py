"""Loans and gifts of devices to households."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uitleen.db import one_of, utcnow
from uitleen.devices.models import Device
from uitleen.extensions import db
from uitleen.households.models import Household

KINDS = ("loan", "gift")
# How a loan ended. "returned" brings the device back; the others close it without blame.
OUTCOMES = ("returned", "kept", "lost", "stolen", "broken", "gifted")


class Loan(db.Model):
    __tablename__ = "loans"
    __table_args__ = (
        # Rule 2: at most one open loan per device, enforced by the database itself.
        Index(
            "uq_loans_one_open_per_device",
            "device_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
        Index("ix_loans_open_due", "closed_at", "due_date"),
        one_of("kind", KINDS),
        one_of("outcome", OUTCOMES),  # NULL while the loan is open
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(String(8), default="loan")
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)  # monthly counts
    due_date: Mapped[date | None]
    deposit_cents: Mapped[int | None]
    deposit_refunded: Mapped[bool | None]
    returned_at: Mapped[datetime | None] = mapped_column(index=True)
    return_condition: Mapped[str] = mapped_column(Text, default="")
    charger_returned: Mapped[bool | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12))
    notes: Mapped[str] = mapped_column(Text, default="")
    # Set when the device's label was replaced during the loan: hand the household a new
    # label (their old one now says 'not in use'); cleared when that is done.
    new_label_since: Mapped[datetime | None]
    new_label_reason: Mapped[str] = mapped_column(String(200), default="", server_default="")

    device: Mapped[Device] = relationship()
    household: Mapped[Household] = relationship()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
