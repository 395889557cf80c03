"""The OpenAPI document says who may call each operation and every answer it can give."""

import re

import pytest

from uitleen.inputs import route_view

ERROR_REF = "#/components/schemas/Error"


@pytest.fixture
def document(client):
    return client.get("/api/openapi.json").get_json()


def all_operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation, item.get("parameters", [])


def view_of(app, path: str, method: str):
    """The view behind a documented path, found through the app's own URL map."""
    rule = next(
        r
        for r in app.url_map.iter_rules()
        if _openapi(r.rule) == path and method.upper() in r.methods
    )
    return route_view(rule.endpoint, method.upper())


def _openapi(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_operation_declares_the_roles_of_its_view(app, document):
    seen = 0
    for path, method, operation, _params in all_operations(document):
        roles = view_of(app, path, method).allowed_roles
        assert isinstance(roles, frozenset), f"{method} {path} has no role_required"
        assert operation["security"] == [{"bearerAuth": []}], f"{method} {path}"
        assert operation["x-roles"] == sorted(roles), f"{method} {path}"
        assert "Roles: " in operation["description"]
        seen += 1
    assert seen >= 59


def test_no_operation_has_a_catch_all_answer(document):
    for path, method, operation, _params in all_operations(document):
        assert "default" not in operation["responses"], f"{method} {path}"
        successes = [code for code in operation["responses"] if code.startswith("2")]
        assert len(successes) == 1, f"{method} {path}: {successes}"


def _schema_ref(document, response: dict) -> str:
    if "$ref" in response:
        name = response["$ref"].rsplit("/", 1)[-1]
        response = document["components"]["responses"][name]
    return response["content"]["application/json"]["schema"]["$ref"]


def test_every_error_answer_has_the_one_error_shape(document):
    for path, method, operation, params in all_operations(document):
        responses = operation["responses"]
        assert {"401", "403"} <= set(responses), f"{method} {path}"
        if any(p["in"] == "path" for p in params):
            assert "404" in responses, f"{method} {path}"
        if "requestBody" in operation:
            assert {"413", "422"} <= set(responses), f"{method} {path}"
            if "application/json" in operation["requestBody"]["content"]:
                assert "400" in responses, f"{method} {path}"
        if method in ("post", "put", "patch"):
            assert "409" in responses, f"{method} {path}"
        for code, response in responses.items():
            if code.startswith(("4", "5")):
                assert _schema_ref(document, response) == ERROR_REF, f"{method} {path} {code}"


def test_what_the_document_says_is_what_a_caller_gets(client, api_headers):
    """Before: no 401 or 403 was documented anywhere; these are the real answers."""
    assert client.get("/api/v1/settings").status_code == 401
    assert client.get("/api/v1/settings", headers=api_headers("volunteer")).status_code == 403
    answer = client.put(
        "/api/v1/settings/general", data="{", content_type="application/json", headers=api_headers()
    )
    assert answer.status_code == 400
    assert answer.get_json()["code"] == "invalid_json"
