"""Input no database can store is refused with a 422 (or 404 for an id), never a 500."""

import pytest
from sqlalchemy.exc import DataError

from uitleen.extensions import db
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


# JSON bodies that break the parser, anywhere ----------------------------------------------

DEEP = '{"a": ' * 1000 + "1" + "}" * 1000
DEEPER = "[" * 100_000 + "]" * 100_000
LONG_INTEGER = '{"ram_gb": ' + "9" * 5000 + "}"
JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("body", [DEEP, DEEPER], ids=["1000-deep", "100000-deep"])
@pytest.mark.parametrize(
    "url", ["/h/ZZZZ", "/api/openapi.json", "/static/app.css", "/login", "/api/v1/me"]
)
def test_a_too_deep_json_body_is_a_400_without_logging_in(client, url, body):
    response = client.post(url, data=body, headers=JSON)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json["code"] == "json_too_deep"
    else:
        assert response.mimetype == "text/html"


def test_a_json_body_just_within_the_depth_is_read(client, api_headers):
    from uitleen.inputs import MAX_JSON_DEPTH

    body = '{"make": "Dell", "x": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    response = client.post("/api/v1/devices", data=body, headers=api_headers() | JSON)
    # Read, so the schema answers (not: the body is too deep).
    assert response.status_code == 422
    assert response.json["code"] == "validation_error"


def test_a_json_body_that_is_not_json_is_a_400(client, api_headers):
    response = client.post("/api/v1/devices", data="{make: Dell", headers=api_headers() | JSON)
    assert response.status_code == 400
    assert response.json["code"] == "invalid_json"


def test_a_5000_digit_integer_is_a_422_naming_the_field(client, api_headers):
    response = client.post("/api/v1/devices", data=LONG_INTEGER, headers=api_headers() | JSON)
    assert response.status_code == 422
    assert response.json["code"] == "unstorable_input"
    assert list(response.json["errors"]) == ["ram_gb"]


def test_a_null_body_is_a_422_where_an_object_is_expected(client, api_headers):
    from tests.devices.factories import make_device
    from uitleen.extensions import db

    device = make_device()
    db.session.commit()
    headers = api_headers() | JSON
    for method, url in [
        ("POST", "/api/v1/devices"),
        ("PATCH", f"/api/v1/devices/{device.id}"),
        ("POST", f"/api/v1/devices/{device.id}/wipes"),
    ]:
        response = client.open(url, method=method, data="null", headers=headers)
        assert response.status_code == 422, (method, url)
        assert response.json["code"] == "not_an_object"


def _api_operations(app):
    """(method, URL) of every API operation, ids filled with one that matches no record."""
    from tests.test_routes import fill, routes

    for rule, method in routes(app):
        url = fill(rule)
        if url.startswith("/api/"):
            yield method, url


@pytest.mark.parametrize(
    "body", [DEEP, DEEPER, LONG_INTEGER, "null"], ids=["deep", "deeper", "long-int", "null"]
)
def test_no_api_operation_answers_a_hostile_json_body_with_a_500(app, client, api_headers, body):
    headers = api_headers() | JSON
    operations = list(_api_operations(app))
    assert len(operations) > 40
    answers = {
        f"{method} {url}": client.open(url, method=method, data=body, headers=headers).status_code
        for method, url in operations
    }
    assert {op: status for op, status in answers.items() if not 400 <= status < 500} == {}


# Who may ask comes before what they ask ------------------------------------------------------


def test_no_token_and_a_nul_byte_is_a_401_not_a_422(client):
    response = client.post("/api/v1/devices", json={"make": "Dell\x00"})
    assert response.status_code == 401
    assert response.json["code"] == "unauthenticated"


def test_the_wrong_role_and_a_nul_byte_is_a_403_not_a_422(client, api_headers):
    response = client.post(
        "/api/v1/voucher-batches", json={"provider": "x\x00"}, headers=api_headers("volunteer")
    )
    assert response.status_code == 403
    assert response.json["code"] == "forbidden"


