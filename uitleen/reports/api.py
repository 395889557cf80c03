"""REST API: the dashboard figures and the funder report, as JSON."""

from uitleen import clock
from uitleen.auth.access import role_required
from uitleen.auth.roles import COORDINATOR, INTAKE
from uitleen.contract import Blueprint
from uitleen.reports import service
from uitleen.reports.schemas import DashboardSchema, PeriodQuerySchema, ReportSchema, period_from

blp = Blueprint(
    "reports_api",
    __name__,
    url_prefix="/api/v1/reports",
    description="Dashboard figures and reports for funders (aggregates, no personal data).",
)


@blp.route("/dashboard", methods=["GET"])
@role_required(INTAKE)
@blp.response(200, DashboardSchema)
def dashboard():
    """Stock per state, devices in and out per month, loans, vouchers left, help requests."""
    return service.dashboard()


@blp.route("/period", methods=["GET"])
@role_required(COORDINATOR)
@blp.arguments(PeriodQuerySchema, location="query")
@blp.response(200, ReportSchema)
def period(query):
    """The funder report for ?month=YYYY-MM or ?from=…&to=… (inclusive); default last month."""
    return service.period_report(period_from(query, service.last_month(clock.today())))
