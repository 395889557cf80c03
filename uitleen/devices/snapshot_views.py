"""Hardware snapshots from the intake page, and the address workbench-script prints.

The API route (devices.api.import_snapshot) takes what workbench-script sends; this page
takes the same files from a USB stick, one or many at once.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from uitleen import forms
from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import INTAKE, VOLUNTEER
from uitleen.devices import service
from uitleen.errors import DomainError, Invalid
from uitleen.inputs import body_limit

bp = Blueprint("snapshots", __name__)


def workbench_settings() -> dict:
    """What to write in workbench-script's settings.ini to send snapshots here."""
    base = current_app.config["UITLEEN_BASE_URL"]
    return {"url": f"{base}{url_for('devices_api.import_snapshot')}"}


def flash_result(result: service.SnapshotResult) -> None:
    """Say what the snapshot did: registered, updated (and what), or already known."""
    tag = result.device.asset_tag
    if result.replayed:
        flash(
            _("Deze opname was al ingelezen bij %(tag)s; er is niets veranderd.", tag=tag), "info"
        )
    elif result.created:
        flash(_("%(tag)s is geregistreerd uit de opname. Plak het label erop.", tag=tag), "success")
    elif result.changes:
        fields = ", ".join(result.changes)
        flash(_("%(tag)s bijgewerkt uit de opname: %(fields)s.", tag=tag, fields=fields), "success")
    else:
        flash(_("%(tag)s: de opname klopt met wat er al stond.", tag=tag), "success")
    for finding in result.findings:
        flash(service.finding_text(finding), "warning")
    if result.findings and result.device.state == "repair":
        flash(_("%(tag)s gaat naar reparatie.", tag=tag), "warning")


@bp.route("/devices/snapshots", methods=["GET", "POST"])
@body_limit("UPLOAD_MAX_CONTENT_LENGTH")
@role_required(VOLUNTEER)
def upload():
    """One or more snapshot files; each is read on its own, and all or none are saved."""
    page = {"workbench": workbench_settings()}
    if request.method == "GET":
        return render_template("devices/snapshots.html", errors={}, **page)
    files = [f for f in request.files.getlist("file") if f.filename]

    def import_all() -> list[service.SnapshotResult]:
        if not files:
            raise Invalid(
                _("Kies een bestand."), errors={"file": [_("Kies eerst een .json-bestand.")]}
            )
        results = []
        for upload in files:
            try:
                results.append(
                    service.import_snapshot(actor(), upload.read(), "upload", upload.filename)
                )
            except DomainError as error:
                error.message = f"{upload.filename}: {error.message}"
                raise
        return results

    results = forms.submit(
        import_all,
        again=lambda _errors, error: render_template(
            "devices/snapshots.html", errors={"file": [error.message]}, **page
        ),
    )
    for result in results:
        flash_result(result)
    if len(results) == 1:
        return redirect(url_for("devices.show", device_id=results[0].device.id))
    return redirect(url_for("devices.index"))


@bp.route("/evidence/<string:snapshot_uuid>")
@role_required(VOLUNTEER, INTAKE)
def evidence(snapshot_uuid: str):
    """workbench-script prints <server>/evidence/<uuid> after sending: open the device."""
    found = service.snapshot_by_uuid(snapshot_uuid.strip().lower()[:36])
    if found is None or found.device_id is None:
        flash(_("Deze opname is (nog) niet ontvangen."), "warning")
        return redirect(url_for("snapshots.upload"))
    return redirect(url_for("devices.show", device_id=found.device_id))
