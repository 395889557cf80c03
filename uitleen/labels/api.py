"""/api/v1/labels: label PDFs for scripts and label-printer stations."""

from flask import Response, current_app, send_file
from flask_babel import gettext as _

from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import INTAKE, VOLUNTEER
from uitleen.contract import Blueprint
from uitleen.devices import service as devices
from uitleen.downloads import pdf_response
from uitleen.extensions import db
from uitleen.labels import jobs, service
from uitleen.labels.schemas import LabelPrintInSchema, RotationInSchema, RotationSchema

blp = Blueprint(
    "labels_api",
    __name__,
    url_prefix="/api/v1/labels",
    description="Device labels as PDF: QR code, asset tag, help line and phone number",
)


@blp.route("", methods=["POST"])
@role_required(VOLUNTEER, INTAKE)
@blp.arguments(LabelPrintInSchema)
@blp.response(200, content_type="application/pdf")
@blp.doc(
    responses={
        "200": {
            "description": "The labels, ready to print. Large runs are drawn in a separate "
            "process while this request waits, so other requests stay fast.",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
)
@blp.alt_response(
    422,
    description="Unknown format (field format), tag (tags) or device "
    "(device_ids), or a start position off the sheet (start)",
)
@blp.alt_response(503, description="Too many large runs at once (code busy): try again")
def print_labels(data):
    """Labels for devices chosen by id, tag or state; printing is logged per device."""
    run = service.prepare_print(actor(), **data)
    if run.count <= jobs.inline_max():
        db.session.commit()  # before drawing: no write lock held while the CPU works
        pdf = service.draw(run)
        db.session.commit()  # the codes it made and stored
        return _pdf(pdf, run.filename)
    job = jobs.start(run.job_id, actor().id, run.fmt.name, run.job_input())
    db.session.commit()  # before waiting: no database lock is held while the worker draws
    return _job_pdf(jobs.wait(job.id), run.filename)


def _pdf(document: bytes, filename: str) -> Response:
    return pdf_response(document, filename)


def _job_pdf(job: jobs.Job, filename: str) -> Response:
    """Hand over a finished job's PDF and remove the job (the open file stays readable)."""
    if job.state != jobs.DONE:
        current_app.logger.error("label job %s failed: %s", job.id, job.error)
        jobs.remove(job.id)
        raise jobs.Failed(
            _("Het maken van de labels is mislukt. Probeer het opnieuw of vraag het de beheerder.")
        )
    handle = jobs.pdf_file(job)
    jobs.remove(job.id)
    return send_file(handle, mimetype="application/pdf", as_attachment=True, download_name=filename)


@blp.route("/devices/<int:device_id>/rotation", methods=["POST"])
@role_required(VOLUNTEER)
@blp.arguments(RotationInSchema, required=False)
@blp.response(200, RotationSchema)
def rotate(data, device_id: int):
    """Retire the device's label URL (it then shows 'no longer in use') and make a new one.

    A device on loan needs a reason: its household's label stops working, and the loan
    gets a 'new label to hand over' task.
    """
    reason = (data or {}).get("reason", "")
    device = service.rotate_token(actor(), devices.get_device(device_id), reason)
    db.session.commit()
    return {
        "device_id": device.id,
        "asset_tag": device.asset_tag,
        "public_token": device.public_token,
        "label_url": devices.label_url(device.public_token),
    }
