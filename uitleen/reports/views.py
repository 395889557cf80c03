"""Dashboard, reports for funders with CSV and PDF downloads, and the data protection page."""

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale, lazy_gettext, ngettext
from flask_babel import gettext as _
from marshmallow import ValidationError

from uitleen import clock, csvexport, forms, tasks
from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE
from uitleen.devices.lifecycle import STATE_NAMES
from uitleen.downloads import pdf_response
from uitleen.errors import Invalid, errors_of
from uitleen.extensions import db
from uitleen.i18n import current_language
from uitleen.nav import Card, home_card, nav_item
from uitleen.reports import backups, charts, privacy, service
from uitleen.reports.pdf import report_pdf
from uitleen.reports.schemas import PeriodQuerySchema, period_from
from uitleen.reports.tables import csv_rows, report_tables
from uitleen.settings import service as settings

bp = Blueprint("reports", __name__)

nav_item("reports.dashboard", lazy_gettext("Overzicht"), [INTAKE, COORDINATOR], order=10)
nav_item("reports.period", lazy_gettext("Verantwoording"), [COORDINATOR], order=80)
nav_item("reports.privacy_page", lazy_gettext("Privacy"), [COORDINATOR], order=88)
nav_item("reports.backups_page", lazy_gettext("Back-ups"), [COORDINATOR], order=89)


def month_label(key: str) -> str:
    """'2026-03' -> 'mrt 26' in the reader's language, short enough for a chart axis."""
    year, month = (int(part) for part in key.split("-"))
    return format_date(date(year, month, 1), "MMM yy")


def dashboard_charts(board: service.Dashboard) -> dict:
    """The two charts of the dashboard as inline SVG."""
    stock = [(str(STATE_NAMES[state]), n) for state, n in board.stock]
    labels = [month_label(m) for m in board.months]
    return {
        "stock": charts.bar_chart(
            "chart-stock",
            _("Apparaten per status"),
            _(
                "Staafdiagram: aantal apparaten in elke status. "
                "De tabel eronder geeft dezelfde cijfers."
            ),
            stock,
        ),
        "flow": charts.line_chart(
            "chart-flow",
            _("Apparaten in en uit per maand"),
            _(
                "Lijndiagram over de laatste twaalf maanden: binnengekomen, uitgegeven en "
                "teruggebracht. De tabel eronder geeft dezelfde cijfers."
            ),
            labels,
            [
                charts.Series(_("Binnengekomen"), board.received),
                charts.Series(_("Uitgegeven"), board.issued),
                charts.Series(_("Teruggebracht"), board.returned),
            ],
        ),
        "stock_rows": stock,
        "month_labels": labels,
    }


@bp.route("/dashboard")
@role_required(INTAKE)
def dashboard():
    board = service.dashboard()
    return render_template("reports/dashboard.html", board=board, **dashboard_charts(board))


@home_card([INTAKE, COORDINATOR], order=5)
def dashboard_card(user) -> Card:
    today = clock.today()
    _open, overdue = service.loan_counts(today)
    return Card(
        title=_("Overzicht"),
        text=ngettext(
            "Voorraad, leningen, vouchers en hulpvragen. %(num)s apparaat is te laat terug.",
            "Voorraad, leningen, vouchers en hulpvragen. %(num)s apparaten zijn te laat terug.",
            overdue,
        )
        if overdue
        else _("Voorraad, leningen, vouchers en hulpvragen. Niets is te laat terug."),
        endpoint="reports.dashboard",
        count=overdue,
        urgent=overdue > 0,
    )


def month_shortcuts(today: date, count: int = 12) -> list[tuple[str, str]]:
    """(YYYY-MM, label) for the last full months, newest first."""
    starts = service.month_starts(today, count + 1)[:-1][::-1]
    return [(s.strftime("%Y-%m"), format_date(s, "MMMM yyyy")) for s in starts]


def requested_period() -> service.Period:
    """The period in the query string, by default last month; Invalid when it makes no sense."""
    try:
        data = PeriodQuerySchema().load(request.args.to_dict())
    except ValidationError as error:
        raise Invalid(
            _("Deze periode klopt niet. Kijk bij de datums wat er mis is."),
            errors=errors_of(error),
        ) from error
    return period_from(data, service.last_month(clock.today()))


@bp.route("/reports")
@role_required(COORDINATOR)
def period():
    shortcuts = month_shortcuts(clock.today())
    chosen, errors = forms.attempt(requested_period, None)
    if errors:
        return render_template(
            "reports/period.html",
            errors=errors,
            form=request.args,
            shortcuts=shortcuts,
            report=None,
        ), 422
    report = service.period_report(chosen)
    form = {"from": chosen.start.isoformat(), "to": chosen.end.isoformat()}
    return render_template(
        "reports/period.html",
        errors={},
        form=form,
        shortcuts=shortcuts,
        report=report,
        tables=report_tables(report),
    )


@bp.route("/reports/export.csv")
@role_required(COORDINATOR)
def export_csv():
    chosen = requested_period()
    report = service.period_report(chosen)
    rows = csv_rows(report, settings.get("org_name"))
    return csvexport.download(rows, f"verantwoording_{chosen.slug}.csv", str(get_locale()))


@bp.route("/reports/export.pdf")
@role_required(COORDINATOR)
def export_pdf():
    chosen = requested_period()
    report = service.period_report(chosen)
    data = report_pdf(report, settings.get("org_name"), lang=current_language())
    return pdf_response(data, f"verantwoording_{chosen.slug}.pdf")


@bp.route("/privacy")
@role_required(COORDINATOR)
def privacy_page():
    return render_template("reports/privacy.html", summary=privacy.summary())


@bp.route("/privacy/purge", methods=["POST"])
@role_required(COORDINATOR)
def purge():
    erased = privacy.run_purge(actor())
    db.session.commit()
    flash(_("Klaar: van %(n)s huishoudens zijn de persoonsgegevens gewist.", n=erased), "success")
    return redirect(url_for("reports.privacy_page"))


# --- backups on demand -----------------------------------------------------------------


@bp.route("/backups")
@role_required(COORDINATOR)
def backups_page():
    return render_template(
        "reports/backups.html", recent=backups.recent(), folder=backups.backup_dir()
    )


@bp.route("/backups", methods=["POST"])
@role_required(COORDINATOR)
def make_backup():
    """Start a backup; without a shared queue it is made now and the page says how it went."""
    work = tasks.start(
        backups.BACKUP_WORK, "uitleen.reports.backups.make", actor().id, owner_id=actor().id
    )
    if work.state == tasks.RUNNING:
        return redirect(url_for("reports.backup_work", job_id=work.id), 303)
    if "problem" in work.result:
        flash(_("De back-up is niet gemaakt: %(why)s", why=work.result["problem"]), "error")
    else:
        flash(_("Back-up %(file)s gemaakt en gecontroleerd.", file=work.result["file"]), "success")
    return redirect(url_for("reports.backups_page"), 303)


@bp.route("/backups/<job_id>")
@role_required(COORDINATOR)
def backup_work(job_id: str):
    """A backup made by `uitleen worker`: this page follows it without JavaScript."""
    work = tasks.get(job_id, backups.BACKUP_WORK)
    page = render_template("reports/backup_work.html", work=work, tasks=tasks)
    return tasks.status_page(page, work.state)
