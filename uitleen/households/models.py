"""Households, with minimal personal data, and the waiting list."""

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uitleen.db import utcnow
from uitleen.extensions import db

PROOF_KINDS = ("stadspas", "income_statement", "referral_letter", "other")
NEEDS = ("school", "work", "language_class", "other")


class Household(db.Model):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Pseudonymous and kept after the purge, so reports still count the household.
    code: Mapped[str] = mapped_column(String(16), unique=True)
    # Personal fields: optional, and erased after the retention period.
    contact_name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(40))
    notes: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8), default="nl")
    household_size: Mapped[int | None]
    school_children: Mapped[int | None]
    referral_partner: Mapped[str] = mapped_column(String(80), default="")
    proof_kind: Mapped[str] = mapped_column(String(24), default="")  # the kind only, never a copy
    consent_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    erased_at: Mapped[datetime | None]


class WaitingEntry(db.Model):
    """A household waiting for a device, in order of arrival."""

    __tablename__ = "waiting_entries"
    __table_args__ = (Index("ix_waiting_entries_open", "served_at", "removed_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    need: Mapped[str] = mapped_column(String(24), default="other")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    served_at: Mapped[datetime | None]
    removed_at: Mapped[datetime | None]

    household: Mapped[Household] = relationship()
