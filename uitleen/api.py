"""The REST API: OpenAPI from the marshmallow schemas, docs served by the app itself."""

import marshmallow as ma
from apispec import BasePlugin
from flask import Blueprint, Flask, render_template

from uitleen.auth.access import actor, public, role_required
from uitleen.auth.roles import COORDINATOR, INTAKE, VOLUNTEER
from uitleen.contract import Blueprint as ApiBlueprint
from uitleen.extensions import api, csrf
from uitleen.inputs import route_view
from uitleen.schemas import Schema

docs = Blueprint("api_docs", __name__)
me_api = ApiBlueprint("me_api", __name__, url_prefix="/api/v1", description="Who am I")


class MeSchema(Schema):
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


ABOUT = (
    "Every operation needs a bearer token (`uitleen token create`); `x-roles` names the "
    "roles that may call it. A JSON body is taken exactly as its schema says: values of "
    'another type (2.0 or "2" for an integer, 0 for false, text for a list) and fields '
    "the schema does not name are refused with 422, and a PATCH must change something. "
    "Text may not hold NUL characters or lone surrogates (422, code unstorable_input). "
    "Errors always have the shape of the Error schema: status, code, message and, per "
    "field, what is wrong, in the language of Accept-Language (nl or en; Dutch otherwise)."
)

# Each error answer an operation can give, by status: flask-smorest registers one
# response per HTTP status name, all with our one error shape (UitleenApi.ERROR_SCHEMA).
ERROR_RESPONSES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    409: "CONFLICT",
    413: "REQUEST_ENTITY_TOO_LARGE",
    422: "UNPROCESSABLE_ENTITY",
    429: "TOO_MANY_REQUESTS",
}
WRITES = {"post", "put", "patch", "delete"}


def error_statuses(view, operation: dict, method: str, has_path_id: bool) -> set[int]:
    """What else than success this operation can answer, read from the route itself.

    401/403 from its roles (check_route_access answers them before any input is read),
    404 from an id in its path, 422 from any input (a schema, or unstorable text in the
    query), 413 and 400 from a body (too large; JSON that does not parse or nests too
    deep), 409 from any write (a rule of the domain, or someone else who was faster: the
    database's constraints answer 409 too) and 429 from a rate limit.
    """
    statuses = set()
    if isinstance(getattr(view, "allowed_roles", None), frozenset):
        statuses |= {401, 403}
    if has_path_id:
        statuses.add(404)
    body = operation.get("requestBody")
    takes_query = any(p.get("in") == "query" for p in operation.get("parameters", []))
    if body or takes_query:
        statuses.add(422)
    if body:
        statuses.add(413)
        if "application/json" in body.get("content", {}):
            statuses.add(400)
    if method in WRITES:
        statuses.add(409)
    if getattr(view, "rate_limited", False):
        statuses.add(429)
    return statuses


class ContractPlugin(BasePlugin):
    """Say in each operation who may call it and every answer it can give.

    Read from the view's own role_required (allowed_roles) and its shape, when
    flask-smorest documents the route, so the document cannot drift from the code.
    """

    def __init__(self, app: Flask):
        self.app = app

    def schema_helper(self, name, definition, **kwargs):
        # A JSON body is loaded with unknown=RAISE (uitleen.contract.StrictParser), also
        # where a schema lets its HTML form through with EXCLUDE.
        return {"additionalProperties": False}

    def operation_helper(self, path=None, operations=None, **kwargs):
        rule = kwargs.get("rule")
        if rule is None or not operations:
            return
        with self.app.app_context():
            for method, operation in operations.items():
                view = route_view(rule.endpoint, method.upper())
                self._document(view, operation, method, bool(rule.arguments))

    @staticmethod
    def _document(view, operation: dict, method: str, has_path_id: bool) -> None:
        roles = getattr(view, "allowed_roles", None)
        if isinstance(roles, frozenset):
            operation["security"] = [{"bearerAuth": []}]
            operation["x-roles"] = sorted(roles)
            said = ", ".join(sorted(roles))
            operation["description"] = (
                f"{operation.get('description', '')}\n\nRoles: {said}.".strip()
            )
        elif roles == "public":
            operation["security"] = []
        if method == "patch":
            # StrictParser refuses a PATCH that changes nothing; say so.
            for content in operation.get("requestBody", {}).get("content", {}).values():
                content["schema"] = {"allOf": [content["schema"]], "minProperties": 1}
        responses = operation.setdefault("responses", {})
        for status in sorted(error_statuses(view, operation, method, has_path_id)):
            if status not in responses and str(status) not in responses:
                responses[str(status)] = ERROR_RESPONSES[status]
        for status, response in responses.items():
            if int(status) >= 400 and isinstance(response, dict) and not response.get("content"):
                # An alt_response that only says why: give it the error shape too.
                response["content"] = {"application/json": {"schema": "Error"}}


def register_api(app: Flask, blueprints) -> None:
    """Attach the API blueprints; bearer tokens, not cookies, so no CSRF on them."""
    api.init_app(
        app,
        spec_kwargs={"extra_plugins": [ContractPlugin(app)], "info": {"description": ABOUT}},
    )
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "uitleen token create"}
    )
    for blueprint in [me_api, *blueprints]:
        api.register_blueprint(blueprint)
        csrf.exempt(blueprint)
    app.register_blueprint(docs)
