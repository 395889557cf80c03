"""REST API for coordinators: settings and locations."""

import marshmallow as ma
from flask_babel import lazy_gettext

from uitleen.auth.access import actor, role_required
from uitleen.auth.roles import COORDINATOR
from uitleen.contract import Blueprint
from uitleen.errors import NotFound
from uitleen.extensions import db
from uitleen.i18n import SUPPORTED_LANGUAGES
from uitleen.schemas import Schema, required
from uitleen.settings import service
from uitleen.settings.schemas import (
    GeneralSettingsSchema,
    HelpTextsSchema,
    ListsSchema,
    LocationOutSchema,
    LocationSchema,
)

blp = Blueprint(
    "settings_api",
    __name__,
    url_prefix="/api/v1",
    description="Organisation settings and locations (coordinators).",
)


class SettingsOutSchema(GeneralSettingsSchema, ListsSchema):
    help_texts = ma.fields.Dict(metadata={"description": "{lang: {section: {title, steps}}}"})


class ActiveSchema(Schema):
    active = ma.fields.Boolean(
        required=True, error_messages=required(lazy_gettext("Kies ja of nee."))
    )


def _all_settings() -> dict:
    return service.get_many(SettingsOutSchema().fields)


@blp.route("/settings", methods=["GET"])
@role_required(COORDINATOR)
@blp.response(200, SettingsOutSchema)
def get_settings():
    """Every setting, stored or default."""
    return _all_settings()


@blp.route("/settings/general", methods=["PUT"])
@role_required(COORDINATOR)
@blp.arguments(GeneralSettingsSchema)
@blp.response(200, SettingsOutSchema)
def put_general(data):
    """Organisation, loan defaults, retention and the voucher threshold."""
    service.put_many(actor(), data)
    db.session.commit()
    return _all_settings()


@blp.route("/settings/lists", methods=["PUT"])
@role_required(COORDINATOR)
@blp.arguments(ListsSchema)
@blp.response(200, SettingsOutSchema)
def put_lists(data):
    """Software and quality-check checklists and referral partners."""
    service.put_many(actor(), data)
    db.session.commit()
    return _all_settings()


@blp.route("/settings/help-texts/<string:lang>", methods=["PUT"])
@blp.doc(
    parameters=[
        {
            "in": "path",
            "name": "lang",
            "required": True,
            "schema": {"type": "string", "enum": list(SUPPORTED_LANGUAGES)},
        }
    ]
)
@role_required(COORDINATOR)
@blp.arguments(HelpTextsSchema)
@blp.response(200, SettingsOutSchema)
def put_help_texts(data, lang: str):
    """Own help-page texts for one language; an empty sections object restores the defaults."""
    if lang not in SUPPORTED_LANGUAGES:
        raise NotFound(f"unknown language {lang}")
    service.put_help_texts(actor(), lang, data["sections"])
    db.session.commit()
    return _all_settings()


@blp.route("/locations", methods=["GET"])
@role_required(COORDINATOR)
@blp.response(200, LocationOutSchema(many=True))
def list_locations():
    return service.locations(active_only=False)


@blp.route("/locations", methods=["POST"])
@role_required(COORDINATOR)
@blp.arguments(LocationSchema)
@blp.response(201, LocationOutSchema)
def create_location(data):
    location = service.create_location(actor(), **data)
    db.session.commit()
    return location


@blp.route("/locations/<int:location_id>", methods=["PUT"])
@role_required(COORDINATOR)
@blp.arguments(LocationSchema)
@blp.response(200, LocationOutSchema)
def update_location(data, location_id: int):
    location = service.update_location(actor(), service.get_location(location_id), **data)
    db.session.commit()
    return location


@blp.route("/locations/<int:location_id>/active", methods=["PUT"])
@role_required(COORDINATOR)
@blp.arguments(ActiveSchema)
@blp.response(200, LocationOutSchema)
def set_location_active(data, location_id: int):
    location = service.get_location(location_id)
    service.set_location_active(actor(), location, data["active"])
    db.session.commit()
    return location
