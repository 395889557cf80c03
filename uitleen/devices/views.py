"""The workshop's pages: queues, search, intake, the device page and its forms."""

import os
import re
from datetime import datetime

from flask import (
    Blueprint,
    Response,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, lazy_gettext
from flask_babel import gettext as _
from marshmallow import ValidationError

from uitleen import clock, csvexport
from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE, VOLUNTEER
from uitleen.devices import bulk, lifecycle, service
from uitleen.devices.certificate import serial_text
from uitleen.devices.models import GRADES, KINDS, STORAGE_TYPES
from uitleen.devices.schemas import (
    QC_LABELS,
    SOFTWARE_LABELS,
    DeviceInSchema,
    DeviceQuerySchema,
    QualityCheckInSchema,
    SoftwareInSchema,
    TransitionSchema,
    WipeInSchema,
)
from uitleen.errors import DomainError, Invalid, plain_errors
from uitleen.extensions import db
from uitleen.inputs import body_limit
from uitleen.nav import Card, home_card, nav_item
from uitleen.settings import service as settings

bp = Blueprint("devices", __name__, url_prefix="/devices")
# At start, remove the upload spools that workers killed mid-import left behind.
bp.record_once(lambda state: bulk.clean_spool(state.app))

STAFF = (VOLUNTEER, INTAKE)
PAGE_SIZE = 50
DISK_ROWS = 3

# The workshop's queues, in the order the work flows.
QUEUES = ("intake", "wiping", "wiped", "software", "qc", "repair", "returned", "ready")

nav_item("devices.index", lazy_gettext("Apparaten"), [VOLUNTEER, INTAKE, COORDINATOR], order=20)
nav_item("devices.new", lazy_gettext("Nieuw apparaat"), [VOLUNTEER, COORDINATOR], order=21)


QUEUE_CAP = 1000


def _counts() -> dict[str, int]:
    """Queue sizes (capped), once per request: the home cards share them."""
    if "device_counts" not in g:
        g.device_counts = service.queue_counts(QUEUES, QUEUE_CAP)
        # "Ready" counts what can really be lent, as the issue page and dashboard do.
        g.device_counts["ready"] = lifecycle.count_ready_to_lend(QUEUE_CAP)
    return g.device_counts


def _queue_card(state: str, order: int, urgent_when: int | None = None, roles=None):
    @home_card(roles or [VOLUNTEER, COORDINATOR], order=order)
    def card(user):
        count = _counts()[state]
        return Card(
            title=str(lifecycle.STATE_NAMES[state]),
            text=str(service.NEXT_STEP[state])
            if count < QUEUE_CAP
            else _("Meer dan %(n)s.", n=QUEUE_CAP - 1) + " " + str(service.NEXT_STEP[state]),
            endpoint="devices.index",
            count=count,
            urgent=urgent_when is not None and count >= urgent_when,
            url_args=(("state", state),),
        )

    return card


for _order, _state in enumerate(QUEUES, start=20):
    _queue_card(_state, _order, urgent_when=1 if _state == "returned" else None)
# The desk sees what it can lend out.
_queue_card("ready", 20, roles=[INTAKE])


def _options(donors: bool = True) -> dict:
    return {
        "kinds": [(k, service.KIND_NAMES[k]) for k in KINDS],
        "grades": [(g_, g_) for g_ in GRADES],
        "storage_types": [("", "—"), *[(s, service.STORAGE_NAMES[s]) for s in STORAGE_TYPES]],
        "storage_names": service.STORAGE_NAMES,
        "donors": service.donors() if donors else [],
        "locations": settings.locations(),
        "states": lifecycle.STATE_NAMES,
        "kind_names": service.KIND_NAMES,
        "result_names": service.DISK_RESULT_NAMES,
        "verification_names": service.VERIFICATION_NAMES,
    }


# --- lists ---------------------------------------------------------------------------


@bp.route("/")
@role_required(*STAFF)
def index():
    q = request.args.get("q", "").strip()
    if q and not request.args.get("after"):
        found = service.find_exact(q)
        if found is not None:  # a typed or scanned tag or label opens the device at once
            return redirect(url_for("devices.show", device_id=found.id))
    try:
        query = DeviceQuerySchema().load(request.args.to_dict())
    except ValidationError as error:
        query = DeviceQuerySchema().load({"q": q})
        flash(" ".join(sum(plain_errors(error.messages).values(), [])), "error")
    state = query["state"]
    if state in QUEUES and "order" not in request.args:
        query["order"] = "asc"  # a queue: the device waiting longest comes first
    query["limit"] = PAGE_SIZE
    page = service.search(**query)
    filters = {k: v for k, v in query.items() if k not in ("after", "limit") and v}
    return render_template(
        "devices/index.html",
        page=page,
        query=query,
        filters=filters,
        counts=_counts(),
        queues=QUEUES,
        next_step=service.NEXT_STEP.get(state) if state else None,
        cap=QUEUE_CAP,
        **_options(donors=False),
    )


# --- intake and edit -----------------------------------------------------------------


def _form_data() -> dict:
    return request.form.to_dict()


@bp.route("/new", methods=["GET", "POST"])
@role_required(VOLUNTEER)
def new():
    if request.method == "GET":
        return render_template("devices/form.html", form={}, errors={}, device=None, **_options())
    form = _form_data()
    try:
        device = service.register_device(actor(), DeviceInSchema().load(form))
    except ValidationError as error:
        return _form_again(form, plain_errors(error.messages))
    except service.DuplicateSerial as duplicate:
        return _form_again(form, duplicate.errors, duplicate=duplicate.existing)
    except service.SerialOnLoan as refused:
        return _form_again(form, refused.errors)
    except Invalid as error:
        return _form_again(form, error.errors or {"_schema": [error.message]})
    db.session.commit()
    flash(_("%(tag)s is geregistreerd. Plak het label erop.", tag=device.asset_tag), "success")
    return redirect(url_for("devices.show", device_id=device.id))


def _form_again(form: dict, errors: dict, device=None, duplicate=None):
    db.session.rollback()
    return (
        render_template(
            "devices/form.html",
            form=form,
            errors=errors,
            device=device,
            duplicate=duplicate,
            **_options(),
        ),
        422,
    )


@bp.route("/<int:device_id>/edit", methods=["GET", "POST"])
@role_required(VOLUNTEER)
def edit(device_id: int):
    device = service.get_device(device_id)
    if request.method == "GET":
        form = {key: getattr(device, key) for key in service.DEVICE_FIELDS}
        form |= {"donor_id": device.donor_id, "location_id": device.location_id}
        return render_template(
            "devices/form.html", form=form, errors={}, device=device, **_options()
        )
    form = _form_data()
    try:
        service.update_device(actor(), device, DeviceInSchema().load(form))
    except ValidationError as error:
        return _form_again(form, plain_errors(error.messages), device)
    except service.DuplicateSerial as duplicate:
        return _form_again(form, duplicate.errors, device, duplicate.existing)
    except service.SerialOnLoan as refused:
        return _form_again(form, refused.errors, device)
    except Invalid as error:
        return _form_again(form, error.errors or {"_schema": [error.message]}, device)
    db.session.commit()
    flash(_("De gegevens zijn opgeslagen."), "success")
    return redirect(url_for("devices.show", device_id=device.id))


# --- the device page and its moves -----------------------------------------------------


@bp.route("/<int:device_id>")
@role_required(*STAFF)
def show(device_id: int):
    device = service.get_device(device_id)
    role = actor().role
    return render_template(
        "devices/show.html",
        device=device,
        work=service.work(device),
        actions=lifecycle.actions_for(device, role),
        targets=[
            t
            for t in lifecycle.allowed_targets(device, role)
            if t not in service.LOAN_TARGETS and device.state != "on_loan"
        ],
        note_required=service.NOTE_REQUIRED,
        events=service.history(device),
        label_url=service.label_url(device.public_token),
        qc_labels=QC_LABELS,
        can_work=role in (VOLUNTEER, COORDINATOR),
        is_coordinator=role == COORDINATOR,
        review_names=service.REVIEW_NAMES,
        review_reason_text=service.review_reason_text,
        format_bytes=service.format_bytes,
        serial_text=serial_text,
        **_options(donors=False),
    )


@bp.route("/<int:device_id>/move", methods=["POST"])
@role_required(*STAFF)
def move(device_id: int):
    device = service.get_device(device_id)
    try:
        data = TransitionSchema().load(_form_data())
        service.transition(actor(), device, data["target"], data["note"])
    except ValidationError as error:
        db.session.rollback()
        flash(" ".join(sum(plain_errors(error.messages).values(), [])), "error")
    except DomainError as error:
        db.session.rollback()
        flash(
            error.message if not error.errors else " ".join(sum(error.errors.values(), [])), "error"
        )
    else:
        db.session.commit()
        flash(_("Nieuwe status: %(state)s.", state=lifecycle.STATE_NAMES[device.state]), "success")
    return redirect(url_for("devices.show", device_id=device_id))


# --- wipes ---------------------------------------------------------------------------


def _local(value: str) -> str:
    """A datetime-local field ('2026-03-01T14:30'), the organisation's time, as ISO in UTC."""
    if not value:
        return ""
    try:
        return clock.from_local(datetime.fromisoformat(value)).isoformat()
    except ValueError:
        return value  # the schema says what is wrong


def _wipe_form(form: dict) -> dict:
    """The flat form (disk-0-result …) as the nested input the schema expects."""
    keys = ("disk_model", "disk_serial", "result", "started_at", "finished_at", "errors")
    disks = []
    for index in range(DISK_ROWS):
        row = {key: form.get(f"disk-{index}-{key}", "").strip() for key in keys}
        if not any(row.values()):
            continue
        row["started_at"] = _local(row["started_at"])
        row["finished_at"] = _local(row["finished_at"])
        disks.append({k: v for k, v in row.items() if v != ""})
    data = {
        k: form.get(k, "")
        for k in ("method", "nist_class", "tool", "tool_version", "passes", "verification")
    }
    data["disks"] = disks
    return data


def _wipe_page(device, form, errors, status=200, log_errors=None):
    if status != 200:
        db.session.rollback()
    return (
        render_template(
            "devices/wipe.html",
            device=device,
            form=form,
            errors=errors,
            log_errors=log_errors or {},
            disk_rows=DISK_ROWS,
        ),
        status,
    )


@bp.route("/<int:device_id>/wipe", methods=["GET", "POST"])
@role_required(VOLUNTEER)
def wipe(device_id: int):
    device = service.get_device(device_id)
    if request.method == "GET":
        return _wipe_page(device, {"tool": "nwipe", "disk-0-result": "passed"}, {})
    form = _form_data()
    try:
        record = service.record_wipe(
            actor(), device, service.WipeInput.from_data(WipeInSchema().load(_wipe_form(form)))
        )
    except ValidationError as error:
        return _wipe_page(device, form, plain_errors(error.messages), 422)
    except DomainError as error:
        return _wipe_page(device, form, error.errors or {"_schema": [error.message]}, 422)
    db.session.commit()
    _flash_wipe(record)
    return redirect(url_for("devices.show", device_id=device.id))


def _flash_wipe(record) -> None:
    if record.review_status == lifecycle.NEEDS_REVIEW:
        reasons = " ".join(service.review_reason_text(r) for r in record.review_reasons)
        flash(
            _(
                "Wisbeurt vastgelegd, maar hij telt nog niet: een coördinator moet hem eerst "
                "bekijken. %(reasons)s",
                reasons=reasons,
            ),
            "warning",
        )
    elif record.passed:
        flash(_("Wisbeurt vastgelegd: geslaagd."), "success")
    else:
        flash(_("Wisbeurt vastgelegd: NIET geslaagd. Wis de schijf opnieuw."), "warning")


def _upload():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid(
            _("Kies een bestand."), errors={"file": [_("Kies eerst een bestand om in te lezen.")]}
        )
    return upload


@bp.route("/<int:device_id>/wipe/import", methods=["POST"])
@body_limit("UPLOAD_MAX_CONTENT_LENGTH")
@role_required(VOLUNTEER)
def wipe_import_for(device_id: int):
    device = service.get_device(device_id)
    try:
        upload = _upload()
        record = service.import_wipe_log(actor(), upload.read(), upload.filename, device)
    except DomainError as error:
        return _wipe_page(device, {}, {}, 422, log_errors=error.errors or {"file": [error.message]})
    db.session.commit()
    _flash_wipe(record)
    return redirect(url_for("devices.show", device_id=device.id))


@bp.route("/wipe-import", methods=["GET", "POST"])
@body_limit("UPLOAD_MAX_CONTENT_LENGTH")
@role_required(VOLUNTEER)
def wipe_import():
    """Read a log without opening the device first: it finds its device by tag or serial."""
    if request.method == "GET":
        return render_template("devices/wipe_import.html", errors={})
    try:
        upload = _upload()
        record = service.import_wipe_log(actor(), upload.read(), upload.filename)
    except DomainError as error:
        db.session.rollback()
        errors = error.errors or {"file": [error.message]}
        return render_template("devices/wipe_import.html", errors=errors), 422
    db.session.commit()
    _flash_wipe(record)
    return redirect(url_for("devices.show", device_id=record.device_id))


@bp.route("/<int:device_id>/wipes/<int:wipe_id>/certificate.pdf")
@role_required(VOLUNTEER)
def certificate(device_id: int, wipe_id: int):
    device = service.get_device(device_id)
    name, pdf = service.certificate(device, service.get_wipe(device, wipe_id))
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/<int:device_id>/wipes/<int:wipe_id>/review", methods=["POST"])
@role_required(COORDINATOR)
def review_wipe(device_id: int, wipe_id: int):
    """A coordinator accepts or rejects a wipe whose evidence did not fit the device."""
    device = service.get_device(device_id)
    wipe = service.get_wipe(device, wipe_id)
    form = _form_data()
    try:
        service.review_wipe(
            actor(), device, wipe, accept=form.get("decision") == "accept", note=form.get("note")
        )
    except DomainError as error:
        db.session.rollback()
        flash(" ".join(sum((error.errors or {"_": [error.message]}).values(), [])), "error")
        return redirect(url_for("devices.show", device_id=device.id, _anchor=f"wipe-{wipe.id}"))
    db.session.commit()
    flash(_("Uw besluit over wisbeurt %(id)s is vastgelegd.", id=wipe.id), "success")
    return redirect(url_for("devices.show", device_id=device.id, _anchor=f"wipe-{wipe.id}"))


# --- software and quality check --------------------------------------------------------


# A checklist answer's field: item-<position>, with the item's name in item-<position>-name.
_ITEM_KEY = re.compile(r"item-(\d{1,3})")


def _chosen(form: dict, items: list[str]) -> dict:
    """The answer picked per checklist item; an item nobody picked stays out (no default).

    Each answer is keyed by the item's name the form was drawn with: if the list changed
    while the form was open, an answer keyed by position could land on another item.
    """
    chosen = {}
    for key, answer in form.items():
        match = _ITEM_KEY.fullmatch(key)
        if match and answer:
            index = int(match[1])
            name = form.get(f"{key}-name") or (items[index] if index < len(items) else key)
            chosen[name] = answer
    return chosen


def _refused(error: ValidationError | DomainError) -> dict:
    if isinstance(error, ValidationError):
        return plain_errors(error.messages)
    return error.errors or {"_schema": [error.message]}


@bp.route("/<int:device_id>/software", methods=["GET", "POST"])
@role_required(VOLUNTEER)
def software(device_id: int):
    device = service.get_device(device_id)
    items = settings.get("software_checklist")
    page = {"device": device, "items": items, "answer_labels": SOFTWARE_LABELS}
    if request.method == "GET":
        return render_template("devices/software.html", form={}, errors={}, **page)
    form = _form_data()
    data = {
        "os_name": form.get("os_name", ""),
        "os_version": form.get("os_version", ""),
        "notes": form.get("notes", ""),
        "checklist": _chosen(form, items),
        "all_done": bool(form.get("all_done")),
    }
    try:
        service.record_software(actor(), device, SoftwareInSchema().load(data))
    except (ValidationError, DomainError) as error:
        db.session.rollback()
        return (
            render_template("devices/software.html", form=form, errors=_refused(error), **page),
            422,
        )
    db.session.commit()
    flash(_("Software vastgelegd. Volgende stap: de controle."), "success")
    return redirect(url_for("devices.show", device_id=device.id))


@bp.route("/<int:device_id>/check", methods=["GET", "POST"])
@role_required(VOLUNTEER)
def check(device_id: int):
    device = service.get_device(device_id)
    items = settings.get("qc_checklist")
    page = {"device": device, "items": items, "qc_labels": QC_LABELS}
    if request.method == "GET":
        return render_template("devices/check.html", form={}, errors={}, **page)
    form = _form_data()
    data = {
        "results": _chosen(form, items),
        "all_pass": bool(form.get("all_pass")),
        "notes": form.get("notes", ""),
    }
    try:
        result = service.record_quality_check(actor(), device, QualityCheckInSchema().load(data))
    except (ValidationError, DomainError) as error:
        db.session.rollback()
        return (
            render_template("devices/check.html", form=form, errors=_refused(error), **page),
            422,
        )
    db.session.commit()
    if result.passed:
        flash(_("Controle goedgekeurd. U kunt het apparaat nu klaarzetten."), "success")
    else:
        flash(_("Controle afgekeurd: het apparaat gaat naar reparatie."), "warning")
    return redirect(url_for("devices.show", device_id=device.id))


# --- bulk intake ---------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
@body_limit("UPLOAD_MAX_CONTENT_LENGTH")
@role_required(VOLUNTEER)
def bulk_import():
    if request.method == "GET":
        return render_template("devices/import.html", result=None, columns=bulk.COLUMNS)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        result = bulk.CheckResult(
            0, [bulk.RowError(0, "file", _("Kies eerst een CSV-bestand."))], 1
        )
        return render_template("devices/import.html", result=result, columns=bulk.COLUMNS), 422
    # Spool to disk: the import reads the file twice and must not hold it in memory.
    path = bulk.spool_upload(upload)
    try:
        count = bulk.import_rows(actor(), bulk.opener(path))
    except bulk.ImportRefused as refused:
        db.session.rollback()
        return (
            render_template("devices/import.html", result=refused.result, columns=bulk.COLUMNS),
            422,
        )
    finally:
        os.unlink(path)
    db.session.commit()
    flash(_("%(count)s apparaten ingelezen.", count=count), "success")
    return redirect(url_for("devices.index", state="intake"))


@bp.route("/export.csv")
@role_required(VOLUNTEER)
def export():
    return csvexport.download(bulk.export_rows(), "apparaten.csv", str(get_locale()))
