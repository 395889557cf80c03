"""Label pages: print for one device or a selection, follow a large run, rotate a label."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from marshmallow import ValidationError

from uitleen import forms, tasks
from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE, VOLUNTEER
from uitleen.devices import service as devices
from uitleen.devices.lifecycle import STATE_NAMES
from uitleen.downloads import pdf_response
from uitleen.errors import Invalid, NotFound, errors_of
from uitleen.extensions import db
from uitleen.labels import job_types, jobs, reach, service
from uitleen.labels.schemas import LabelPrintInSchema, RotationInSchema
from uitleen.nav import nav_item

bp = Blueprint("labels", __name__, url_prefix="/labels")

PRINTERS = (VOLUNTEER, INTAKE)  # labels carry no household data; coordinators always may
DEFAULT_FORMAT = "L7160"  # the common A4 sheet; after that, the user's last choice

nav_item("labels.index", lazy_gettext("Labels printen"), [VOLUNTEER, INTAKE, COORDINATOR], 22)


def _form(values: dict) -> dict:
    """What the form shows: the user's input, or the last format they used."""
    default = current_app.config.get("LABELS_DEFAULT_FORMAT", DEFAULT_FORMAT)
    return {
        "format": session.get("label_format", default),
        "start": 1,
        "copies": 1,
        "tags": "",
        "state": "",
    } | values


def _input(form, device_ids: list) -> dict:
    """The form's fields in the shape of LabelPrintInSchema (the API's JSON)."""
    data = {key: form.get(key, "") for key in ("format", "start", "copies", "state")}
    data["device_ids"] = device_ids
    data["tags"] = service.split_tags(form.get("tags", ""))
    return data


def _chosen(device_ids: list[str]) -> tuple[list, dict]:
    """The devices picked in the list (shown on the print page), or why they cannot be."""
    try:
        ids = [int(value) for value in device_ids]
        return (service.select_devices(ids) if ids else []), {}
    except ValueError:
        message = _("Deze apparaten bestaan niet: %(ids)s.", ids=", ".join(device_ids))
        return [], {"device_ids": [message]}
    except Invalid as error:
        return [], error.errors


def _selection_page(form: dict, device_ids: list, errors: dict, status: int = 200):
    chosen, choose_errors = _chosen(device_ids)
    return (
        render_template(
            "labels/print.html",
            form=_form(form),
            chosen=chosen,
            errors=errors or choose_errors,
            formats=service.format_choices(),
            states=STATE_NAMES,
            address_warning=reach.address_warning(),
        ),
        status,
    )


def _deliver(run: service.PrintRun, filename: str):
    """A small run as the PDF itself; a large one as a background job to follow."""
    session["label_format"] = run.fmt.id
    if run.count <= jobs.inline_max():
        db.session.commit()  # before drawing: no write lock held while the CPU works
        pdf = service.draw(run)
        db.session.commit()  # the codes it made and stored
        return pdf_response(pdf, filename, inline=True)
    # When too busy, start() raises before the commit, so nothing is logged.
    job = jobs.start(run.job_id, actor().id, run.fmt.name, run.job_input())
    db.session.commit()
    return redirect(url_for("labels.job", job_id=job.id), 303)


# --- a selection -----------------------------------------------------------------------


@bp.route("/")
@role_required(*PRINTERS)
def index():
    """The print form; ?device_id=…&device_id=… (checkboxes in the device list) preselects."""
    form = {key: request.args[key] for key in ("tags", "state") if key in request.args}
    return _selection_page(form, request.args.getlist("device_id"), {})


@bp.route("/", methods=["POST"])
@role_required(*PRINTERS)
def print_selection():
    device_ids = request.form.getlist("device_id")
    form = request.form.to_dict()
    if "format" not in form:  # checked in the device list: choose the labels first
        return _selection_page(form, device_ids, {})
    run = forms.submit(
        lambda: service.prepare_print(
            actor(), **LabelPrintInSchema().load(_input(form, device_ids))
        ),
        again=lambda errors, _error: _selection_page(form, device_ids, errors, 422),
        commit=False,
    )
    return _deliver(run, run.filename)


