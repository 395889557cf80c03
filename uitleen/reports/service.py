"""Figures for the dashboard and for funders, counted by the database (aggregates only)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import and_, case, distinct, func, select, union

from uitleen import clock
from uitleen.devices.lifecycle import STATES
from uitleen.devices.models import Device, WipeRecord
from uitleen.extensions import db
from uitleen.helpdesk.models import HelpRequest
from uitleen.households.models import Household
from uitleen.loans.models import Loan
from uitleen.settings import service as settings
from uitleen.vouchers.models import Voucher, VoucherBatch

OPEN_HELP_STATUSES = ("new", "in_progress")
DEVICE_FIGURES = ("received", "wiped", "issued", "returned", "recycled")


def month_starts(today: date, count: int = 12) -> list[date]:
    """The first days of the last `count` months, oldest first, ending with today's month."""
    year, month = today.year, today.month
    starts = []
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return starts[::-1]


def _counts(query) -> dict:
    return {key: count for key, count in db.session.execute(query)}


# --- dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchStock:
    id: int
    provider: str
    product: str
    expires_on: date
    left: int
    total: int
    low: bool


@dataclass(frozen=True)
class Dashboard:
    stock: list[tuple[str, int]]  # (state, devices) in life-cycle order
    months: list[str]  # "YYYY-MM", oldest first
    received: list[int]
    issued: list[int]
    returned: list[int]
    loans_open: int
    loans_overdue: int
    batches: list[BatchStock]
    low_stock_threshold: int
    help_new: int
    help_in_progress: int

    @property
    def help_open(self) -> int:
        return self.help_new + self.help_in_progress

    @property
    def in_stock(self) -> int:
        return sum(n for state, n in self.stock if state in IN_STOCK_STATES)

    @property
    def low_batches(self) -> list[BatchStock]:
        return [b for b in self.batches if b.low]


IN_STOCK_STATES = ("intake", "wiping", "wiped", "software", "qc", "ready", "returned", "repair")


def stock_by_state() -> list[tuple[str, int]]:
    """Devices per state, every state listed (zero too), in life-cycle order."""
    counts = _counts(select(Device.state, func.count()).group_by(Device.state))
    return [(state, counts.get(state, 0)) for state in STATES]


def per_month(column, bounds: list[datetime]) -> list[int]:
    """Rows whose column falls in each [bounds[i], bounds[i + 1]), in one round trip.

    One range count per month instead of GROUP BY on a formatted date: with an index on
    the column each count is a short index range scan, with no function call per row.
    """
    counts = [
        select(func.count()).where(column >= begin, column < end).scalar_subquery()
        for begin, end in zip(bounds, bounds[1:], strict=False)
    ]
    return [int(n) for n in db.session.execute(select(*counts)).one()]


def loan_counts(today: date) -> tuple[int, int]:
    """(open loans, of which overdue) in one query on the open-loans index."""
    overdue = case((Loan.due_date < today, 1), else_=0)
    row = db.session.execute(
        select(func.count(), func.coalesce(func.sum(overdue), 0)).where(Loan.closed_at.is_(None))
    ).one()
    return int(row[0]), int(row[1])


def voucher_stock(today: date, threshold: int) -> list[BatchStock]:
    """Vouchers left per batch that has not expired; low when at or under the threshold."""
    available = func.count(Voucher.id).filter(Voucher.status == "available")
    query = (
        select(
            VoucherBatch.id,
            VoucherBatch.provider,
            VoucherBatch.product,
            VoucherBatch.expires_on,
            available,
            func.count(Voucher.id),
        )
        .outerjoin(Voucher, Voucher.batch_id == VoucherBatch.id)
        .where(VoucherBatch.expires_on >= today)
        .group_by(VoucherBatch.id)
        .order_by(VoucherBatch.expires_on, VoucherBatch.id)
    )
    return [
        BatchStock(id, provider, product, expires, left, total, left <= threshold)
        for id, provider, product, expires, left, total in db.session.execute(query)
    ]


def help_counts() -> dict[str, int]:
    query = (
        select(HelpRequest.status, func.count())
        .where(HelpRequest.status.in_(OPEN_HELP_STATUSES))
        .group_by(HelpRequest.status)
    )
    return _counts(query)


