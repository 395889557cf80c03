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
