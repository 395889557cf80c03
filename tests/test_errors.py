"""One error shape for the API; friendly pages for people; never a stack trace."""

import marshmallow as ma
import pytest
from flask_babel import lazy_gettext

from uitleen.devices.schemas import DeviceInSchema
from uitleen.errors import errors_of, field_errors


def assert_error_shape(response, status: int, code: str | None = None):
    assert response.status_code == status
    assert response.is_json
    body = response.json
    assert body["status"] == status
    assert isinstance(body["code"], str) and body["code"]
    assert isinstance(body["message"], str) and body["message"]
    if code:
        assert body["code"] == code
    return body


def test_unknown_api_route_is_404_json(client):
    assert_error_shape(client.get("/api/v1/does-not-exist"), 404, "not_found")


def test_wrong_method_is_405_json_and_says_which_methods_are_allowed(client, api_headers):
    response = client.delete("/api/v1/me", headers=api_headers())
    assert_error_shape(response, 405)
    assert "GET" in response.headers["Allow"]


def test_html_404_is_a_page_not_json(client):
    response = client.get("/nope")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "bestaat niet" in response.get_data(as_text=True)


def test_unexpected_exception_is_500_json_without_trace(app_factory):
    app = app_factory()

    @app.route("/api/v1/_boom")
    def boom():
        raise RuntimeError("secret internals")

    boom.allowed_roles = "public"
    response = app.test_client().get("/api/v1/_boom")
    body = assert_error_shape(response, 500, "server_error")
    assert "secret internals" not in response.get_data(as_text=True)
    assert "Traceback" not in body["message"]


def test_field_errors_flattens_to_strings_per_field(app):
    with app.test_request_context():
        errors = field_errors({"json": {"make": [lazy_gettext("Vul het merk in.")]}})
        nested = field_errors({"specs": {"ram_gb": ["Vul een heel getal in, bijvoorbeeld 8."]}})
    assert errors == {"json.make": ["Vul het merk in."]}
    assert type(errors["json.make"][0]) is str
    assert nested["specs.ram_gb"][0].startswith("Vul een heel getal in")


def test_a_schema_says_its_own_plain_words(app):
    with app.test_request_context(), pytest.raises(ma.ValidationError) as refused:
        DeviceInSchema().load({"model": "Latitude", "ram_gb": "acht"})
    errors = errors_of(refused.value)
    assert errors["make"] == ["Vul het merk in."]
    assert errors["ram_gb"][0].startswith("Vul een heel getal in")
