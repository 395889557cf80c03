"""Security headers on every response."""

import pytest


@pytest.mark.parametrize(
    "path", ["/login", "/api/openapi.json", "/api/v1/me", "/nope", "/api/docs"]
)
def test_headers_on_every_response(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # plain http here


def test_hsts_when_served_over_https(client):
    response = client.get("/login", base_url="https://uitleen.test")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_inline_styles_need_this_responses_nonce(client):
    first = client.get("/login").headers["Content-Security-Policy"]
    second = client.get("/login").headers["Content-Security-Policy"]
    assert "'nonce-" in first and first != second


def test_staff_pages_are_not_cached(client, login_as):
    login_as("intake")
    assert client.get("/start").headers["Cache-Control"] == "no-store"


def assert_security_headers(response, where: str, https: bool = False) -> None:
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    assert csp, f"{where}: no Content-Security-Policy"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{where}: {csp}"
    assert "frame-ancestors 'none'" in csp, f"{where}: {csp}"
    assert "script-src 'self'" in csp, f"{where}: {csp}"
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("Referrer-Policy"), where
    if https:
        assert headers.get("Strict-Transport-Security", "").startswith("max-age="), where
    else:
        assert "Strict-Transport-Security" not in headers, where


def every_get_url(app):
    from tests.test_routes import fill, routes

    return sorted({fill(rule) for rule, method in routes(app) if method == "GET"})


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_every_get_route_sends_the_headers_to_a_coordinator(
    app, client, login_as, api_headers, scheme
):
    login_as("coordinator")
    token = api_headers("coordinator")
    urls = every_get_url(app)
    assert "/start" in urls and "/api/v1/me" in urls
    for url in urls:
        headers = token if url.startswith("/api/") else {}
        response = client.get(url, headers=headers, base_url=f"{scheme}://uitleen.test")
        assert response.status_code < 500, f"GET {url}: {response.status_code}"
        assert_security_headers(response, f"GET {url}", https=scheme == "https")


def test_every_get_route_sends_the_headers_to_anyone(app, client):
    for url in every_get_url(app):
        assert_security_headers(client.get(url), f"anonymous GET {url}")


def test_the_public_help_pages_send_the_headers_and_share_nothing(app, client):
    from tests.devices.factories import make_device
    from uitleen.extensions import db

    token = make_device().public_token
    db.session.commit()
    paths = [f"/h/{token}", f"/h/{token.lower()}", "/h/ONBEKEND0000000000000000000"]
    statuses = []
    for path in paths:
        for scheme in ("http", "https"):
            response = client.get(path, base_url=f"{scheme}://uitleen.test")
            statuses.append(response.status_code)
            assert_security_headers(response, f"GET {path}", https=scheme == "https")
            assert response.headers["Referrer-Policy"] == "no-referrer", path
            assert response.headers["Cache-Control"] == "no-store", path
    assert statuses[:4] == [200] * 4
    assert statuses[4:] == [404, 404]


def test_error_and_write_responses_send_the_headers_too(app, csrf_client, client, api_headers):
    answers = {
        "POST /login without CSRF token (400)": csrf_client.post("/login", data={}),
        "DELETE /login (405)": client.delete("/login"),
        "GET /api/v1/me without token (401)": client.get("/api/v1/me"),
        "POST /api/v1/devices invalid (422)": client.post(
            "/api/v1/devices", json={}, headers=api_headers("coordinator")
        ),
        "POST /login wrong password (401)": client.post(
            "/login", data={"email": "niemand@test.nl", "password": "fout"}
        ),
    }
    for where, response in answers.items():
        assert response.status_code >= 400, where
        assert_security_headers(response, where)
