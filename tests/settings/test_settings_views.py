"""Settings pages: valid changes are saved and audited; a wrong field changes nothing."""

import pytest
from sqlalchemy import func, select

from uitleen.audit.models import Event
from uitleen.extensions import db
from uitleen.settings import service
from uitleen.settings.helptexts import content_for
from uitleen.settings.models import Location, Setting

GENERAL = {
    "org_name": "Buurtlaptops Oost",
    "org_phone": "020 765 4321",
    "org_whatsapp": "+31 6 12345678",
    "org_address": "Dapperstraat 1",
    "loan_months": "6",
    "max_open_loans_per_household": "2",
    "loan_due_soon_days": "10",
    "retention_months": "18",
    "voucher_low_stock": "5",
    "help_callback_days": "3",
    "max_open_vouchers_per_household": "2",
}


def events(verb: str) -> int:
    return db.session.scalar(select(func.count()).select_from(Event).where(Event.verb == verb))


@pytest.fixture
def coordinator(client, login_as):
    return login_as("coordinator")


def test_general_settings_are_saved_and_audited(client, coordinator):
    response = client.post("/settings/", data=GENERAL)
    assert response.status_code == 302
    db.session.expire_all()
    assert service.get("org_name") == "Buurtlaptops Oost"
    assert service.get("retention_months") == 18
    assert service.get("voucher_low_stock") == 5
    assert service.get("max_open_vouchers_per_household") == 2
    assert events("setting.changed") == 11
    page = client.get("/settings/").get_data(as_text=True)
    assert 'value="Buurtlaptops Oost"' in page
    # Posting the same values again changes (and logs) nothing.
    client.post("/settings/", data=GENERAL)
    assert events("setting.changed") == 11


def test_general_settings_errors_keep_input_and_change_nothing(client, coordinator):
    bad = {**GENERAL, "org_phone": "bel me", "retention_months": "0", "loan_months": "veel"}
    response = client.post("/settings/", data=bad)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Vul een telefoonnummer in met cijfers" in html
    assert "Vul een getal in van 1 tot en met 120." in html
    assert "Vul een heel getal in" in html
    assert 'value="Buurtlaptops Oost"' in html and 'value="bel me"' in html
    assert db.session.scalar(select(func.count()).select_from(Setting)) == 0
    assert events("setting.changed") == 0


def test_lists_one_item_per_line(client, coordinator):
    data = {
        "software_checklist": "LibreOffice\r\n\r\n  Firefox  \r\nuBlock Origin",
        "qc_checklist": "Aan\nScherm",
        "referral_partners": "School\nVoedselbank",
    }
    assert client.post("/settings/lists", data=data).status_code == 302
    db.session.expire_all()
    assert service.get("software_checklist") == ["LibreOffice", "Firefox", "uBlock Origin"]
    assert service.get("referral_partners") == ["School", "Voedselbank"]


def test_lists_refuse_duplicates_and_empty_lists(client, coordinator):
    data = {"software_checklist": "Firefox\nfirefox", "qc_checklist": "", "referral_partners": "X"}
    response = client.post("/settings/lists", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Deze staan er twee keer in: firefox." in html
    assert "Firefox\nfirefox</textarea>" in html
    assert db.session.scalar(select(func.count()).select_from(Setting)) == 0


def test_locations_add_edit_deactivate(client, coordinator):
    data = {"name": "Bibliotheek Oost", "address": "Linnaeusstraat 9", "walk_in_hours": "di 10-12"}
    assert client.post("/settings/locations/new", data=data).status_code == 302
    location = db.session.scalar(select(Location))
    response = client.post(
        f"/settings/locations/{location.id}", data={**data, "walk_in_hours": "wo 13-16"}
    )
    assert response.status_code == 302
    assert (
        client.post(f"/settings/locations/{location.id}/active", data={"active": "0"}).status_code
        == 302
    )
    db.session.expire_all()
    location = db.session.get(Location, location.id)
    assert location.walk_in_hours == "wo 13-16" and location.active is False
    assert [
        events(v) for v in ("location.created", "location.updated", "location.deactivated")
    ] == [
        1,
        1,
        1,
    ]
    assert "Bibliotheek Oost" in client.get("/settings/locations").get_data(as_text=True)


def test_location_name_must_be_unique_and_is_kept_on_error(client, coordinator):
    client.post("/settings/locations/new", data={"name": "Werkplaats"})
    response = client.post("/settings/locations/new", data={"name": "werkplaats", "address": "A 1"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Er is al een locatie met deze naam" in html
    assert 'value="werkplaats"' in html and 'value="A 1"' in html
    assert db.session.scalar(select(func.count()).select_from(Location)) == 1


def test_help_texts_override_one_section_per_language(client, coordinator):
    data = {
        "lang": "tr",
        "wifi.title": "İnternete bağlanın",
        "wifi.steps": "Sağ alttaki simgeye basın.\n\nAğınızı seçin.",
    }
    assert client.post("/settings/help-texts", data=data).status_code == 302
    db.session.expire_all()
    texts = service.get("help_texts")
    assert texts == {
        "tr": {
            "wifi": {
                "title": "İnternete bağlanın",
                "steps": ["Sağ alttaki simgeye basın.", "Ağınızı seçin."],
            }
        }
    }
    content = content_for("tr", texts)
    assert content.section("wifi").steps == ("Sağ alttaki simgeye basın.", "Ağınızı seçin.")
    page = client.get("/settings/help-texts?lang=tr").get_data(as_text=True)
    assert "Ağınızı seçin." in page


def test_help_texts_need_a_title_and_steps(client, coordinator):
    data = {"lang": "nl", "power.title": "Aanzetten", "video.steps": "Klik op bellen"}
    response = client.post("/settings/help-texts", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Schrijf minstens één stap" in html and "Geef dit onderdeel een titel." in html
    assert 'value="Aanzetten"' in html
    assert db.session.scalar(select(func.count()).select_from(Setting)) == 0


def test_help_texts_unknown_language_is_404(client, coordinator):
    assert client.get("/settings/help-texts?lang=xx").status_code == 404


@pytest.mark.parametrize("role", ["intake", "volunteer"])
def test_settings_are_for_coordinators_only(client, login_as, role):
    login_as(role)
    assert client.get("/settings/").status_code == 403
    assert client.post("/settings/", data=GENERAL).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Setting)) == 0