def test_the_wrong_role_and_a_bad_body_is_a_403_where_arguments_come_first(client, api_headers):
    # This route reads its body (@blp.arguments) before its role check (@role_required).
    response = client.patch(
        "/api/v1/help-requests/1", json={"status": "bogus"}, headers=api_headers("volunteer")
    )
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["anonymous", "volunteer"])
def test_every_guarded_route_says_who_may_before_what_is_wrong(
    app, client, login_as, who, api_headers
):
    """A body no route accepts, on every route the caller may not use: 401/403, not 4xx."""
    from tests.test_routes import allowed_roles, fill, routes

    headers = {}
    if who != "anonymous":
        login_as(who)
        headers = api_headers(who)
    wrong = []
    for rule, method in routes(app):
        roles = allowed_roles(app, rule, method)
        if roles == "public" or who in roles:
            continue
        url = fill(rule)
        is_api = url.startswith("/api/")
        expected = 403 if who != "anonymous" else (401 if is_api else 302)
        for body in ('{"x": "a\\u0000b"}', DEEP, LONG_INTEGER, "null"):
            response = client.open(
                url, method=method, data=body, headers=(headers if is_api else {}) | JSON
            )
            if response.status_code != expected:
                wrong.append(f"{method} {url}: {response.status_code}, expected {expected}")
    assert wrong == []


def test_no_token_and_a_too_deep_body_is_a_401(client):
    response = client.post("/api/v1/devices", data=DEEP, headers=JSON)
    assert response.status_code == 401


def test_a_staff_form_checks_the_login_before_the_input(client):
    response = client.post("/devices/new", data={"make": "Dell\x00"})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_staff_form_checks_the_role_before_the_input(client, login_as):
    login_as("volunteer")
    response = client.post("/households/new", data={"name": "Ada\x00"})
    assert response.status_code == 403


# One bound for ids, on both databases --------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/loans?after=3000000000",
        "/api/v1/households?after=3000000000",
        "/api/v1/vouchers?after=3000000000",
        "/api/v1/devices?after=3000000000",
        "/api/v1/loans?household_id=3000000000",
        "/api/v1/vouchers?batch_id=3000000000",
        "/api/v1/vouchers?household_id=3000000000",
        "/api/v1/loans?after=0",
    ],
)
def test_an_id_past_32_bits_in_the_query_is_a_422_on_both_databases(client, api_headers, url):
    response = client.get(url, headers=api_headers())
    assert response.status_code == 422
    assert response.json["code"] == "validation_error"


def test_the_largest_id_in_the_query_is_fine(client, api_headers):
    from uitleen.inputs import MAX_ID

    response = client.get(f"/api/v1/loans?after={MAX_ID}", headers=api_headers())
    assert response.status_code == 200


def test_a_5000_digit_id_in_the_path_is_a_404(client, api_headers):
    response = client.get("/api/v1/devices/" + "9" * 5000, headers=api_headers())
    assert response.status_code == 404


def test_openapi_declares_the_id_bound(client):
    from uitleen.inputs import MAX_ID

    spec = client.get("/api/openapi.json").json
    bounds = {}
    for path, item in spec["paths"].items():
        operations = [op for op in item.values() if isinstance(op, dict)]
        parameters = item.get("parameters", []) + [
            p for op in operations for p in op.get("parameters", [])
        ]
        for parameter in parameters:
            name = parameter["name"]
            if name == "after" or name.endswith("_id"):
                schema = parameter["schema"]
                bounds[f"{path} {name}"] = (schema.get("minimum"), schema.get("maximum"))
    assert bounds
    assert {where: b for where, b in bounds.items() if b != (1, MAX_ID)} == {}


# How much a request may send -------------------------------------------------------------


def test_the_public_help_form_refuses_a_large_body_with_a_413_page(client):
    from tests.helpdesk.factories import make_labelled_device

    token = make_labelled_device().public_token
    response = client.post(f"/h/{token}/hulp", data={"message": "x" * 200_000})
    assert response.status_code == 413
    assert response.mimetype == "text/html"
    assert len(response.get_data()) < 20_000
    assert "te groot" in response.get_data(as_text=True)


