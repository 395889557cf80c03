"""REST API of the help-request queue (intake workers and coordinators only)."""

from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import INTAKE
from uitleen.contract import Blueprint
from uitleen.extensions import db
from uitleen.helpdesk import service
from uitleen.helpdesk.schemas import HelpRequestOutSchema, HelpRequestPatchSchema, QueueQuerySchema

blp = Blueprint(
    "helpdesk_api",
    __name__,
    url_prefix="/api/v1/help-requests",
    description="Help requests households sent from the label on their device. Each comes "
    "with the household that has the device on loan now, if any.",
)


def _item(help_request) -> service.QueueItem:
    return service.QueueItem(help_request, service.borrower(help_request))


@blp.route("", methods=["GET"])
@blp.arguments(QueueQuerySchema, location="query")
@blp.response(200, HelpRequestOutSchema(many=True))
@role_required(INTAKE)
def list_requests(query):
    """Open requests (new first) by default; filter by status, category or `mine`."""
    mine = actor().id if query["mine"] else None
    found = service.queue(status=query["status"], category=query["category"], taken_by_id=mine)
    return service.with_borrowers(found)


@blp.route("/<int:request_id>", methods=["GET"])
@blp.response(200, HelpRequestOutSchema)
@role_required(INTAKE)
def get_request(request_id: int):
    return _item(service.get_request(request_id))


@blp.route("/<int:request_id>", methods=["PATCH"])
@blp.arguments(HelpRequestPatchSchema)
@blp.response(200, HelpRequestOutSchema)
@role_required(INTAKE)
def patch_request(data, request_id: int):
    """status in_progress takes (or reopens) the request, done closes it; note is appended."""
    help_request = service.change(actor(), service.get_request(request_id), **data)
    db.session.commit()
    return _item(help_request)
