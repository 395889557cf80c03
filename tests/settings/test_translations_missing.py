"""Issue 16: a coordinator writes household texts per language and sees what is missing."""

import pytest
from sqlalchemy import select

from tests.vouchers.factories import make_batch
from uitleen.extensions import db
from uitleen.settings import service
from uitleen.settings.helptexts import missing_translations
from uitleen.settings.models import Location
from uitleen.vouchers.models import VoucherBatch


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def coordinator(client, login_as):
    return login_as("coordinator")


def test_walk_in_hours_per_language_are_saved_and_shown_back(client, coordinator):
    data = {
        "name": "Bibliotheek Oost",
        "walk_in_hours": "di en do 10:00–16:00",
        "walk_in_hours_en": "Tue and Thu 10:00–16:00",
        "walk_in_hours_ar": "الثلاثاء والخميس 10:00–16:00",
        "walk_in_hours_tr": "  ",
    }
    assert client.post("/settings/locations/new", data=data).status_code == 302
    location = db.session.scalar(select(Location))
    assert location.walk_in_hours_translations == {
        "en": "Tue and Thu 10:00–16:00",
        "ar": "الثلاثاء والخميس 10:00–16:00",
    }
    form = text(client.get(f"/settings/locations/{location.id}"))
    assert 'lang="ar" dir="rtl">الثلاثاء والخميس 10:00–16:00</textarea>' in form
    assert "Arabisch" in form  # the language named in the reader's language
    listing = text(client.get("/settings/locations"))
    assert "Nog niet vertaald in: Turks, Pools, Oekraïens" in listing


def test_the_api_takes_walk_in_hours_per_language(client, coordinator):
    from uitleen.settings.schemas import LocationSchema

    loaded = LocationSchema().load(
        {"name": "Oost", "walk_in_hours_translations": {"pl": "wt. 10:00–12:00"}}
    )
    assert loaded["walk_in_hours_translations"] == {"pl": "wt. 10:00–12:00"}


def test_help_texts_written_in_one_language_are_flagged_in_the_others(client, coordinator):
    texts = {"nl": {"wifi": {"title": "Wifi", "steps": ["Tik op het wifi-teken."]}}}
    assert missing_translations(texts) == {"wifi": ["en", "ar", "tr", "pl", "uk"]}
    service.put(None, "help_texts", texts)
    db.session.commit()
    page = text(client.get("/settings/help-texts?lang=nl"))
    assert "Eigen tekst, nog niet vertaald in:" in page
    assert 'href="/settings/help-texts?lang=ar">Arabisch</a>' in page


def test_voucher_product_per_language_and_what_is_missing(client, coordinator):
    batch = make_batch(codes=1)
    form = {
        "provider": "Lebara",
        "product": "Prepaid SIM 30 GB",
        "product_ar": "شريحة SIM مسبقة الدفع 30 GB",
        "months": "6",
        "expires_on": batch.expires_on.isoformat(),
        "steps_nl": "Stap een.",
    }
    assert client.post(f"/vouchers/batches/{batch.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    stored = db.session.get(VoucherBatch, batch.id)
    assert stored.product_translations == {"ar": "شريحة SIM مسبقة الدفع 30 GB"}
    assert 'value="شريحة SIM مسبقة الدفع 30 GB"' in text(
        client.get(f"/vouchers/batches/{batch.id}/edit")
    )
    page = text(client.get(f"/vouchers/batches/{batch.id}"))
    assert "Nog niet vertaald" in page and "Engels, Arabisch, Turks" in page
