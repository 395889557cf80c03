"""/api/v1/devices: the refurbishment pipeline for scripts and label stations."""

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import INTAKE, VOLUNTEER
from uitleen.devices import service
from uitleen.devices.schemas import (
    DeviceInSchema,
    DevicePageSchema,
    DevicePatchSchema,
    DeviceQuerySchema,
    DeviceSchema,
    QualityCheckInSchema,
    QualityCheckSchema,
    SoftwareInSchema,
    SoftwareSchema,
    TransitionSchema,
    WipeInSchema,
    WipeLogUploadSchema,
    WipeSchema,
)
from uitleen.extensions import db

blp = Blueprint(
    "devices_api",
    __name__,
    url_prefix="/api/v1/devices",
    description="Donated devices: intake, wipes, software, quality checks and moves",
)

STAFF = (VOLUNTEER, INTAKE)  # coordinators always may


@blp.route("")
class Devices(MethodView):
    @blp.arguments(DeviceQuerySchema, location="query")
    @blp.response(200, DevicePageSchema)
    @role_required(*STAFF)
    def get(self, query):
        """Search and list devices, newest first; keyset pagination with `after`."""
        return service.search(**query)

    @blp.arguments(DeviceInSchema)
    @blp.response(201, DeviceSchema)
    @blp.alt_response(409, description="Same make and serial exist (code duplicate_serial)")
    @role_required(VOLUNTEER)
    def post(self, data):
        """Register a donated device (intake): gets an asset tag and a label token."""
        device = service.register_device(actor(), data)
        db.session.commit()
        return device


@blp.route("/<int:device_id>")
class DeviceItem(MethodView):
    @blp.response(200, DeviceSchema)
    @role_required(*STAFF)
    def get(self, device_id):
        """One device."""
        return service.get_device(device_id)

    @blp.arguments(DevicePatchSchema(partial=True))
    @blp.response(200, DeviceSchema)
    @role_required(VOLUNTEER)
    def patch(self, data, device_id):
        """Change specs, donor, location or notes."""
        device = service.update_device(actor(), service.get_device(device_id), data)
        db.session.commit()
        return device


@blp.route("/<int:device_id>/transitions", methods=["POST"])
@blp.arguments(TransitionSchema)
@blp.response(200, DeviceSchema)
@blp.alt_response(409, description="Not allowed now; the message says why")
@role_required(*STAFF)
def transition(data, device_id):
    """Move the device to another state (ready, repair, parts, recycled, lost…)."""
    device = service.transition(actor(), service.get_device(device_id), **data)
    db.session.commit()
    return device


@blp.route("/<int:device_id>/wipes")
class Wipes(MethodView):
    @blp.response(200, WipeSchema(many=True))
    @role_required(*STAFF)
    def get(self, device_id):
        """The device's wipe records, newest first."""
        return service.work(service.get_device(device_id)).wipes

    @blp.arguments(WipeInSchema)
    @blp.response(201, WipeSchema)
    @role_required(VOLUNTEER)
    def post(self, data, device_id):
        """Record a wipe by hand, one row per disk."""
        wipe = service.record_wipe(actor(), service.get_device(device_id), data)
        db.session.commit()
        return wipe


@blp.route("/<int:device_id>/wipes/import", methods=["POST"])
@blp.arguments(WipeLogUploadSchema, location="files")
@blp.response(201, WipeSchema)
@role_required(VOLUNTEER)
def import_log_for(files, device_id):
    """Read an nwipe log for this device (multipart field `file`)."""
    upload = files["file"]
    device = service.get_device(device_id)
    wipe = service.import_wipe_log(actor(), upload.read(), upload.filename or "", device)
    db.session.commit()
    return wipe


@blp.route("/wipes/import", methods=["POST"])
@blp.arguments(WipeLogUploadSchema, location="files")
@blp.response(201, WipeSchema)
@role_required(VOLUNTEER)
def import_log(files):
    """Read an nwipe log; it attaches by the asset tag or serial in the log or file name."""
    upload = files["file"]
    wipe = service.import_wipe_log(actor(), upload.read(), upload.filename or "")
    db.session.commit()
    return wipe


@blp.route("/<int:device_id>/wipes/<int:wipe_id>/certificate.pdf")
@blp.response(200, content_type="application/pdf", description="The erasure certificate")
@blp.alt_response(409, description="The wipe did not pass")
@role_required(VOLUNTEER)
def certificate(device_id, wipe_id):
    """The one-page erasure certificate of a passed wipe."""
    device = service.get_device(device_id)
    name, pdf = service.certificate(actor(), device, service.get_wipe(device, wipe_id))
    db.session.commit()
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@blp.route("/<int:device_id>/software")
class Software(MethodView):
    @blp.response(200, SoftwareSchema(many=True))
    @role_required(*STAFF)
    def get(self, device_id):
        """Software installs, newest first."""
        return service.work(service.get_device(device_id)).installs

    @blp.arguments(SoftwareInSchema)
    @blp.response(201, SoftwareSchema)
    @role_required(VOLUNTEER)
    def post(self, data, device_id):
        """Record the OS and the software checklist."""
        install = service.record_software(actor(), service.get_device(device_id), data)
        db.session.commit()
        return install


@blp.route("/<int:device_id>/quality-checks")
class QualityChecks(MethodView):
    @blp.response(200, QualityCheckSchema(many=True))
    @role_required(*STAFF)
    def get(self, device_id):
        """Quality checks, newest first."""
        return service.work(service.get_device(device_id)).checks

    @blp.arguments(QualityCheckInSchema)
    @blp.response(201, QualityCheckSchema)
    @role_required(VOLUNTEER)
    def post(self, data, device_id):
        """Record a quality check; any failed item sends the device to repair."""
        check = service.record_quality_check(actor(), service.get_device(device_id), data)
        db.session.commit()
        return check
