"""/api/v1/loans: issue, list, extend, take back, close, and the agreement PDF."""

from flask import Response
from flask.views import MethodView

from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import INTAKE
from uitleen.contract import Blueprint
from uitleen.db import writes
from uitleen.downloads import pdf_response
from uitleen.extensions import db
from uitleen.loans import service
from uitleen.loans.schemas import (
    CloseSchema,
    ExtendSchema,
    IssueSchema,
    LoanOutSchema,
    LoanQuerySchema,
    ReminderSchema,
    ReturnSchema,
)

blp = Blueprint("loans_api", __name__, url_prefix="/api/v1/loans", description="Loans and gifts")


@blp.route("")
class Loans(MethodView):
    @role_required(INTAKE)
    @blp.arguments(LoanQuerySchema, location="query")
    @blp.response(200, LoanOutSchema(many=True))
    def get(self, query):
        """Loans by status: open (default), overdue, due_soon, closed or all."""
        return service.list_loans(
            query["status"],
            query["household_id"],
            query["after"],
            query["limit"],
            device=query["device"],
        )

    @role_required(INTAKE)
    @blp.arguments(IssueSchema)
    @blp.response(201, LoanOutSchema)
    def post(self, data):
        """Issue a ready device to a household; 409 when someone else was just faster."""
        loan = service.issue_from_input(actor(), **data)
        db.session.commit()
        return loan


@blp.route("/reminders")
@role_required(INTAKE)
@blp.response(200, ReminderSchema(many=True))
def reminders():
    """Overdue loans and loans due soon, each with tel: and WhatsApp reminder links."""
    return service.reminders()


@blp.route("/<int:loan_id>")
@role_required(INTAKE)
@blp.response(200, LoanOutSchema)
def get_loan(loan_id: int):
    return service.get(loan_id)


@blp.route("/<int:loan_id>/extend", methods=["POST"])
@role_required(INTAKE)
@blp.arguments(ExtendSchema)
@blp.response(200, LoanOutSchema)
def extend(data, loan_id: int):
    """Set a later due date."""
    loan = service.extend(actor(), service.get(loan_id), data["due_date"], data.get("note") or "")
    db.session.commit()
    return loan


@blp.route("/<int:loan_id>/return", methods=["POST"])
@role_required(INTAKE)
@blp.arguments(ReturnSchema)
@blp.response(200, LoanOutSchema)
def take_back(data, loan_id: int):
    """The device came back: the loan closes, the device goes to the workshop as returned."""
    loan = service.take_back(actor(), service.get(loan_id), **_clean(data))
    db.session.commit()
    return loan


@blp.route("/<int:loan_id>/close", methods=["POST"])
@role_required(INTAKE)
@blp.arguments(CloseSchema)
@blp.response(200, LoanOutSchema)
def close(data, loan_id: int):
    """Close as kept (device becomes theirs), lost, stolen or broken (back to the workshop)."""
    loan = service.close(actor(), service.get(loan_id), **data)
    db.session.commit()
    return loan


@blp.route("/<int:loan_id>/agreement")
@writes
@blp.doc(
    responses={"200": {"description": "the agreement as PDF", "content": {"application/pdf": {}}}}
)
@role_required(INTAKE)
def agreement(loan_id: int):
    """The one-page loan agreement in the household's language (printing is logged)."""
    loan = service.get(loan_id)
    document = service.print_agreement(actor(), loan)
    db.session.commit()
    return _pdf(document, service.agreement_filename(loan))


def _clean(data: dict) -> dict:
    return {key: ("" if value is None else value) for key, value in data.items()}


def _pdf(document: bytes, filename: str) -> Response:
    return pdf_response(document, filename)
