"""Issue 16, item 9: copy errors on staff pages."""

from datetime import date, timedelta

from tests.devices.factories import make_wiped_device
from tests.helpdesk.factories import lend_to_household, make_labelled_device
from uitleen.extensions import db


def text(response) -> str:
    return response.get_data(as_text=True)


def test_the_overview_card_says_how_many_are_overdue_in_a_sentence(client, login_as):
    login_as("intake")
    assert "Niets is te laat terug." in text(client.get("/start"))
    _household, loan = lend_to_household(make_labelled_device())
    loan.due_date = date.today() - timedelta(days=3)
    db.session.commit()
    page = text(client.get("/start"))
    assert "1 apparaat is te laat terug." in page
    assert "Te laat terug:<" not in page and "Te laat terug:</" not in page


def test_one_pass_is_one_ronde_and_the_label_page_says_het_huishouden(client, login_as):
    login_as("volunteer")
    device = make_wiped_device()
    db.session.commit()
    page = text(client.get(f"/devices/{device.id}"))
    assert "1 ronde" in page and "1 rondes" not in page
    label = text(client.get(f"/labels/device/{device.id}"))
    assert "brengt het huishouden naar" in label and "huishouding" not in label
