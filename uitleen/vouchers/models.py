"""Internet-subsidy voucher batches and their codes."""

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from uitleen.db import one_of, utcnow
from uitleen.extensions import db
from uitleen.i18n import DEFAULT, SUPPORTED, missing_translations

STATUSES = ("available", "assigned", "redeemed", "expired", "revoked")


class VoucherBatch(db.Model):
    __tablename__ = "voucher_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider: Mapped[str] = mapped_column(String(120))
    product: Mapped[str] = mapped_column(String(200))  # Dutch, the source
    # {language code: the product in that language}, for the household's letter.
    product_translations: Mapped[dict] = mapped_column(JSON, default=dict)

    @property
    def missing_translations(self) -> list[str]:
        """Household languages the product name is not yet written in."""
        return missing_translations(self.product, self.product_translations)

    @property
    def missing_steps(self) -> list[str]:
        """Household languages without their own activation steps (the letter prints Dutch)."""
        steps = self.activation_steps or {}
        return [code for code in SUPPORTED if code != DEFAULT and not steps.get(code)]

    months: Mapped[int | None]
    value_cents: Mapped[int | None]
    expires_on: Mapped[date]
    # Language code -> list of plain-text steps, shown on the household's letter.
    activation_steps: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Voucher(db.Model):
    __tablename__ = "vouchers"
    __table_args__ = (
        Index("ix_vouchers_batch_status", "batch_id", "status", "id"),
        one_of("status", STATUSES),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("voucher_batches.id"))
    code: Mapped[str] = mapped_column(String(120), unique=True)  # a secret: masked in lists
    status: Mapped[str] = mapped_column(String(12), default="available")
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    loan_id: Mapped[int | None] = mapped_column(ForeignKey("loans.id"))
    assigned_at: Mapped[datetime | None]
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    redeemed_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(Text, default="")

    batch: Mapped[VoucherBatch] = relationship()
