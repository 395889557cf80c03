"""The workshop's pages: queues, search, intake, the device page and its forms.

The wipe pages are in views_wipes.py, on this module's blueprint."""

import os
import re

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, lazy_gettext
from flask_babel import gettext as _

from uitleen import csvexport, forms, tasks
from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE, VOLUNTEER
from uitleen.devices import bulk, lifecycle, service, signals
from uitleen.devices.certificate_facts import serial_text
from uitleen.devices.models import GRADES, KINDS, STORAGE_TYPES
from uitleen.devices.schemas import (
    QC_LABELS,
    SOFTWARE_LABELS,
    DeviceInSchema,
    DeviceQuerySchema,
    QualityCheckInSchema,
    SoftwareInSchema,
    TransitionSchema,
)
from uitleen.devices.snapshot_views import workbench_settings
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
    query, errors = forms.attempt(lambda: DeviceQuerySchema().load(request.args.to_dict()), None)
    if errors:
        query = DeviceQuerySchema().load({"q": q})
        flash(forms.flat(errors), "error")
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


def form_data() -> dict:
    return request.form.to_dict()


@bp.route("/new", endpoint="new", methods=["GET", "POST"], defaults={"device_id": None})
@bp.route("/<int:device_id>/edit", methods=["GET", "POST"])
@role_required(VOLUNTEER)
def edit(device_id: int | None):
    """Intake of a new device, or a change to one: the same form."""
    device = service.get_device(device_id) if device_id else None
    if request.method == "GET":
        return _device_page(_stored(device) if device else {}, {}, device)
    form = form_data()

    def save():
        entry = service.DeviceInput.from_data(DeviceInSchema().load(form))
        if device is None:
            return service.register_device(actor(), entry)
        return service.update_device(actor(), device, entry)

    saved = forms.submit(
        save, again=lambda errors, error: (_device_page(form, errors, device, error), 422)
    )
    if device is None:
        flash(_("%(tag)s is geregistreerd. Plak het label erop.", tag=saved.asset_tag), "success")
    else:
        flash(_("De gegevens zijn opgeslagen."), "success")
    return redirect(url_for("devices.show", device_id=saved.id))


def _stored(device) -> dict:
    form = {key: getattr(device, key) for key in service.DEVICE_FIELDS}
    return form | {"donor_id": device.donor_id, "location_id": device.location_id}


def _device_page(form: dict, errors: dict, device, error: Exception | None = None):
    duplicate = error.existing if isinstance(error, service.DuplicateSerial) else None
    return render_template(
        "devices/form.html",
        form=form,
        errors=errors,
        device=device,
        duplicate=duplicate,
        workbench=workbench_settings() if device is None else None,
        **_options(),
    )


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
        snapshot=service.latest_snapshot(device),
        disk_summary=service.disk_summary,
        tasks=[task for _receiver, found in signals.device_tasks.send(device) for task in found],
        **_options(donors=False),
    )


@bp.route("/<int:device_id>/move", methods=["POST"])
@role_required(*STAFF)
def move(device_id: int):
    device = service.get_device(device_id)
    back = url_for("devices.show", device_id=device_id)

    def moved():
        data = TransitionSchema().load(form_data())
        return service.transition(actor(), device, data["target"], data["note"])

    forms.submit(moved, again=lambda errors, _error: flashed(errors, back))
    flash(_("Nieuwe status: %(state)s.", state=lifecycle.STATE_NAMES[device.state]), "success")
    return redirect(back)


def flashed(errors: dict, url: str):
    """A refusal of a button on the device page: said above the page it came from."""
    flash(forms.flat(errors), "error")
    return redirect(url)


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


@bp.route("/<int:device_id>/software", methods=["GET", "POST"])
@role_required(VOLUNTEER)
def software(device_id: int):
    def done(_install) -> None:
        flash(_("Software vastgelegd. Volgende stap: de controle."), "success")

    return _checklist_form(
        device_id,
        "devices/software.html",
        service.SOFTWARE,
        {"answer_labels": SOFTWARE_LABELS},
        lambda form: {
            "os_name": form.get("os_name", ""),
            "os_version": form.get("os_version", ""),
            "notes": form.get("notes", ""),
        },
        SoftwareInSchema(),
        service.record_software,
        done,
    )


@bp.route("/<int:device_id>/check", methods=["GET", "POST"])
@role_required(VOLUNTEER)
def check(device_id: int):
    def done(result) -> None:
        if result.passed:
            flash(_("Controle goedgekeurd. U kunt het apparaat nu klaarzetten."), "success")
        else:
            flash(_("Controle afgekeurd: het apparaat gaat naar reparatie."), "warning")

    return _checklist_form(
        device_id,
        "devices/check.html",
        service.QC,
        {"qc_labels": QC_LABELS},
        lambda form: {"notes": form.get("notes", "")},
        QualityCheckInSchema(),
        service.record_quality_check,
        done,
    )


def _checklist_form(
    device_id: int, template: str, checklist, labels: dict, other, schema, record, done
):
    """The software or quality-check form: an answer per item of its checklist, or the
    control that answers them all at once, and the form's other fields (`other`); `record`
    is the service function, `done` says what happened."""
    device = service.get_device(device_id)
    items = settings.get(checklist.setting)
    page = {"device": device, "items": items, **labels}
    if request.method == "GET":
        return render_template(template, form={}, errors={}, **page)
    form = form_data()
    data = other(form) | {
        checklist.field: _chosen(form, items),
        checklist.all_field: bool(form.get(checklist.all_field)),
    }
    result = forms.submit(
        lambda: record(actor(), device, **schema.load(data)),
        again=lambda errors, _error: (
            render_template(template, form=form, errors=errors, **page),
            422,
        ),
    )
    done(result)
    return redirect(url_for("devices.show", device_id=device.id))


# --- bulk intake ---------------------------------------------------------------------

IMPORT_WORK = "devices.import"  # its kind of background work (uitleen.tasks)


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
        work = tasks.start(
            IMPORT_WORK,
            "uitleen.devices.bulk.import_job",
            actor().id,
            tasks.hand_over(path),
            owner_id=actor().id,
            total=bulk.rows_in(path),
        )
    finally:
        os.unlink(path)  # handed over: a worker reads its own copy
    if work.state == tasks.RUNNING:
        return redirect(url_for("devices.import_work", job_id=work.id), 303)
    if "refused" in work.result:
        return _import_page(work.result, 422)
    flash(_("%(count)s apparaten ingelezen.", count=work.result["imported"]), "success")
    return redirect(url_for("devices.index", state="intake"))


def _import_page(outcome: dict, status: int = 200):
    result = bulk.CheckResult.from_dict(outcome["refused"]) if "refused" in outcome else None
    return render_template("devices/import.html", result=result, columns=bulk.COLUMNS), status


@bp.route("/import/<job_id>")
@role_required(VOLUNTEER)
def import_work(job_id: str):
    """A large import on the shared queue: this page follows it without JavaScript."""
    owner = None if actor().role == COORDINATOR else actor().id
    work = tasks.get(job_id, IMPORT_WORK, owner)
    if work.state == tasks.DONE and "refused" in work.result:
        return _import_page(work.result)  # the same form, with every row's error
    if work.state == tasks.FAILED:
        current_app.logger.error("device import %s failed: %s", work.id, work.error)
    page = render_template("devices/import_work.html", work=work, tasks=tasks)
    return tasks.status_page(page, work.state)


@bp.route("/export.csv")
@role_required(VOLUNTEER)
def export():
    return csvexport.download(bulk.export_rows(), "apparaten.csv", str(get_locale()))
