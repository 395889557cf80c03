"""One answer to "how many devices are ready to lend", on every page and in the API."""

import re
from datetime import timedelta

from tests.households.factories import make_household
from tests.loans.factories import make_device, make_loan
from uitleen.devices import lifecycle
from uitleen.devices.models import QualityCheck
from uitleen.extensions import db
from uitleen.households import service as households
from uitleen.labels import service as labels


def seed_varied_devices(desk) -> set[str]:
    """Three devices that can really go out, and five in state ready or near it that cannot.

    Returns the asset tags of the three.
    """
    lendable = {make_device("ready").asset_tag for _ in range(3)}
    make_device("ready", checked=False)  # marked ready without a quality check
    make_device("ready", wiped=False)  # marked ready without a passed wipe
    stale = make_device("ready", checked=False)  # its only check is from an earlier round
    db.session.add(
        QualityCheck(
            device_id=stale.id, passed=True, recorded_at=stale.cycle_started_at - timedelta(days=9)
        )
    )
    make_device("qc")  # wiped and checked, but not yet marked ready
    make_loan(desk, make_household(), make_device("ready"))  # on loan now
    households.add_to_waiting_list(desk, make_household(), "school")
    db.session.commit()
    return lendable


def number(pattern: str, html: str) -> int:
    found = re.search(pattern, html, re.S)
    assert found, pattern
    return int(found.group(1))


def test_every_page_counts_the_same_ready_devices(app, client, login_as, api_headers):
    desk = login_as("intake")
    lendable = seed_varied_devices(desk)

    home = client.get("/start").get_data(as_text=True)
    card = number(r'href="/devices/\?state=ready">.*?<span class="count">(\d+)</span>', home)
    issue_page = client.get("/loans/issue").get_data(as_text=True)
    datalist = re.search(r'<datalist id="ready-devices">(.*?)</datalist>', issue_page, re.S)
    on_issue_page = set(re.findall(r'<option value="([^"]+)"', datalist.group(1)))
    waiting = number(
        r"Er staa?n nu (\d+) apparat?e?n? klaar", client.get("/households/waiting").text
    )
    headers = api_headers("coordinator")
    board = client.get("/api/v1/reports/dashboard", headers=headers).get_json()
    listed = client.get("/api/v1/devices?state=ready&limit=500", headers=headers).get_json()
    on_labels = labels.select_devices(state="ready")

    tags = lendable
    assert card == 3
    stock = {pair["name"]: pair["count"] for pair in board["stock"]}
    assert stock["ready"] == board["ready_to_lend"] == 3
    assert on_issue_page == tags
    assert waiting == 3
    assert {item["asset_tag"] for item in listed["items"]} == tags
    assert {row.asset_tag for row in on_labels} == tags


def test_every_ready_to_lend_device_can_really_be_issued(app, make_user):
    desk = make_user("intake")
    lendable = seed_varied_devices(desk)
    assert {d.asset_tag for d in lifecycle.ready_to_lend_devices()} == lendable
    assert lifecycle.count_ready_to_lend() == len(lendable)
    household = make_household()
    for device in lifecycle.ready_to_lend_devices():
        with db.session.begin_nested() as savepoint:
            loan = make_loan(desk, household, device, commit=False)
            assert loan.device.state == "on_loan"
            savepoint.rollback()
    db.session.expire_all()
    assert {d.asset_tag for d in lifecycle.ready_to_lend_devices()} == lendable
