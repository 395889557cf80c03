"""/api/v1/devices: the refurbishment pipeline for scripts and label stations.

@role_required comes first (outermost), so a caller without the role gets 401/403 before
any input is read.
"""

from flask import current_app, request, url_for
from flask.views import MethodView

from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE, VOLUNTEER
from uitleen.contract import Blueprint
from uitleen.devices import service
from uitleen.devices.schemas import (
    DeviceInSchema,
    DevicePageSchema,
    DevicePatchSchema,
    DeviceQuerySchema,
    DeviceSchema,
    QualityCheckInSchema,
    QualityCheckSchema,
    SnapshotResultSchema,
    SoftwareInSchema,
    SoftwareSchema,
    TransitionSchema,
    WipeInSchema,
    WipeLogUploadSchema,
    WipeReviewInSchema,
    WipeSchema,
)
from uitleen.downloads import pdf_response
from uitleen.extensions import db
from uitleen.inputs import body_limit, raw_body

blp = Blueprint(
    "devices_api",
    __name__,
    url_prefix="/api/v1/devices",
    description="Donated devices: intake, wipes, software, quality checks and moves",
)

STAFF = (VOLUNTEER, INTAKE)  # coordinators always may


@blp.route("")
class Devices(MethodView):
    @role_required(*STAFF)
    @blp.arguments(DeviceQuerySchema, location="query")
    @blp.response(200, DevicePageSchema)
    def get(self, query):
        """Search and list devices, newest first; keyset pagination with `after`."""
        return service.search(**query)

    @role_required(VOLUNTEER)
    @blp.arguments(DeviceInSchema)
    @blp.response(201, DeviceSchema)
    @blp.alt_response(
        409,
        description="A device with this serial exists: confirm with confirm_duplicate and "
        "duplicate_reason (code duplicate_serial), or it is on loan (code serial_on_loan)",
    )
    def post(self, data):
        """Register a donated device (intake): gets an asset tag and a label token."""
        device = service.register_device(actor(), service.DeviceInput.from_data(data))
        db.session.commit()
        return device


@blp.route("/<int:device_id>")
class DeviceItem(MethodView):
    @role_required(*STAFF)
    @blp.response(200, DeviceSchema)
    def get(self, device_id):
        """One device."""
        return service.get_device(device_id)

    @role_required(VOLUNTEER)
    @blp.arguments(DevicePatchSchema(partial=True))
    @blp.response(200, DeviceSchema)
    def patch(self, data, device_id):
        """Change specs, donor, location or notes."""
        device = service.update_device(
            actor(), service.get_device(device_id), service.DeviceInput.from_data(data)
        )
        db.session.commit()
        return device


@blp.route("/<int:device_id>/transitions", methods=["POST"])
@role_required(*STAFF)
@blp.arguments(TransitionSchema)
@blp.response(200, DeviceSchema)
@blp.alt_response(409, description="Not allowed now; the message says why")
def transition(data, device_id):
    """Move the device to another state (ready, repair, parts, recycled, lost…)."""
    device = service.transition(actor(), service.get_device(device_id), **data)
    db.session.commit()
    return device


@blp.route("/<int:device_id>/wipes")
class Wipes(MethodView):
    @role_required(*STAFF)
    @blp.response(200, WipeSchema(many=True))
    def get(self, device_id):
        """The device's wipe records, newest first."""
        return service.work(service.get_device(device_id)).wipes

    @role_required(VOLUNTEER)
    @blp.arguments(WipeInSchema)
    @blp.response(201, WipeSchema)
    def post(self, data, device_id):
        """Record a wipe by hand, one row per disk."""
        wipe = service.record_wipe(
            actor(), service.get_device(device_id), service.WipeInput.from_data(data)
        )
        db.session.commit()
        return wipe


@blp.route("/<int:device_id>/wipes/import", methods=["POST"])
@body_limit("UPLOAD_MAX_CONTENT_LENGTH")
@role_required(VOLUNTEER)
@blp.arguments(WipeLogUploadSchema, location="files")
@blp.response(201, WipeSchema)
def import_log_for(files, device_id):
    """Read an nwipe log for this device (multipart field `file`)."""
    upload = files["file"]
    device = service.get_device(device_id)
    wipe = service.import_wipe_log(actor(), upload.read(), upload.filename or "", device)
    db.session.commit()
    return wipe


@blp.route("/wipes/import", methods=["POST"])
@body_limit("UPLOAD_MAX_CONTENT_LENGTH")
@role_required(VOLUNTEER)
@blp.arguments(WipeLogUploadSchema, location="files")
@blp.response(201, WipeSchema)
def import_log(files):
    """Read an nwipe log; it attaches by the asset tag or serial in the log or file name."""
    upload = files["file"]
    wipe = service.import_wipe_log(actor(), upload.read(), upload.filename or "")
    db.session.commit()
    return wipe


