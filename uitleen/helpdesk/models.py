"""Help requests sent from a device's public help page."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uitleen.auth.models import User
from uitleen.db import one_of, utcnow
from uitleen.devices.models import Device
from uitleen.extensions import db

CATEGORIES = ("no_start", "no_internet", "password", "broken", "sound_camera", "other")
STATUSES = ("new", "in_progress", "done")


class HelpRequest(db.Model):
    """Stored against the device, never the household: anyone can scan a label."""

    __tablename__ = "help_requests"
    __table_args__ = (
        Index("ix_help_requests_status_id", "status", "id"),
        one_of("status", STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("devices.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    message: Mapped[str] = mapped_column(Text, default="")
    callback_phone: Mapped[str] = mapped_column(String(40), default="")
    language: Mapped[str] = mapped_column(String(8), default="nl")
    status: Mapped[str] = mapped_column(String(12), default="new")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    taken_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    staff_notes: Mapped[str] = mapped_column(Text, default="")

    device: Mapped[Device] = relationship()
    taken_by: Mapped[User | None] = relationship()
