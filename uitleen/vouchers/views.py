"""Voucher pages for intake workers and coordinators: batches, import, assign, letters."""

from datetime import date, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from uitleen import clock, forms
from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE
from uitleen.downloads import pdf_response
from uitleen.errors import DomainError
from uitleen.extensions import db
from uitleen.households.models import Household
from uitleen.i18n import LANGUAGES, clean_translations
from uitleen.inputs import body_limit
from uitleen.nav import Card, home_card, nav_item
from uitleen.settings import service as settings
from uitleen.vouchers import service
from uitleen.vouchers.models import STATUSES
from uitleen.vouchers.schemas import (
    AssignInSchema,
    BatchInSchema,
    RedeemInSchema,
    ReportQuerySchema,
    RevokeInSchema,
)

bp = Blueprint("vouchers", __name__, url_prefix="/vouchers")

PAGE_SIZE = 100

nav_item("vouchers.index", lazy_gettext("Vouchers"), [INTAKE, COORDINATOR], order=40)
nav_item("vouchers.report", lazy_gettext("Voucherrapport"), [COORDINATOR], order=75)


@bp.app_template_filter("mask_code")
def mask_code(code: str) -> str:
    return service.mask(code)


@bp.app_template_filter("voucher_status")
def voucher_status(status: str) -> str:
    return service.status_name(status)


@home_card([INTAKE, COORDINATOR], order=30)
def low_stock_card(_user) -> Card | None:
    """Warn the desk before a batch runs out."""
    low = service.low_stock_batches()
    if not low:
        return None
    names = ", ".join(f"{s.provider} ({s.available})" for s in low[:3])
    return Card(
        title=_("Vouchers raken op"),
        text=_("Bijna geen codes meer: %(batches)s. Lees nieuwe codes in.", batches=names),
        endpoint="vouchers.index",
        count=len(low),
        urgent=True,
    )


# --- batches ---------------------------------------------------------------------------


@bp.route("/")
@role_required(INTAKE)
def index():
    return render_template(
        "vouchers/index.html",
        stock=service.stock_by_batch(),
        threshold=settings.get("voucher_low_stock"),
    )


@bp.route(
    "/batches/new", endpoint="new_batch", methods=["GET", "POST"], defaults={"batch_id": None}
)
@bp.route("/batches/<int:batch_id>/edit", methods=["GET", "POST"])
@role_required(COORDINATOR)
def edit_batch(batch_id: int | None):
    """Create a batch, or correct one: the same form."""
    batch = service.get_batch(batch_id) if batch_id else None
    if request.method == "GET":
        return _batch_form(_batch_fields(batch) if batch else {}, {}, batch=batch)
    form = request.form.to_dict()

    def save():
        data = BatchInSchema().load(_batch_input(form))
        if batch is None:
            return service.create_batch(actor(), **data)
        return service.update_batch(actor(), batch, **data)

    saved = forms.submit(  # 422 for input, 409 for a conflict: forms.submit says which
        save, again=lambda errors, _error: _batch_form(form, _form_fields(errors), batch=batch)
    )
    if batch is None:
        flash(_("De partij is aangemaakt. Lees nu de codes in."), "success")
    else:
        flash(_("De partij is bijgewerkt."), "success")
    return redirect(url_for("vouchers.batch", batch_id=saved.id))


def _batch_form(form: dict, errors: dict, status: int = 200, batch=None):
    return (
        render_template(
            "vouchers/batch_form.html", form=form, errors=errors, languages=LANGUAGES, batch=batch
        ),
        status,
    )


def _batch_fields(batch) -> dict:
    """A stored batch as the form shows it: steps back to one per line."""
    fields = {
        "provider": batch.provider,
        "product": batch.product,
        "months": batch.months if batch.months is not None else "",
        "value": "" if batch.value_cents is None else f"{batch.value_cents / 100:.2f}",
        "expires_on": batch.expires_on.isoformat(),
    }
    for lang, steps in (batch.activation_steps or {}).items():
        fields[f"steps_{lang}"] = "\n".join(steps)
    for lang, product in (batch.product_translations or {}).items():
        fields[f"product_{lang}"] = product
    return fields


