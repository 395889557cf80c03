"""The funder report on one A4 page, as a pure function returning PDF bytes."""

from flask_babel import format_date
from flask_babel import gettext as _

from uitleen.pdf import SANS, SANS_BOLD, Page, render_page
from uitleen.reports.service import Report
from uitleen.reports.tables import report_tables

SIZES = (11, 10, 9, 8, 7)


def report_pdf(report: Report, organisation: str, lang: str = "nl") -> bytes:
    """One page: organisation, period, then each table of figures."""
    period = report.period
    title = _("Verantwoording %(start)s – %(end)s", start=period.start, end=period.end)
    when = _(
        "Periode: %(start)s tot en met %(end)s",
        start=format_date(period.start, "long"),
        end=format_date(period.end, "long"),
    )
    tables = report_tables(report)

    def draw(page: Page, size: float) -> None:
        page.paragraph(organisation, size * 1.6, SANS_BOLD, after=0.2)
        page.paragraph(_("Verantwoording voor financiers"), size * 1.25, SANS_BOLD)
        page.paragraph(when, size, SANS)
        for table in tables:
            page.heading(table.title, size * 1.15)
            page.rows([(label, str(n)) for label, n in table.rows], size)
        page.rule()
        page.paragraph(
            _(
                "Geholpen huishoudens: huishoudens die in deze periode een apparaat of een "
                "internetvoucher kregen. Elk huishouden telt één keer."
            ),
            size * 0.85,
        )

    return render_page(draw, SIZES, lang=lang, title=title)
