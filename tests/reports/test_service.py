"""Report and dashboard figures on a small data set whose answers are known."""

from datetime import UTC, date, datetime

import pytest

from tests.reports import factories as f
from uitleen.extensions import db
from uitleen.reports import service
from uitleen.settings import service as settings

MARCH = service.Period.month(2026, 3)


@pytest.fixture
def march(app):
    """Activity in February, March and April 2026; only March should count."""
    school = f.household("School", "nl")
    taal = f.household("Taalles", "ar")
    schuld = f.household("Schuldhulp", "tr")
    idle = f.household("School", "pl")  # registered, never served
    d1 = f.device("on_loan", created_at=f.at(2026, 2, 27))
    d2 = f.device("returned", created_at=f.at(2026, 3, 1, 9))
    d3 = f.device("recycled", created_at=f.at(2026, 3, 15), state_changed_at=f.at(2026, 3, 20))
    d4 = f.device("recycled", created_at=f.at(2026, 1, 15), state_changed_at=f.at(2026, 4, 2))
    f.device("intake", created_at=f.at(2026, 4, 1, 9))
    f.wipe(d1, f.at(2026, 3, 2))
    f.wipe(d1, f.at(2026, 3, 3))  # a second pass on the same device counts once
    f.wipe(d2, f.at(2026, 3, 4), passed=False)
    f.wipe(d2, f.at(2026, 2, 4))
    f.loan(d1, school, issued_at=f.at(2026, 3, 5), due_date=date(2026, 4, 5))
    f.loan(d2, taal, issued_at=f.at(2026, 2, 5), returned_at=f.at(2026, 3, 25))
    f.loan(d3, taal, issued_at=f.at(2026, 3, 6), returned_at=f.at(2026, 3, 10))
    kpn, odido = f.batch("KPN"), f.batch("Odido")
    f.voucher(kpn, "assigned", schuld, f.at(2026, 3, 7))
    f.voucher(kpn, "redeemed", school, f.at(2026, 3, 8))
    f.voucher(odido, "assigned", taal, f.at(2026, 3, 9))
    f.voucher(odido, "revoked", idle, f.at(2026, 3, 9))
    f.voucher(odido, "assigned", idle, f.at(2026, 4, 9))
    f.help_request(d1, "no_internet", created_at=f.at(2026, 3, 12))
    f.help_request(d1, "no_internet", created_at=f.at(2026, 3, 13))
    f.help_request(d3, "password", created_at=f.at(2026, 3, 14))
    f.help_request(d3, "password", created_at=f.at(2026, 4, 14))
    db.session.commit()
    return {"d4": d4}


def test_device_figures_count_only_the_period(march):
    report = service.period_report(MARCH)
    assert report.devices == {
        "received": 2,
        "wiped": 1,
        "issued": 2,
        "returned": 2,
        "recycled": 1,
    }


def test_households_served_per_partner_and_language(march):
    report = service.period_report(MARCH)
    # school and taal got devices, schuld a voucher; idle's only March voucher was revoked.
    assert report.households_served == 3
    assert report.households_new == 0
    assert dict(report.per_partner) == {"School": 1, "Taalles": 1, "Schuldhulp": 1}
    assert dict(report.per_language) == {"nl": 1, "ar": 1, "tr": 1}


def test_vouchers_per_provider_and_help_per_category(march):
    report = service.period_report(MARCH)
    assert report.vouchers_per_provider == [("KPN", 2), ("Odido", 1)]
    assert report.vouchers_issued == 3
    assert report.help_per_category == [("no_internet", 2), ("password", 1)]


def test_period_bounds_follow_dutch_midnight(app):
    begin, finish = MARCH.bounds()
    assert begin == datetime(2026, 2, 28, 23, tzinfo=UTC)  # CET is UTC+1
    assert finish == datetime(2026, 3, 31, 22, tzinfo=UTC)  # CEST is UTC+2 from 29 March


def test_dashboard_months_turn_at_local_midnight(app):
    # 22:30 UTC on 31 March is 00:30 on 1 April in Amsterdam: April is this month.
    board = service.dashboard(now=datetime(2026, 3, 31, 22, 30, tzinfo=UTC))
    assert board.months[-1] == "2026-04"
    board = service.dashboard(now=datetime(2026, 3, 31, 21, 59, tzinfo=UTC))
    assert board.months[-1] == "2026-03"


def test_month_helpers():
    assert service.Period.month(2026, 12) == service.Period(date(2026, 12, 1), date(2026, 12, 31))
    assert service.last_month(date(2026, 1, 15)) == service.Period.month(2025, 12)
    starts = service.month_starts(date(2026, 3, 31))
    assert starts[0] == date(2025, 4, 1) and starts[-1] == date(2026, 3, 1) and len(starts) == 12


def test_dashboard_figures(march):
    settings.put(None, "voucher_low_stock", 1)
    f.batch("Expired", expires_on=date(2020, 1, 1))
    db.session.commit()
    board = service.dashboard(now=f.at(2026, 4, 10))
    stock = dict(board.stock)
    assert stock["recycled"] == 2 and stock["on_loan"] == 1 and stock["intake"] == 1
    assert stock["ready"] == 0  # every state is listed, zero too
    assert board.months[-1] == "2026-04" and len(board.months) == 12
    assert board.received[-3:] == [1, 2, 1]  # Feb: d1; Mar: d2, d3; Apr: intake
    assert board.issued[-3:] == [1, 2, 0]
    assert board.returned[-3:] == [0, 2, 0]
    assert (board.loans_open, board.loans_overdue) == (1, 1)  # due 5 April, now 10 April
    assert [(b.provider, b.left, b.total, b.low) for b in board.batches] == [
        ("KPN", 0, 2, True),
        ("Odido", 0, 3, True),
    ]
    assert board.help_open == 4 and board.help_new == 4
