"""Reading batches and codes, and how many codes each batch has left."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from uitleen import clock
from uitleen.errors import found
from uitleen.extensions import db
from uitleen.settings import service as settings
from uitleen.vouchers.models import Voucher, VoucherBatch

MASK = "••••••••"


def today() -> date:
    """Expiry dates are days on the organisation's calendar, not UTC's."""
    return clock.today()


def mask(code: str) -> str:
    """A code as lists show it: dots and only the last few characters."""
    tail = 4 if len(code) >= 10 else 2
    return MASK + code[-tail:]


def get_batch(batch_id: int) -> VoucherBatch:
    return found(
        VoucherBatch,
        batch_id,
        _("Deze partij bestaat niet. Kies een andere partij."),
        "batch_not_found",
    )


def get_voucher(voucher_id: int) -> Voucher:
    return found(
        Voucher,
        voucher_id,
        _("Deze voucher bestaat niet. Zoek hem op in de lijst van de partij."),
        "voucher_not_found",
    )


def is_expired(batch: VoucherBatch, on: date | None = None) -> bool:
    return batch.expires_on < (on or today())


def list_batches() -> list[VoucherBatch]:
    """All batches, the ones that expire soonest first, expired ones last."""
    batches = db.session.scalars(select(VoucherBatch).order_by(VoucherBatch.expires_on.desc()))
    current = today()
    return sorted(batches, key=lambda b: (b.expires_on < current, b.expires_on, b.id))


def vouchers_of_batch(
    batch_id: int, status: str | None = None, after: int | None = None, limit: int = 100
) -> list[Voucher]:
    """A page of a batch's vouchers by id (keyset), optionally of one status."""
    query = select(Voucher).where(Voucher.batch_id == batch_id).order_by(Voucher.id).limit(limit)
    if status:
        query = query.where(Voucher.status == status)
    if after:
        query = query.where(Voucher.id > after)
    return list(db.session.scalars(query))


def vouchers_of_household(household_id: int) -> list[Voucher]:
    return list(
        db.session.scalars(
            select(Voucher).where(Voucher.household_id == household_id).order_by(Voucher.id)
        )
    )


def find_vouchers(
    batch_id: int | None = None,
    status: str | None = None,
    household_id: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> list[Voucher]:
    """Vouchers filtered by batch, status and household, a page by id."""
    query = select(Voucher).order_by(Voucher.id).limit(limit)
    if batch_id is not None:
        query = query.where(Voucher.batch_id == batch_id)
    if status:
        query = query.where(Voucher.status == status)
    if household_id is not None:
        query = query.where(Voucher.household_id == household_id)
    if after:
        query = query.where(Voucher.id > after)
    return list(db.session.scalars(query))


@dataclass(frozen=True)
class BatchStock:
    """How many codes a batch has in each status, and whether it runs low."""

    batch_id: int
    provider: str
    product: str
    expires_on: date
    expired: bool
    available: int
    assigned: int
    redeemed: int
    revoked: int
    expired_codes: int
    low_stock: bool

    @property
    def total(self) -> int:
        return self.available + self.assigned + self.redeemed + self.revoked + self.expired_codes


def stock_by_batch() -> list[BatchStock]:
    """Per batch: codes per status, and a low-stock flag below the voucher_low_stock setting.

    An expired batch is never low (it cannot be handed out any more); its available
    codes count as expired even before `uitleen vouchers expire` marks them.
    """
    return _stock(list_batches())


def stock_of(batch: VoucherBatch) -> BatchStock:
    return _stock([batch])[0]


@dataclass(frozen=True)
class BatchWithStock:
    """A batch as the API shows it: the batch's own columns, and its codes per status."""

    batch: VoucherBatch
    stock: BatchStock

    def __getattr__(self, name: str):
        return getattr(self.batch, name)


def with_stock(batches: list[VoucherBatch]) -> list[BatchWithStock]:
    """Each batch with its stock, counted in one query for all of them."""
    return [BatchWithStock(b, s) for b, s in zip(batches, _stock(batches), strict=True)]


def _stock(batches: list[VoucherBatch]) -> list[BatchStock]:
    threshold = int(settings.get("voucher_low_stock"))
    query = select(Voucher.batch_id, Voucher.status, func.count()).group_by(
        Voucher.batch_id, Voucher.status
    )
    if len(batches) == 1:
        query = query.where(Voucher.batch_id == batches[0].id)
    counts: dict[int, dict[str, int]] = {}
    for batch_id, status, count in db.session.execute(query):
        counts.setdefault(batch_id, {})[status] = count
    current = today()
    stock = []
    for batch in batches:
        per = counts.get(batch.id, {})
        expired = is_expired(batch, current)
        available = 0 if expired else per.get("available", 0)
        stock.append(
            BatchStock(
                batch_id=batch.id,
                provider=batch.provider,
                product=batch.product,
                expires_on=batch.expires_on,
                expired=expired,
                available=available,
                assigned=per.get("assigned", 0),
                redeemed=per.get("redeemed", 0),
                revoked=per.get("revoked", 0),
                expired_codes=per.get("expired", 0) + (per.get("available", 0) if expired else 0),
                low_stock=not expired and available < threshold,
            )
        )
    return stock


def low_stock_batches() -> list[BatchStock]:
    return [s for s in stock_by_batch() if s.low_stock]


def assignable_batches() -> list[BatchStock]:
    """Batches a worker can pick from: not expired and with codes left."""
    return [s for s in stock_by_batch() if not s.expired and s.available > 0]
