"""Volunteers and the public never see household data: every page and API they can reach."""

import json

import pytest
from werkzeug.routing import IntegerConverter, Rule

from tests.households.factories import make_household
from tests.loans.factories import make_loan, make_ready_device
from tests.test_routes import allowed_roles
from uitleen.audit.service import record
from uitleen.auth.roles import VOLUNTEER
from uitleen.extensions import db
from uitleen.households import service as households
from uitleen.loans import service as loans

NAME = "Zebedeus Quackenbush"
PHONE = "0698765432"
NOTE = "Geheime notitie over Zebedeus"


@pytest.fixture
def lent(app, make_user):
    """A device out on loan (and one given away) to a household with every field filled."""
    worker = make_user("intake")
    household = make_household(
        worker,
        contact_name=NAME,
        phone=PHONE,
        notes=NOTE,
        household_size=3,
        school_children=1,
        language="ar",
    )
    device = make_ready_device()
    loan = make_loan(worker, household, device, note="Leningnotitie Xylofoon", deposit_cents=1500)
    other = make_household(worker, contact_name="Wachtende Wubbe")
    households.add_to_waiting_list(worker, other, "school", "Wachtnotitie")
    gifted = make_loan(worker, make_household(worker, contact_name="Geschonken Gijs"), kind="gift")
    db.session.commit()
    secrets = [
        NAME,
        PHONE,
        "06 98765432",
        NOTE,
        "Xylofoon",
        household.code,
        other.code,
        "Wachtende Wubbe",
        "Wachtnotitie",
        "Geschonken Gijs",
        gifted.household.code,
    ]
    return {"device": device, "loan": loan, "gifted": gifted, "secrets": secrets}


def urls_for(rule: Rule, ints: list[int], strings: list[str]) -> list[str]:
    # The URL's parts (rule._converters); rule.arguments also holds a rule's defaults.
    int_args = [a for a, c in rule._converters.items() if isinstance(c, IntegerConverter)]
    str_args = [a for a in rule._converters if a not in int_args]
    urls = []
    for number in ints if int_args else [0]:
        for text in strings if str_args else [""]:
            values = {a: number for a in int_args} | {a: text for a in str_args}
            urls.append(rule.build(values, append_unknown=False)[1])
    return sorted(set(urls))


def test_volunteer_and_public_pages_never_show_household_data(
    app, client, login_as, api_headers, lent
):
    device, loan, gifted = lent["device"], lent["loan"], lent["gifted"]
    ints = sorted({device.id, loan.id, loan.household_id, gifted.device_id, 1, 2})
    strings = [device.public_token, device.asset_tag, gifted.device.public_token]
    login_as(VOLUNTEER)
    headers = api_headers(VOLUNTEER)
    seen, leaks = [], []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        roles = allowed_roles(app, rule, "GET")
        if roles != "public" and VOLUNTEER not in (roles or ()):
            continue
        for url in urls_for(rule, ints, strings):
            response = client.get(url, headers=headers if url.startswith("/api/") else {})
            body = response.get_data().decode("utf-8", "replace")
            if response.status_code == 200:
                seen.append(url)
            leaks += [f"{url}: {secret!r}" for secret in lent["secrets"] if secret in body]
    assert leaks == []
    # The walk reached the device's own page, API and help page, so it looked somewhere real.
    assert {
        f"/devices/{device.id}",
        f"/api/v1/devices/{device.id}",
        f"/h/{device.public_token}",
    } <= set(seen)


def test_device_json_for_a_volunteer_has_no_household_fields(app, client, api_headers, lent):
    device = lent["device"]
    response = client.get(f"/api/v1/devices/{device.id}", headers=api_headers(VOLUNTEER))
    assert response.status_code == 200
    text = json.dumps(response.json).lower()
    for word in ("household", "contact_name", "phone", "loan_id", "borrower"):
        assert word not in text, word
    listing = client.get("/api/v1/devices", headers=api_headers(VOLUNTEER))
    assert "household" not in json.dumps(listing.json).lower()


def test_volunteers_get_403_on_every_household_and_loan_route(
    app, client, login_as, api_headers, lent
):
    login_as(VOLUNTEER)
    headers = api_headers(VOLUNTEER)
    prefixes = ("/households", "/loans", "/api/v1/households", "/api/v1/loans")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(prefixes):
            continue
        for method in sorted(rule.methods & {"GET", "POST", "PATCH"}):
            url = urls_for(rule, [lent["loan"].id], [""])[0]
            response = client.open(
                url, method=method, headers=headers if url.startswith("/api/") else {}
            )
            assert response.status_code == 403, f"{method} {url}"
            assert NAME not in response.get_data(as_text=True)
            checked += 1
    assert checked >= 20
    assert loans.get(lent["loan"].id).closed_at is None  # nothing changed


def test_volunteer_device_history_has_no_desk_text(app, client, login_as, api_headers, lent):
    """The return condition is the intake desk's words about a household: not for the workshop."""
    device, loan = lent["device"], lent["loan"]
    condition = "Scherm gebarsten, zegt Zebedeus; belt terug op 0698765432"
    loans.take_back(login_as("intake"), loan, condition, True, note="Terug van Quackenbush")
    db.session.commit()
    assert condition in client.get(f"/loans/{loan.id}").get_data(as_text=True)

    login_as(VOLUNTEER)
    headers = api_headers(VOLUNTEER)
    for url in (f"/devices/{device.id}", f"/api/v1/devices/{device.id}"):
        response = client.get(url, headers=headers if url.startswith("/api/") else {})
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        for secret in ("Zebedeus", "0698765432", "Quackenbush", "gebarsten"):
            assert secret not in body, (url, secret)
    history = client.get(f"/devices/{device.id}").get_data(as_text=True).split('id="hist-h"')[1]
    assert "Teruggebracht" in history  # the move itself is still shown


def test_device_history_hides_desk_notes_written_before(app, client, login_as, lent):
    """Rows from before the fix carried the return condition in the device's history."""
    device, loan = lent["device"], lent["loan"]
    record(None, "device.state_changed", device, source="on_loan", target="returned",
           note="Kras op deksel, aldus Zebedeus", loan_id=loan.id)  # fmt: skip
    record(None, "device.state_changed", device, source="returned", target="repair",
           note="Scharnier los")  # fmt: skip
    db.session.commit()
    login_as(VOLUNTEER)
    history = client.get(f"/devices/{device.id}").get_data(as_text=True).split('id="hist-h"')[1]
    assert "Zebedeus" not in history and "Kras op deksel" not in history
    assert "Scharnier los" in history  # the workshop's own note stays
