"""/api/v1/households: register, search, change, erase, and the waiting list."""

from flask.views import MethodView

from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import INTAKE
from uitleen.contract import Blueprint
from uitleen.extensions import db
from uitleen.households import service
from uitleen.households.schemas import (
    HouseholdInSchema,
    HouseholdOutSchema,
    HouseholdPatchSchema,
    HouseholdQuerySchema,
    WaitingInSchema,
    WaitingOutSchema,
)

blp = Blueprint(
    "households_api",
    __name__,
    url_prefix="/api/v1/households",
    description="Households (intake desk and coordinators only)",
)


@blp.route("")
class Households(MethodView):
    @role_required(INTAKE)
    @blp.arguments(HouseholdQuerySchema, location="query")
    @blp.response(200, HouseholdOutSchema(many=True))
    def get(self, query):
        """Search by part of the code, contact name or phone; newest first."""
        return service.search(query["q"], query["limit"], query["after"])

    @role_required(INTAKE)
    @blp.arguments(HouseholdInSchema)
    @blp.response(201, HouseholdOutSchema)
    def post(self, data):
        """Register a household; the code is made for you."""
        household = service.register(actor(), data)
        db.session.commit()
        return household


@blp.route("/waiting")
class Waiting(MethodView):
    @role_required(INTAKE)
    @blp.response(200, WaitingOutSchema(many=True))
    def get(self):
        """Households waiting for a device, first in line first."""
        return service.waiting_list()


@blp.route("/<int:household_id>")
class HouseholdItem(MethodView):
    @role_required(INTAKE)
    @blp.response(200, HouseholdOutSchema)
    def get(self, household_id: int):
        return service.get(household_id)

    @role_required(INTAKE)
    @blp.arguments(HouseholdPatchSchema)
    @blp.response(200, HouseholdOutSchema)
    def patch(self, data, household_id: int):
        """Change the fields sent; the others stay as they are."""
        household = service.update_household(actor(), service.get(household_id), data)
        db.session.commit()
        return household


@blp.route("/<int:household_id>/erase", methods=["POST"])
@role_required(INTAKE)
@blp.response(200, HouseholdOutSchema)
def erase(household_id: int):
    """Erase the personal data on the household's request; code and loans stay."""
    household = service.erase(actor(), service.get(household_id))
    db.session.commit()
    return household


@blp.route("/<int:household_id>/waiting", methods=["POST"])
@role_required(INTAKE)
@blp.arguments(WaitingInSchema)
@blp.response(201, WaitingOutSchema)
def add_to_waiting_list(data, household_id: int):
    """Put the household on the waiting list, with what it needs a device for."""
    entry = service.add_to_waiting_list(
        actor(), service.get(household_id), data["need"], data.get("note") or ""
    )
    db.session.commit()
    return entry


@blp.route("/waiting/<int:entry_id>/remove", methods=["POST"])
@role_required(INTAKE)
@blp.response(200, WaitingOutSchema)
def remove_from_waiting_list(entry_id: int):
    """Take a household off the waiting list without a device."""
    entry = service.remove_from_waiting_list(actor(), service.get_entry(entry_id))
    db.session.commit()
    return entry
