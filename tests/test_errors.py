"""One error shape for the API; friendly pages for people; never a stack trace."""

from uitleen.errors import plain_errors


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


def test_plain_errors_flattens_and_translates():
    errors = plain_errors({"json": {"serial": ["Missing data for required field."]}})
    assert errors == {"json.serial": ["Dit veld is verplicht."]}
    nested = plain_errors({"specs": {"ram_gb": ["Not a valid integer."]}})
    assert nested["specs.ram_gb"][0].startswith("Vul een heel getal in")