def _batch_input(form: dict) -> dict:
    """The form's fields in the shape of BatchInSchema (empty optional fields left out)."""
    data = {
        "provider": form.get("provider", "").strip(),
        "product": form.get("product", "").strip(),
        "expires_on": form.get("expires_on", ""),
        "activation_steps": {
            lang: form[f"steps_{lang}"] for lang in LANGUAGES if form.get(f"steps_{lang}")
        },
        "product_translations": clean_translations(
            {lang: form.get(f"product_{lang}", "") for lang in LANGUAGES}
        ),
    }
    if form.get("months", "").strip():
        data["months"] = form["months"].strip()
    if form.get("value", "").strip():
        data["value"] = form["value"].strip().replace(",", ".")
    return data


_FORM_FIELDS = {"activation_steps": "steps_", "product_translations": "product_"}


def _form_fields(errors: dict) -> dict:
    """Errors on activation_steps.<lang> and product_translations.<lang> belong next to
    that language's box in the form (steps_<lang>, product_<lang>)."""
    renamed = {}
    for key, messages in errors.items():
        group, _dot, lang = key.partition(".")
        if group in _FORM_FIELDS and lang:
            key = _FORM_FIELDS[group] + lang
        renamed.setdefault(key, []).extend(messages)
    return renamed


@bp.route("/batches/<int:batch_id>")
@role_required(INTAKE)
def batch(batch_id: int):
    return _batch_page(service.get_batch(batch_id))


def _batch_page(batch, report=None, errors=None, status: int = 200):
    state = request.args.get("status") if request.args.get("status") in STATUSES else None
    after = request.args.get("after", type=int)
    vouchers = service.vouchers_of_batch(batch.id, state, after, PAGE_SIZE)
    return (
        render_template(
            "vouchers/batch.html",
            batch=batch,
            stock=service.stock_of(batch),
            vouchers=vouchers,
            state=state,
            next_after=vouchers[-1].id if len(vouchers) == PAGE_SIZE else None,
            languages=LANGUAGES,
            report=report,
            errors=errors or {},
            mask=service.mask,
            status_name=service.status_name,
        ),
        status,
    )


