"""Every HTML form answers a refusal the same way: the form again, each message at its
field in one voice ("Vul het merk in.", "Maximaal 80 tekens."), a summary that links to
the fields, and nothing saved. The API says the same messages in the language asked for.
"""

import re

from flask import render_template_string
from flask_babel import refresh
from sqlalchemy import func, select

from tests.devices.factories import make_device
from uitleen.auth.models import User
from uitleen.devices.models import Device
from uitleen.extensions import db

SETTINGS = {
    "org_name": "Buurtlaptops Oost",
    "org_phone": "020 765 4321",
    "loan_months": "6",
    "max_open_loans_per_household": "2",
    "loan_due_soon_days": "10",
    "retention_months": "18",
    "voucher_low_stock": "5",
    "help_callback_days": "3",
    "max_open_vouchers_per_household": "2",
}


def field_error(html: str, name: str) -> str:
    """The message shown at one field (the <p class="error" id="e-…"> above its input)."""
    match = re.search(rf'<p class="error" id="e-{re.escape(name)}">([^<]*)</p>', html)
    assert match, f"no error at field {name}"
    return match[1]


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_duplicate_email_shows_the_form_again_with_the_message_at_the_field(client, login_as):
    login_as("coordinator")
    data = {"email": "vera@test.nl", "name": "Vera", "role": "volunteer"}
    assert client.post("/settings/staff/new", data=data).status_code == 200
    again = client.post("/settings/staff/new", data=data | {"name": "Vera B"})
    assert again.status_code == 409
    html = again.get_data(as_text=True)
    assert "Foutcode" not in html
    assert field_error(html, "email") == "Er is al een medewerker met dit e-mailadres."
    assert 'value="Vera B"' in html and 'value="vera@test.nl"' in html
    assert re.search(r'id="f-email"[^>]*aria-invalid="true"', html, re.S)
    assert count(User) == 2  # the coordinator and the first Vera


def test_a_duplicate_serial_shows_the_form_again_with_the_message_at_the_field(client, login_as):
    login_as("volunteer")
    make_device(make="Dell", serial="7XK2Q")
    db.session.commit()
    form = {"kind": "laptop", "make": "Dell", "model": "Latitude", "serial": "7xk2q"}
    again = client.post("/devices/new", data=form)
    html = again.get_data(as_text=True)
    assert "Er staat al een Dell met serienummer 7XK2Q" in field_error(html, "serial")
    assert 'href="#f-serial"' in html
    assert count(Device) == 1


