"""Call-back numbers and messages do not outlive the retention period."""

from datetime import timedelta

from tests.devices.factories import make_device
from tests.helpdesk.factories import make_help_request
from uitleen.db import utcnow
from uitleen.extensions import db


def help_request(device, status="done", closed_days_ago=400, phone="0612345678"):
    closed = utcnow() - timedelta(days=closed_days_ago) if status == "done" else None
    return make_help_request(
        device,
        message="Mijn wifi doet het niet, bel mij maar",
        callback_phone=phone,
        status=status,
        closed_at=closed,
    )


def test_purge_erases_only_requests_closed_past_retention(app):
    device = make_device()
    old = help_request(device)
    recent = help_request(device, closed_days_ago=30)
    still_open = help_request(device, status="new")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["help-requests", "purge"])
    assert result.exit_code == 0 and "1 closed help request" in result.output
    db.session.expire_all()
    assert (old.message, old.callback_phone, old.category) == ("", "", "no_internet")
    assert recent.callback_phone == "0612345678"
    assert still_open.callback_phone == "0612345678"


def test_the_privacy_page_purge_covers_help_requests(client, login_as):
    login_as("coordinator")
    old = help_request(make_device())
    db.session.commit()
    response = client.post("/privacy/purge")
    assert response.status_code in (200, 302, 303)
    db.session.expire_all()
    assert old.callback_phone == ""
