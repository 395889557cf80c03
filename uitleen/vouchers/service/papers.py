"""What is printed about vouchers: the household's letter and the issued report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from uitleen import clock
from uitleen.audit.service import record
from uitleen.errors import field_error
from uitleen.extensions import db
from uitleen.households.models import Household
from uitleen.i18n import SUPPORTED
from uitleen.settings import service as settings
from uitleen.vouchers.letter import LetterData, render_voucher_letter
from uitleen.vouchers.models import Voucher, VoucherBatch
from uitleen.vouchers.service.assignment import wrong_status
from uitleen.vouchers.service.batches import product_in, steps_for

# --- the letter ------------------------------------------------------------------------


def letter_data(voucher: Voucher) -> tuple[LetterData, str]:
    """What goes on the letter, and the household's language to print it in."""
    household = db.session.get(Household, voucher.household_id)
    lang = household.language if household.language in SUPPORTED else "nl"
    org = settings.get_many(["org_name", "org_phone", "org_whatsapp", "org_address"])
    batch = voucher.batch
    data = LetterData(
        organisation=str(org["org_name"]),
        phone=str(org["org_phone"]),
        whatsapp=str(org["org_whatsapp"]) or None,
        address=str(org["org_address"]) or None,
        provider=batch.provider,
        product=product_in(batch, lang),
        code=voucher.code,
        steps=tuple(steps_for(batch, lang)),
        expires_on=batch.expires_on,
        household_code=household.code,
    )
    return data, lang


def letter_filename(voucher_id: int) -> str:
    return f"voucherbrief-{voucher_id}.pdf"


def print_letter(actor, voucher: Voucher) -> bytes:
    """The voucher letter as PDF bytes in the household's language; printing is logged."""
    if voucher.status not in ("assigned", "redeemed") or voucher.household_id is None:
        raise wrong_status(voucher, _("Een brief is er alleen voor een uitgegeven voucher."))
    data, lang = letter_data(voucher)
    document = render_voucher_letter(data, lang)
    record(actor, "voucher.letter_printed", voucher, language=lang)
    return document


# --- the issued report -----------------------------------------------------------------


@dataclass(frozen=True)
class ReportRow:
    key: str
    issued: int
    redeemed: int


@dataclass(frozen=True)
class IssuedReport:
    start: date
    end: date
    total: int
    redeemed: int
    by_month: list[ReportRow]
    by_provider: list[ReportRow]
    by_referral_partner: list[ReportRow]


def issued_report(start: date, end: date) -> IssuedReport:
    """Vouchers handed out from start to end (inclusive, by the organisation's days), per
    month, provider and referral partner; `redeemed` counts those marked redeemed since."""
    if end < start:
        raise field_error("end", _("De einddatum ligt vóór de begindatum. Draai ze om."))
    begin, until = _local_midnight(start), _local_midnight(end + timedelta(days=1))
    handed_out = (
        select(
            _local_month(start, end).label("month"),
            VoucherBatch.provider.label("provider"),
            Household.referral_partner.label("partner"),
            case((Voucher.status == "redeemed", 1), else_=0).label("redeemed"),
        )
        .join(VoucherBatch, Voucher.batch_id == VoucherBatch.id)
        .join(Household, Voucher.household_id == Household.id)
        .where(Voucher.assigned_at >= begin, Voucher.assigned_at < until)
        .subquery()
    )
    # Grouped outside: PostgreSQL does not see the month CASE, with its bound parameters,
    # in SELECT and GROUP BY as the same expression.
    rows = db.session.execute(
        select(
            handed_out.c.month,
            handed_out.c.provider,
            handed_out.c.partner,
            func.count(),
            func.sum(handed_out.c.redeemed),
        ).group_by(handed_out.c.month, handed_out.c.provider, handed_out.c.partner)
    ).all()
    return IssuedReport(
        start=start,
        end=end,
        total=sum(r[3] for r in rows),
        redeemed=sum(int(r[4] or 0) for r in rows),
        by_month=_totals(rows, 0),
        by_provider=_totals(rows, 1),
        by_referral_partner=_totals(rows, 2),
    )


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, clock.zone()).astimezone(UTC)


def _local_month(start: date, end: date):
    """'YYYY-MM' of Voucher.assigned_at on the organisation's calendar, for rows from start.

    SQLite knows no time zones, so the months' local bounds are compared instead.
    """
    whens = []
    first = start.replace(day=1)
    while first <= end:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        whens.append((Voucher.assigned_at < _local_midnight(following), first.strftime("%Y-%m")))
        first = following
    return case(*whens)


def _totals(rows, index: int) -> list[ReportRow]:
    issued: dict[str, int] = {}
    used: dict[str, int] = {}
    for row in rows:
        key = row[index] or ""
        issued[key] = issued.get(key, 0) + row[3]
        used[key] = used.get(key, 0) + int(row[4] or 0)
    order = sorted(issued) if index == 0 else sorted(issued, key=lambda k: (-issued[k], k))
    return [ReportRow(key=k, issued=issued[k], redeemed=used[k]) for k in order]