def test_an_empty_required_field_says_what_to_fill_in(client, login_as):
    login_as("volunteer")
    response = client.post("/devices/new", data={"make": "", "model": "Latitude"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "make") == "Vul het merk in."
    assert re.search(r'id="f-make"[^>]*aria-invalid="true"', html, re.S)
    assert 'class="field has-error"' in html
    # The summary links to the field, and only the wrong field has a red border.
    assert '<a href="#f-make">Vul het merk in.</a>' in html
    assert html.count("has-error") == 1
    missing = client.post("/devices/new", data={"model": "Latitude"}).get_data(as_text=True)
    assert field_error(missing, "make") == "Vul het merk in."
    assert count(Device) == 0


def test_a_limit_says_what_to_do(client, login_as):
    login_as("volunteer")
    response = client.post("/devices/new", data={"make": "D" * 81, "model": "Latitude"})
    assert field_error(response.get_data(as_text=True), "make") == "Maximaal 80 tekens."


def test_an_empty_phone_number_in_settings_asks_for_the_number(client, login_as):
    login_as("coordinator")
    response = client.post("/settings/", data=SETTINGS | {"org_phone": "", "org_name": ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert field_error(html, "org_phone") == "Vul het telefoonnummer in."
    assert field_error(html, "org_name") == "Vul de naam van de organisatie in."
    too_long = client.post("/settings/", data=SETTINGS | {"org_address": "a" * 256})
    assert field_error(too_long.get_data(as_text=True), "org_address") == ("Maximaal 255 tekens.")


def test_the_summary_shows_only_when_a_field_has_an_error(app):
    template = '{% from "macros.html" import form_errors %}{{ form_errors(errors) }}'
    with app.test_request_context():
        refused = render_template_string(template, errors={"_schema": ["Dit kan nu niet."]})
        fields = render_template_string(
            template, errors={"make": ["Vul het merk in."], "_schema": ["Dit kan nu niet."]}
        )
        nothing = render_template_string(template, errors={})
    assert "Dit kan nu niet." in refused and "rode rand" not in refused
    assert 'href="#' not in refused
    assert "rode rand" in fields and '<a href="#f-make">Vul het merk in.</a>' in fields
    assert nothing.strip() == ""


def test_the_api_says_the_same_messages_in_the_language_asked_for(client, api_headers):
    headers = api_headers("volunteer")
    # The test's app context outlives each request: let every request pick its language.
    refresh()
    dutch = client.post("/api/v1/devices", json={"model": "Latitude"}, headers=headers)
    assert dutch.status_code == 422
    assert dutch.json["errors"]["make"] == ["Vul het merk in."]
    refresh()
    english = client.post(
        "/api/v1/devices",
        json={"make": "D" * 81, "model": ""},
        headers=headers | {"Accept-Language": "en-GB,en;q=0.9"},
    )
    assert english.json["errors"] == {
        "make": ["At most 80 characters."],
        "model": ["Enter the model."],
    }
    assert english.json["message"].startswith("Not everything is filled in correctly.")
    # A language the staff pages do not speak: Dutch.
    refresh()
    french = client.post("/api/v1/devices", json={}, headers=headers | {"Accept-Language": "fr-FR"})
    assert french.json["errors"]["make"] == ["Vul het merk in."]


def _english_defaults() -> set[str]:
    import marshmallow as ma

    english = set(ma.Schema._default_error_messages.values())
    for cls in vars(ma.fields).values():
        if isinstance(cls, type) and issubclass(cls, ma.fields.Field):
            english |= {str(m) for m in vars(cls).get("default_error_messages", {}).values()}
    return english


def test_no_schema_says_marshmallows_english_messages(app):
    """Every field of every schema (and the fields inside lists and dicts) speaks ours."""
    import marshmallow as ma

    from uitleen import wiring  # noqa: F401 - every package's schemas, imported
    from uitleen.schemas import Schema

    english = _english_defaults()

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    def fields_of(field):
        yield field
        for inner in (getattr(field, "inner", None), getattr(field, "value_field", None)):
            if inner is not None:
                yield from fields_of(inner)

    said = []
    with app.test_request_context():
        for schema_class in set(subclasses(Schema)):
            schema = schema_class()
            for name, field in schema.fields.items():
                for one in fields_of(field):
                    for key, message in one.error_messages.items():
                        if str(message) in english and key != "invalid_utf8":
                            said.append((schema_class.__name__, name, key, str(message)))
                    for validator in one.validators:
                        if isinstance(validator, ma.validate.Email):
                            assert str(validator.error) not in english
    assert said == []
    assert len(set(subclasses(Schema))) > 40


def test_no_view_rolls_back_or_flattens_errors_by_hand():
    """Form views go through uitleen.forms; only an error handler rolls back."""
    import ast
    from pathlib import Path

    root = Path(__file__).parents[1] / "uitleen"
    by_hand = []
    for path in sorted(root.glob("*/views*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            handler = any("errorhandler" in ast.unparse(d) for d in function.decorator_list)
            for node in ast.walk(function):
                if isinstance(node, ast.Call):
                    called = ast.unparse(node.func)
                    rolls_back = called.endswith("session.rollback") and not handler
                    if rolls_back or called.split(".")[-1] in ("plain_errors", "field_errors"):
                        by_hand.append(f"{path.relative_to(root)}:{node.lineno} {called}")
    assert by_hand == []


def test_a_checklist_item_in_the_summary_links_to_its_fieldset(client, login_as):
    from tests.devices.factories import make_wiped_device

    login_as("volunteer")
    device = make_wiped_device()
    db.session.commit()
    response = client.post(f"/devices/{device.id}/software", data={"os_name": "Linux Mint"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    links = re.findall(r'<li><a href="#([^"]+)">', html)
    assert links and "f-checklist" not in " ".join(links)
    for target in links:
        assert f'id="{target}"' in html


def test_a_disk_in_the_wipe_summary_links_to_its_field(client, login_as):
    login_as("volunteer")
    device = make_device()
    db.session.commit()
    form = {"method": "PRNG Stream", "disk-0-disk_model": "SAMSUNG", "disk-0-result": "kapot"}
    response = client.post(f"/devices/{device.id}/wipe", data=form)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<a href="#f-disk-0-result">' in html and 'id="f-disk-0-result"' in html