def dashboard(now: datetime | None = None) -> Dashboard:
    """Everything the dashboard shows, in a handful of aggregate queries."""
    now = now or datetime.now(UTC)
    zone = clock.zone()
    today = clock.today(now)
    starts = month_starts(today)
    following = date(today.year + today.month // 12, today.month % 12 + 1, 1)
    # Months begin at local midnight, as in the funder reports: a funder's March is March here.
    bounds = [datetime.combine(day, time(), zone).astimezone(UTC) for day in [*starts, following]]
    threshold = int(settings.get("voucher_low_stock"))
    loans_open, loans_overdue = loan_counts(today)
    help = help_counts()
    return Dashboard(
        stock=stock_by_state(),
        months=[start.strftime("%Y-%m") for start in starts],
        received=per_month(Device.created_at, bounds),
        issued=per_month(Loan.issued_at, bounds),
        returned=per_month(Loan.returned_at, bounds),
        loans_open=loans_open,
        loans_overdue=loans_overdue,
        batches=voucher_stock(today, threshold),
        low_stock_threshold=threshold,
        help_new=help.get("new", 0),
        help_in_progress=help.get("in_progress", 0),
    )


# --- reports for funders ---------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date  # first day, inclusive
    end: date  # last day, inclusive

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as UTC moments of the organisation's local midnights."""
        zone = clock.zone()
        begin = datetime.combine(self.start, time(), zone).astimezone(UTC)
        finish = datetime.combine(self.end + timedelta(days=1), time(), zone).astimezone(UTC)
        return begin, finish

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        following = date(year + month // 12, month % 12 + 1, 1)
        return cls(date(year, month, 1), following - timedelta(days=1))

    @property
    def slug(self) -> str:
        return f"{self.start.isoformat()}_{self.end.isoformat()}"


def last_month(today: date) -> Period:
    """The last full calendar month before today."""
    first = today.replace(day=1) - timedelta(days=1)
    return Period.month(first.year, first.month)


@dataclass(frozen=True)
class Report:
    period: Period
    devices: dict[str, int]  # DEVICE_FIGURES -> count
    households_served: int
    households_new: int
    per_partner: list[tuple[str, int]]
    per_language: list[tuple[str, int]]
    vouchers_per_provider: list[tuple[str, int]]
    help_per_category: list[tuple[str, int]]

    @property
    def vouchers_issued(self) -> int:
        return sum(n for _provider, n in self.vouchers_per_provider)

    @property
    def help_requests(self) -> int:
        return sum(n for _category, n in self.help_per_category)


def _within(column, begin: datetime, finish: datetime):
    return and_(column >= begin, column < finish)


def _count(query) -> int:
    return int(db.session.scalar(query) or 0)


def device_figures(begin: datetime, finish: datetime) -> dict[str, int]:
    """Devices received, wiped (passed), issued, returned and recycled in [begin, finish)."""
    return {
        "received": _count(select(func.count()).where(_within(Device.created_at, begin, finish))),
        "wiped": _count(
            select(func.count(distinct(WipeRecord.device_id))).where(
                WipeRecord.passed.is_(True), _within(WipeRecord.finished_at, begin, finish)
            )
        ),
        "issued": _count(select(func.count()).where(_within(Loan.issued_at, begin, finish))),
        "returned": _count(select(func.count()).where(_within(Loan.returned_at, begin, finish))),
        # Recycled is a final state, so the moment of the last change is the recycling.
        "recycled": _count(
            select(func.count()).where(
                Device.state == "recycled", _within(Device.state_changed_at, begin, finish)
            )
        ),
    }


def served_households(begin: datetime, finish: datetime):
    """SQL: ids of households that got a device or a voucher in [begin, finish)."""
    return union(
        select(Loan.household_id).where(_within(Loan.issued_at, begin, finish)),
        select(Voucher.household_id).where(
            Voucher.household_id.is_not(None),
            Voucher.status != "revoked",
            _within(Voucher.assigned_at, begin, finish),
        ),
    ).subquery()


def _grouped(column, where, order_by_count: bool = True) -> list[tuple[str, int]]:
    query = select(column, func.count()).where(*where).group_by(column)
    rows = [(key or "", int(n)) for key, n in db.session.execute(query)]
    return sorted(rows, key=lambda row: (-row[1], row[0]) if order_by_count else row[0])


def period_report(period: Period) -> Report:
    """The figures a funder asks for, for one period."""
    begin, finish = period.bounds()
    served = served_households(begin, finish)
    in_served = Household.id.in_(select(served.c[0]))
    return Report(
        period=period,
        devices=device_figures(begin, finish),
        households_served=_count(select(func.count()).select_from(served)),
        households_new=_count(
            select(func.count()).where(_within(Household.created_at, begin, finish))
        ),
        per_partner=_grouped(Household.referral_partner, [in_served]),
        per_language=_grouped(Household.language, [in_served]),
        vouchers_per_provider=_grouped(
            VoucherBatch.provider,
            [
                VoucherBatch.id == Voucher.batch_id,
                Voucher.status != "revoked",
                _within(Voucher.assigned_at, begin, finish),
            ],
        ),
        help_per_category=_grouped(
            HelpRequest.category, [_within(HelpRequest.created_at, begin, finish)]
        ),
    )