def test_an_api_body_past_the_default_limit_is_a_413_in_the_error_shape(client, api_headers):
    from uitleen.config import STATIC

    body = '{"notes": "' + "x" * STATIC["MAX_CONTENT_LENGTH"] + '"}'
    response = client.post("/api/v1/devices", data=body, headers=api_headers() | JSON)
    assert response.status_code == 413
    assert response.json["code"] == "too_large"
    assert "te groot" in response.json["message"]


def upload(size: int) -> dict:
    """A multipart body with one file of `size` bytes, as client.post arguments.

    Built here, not by the test client, which would spool it to a temporary file that
    it never closes.
    """
    boundary = "grens"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="nwipe.log"\r\n'
        f"Content-Type: text/plain\r\n\r\n".encode()
        + b"x" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


def test_an_upload_route_takes_more_than_the_default(client, api_headers):
    from uitleen.config import STATIC

    size = STATIC["MAX_CONTENT_LENGTH"] * 2
    response = client.post(
        "/api/v1/devices/wipes/import", **upload(size), headers=api_headers("volunteer")
    )
    # Read, and refused for what it says (not for its size).
    assert response.status_code != 413
    assert response.status_code < 500


def test_an_upload_past_its_own_limit_is_a_413(client, api_headers, app):
    size = app.config["UPLOAD_MAX_CONTENT_LENGTH"] + 1
    response = client.post(
        "/api/v1/devices/wipes/import", **upload(size), headers=api_headers("volunteer")
    )
    assert response.status_code == 413
    assert response.json["code"] == "too_large"


def test_a_refused_help_form_echoes_no_more_than_the_field_allows(client):
    import re

    from tests.helpdesk.factories import make_labelled_device
    from uitleen.helpdesk.schemas import MESSAGE_MAX

    token = make_labelled_device().public_token
    page = client.get(f"/h/{token}/hulp").get_data(as_text=True)
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    response = client.post(
        f"/h/{token}/hulp",
        data={"form_token": form_token, "message": "y" * 9000, "phone": "0" * 5000},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "y" * MESSAGE_MAX in html
    assert "y" * (MESSAGE_MAX + 1) not in html
    assert "0" * 100 not in html


def test_a_message_that_fits_is_shown_back_whole_when_another_field_is_wrong(client):
    import re

    from tests.helpdesk.factories import make_labelled_device
    from uitleen.helpdesk.schemas import MESSAGE_MAX

    token = make_labelled_device().public_token
    page = client.get(f"/h/{token}/hulp").get_data(as_text=True)
    form_token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    message = "  " + "z" * (MESSAGE_MAX - 1) + "!\n"  # fits once trimmed, as the schema does
    response = client.post(f"/h/{token}/hulp", data={"form_token": form_token, "message": message})
    assert response.status_code == 422  # no category
    assert "z" * (MESSAGE_MAX - 1) + "!" in response.get_data(as_text=True)


def test_an_id_out_of_range_is_not_found_whatever_the_method(client):
    """Not "405, use PATCH" to a PATCH: the id cannot exist, so the page does not."""
    for method in ("get", "patch"):
        response = getattr(client, method)(
            "/api/v1/help-requests/3995038796258603713190428672", json={"status": "done"}
        )
        assert response.status_code == 404, (method, response.status_code)
    assert client.post("/api/v1/help-requests/5").status_code == 405  # a real wrong method


def test_a_head_request_is_a_get_and_never_a_form_post(client, login_as):
    """Views answer GET and treat every other method as their form's post; a HEAD (a
    link checker, a prefetch) is not CSRF-checked and must not save anything."""
    from uitleen.settings import service as settings

    login_as("coordinator")
    texts = {"nl": {"wifi": {"title": "Wifi", "steps": ["Tik op het wifi-teken."]}}}
    settings.put(None, "help_texts", texts)
    db.session.commit()
    response = client.head("/settings/help-texts?lang=nl")
    assert response.status_code == 200 and response.data == b""
    db.session.expire_all()
    assert settings.get("help_texts") == texts