@blp.route("/<int:device_id>/wipes/<int:wipe_id>/review", methods=["POST"])
@role_required(COORDINATOR)
@blp.arguments(WipeReviewInSchema)
@blp.response(200, WipeSchema)
def review(data, device_id, wipe_id):
    """Accept or reject a wipe that waits for review (its evidence did not fit the device)."""
    device = service.get_device(device_id)
    wipe = service.get_wipe(device, wipe_id)
    wipe = service.review_wipe(
        actor(), device, wipe, accept=data["decision"] == "accept", note=data["note"]
    )
    db.session.commit()
    return wipe


@blp.route("/<int:device_id>/wipes/<int:wipe_id>/certificate.pdf")
@role_required(VOLUNTEER)
@blp.response(200, content_type="application/pdf", description="The erasure certificate")
@blp.alt_response(409, description="The wipe did not pass, waits for review, or no longer counts")
def certificate(device_id, wipe_id):
    """The one-page erasure certificate of a certified wipe (numbered when it passed)."""
    device = service.get_device(device_id)
    name, pdf = service.certificate(device, service.get_wipe(device, wipe_id))
    return pdf_response(pdf, name)


@blp.route("/<int:device_id>/software")
class Software(MethodView):
    @role_required(*STAFF)
    @blp.response(200, SoftwareSchema(many=True))
    def get(self, device_id):
        """Software installs, newest first."""
        return service.work(service.get_device(device_id)).installs

    @role_required(VOLUNTEER)
    @blp.arguments(SoftwareInSchema)
    @blp.response(201, SoftwareSchema)
    def post(self, data, device_id):
        """Record the OS and the software checklist."""
        install = service.record_software(actor(), service.get_device(device_id), **data)
        db.session.commit()
        return install


@blp.route("/<int:device_id>/quality-checks")
class QualityChecks(MethodView):
    @role_required(*STAFF)
    @blp.response(200, QualityCheckSchema(many=True))
    def get(self, device_id):
        """Quality checks, newest first."""
        return service.work(service.get_device(device_id)).checks

    @role_required(VOLUNTEER)
    @blp.arguments(QualityCheckInSchema)
    @blp.response(201, QualityCheckSchema)
    def post(self, data, device_id):
        """Record a quality check; any failed item sends the device to repair."""
        check = service.record_quality_check(actor(), service.get_device(device_id), **data)
        db.session.commit()
        return check


SNAPSHOT_BODY = {
    "required": True,
    "description": "A workbench-script snapshot, as it sends it: the JSON object itself.",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["type", "uuid", "data"],
                "properties": {
                    "type": {"type": "string", "enum": ["Snapshot"]},
                    "uuid": {"type": "string", "format": "uuid"},
                    "timestamp": {"type": "string"},
                    "software": {"type": "string"},
                    "version": {"type": "string"},
                    "operator_id": {"type": "string"},
                    "data": {
                        "type": "object",
                        "required": ["dmidecode"],
                        "properties": {
                            "dmidecode": {"type": "string"},
                            "smartctl": {
                                "description": "smartctl -x --json objects, or their JSON text",
                                "oneOf": [{"type": "array"}, {"type": "string"}],
                            },
                            "inxi": {"oneOf": [{"type": "array"}, {"type": "string"}]},
                        },
                    },
                },
            }
        }
    },
}


def snapshot_answer(result: service.SnapshotResult) -> dict:
    """The answer to a snapshot; the same uuid again gets its record back, `replayed` true
    (workbench-script retries when an answer is lost, and needs a success then too)."""
    path = url_for("devices.show", device_id=result.device.id)
    body = {
        "record": result.record,
        "created": result.created,
        "replayed": result.replayed,
        "device": result.device,
        "changes": result.changes,
        "findings": [
            finding | {"text": service.finding_text(finding)} for finding in result.findings
        ],
        "skipped": result.skipped,
        "public_url": f"{current_app.config['UITLEEN_BASE_URL']}{path}",
    }
    return body


@blp.route("/snapshots", methods=["POST"])
@raw_body
@body_limit("SNAPSHOT_MAX_CONTENT_LENGTH")
@role_required(VOLUNTEER)
@blp.doc(requestBody=SNAPSHOT_BODY)
@blp.response(201, SnapshotResultSchema)
@blp.alt_response(409, description="The snapshot matches two devices; both are named")
@blp.alt_response(413, description="The snapshot is larger than SNAPSHOT_MAX_CONTENT_LENGTH")
def import_snapshot():
    """Register or update a device from a workbench-script hardware snapshot.

    Point workbench-script's `url` at this address and give it an API token as `token`.
    """
    result = service.import_snapshot(actor(), request.get_data(), "api")
    db.session.commit()
    return snapshot_answer(result)