# --- one device ------------------------------------------------------------------------


def _device_page(device, form: dict, errors: dict, status: int = 200):
    return (
        render_template(
            "labels/device.html",
            device=device,
            form=_form(form),
            errors=errors,
            formats=service.format_choices(),
            address_warning=reach.address_warning(),
            label_url=devices.label_url(device.public_token),
            retired=service.retired_count(device),
            can_rotate=actor().role in (VOLUNTEER, COORDINATOR),
        ),
        status,
    )


@bp.route("/device/<int:device_id>", methods=["GET", "POST"])
@role_required(*PRINTERS)
def device(device_id: int):
    """One label, or copies of it from a chosen position on a half-used sheet."""
    item = devices.get_device(device_id)
    if request.method == "GET":
        return _device_page(item, {}, {})
    form = request.form.to_dict()
    one = _input(form, [device_id]) | {"tags": [], "state": None}
    run = forms.submit(
        lambda: service.prepare_print(actor(), **LabelPrintInSchema().load(one)),
        again=lambda errors, _error: _device_page(item, form, errors, 422),
        commit=False,
    )
    return _deliver(run, f"label-{item.asset_tag}.pdf")


def _rotate_page(device, errors: dict, status: int = 200):
    return render_template("labels/rotate.html", device=device, errors=errors), status


@bp.route("/device/<int:device_id>/rotate", methods=["GET", "POST"])
@role_required(VOLUNTEER)
def rotate(device_id: int):
    """Give the device a new label URL; the old label then says 'no longer in use'."""
    item = devices.get_device(device_id)
    if request.method == "GET":
        return _rotate_page(item, {})
    errors = {}
    if request.form.get("confirm") != "yes":
        message = _("Vink aan dat u begrijpt dat het oude label daarna niet meer werkt.")
        errors["confirm"] = [message]
    try:  # the API's schema too: a reason too long is refused on both, not cut on one
        sent = RotationInSchema().load({"reason": request.form.get("reason", "")})
        reason = service.rotation_reason(item, sent["reason"])
    except (ValidationError, Invalid) as error:
        errors |= errors_of(error)
    if errors:  # both checked, so the page says everything at once
        return _rotate_page(item, errors, 422)
    service.rotate_token(actor(), item, reason)
    db.session.commit()
    flash(
        _(
            "%(tag)s heeft een nieuw label. Het oude label werkt niet meer: "
            "print het nieuwe en plak het over het oude heen.",
            tag=item.asset_tag,
        ),
        "success",
    )
    return redirect(url_for("labels.device", device_id=item.id), 303)


# --- large runs ------------------------------------------------------------------------


def _own_job(job_id: str) -> jobs.Job:
    """A job of this user (coordinators see all); someone else's is 'not found'."""
    jobs.cleanup()
    job = jobs.get(job_id)
    if job.owner_id != actor().id and actor().role != COORDINATOR:
        raise job_types.not_found()
    return job


@bp.route("/jobs/<job_id>")
@role_required(*PRINTERS)
def job(job_id: str):
    """Progress of a large run: refreshes itself (no JavaScript) until the PDF is ready."""
    item = _own_job(job_id)
    if item.state == jobs.FAILED:
        current_app.logger.error("label job %s failed: %s", item.id, item.error)
    return tasks.status_page(render_template("labels/job.html", job=item, jobs=jobs), item.state)


@bp.route("/jobs/<job_id>/labels.pdf")
@role_required(*PRINTERS)
def job_pdf(job_id: str):
    item = _own_job(job_id)
    if item.state != jobs.DONE:
        raise NotFound(_("Deze labels zijn nog niet klaar."), code="job_not_done")
    return send_file(
        jobs.pdf_file(item),
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"labels-{item.count}.pdf",
    )
