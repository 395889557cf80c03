"""Dashboard, funder report pages and downloads, and the data protection page."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pypdfium2
import pytest

from tests.reports import factories as f
from tests.reports.test_service import march  # noqa: F401 - the shared data set
from uitleen import clock
from uitleen.db import utcnow
from uitleen.extensions import db
from uitleen.households.models import Household


def page_text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def test_dashboard_has_charts_with_titles_and_table_alternatives(client, login_as):
    login_as("coordinator")
    today = utcnow()
    f.lendable(today)
    f.lendable(today)
    f.device("ready", created_at=today)  # marked ready without a wipe or check: not counted
    f.device("repair", created_at=today)
    db.session.commit()
    html = page_text(client.get("/dashboard"))
    assert html.count("<svg") == 2
    assert "<script" not in html
    for chart in ("chart-stock", "chart-flow"):
        assert f'aria-labelledby="{chart}-t {chart}-d"' in html
        assert f'<title id="{chart}-t">' in html and f'<desc id="{chart}-d">' in html
    assert html.count("<figure") == 2 and html.count("<figcaption") == 2
    assert html.count('<details class="data">') == 2
    stock_cell = r'<td class="num" data-label="Apparaten">(\d+)</td>'
    row = re.search(r"Klaar voor uitleen</th>" + stock_cell, html)
    assert row and row.group(1) == "2"
    assert 'In reparatie</th><td class="num" data-label="Apparaten">1</td>' in html


def test_dashboard_warns_about_a_low_voucher_batch(client, login_as):
    login_as("intake")  # the desk sees the dashboard too: it holds no personal data
    kpn = f.batch("KPN")
    for _ in range(3):
        f.voucher(kpn)
    roomy = f.batch("Ziggo")
    for _ in range(12):
        f.voucher(roomy)
    db.session.commit()
    html = page_text(client.get("/dashboard"))
    assert "Bijna op: 1 partij heeft 10 vouchers of minder over" in html
    assert html.count("bijna op</span>") == 1


def test_dashboard_is_not_for_volunteers(client, login_as):
    login_as("volunteer")
    assert client.get("/dashboard").status_code == 403


def test_report_page_shows_the_month(client, login_as, march):  # noqa: F811
    login_as("coordinator")
    html = page_text(client.get("/reports?month=2026-03"))
    assert "1 maart 2026" in html and "31 maart 2026" in html
    assert 'Apparaten binnengekomen</th><td class="num" data-label="Aantal">2</td>' in html
    assert 'KPN</th><td class="num" data-label="Aantal">2</td>' in html
    assert "export.csv?from=2026-03-01&amp;to=2026-03-31" in html


def test_report_with_a_wrong_period_keeps_the_input_and_says_why(client, login_as):
    login_as("coordinator")
    response = client.get("/reports?from=2026-03-10&to=2026-03-01")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "De einddatum ligt vóór de begindatum." in html
    assert 'value="2026-03-10"' in html and 'value="2026-03-01"' in html


def test_csv_download(client, login_as, march):  # noqa: F811
    login_as("coordinator")
    db.session.add(Household(code="HH-EVIL", referral_partner="=cmd|' /C calc'!A0"))
    db.session.commit()
    household = db.session.query(Household).filter_by(code="HH-EVIL").one()
    f.loan(f.device("on_loan"), household, issued_at=f.at(2026, 3, 20))
    db.session.commit()
    response = client.get("/reports/export.csv?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "verantwoording_2026-03-01_2026-03-31.csv" in response.headers["Content-Disposition"]
    body = io.StringIO(response.data.decode("utf-8-sig"), newline="")
    rows = list(csv.reader(body, delimiter=";"))
    assert b"\r\n" in response.data
    figures = {(r[0], r[1]): r[2] for r in rows}
    assert figures[("Apparaten", "Apparaten uitgegeven (lening of schenking)")] == "3"
    assert figures[("Geholpen huishoudens per verwijzer", "'=cmd|' /C calc'!A0")] == "1"
    assert figures[("Hulpvragen per soort", "Geen internet")] == "2"


def test_pdf_download_is_one_page_with_the_figures(client, login_as, march):  # noqa: F811
    login_as("coordinator")
    response = client.get("/reports/export.pdf?month=2026-03")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    pdf = pypdfium2.PdfDocument(response.data)
    try:
        assert len(pdf) == 1
        text = pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    text = " ".join(text.split())
    assert "Verantwoording voor financiers" in text
    assert "1 maart 2026 tot en met 31 maart 2026" in text
    assert "Apparaten binnengekomen 2" in text
    assert "Odido 1" in text
    assert "Arabisch 1" in text


def test_export_with_a_wrong_period_is_refused(client, login_as):
    login_as("coordinator")
    response = client.get("/reports/export.csv?month=2026-13")
    assert response.status_code == 422


def _household_with_old_data(months_ago: int) -> Household:
    row = f.household(created_at=utcnow() - timedelta(days=31 * months_ago))
    return row


def test_privacy_page_counts_due_households_and_purges_them(client, login_as):
    login_as("coordinator")
    old = _household_with_old_data(14)
    recent = _household_with_old_data(3)
    db.session.commit()
    html = page_text(client.get("/privacy"))
    assert "Nu te wissen (bewaartermijn voorbij)</dt><dd><strong>1</strong>" in html
    assert "uitleen households purge" in html
    # The recent household becomes due 12 months after registration: about 9 months on.
    due = re.search(r"Volgende huishouden te wissen op</dt>\s*<dd>([^<]+)</dd>", html).group(1)
    assert str((recent.created_at + timedelta(days=365)).year) in due
    response = client.post("/privacy/purge")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Household, old.id).contact_name is None
    assert db.session.get(Household, recent.id).contact_name is not None
    html = page_text(client.get("/privacy"))
    assert "van 1 huishoudens zijn de persoonsgegevens gewist" in html
    assert "Nu te wissen (bewaartermijn voorbij)</dt><dd><strong>0</strong>" in html


def test_next_due_date_is_the_first_day_the_rule_says_due(app):
    from uitleen.reports import privacy

    now = utcnow()
    row = _household_with_old_data(6)
    db.session.commit()
    due = privacy.next_due_date(now, horizon_days=400)
    assert due is not None
    from uitleen.households.service import retention_due

    days = (due - clock.today(now)).days
    assert row.id not in retention_due(now + timedelta(days=days - 1))
    assert row.id in retention_due(now + timedelta(days=days))
    assert due > clock.today(now)


def test_next_due_date_is_a_day_on_the_organisations_calendar(app):
    from uitleen.reports import privacy

    # Registered 29 March 2025 at 23:30 in Amsterdam: due twelve months on, which is
    # 00:30 on 30 March 2026 here but still the 29th in UTC.
    f.household(created_at=datetime(2025, 3, 29, 22, 30, tzinfo=UTC))
    db.session.commit()
    now = datetime(2026, 1, 1, 23, 30, tzinfo=UTC)
    assert privacy.next_due_date(now, horizon_days=400) == date(2026, 3, 30)


@pytest.mark.parametrize("role", ["intake", "volunteer"])
def test_reports_and_privacy_are_for_coordinators(client, login_as, role):
    login_as(role)
    for url in ("/reports", "/reports/export.csv", "/reports/export.pdf", "/privacy"):
        assert client.get(url).status_code == 403
    assert client.post("/privacy/purge").status_code == 403
