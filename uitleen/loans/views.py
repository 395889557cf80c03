"""Intake desk pages: issue a device, the loan page with its actions, and reminders."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from uitleen import forms
from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE
from uitleen.db import writes
from uitleen.downloads import pdf_response
from uitleen.extensions import db
from uitleen.households import service as households
from uitleen.households.schemas import form_values
from uitleen.loans import handover, service
from uitleen.loans.schemas import CloseSchema, ExtendSchema, IssueSchema, ReturnSchema
from uitleen.nav import Card, home_card, nav_item

bp = Blueprint("loans", __name__, url_prefix="/loans")

DESK = (INTAKE, COORDINATOR)
nav_item("loans.issue", lazy_gettext("Meegeven"), DESK, order=31)
nav_item("loans.index", lazy_gettext("Leningen"), DESK, order=32)
nav_item("loans.reminders", lazy_gettext("Herinneringen"), DESK, order=33)

STATUS_NAMES = {
    "open": lazy_gettext("Lopend"),
    "overdue": lazy_gettext("Te laat"),
    "due_soon": lazy_gettext("Binnenkort terug"),
    "closed": lazy_gettext("Afgesloten"),
    "all": lazy_gettext("Alle"),
}


def _names() -> dict:
    return {"kind_names": service.KIND_NAMES, "outcome_names": service.OUTCOME_NAMES}


@bp.route("/")
@role_required(INTAKE)
def index():
    status = request.args.get("status", "open")
    if status not in service.FILTERS:
        status = "open"
    device = request.args.get("device", "").strip()
    loans, errors = [], {}
    if device:
        # A device in hand: straight to its open loan, to take it back.
        loan, errors = forms.attempt(lambda: service.open_loan_for(device), None)
        if loan is not None:
            return redirect(url_for("loans.show", loan_id=loan.id))
        status = "all"
    if not errors:
        loans, errors = forms.attempt(
            lambda: service.list_loans(status, limit=200, device=device or None), []
        )
    return render_template(
        "loans/index.html",
        loans=loans,
        status=status,
        device=device,
        errors=errors,
        status_names=STATUS_NAMES,
        today=service.today(),
        **_names(),
    ), 422 if errors else 200


def _issue_form(values: dict, errors: dict):
    household = (
        households.by_code(values.get("household") or "") if values.get("household") else None
    )
    return render_template(
        "loans/issue.html",
        values=values,
        errors=errors,
        household=household,
        devices=service.ready_devices(),
        next_entry=households.next_in_line(),
        need_names=households.NEED_NAMES,
    )


@bp.route("/issue", methods=["GET", "POST"])
@role_required(INTAKE)
def issue():
    if request.method == "GET":
        values = {
            "household": request.args.get("household", ""),
            "device": request.args.get("device", ""),
            "kind": "loan",
            "due_date": service.default_due_date().isoformat(),
        }
        return _issue_form(values, {})
    values = form_values(request.form)
    loan = forms.submit(
        lambda: service.issue_from_input(actor(), **IssueSchema().load(values)),
        again=lambda errors, _error: _issue_form(values, errors),
    )
    flash(
        _(
            "%(tag)s is meegegeven aan %(code)s. Print nu de afspraken.",
            tag=loan.device.asset_tag,
            code=loan.household.code,
        )
    )
    return redirect(url_for("loans.show", loan_id=loan.id))


def _loan_page(loan, errors: dict, form: str = ""):
    return render_template(
        "loans/show.html",
        loan=loan,
        errors=errors,
        form=form,
        close_outcomes=[("", _("Kies wat er is gebeurd"))]
        + [(k, service.OUTCOME_NAMES[k]) for k in service.CLOSE_OUTCOMES],
        today=service.today(),
        **_names(),
    )


@bp.route("/<int:loan_id>")
@role_required(INTAKE)
def show(loan_id: int):
    return _loan_page(service.get(loan_id), {})


@bp.route("/<int:loan_id>/agreement.pdf")
@writes
@role_required(INTAKE)
def agreement(loan_id: int):
    loan = service.get(loan_id)
    document = service.print_agreement(actor(), loan)
    db.session.commit()
    return pdf_response(document, service.agreement_filename(loan), inline=True)


def _act(loan_id: int, form: str, schema, action, checkboxes=(), done: str = ""):
    """Run one action of the loan page; on a refusal show the page again with the reason."""
    values = form_values(request.form, checkboxes)
    forms.submit(
        lambda: action(service.get(loan_id), schema.load(values)),
        again=lambda errors, _error: _loan_page(service.get(loan_id), errors, form),
    )
    flash(done)
    return redirect(url_for("loans.show", loan_id=loan_id))


@bp.route("/<int:loan_id>/label-handed-over", methods=["POST"])
@role_required(INTAKE)
def label_handed_over(loan_id: int):
    """The household has its new label: the task on the loan is done."""
    handover.label_handed_over(actor(), service.get(loan_id))
    db.session.commit()
    flash(_("Gedaan: het huishouden heeft het nieuwe label."))
    return redirect(url_for("loans.show", loan_id=loan_id), 303)


@bp.route("/<int:loan_id>/extend", methods=["POST"])
@role_required(INTAKE)
def extend(loan_id: int):
    return _act(
        loan_id,
        "extend",
        ExtendSchema(),
        lambda loan, data: service.extend(actor(), loan, data["due_date"], data.get("note") or ""),
        done=_("De terugbrengdatum is verlengd."),
    )


@bp.route("/<int:loan_id>/return", methods=["POST"])
@role_required(INTAKE)
def take_back(loan_id: int):
    return _act(
        loan_id,
        "return",
        ReturnSchema(),
        lambda loan, data: service.take_back(
            actor(),
            loan,
            condition=data.get("condition") or "",
            charger_returned=data["charger_returned"],
            deposit_refunded=data["deposit_refunded"],
            note=data.get("note") or "",
        ),
        checkboxes=("charger_returned", "deposit_refunded"),
        done=_("Het apparaat is terug. Het gaat nu naar de werkplaats om gewist te worden."),
    )


@bp.route("/<int:loan_id>/close", methods=["POST"])
@role_required(INTAKE)
def close(loan_id: int):
    return _act(
        loan_id,
        "close",
        CloseSchema(),
        lambda loan, data: service.close(actor(), loan, **data),
        checkboxes=("deposit_refunded",),
        done=_("De lening is afgesloten."),
    )


@bp.route("/reminders")
@role_required(INTAKE)
def reminders():
    return render_template(
        "loans/reminders.html",
        reminders=service.reminders(),
        days=service.due_soon_days(),
    )


@home_card(DESK, order=31)
def overdue_card(_user):
    count = service.count_loans("overdue")
    return Card(
        title=str(_("Te laat")),
        text=str(
            _("Leningen waarvan de terugbrengdatum voorbij is. Stuur een vriendelijke herinnering.")
        ),
        endpoint="loans.reminders",
        count=count,
        urgent=count > 0,
    )


@home_card(DESK, order=32)
def due_soon_card(_user):
    return Card(
        title=str(_("Binnenkort terug")),
        text=str(
            _("Leningen die binnen %(days)s dagen terug moeten.", days=service.due_soon_days())
        ),
        endpoint="loans.index",
        count=service.count_loans("due_soon"),
        url_args=(("status", "due_soon"),),
    )


@home_card(DESK, order=33)
def next_in_line_card(_user):
    """When a device is ready and someone waits, say who is next."""
    entry = households.next_in_line()
    if entry is None or not service.ready_devices(limit=1):
        return None
    return Card(
        title=str(_("Volgende op de wachtlijst")),
        text=str(
            _(
                "Er staat een apparaat klaar. %(code)s is aan de beurt (%(need)s).",
                code=entry.household.code,
                need=households.NEED_NAMES[entry.need],
            )
        ),
        endpoint="loans.issue",
        url_args=(("household", entry.household.code),),
    )
