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


def test_background_work_with_redis_down_is_a_clear_503_that_saves_nothing(
    app, client, login_as, api_headers, monkeypatch
):
    import io

    from sqlalchemy import func, select

    from tests.devices.factories import make_device
    from uitleen import tasks
    from uitleen.devices.models import Device
    from uitleen.extensions import db

    monkeypatch.setitem(app.config, "UITLEEN_REDIS_URL", "redis://127.0.0.1:1/0")  # nobody
    monkeypatch.setitem(app.config, "LABELS_INLINE_MAX", 1)
    app.extensions.pop(tasks.EXTENSION, None)
    devices = [make_device(), make_device()]
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Device))
    login_as("coordinator")
    csv = b"kind,make,model\nlaptop,Dell,E7450\n"
    page = client.post(
        "/devices/import",
        data={"file": (io.BytesIO(csv), "a.csv")},
        content_type="multipart/form-data",
    )
    assert page.status_code == 503
    assert "Het achtergrondproces is nu niet bereikbaar" in page.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Device)) == before
    assert client.post("/backups").status_code == 503
    body = assert_error_shape(
        client.post(
            "/api/v1/labels",
            json={"format": "L7160", "device_ids": [d.id for d in devices]},
            headers=api_headers(),
        ),
        503,
        "queue_unreachable",
    )
    assert "Redis" in body["message"]
    app.extensions.pop(tasks.EXTENSION, None)
