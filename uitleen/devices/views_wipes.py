"""The wipe pages of a device: record a wipe by hand, read a wipe tool's log, the erasure
certificate and a coordinator's review. Routes on the devices blueprint (views.bp)."""

from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from uitleen import clock, forms
from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, VOLUNTEER
from uitleen.devices import lifecycle, service
from uitleen.devices.schemas import WipeInSchema
from uitleen.devices.views import DISK_ROWS, bp, flashed, form_data
from uitleen.downloads import pdf_response
from uitleen.errors import Invalid
from uitleen.inputs import body_limit


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


def _wipe_page(device, form, errors, log_errors=None):
    return render_template(
        "devices/wipe.html",
        device=device,
        form=form,
        errors=errors,
        log_errors=log_errors or {},
        disk_rows=DISK_ROWS,
    )


@bp.route("/<int:device_id>/wipe", methods=["GET", "POST"])
@role_required(VOLUNTEER)
def wipe(device_id: int):
    device = service.get_device(device_id)
    if request.method == "GET":
        return _wipe_page(device, {"tool": "nwipe", "disk-0-result": "passed"}, {})
    form = form_data()
    record = forms.submit(
        lambda: service.record_wipe(
            actor(), device, service.WipeInput.from_data(WipeInSchema().load(_wipe_form(form)))
        ),
        again=lambda errors, _error: (_wipe_page(device, form, errors), 422),
    )
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


def _upload() -> tuple[bytes, str]:
    """The uploaded log's bytes and file name."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise Invalid(
            _("Kies een bestand."), errors={"file": [_("Kies eerst een bestand om in te lezen.")]}
        )
    return upload.read(), upload.filename


def _file_errors(errors: dict) -> dict:
    """A log's refusal belongs at the file field, whatever the reader called it."""
    return {"file": errors["_schema"]} if set(errors) == {"_schema"} else errors


@bp.route("/<int:device_id>/wipe/import", methods=["POST"])
@body_limit("UPLOAD_MAX_CONTENT_LENGTH")
@role_required(VOLUNTEER)
def wipe_import_for(device_id: int):
    device = service.get_device(device_id)
    record = forms.submit(
        lambda: service.import_wipe_log(actor(), *_upload(), device),
        again=lambda errors, _error: (_wipe_page(device, {}, {}, _file_errors(errors)), 422),
    )
    _flash_wipe(record)
    return redirect(url_for("devices.show", device_id=device.id))


@bp.route("/wipe-import", methods=["GET", "POST"])
@body_limit("UPLOAD_MAX_CONTENT_LENGTH")
@role_required(VOLUNTEER)
def wipe_import():
    """Read a log without opening the device first: it finds its device by tag or serial."""
    if request.method == "GET":
        return render_template("devices/wipe_import.html", errors={})
    record = forms.submit(
        lambda: service.import_wipe_log(actor(), *_upload()),
        again=lambda errors, _error: (
            render_template("devices/wipe_import.html", errors=_file_errors(errors)),
            422,
        ),
    )
    _flash_wipe(record)
    return redirect(url_for("devices.show", device_id=record.device_id))


@bp.route("/<int:device_id>/wipes/<int:wipe_id>/certificate.pdf")
@role_required(VOLUNTEER)
def certificate(device_id: int, wipe_id: int):
    device = service.get_device(device_id)
    name, pdf = service.certificate(device, service.get_wipe(device, wipe_id))
    return pdf_response(pdf, name)


@bp.route("/<int:device_id>/wipes/<int:wipe_id>/review", methods=["POST"])
@role_required(COORDINATOR)
def review_wipe(device_id: int, wipe_id: int):
    """A coordinator accepts or rejects a wipe whose evidence did not fit the device."""
    device = service.get_device(device_id)
    wipe = service.get_wipe(device, wipe_id)
    form = form_data()
    back = url_for("devices.show", device_id=device.id, _anchor=f"wipe-{wipe.id}")
    forms.submit(
        lambda: service.review_wipe(
            actor(), device, wipe, accept=form.get("decision") == "accept", note=form.get("note")
        ),
        again=lambda errors, _error: flashed(errors, back),
    )
    flash(_("Uw besluit over wisbeurt %(id)s is vastgelegd.", id=wipe.id), "success")
    return redirect(back)
