"""Input no database can store is refused with a 422 (or 404 for an id), never a 500."""

import pytest
from sqlalchemy.exc import DataError

from uitleen.inputs import MAX_INTEGER, problem


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("gewoon", None),
        ("nul\x00byte", "text"),
        ("los \ud800 surrogaat", "text"),
        ({"a": ["b", {"c": "d\x00"}]}, "text"),
        ({"sleutel\x00": 1}, "text"),
        (MAX_INTEGER, None),
        (MAX_INTEGER + 1, "number"),
        (-MAX_INTEGER - 10, "number"),
        (True, None),
        (1.5, None),
        (None, None),
    ],
)
def test_problem_finds_what_cannot_be_stored(value, expected):
    assert problem(value) == expected


def test_a_nul_byte_in_a_json_body_is_a_422_naming_the_field(client, api_headers):
    response = client.post("/api/v1/devices", json={"make": "Dell\x00"}, headers=api_headers())
    assert response.status_code == 422
    assert response.json["code"] == "unstorable_input"
    assert list(response.json["errors"]) == ["make"]


def test_a_nul_byte_in_the_query_string_is_a_422(client, api_headers):
    response = client.get("/api/v1/me?zoek=a%00b", headers=api_headers())
    assert response.status_code == 422
    assert response.json["errors"] == {"zoek": [response.json["message"]]}


def test_a_huge_number_in_a_json_body_is_a_422(client, api_headers):
    response = client.post("/api/v1/devices", json={"ram_gb": 10**30}, headers=api_headers())
    assert response.status_code == 422
    assert "te groot" in response.json["message"]


def test_an_id_past_any_stored_one_is_a_404(client, api_headers):
    response = client.get(f"/api/v1/devices/{10**25}", headers=api_headers())
    assert response.status_code == 404
    assert response.json["code"] == "not_found"


def test_a_nul_byte_in_a_form_gets_the_html_error_page(client):
    response = client.post("/login", data={"email": "a\x00@b.nl", "password": "x"})
    assert response.status_code == 422
    assert response.mimetype == "text/html"


def test_an_id_past_32_bits_is_a_404_on_both_databases(client, api_headers):
    response = client.get(f"/api/v1/devices/{2**31}", headers=api_headers())
    assert response.status_code == 404


@pytest.mark.parametrize(
    "error",
    [
        DataError("INSERT", {}, Exception("integer out of range")),
        OverflowError("Python int too large to convert to SQLite INTEGER"),
    ],
)
def test_a_value_the_database_refuses_is_a_422_not_a_500(app_factory, error):
    other = app_factory()

    @other.route("/api/data-error")
    def data_error():
        raise error

    response = other.test_client().get("/api/data-error")
    assert response.status_code == 422
    assert response.json["code"] == "value_out_of_range"


def test_a_huge_number_in_the_query_string_is_a_422(client, api_headers):
    response = client.get(f"/api/v1/devices?location_id={10**30}", headers=api_headers())
    assert response.status_code == 422


def test_the_csrf_field_is_checked_and_then_kept_out_of_the_input(app_factory, make_user):
    import re

    from flask import request

    from uitleen.auth.access import public

    other = app_factory(WTF_CSRF_ENABLED=True)
    seen = {}

    @other.route("/echo", methods=["POST"])
    @public
    def echo():
        seen.update(request.form.to_dict())
        return "ok"

    client = other.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/echo", data={"naam": "Ada"}).status_code == 400  # no token: refused
    response = client.post("/echo", data={"naam": "Ada", "csrf_token": token})
    assert response.status_code == 200
    assert seen == {"naam": "Ada"}


@pytest.mark.parametrize("body", ["-75029", "[1, 2]", '"tekst"'])
def test_a_json_body_that_is_not_an_object_is_a_422(client, api_headers, body):
    headers = api_headers() | {"Content-Type": "application/json"}
    response = client.post("/api/v1/devices", data=body, headers=headers)
    assert response.status_code == 422
    assert response.json["code"] == "not_an_object"
