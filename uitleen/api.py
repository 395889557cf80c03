"""The REST API: OpenAPI from the marshmallow schemas, docs served by the app itself."""

import marshmallow as ma
from flask import Blueprint, Flask, render_template
from flask_smorest import Blueprint as ApiBlueprint

from uitleen.auth.access import actor, public, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE, VOLUNTEER
from uitleen.extensions import api, csrf

docs = Blueprint("api_docs", __name__)
me_api = ApiBlueprint("me_api", __name__, url_prefix="/api/v1", description="Who am I")


class MeSchema(ma.Schema):
    id = ma.fields.Integer()
    email = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()


@me_api.route("/me")
@me_api.response(200, MeSchema)
@role_required(VOLUNTEER, INTAKE, COORDINATOR)
def me():
    """The account behind the bearer token."""
    return actor()


@docs.route("/api/docs")
@public
def api_docs():
    """A readable API reference that needs no CDN and no JavaScript."""
    return render_template("api/docs.html", spec=api.spec.to_dict())


def register_api(app: Flask, blueprints) -> None:
    """Attach the API blueprints; bearer tokens, not cookies, so no CSRF on them."""
    api.init_app(app)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "uitleen token create"}
    )
    for blueprint in [me_api, *blueprints]:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    app.register_blueprint(docs)