@bp.route("/batches/<int:batch_id>/import", methods=["POST"])
@body_limit("UPLOAD_MAX_CONTENT_LENGTH")
@role_required(COORDINATOR)
def import_codes(batch_id: int):
    batch = service.get_batch(batch_id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        message = _("Kies eerst een bestand met codes.")
        return _batch_page(batch, errors={"file": [message]}, status=422)
    report = forms.submit(
        lambda: service.import_codes(actor(), batch, upload.read()),
        again=lambda errors, error: _batch_page(batch, errors=_with_message(errors, error)),
    )
    return _batch_page(batch, report=report)


# --- assigning -------------------------------------------------------------------------


@bp.route("/assign", methods=["GET", "POST"])
@role_required(INTAKE)
def assign():
    if request.method == "GET":
        return _assign_form(request.args.to_dict(), {})
    form = request.form.to_dict()
    given = {k: v for k, v in form.items() if v.strip()}
    voucher = forms.submit(
        lambda: service.assign(actor(), **AssignInSchema().load(given)),
        again=lambda errors, error: _assign_form(form, _with_message(errors, error)),
    )
    # The one page that shows the code in full: no redirect, so a reload never re-shows it.
    return render_template(
        "vouchers/assigned.html",
        voucher=voucher,
        household=db.session.get(Household, voucher.household_id),
        status_name=service.status_name,
    )


def _assign_form(form: dict, errors: dict, status: int = 200):
    return (
        render_template(
            "vouchers/assign.html",
            form=form,
            errors=errors,
            batches=service.assignable_batches(),
            household=_household_from(form),
        ),
        status,
    )


def _household_from(form: dict) -> Household | None:
    """The household a link from its page pre-selected (?household_id=…), to name it."""
    try:
        household_id = int(form.get("household_id") or 0)
    except ValueError:
        return None
    return db.session.get(Household, household_id) if household_id else None


# --- one voucher -----------------------------------------------------------------------


@bp.route("/<int:voucher_id>")
@role_required(INTAKE)
def voucher(voucher_id: int):
    return _voucher_page(service.get_voucher(voucher_id))


def _voucher_page(voucher, revealed: str | None = None, errors=None, status: int = 200):
    household = db.session.get(Household, voucher.household_id) if voucher.household_id else None
    return (
        render_template(
            "vouchers/voucher.html",
            voucher=voucher,
            household=household,
            revealed=revealed,
            masked=service.mask(voucher.code),
            errors=errors or {},
            status_name=service.status_name,
        ),
        status,
    )


@bp.route("/<int:voucher_id>/reveal", methods=["POST"])
@role_required(INTAKE)
def reveal(voucher_id: int):
    voucher = service.get_voucher(voucher_id)
    code = service.reveal(actor(), voucher)
    db.session.commit()
    return _voucher_page(voucher, revealed=code)


@bp.route("/<int:voucher_id>/redeem", methods=["POST"])
@role_required(INTAKE)
def redeem(voucher_id: int):
    voucher = service.get_voucher(voucher_id)
    forms.submit(
        lambda: service.redeem(actor(), voucher, **RedeemInSchema().load(request.form.to_dict())),
        again=lambda errors, error: _voucher_page(voucher, errors=_reason_only(errors, error)),
    )
    flash(_("De voucher staat nu op gebruikt."), "success")
    return redirect(url_for("vouchers.voucher", voucher_id=voucher_id))


@bp.route("/<int:voucher_id>/revoke", methods=["POST"])
@role_required(INTAKE)
def revoke(voucher_id: int):
    voucher = service.get_voucher(voucher_id)
    forms.submit(
        lambda: service.revoke(actor(), voucher, **RevokeInSchema().load(request.form.to_dict())),
        again=lambda errors, error: _voucher_page(voucher, errors=_with_message(errors, error)),
    )
    flash(_("De voucher is ingetrokken. Hij wordt nooit meer uitgegeven."), "success")
    return redirect(url_for("vouchers.voucher", voucher_id=voucher_id))


@bp.route("/<int:voucher_id>/letter", methods=["POST"])
@role_required(INTAKE)
def letter(voucher_id: int):
    document = service.print_letter(actor(), service.get_voucher(voucher_id))
    db.session.commit()
    return pdf_response(document, service.letter_filename(voucher_id), inline=True)


# --- report ----------------------------------------------------------------------------


@bp.route("/report")
@role_required(COORDINATOR)
def report():
    end = clock.today()
    defaults = {"start": (end.replace(day=1) - timedelta(days=335)).replace(day=1), "end": end}
    given = {k: v for k, v in request.args.items() if k in ("start", "end") and v}

    def issued():
        period = ReportQuerySchema().load({**_iso(defaults), **given})
        return period, service.issued_report(period["start"], period["end"])

    (period, result), errors = forms.attempt(issued, (defaults, None))
    return (
        render_template(
            "vouchers/report.html", report=result, period=_iso(period), given=given, errors=errors
        ),
        422 if errors else 200,
    )


def _reason_only(errors: dict, error: Exception) -> dict:
    """Redeeming has one field (a note): a refusal of the service is said above the page."""
    return {"_schema": [error.message]} if isinstance(error, DomainError) else errors


def _with_message(errors: dict, error: Exception) -> dict:
    """A refusal's reason above the page, and what it says per field beside the fields."""
    if isinstance(error, DomainError) and error.errors:
        return {"_schema": [error.message], **errors}
    return errors


def _iso(values: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in values.items()}
