"""The workshop pages render for volunteers, show no household data, and their forms work."""

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from tests.devices.factories import make_device, make_qc_device, make_ready_device
from uitleen.audit.models import Event
from uitleen.devices import service
from uitleen.devices.models import Device, WipeRecord
from uitleen.extensions import db
from uitleen.settings import service as settings

SAMPLES = Path(__file__).parent / "samples"


def test_volunteer_pages_render(client, login_as):
    login_as("volunteer")
    device = make_ready_device(
        new_donor_name="Rabobank Zaanstreek", new_donor_wants_certificate=True
    )
    db.session.commit()
    for url in (
        "/devices/",
        "/devices/?state=intake",
        "/devices/new",
        f"/devices/{device.id}",
        f"/devices/{device.id}/edit",
        f"/devices/{device.id}/wipe",
        f"/devices/{device.id}/software",
        f"/devices/{device.id}/check",
        "/devices/wipe-import",
        "/devices/import",
        "/start",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert "huishouden" not in page.lower(), url
    page = client.get(f"/devices/{device.id}").get_data(as_text=True)
    assert device.asset_tag in page
    assert "Klaar voor uitleen" in page
    assert "Rabobank Zaanstreek" in page
    assert "Geregistreerd" in page  # the history timeline


def test_home_shows_the_workshop_queues(client, login_as):
    login_as("volunteer")
    make_device()
    make_device()
    db.session.commit()
    page = client.get("/start").get_data(as_text=True)
    assert "Binnengekomen" in page
    assert re.search(
        r'state=intake">\s*<span class="card-title">Binnengekomen</span>\s*'
        r'<span class="count">2</span>',
        page,
    )


def test_typed_or_scanned_tag_opens_the_device(client, login_as):
    login_as("volunteer")
    device = make_device()
    db.session.commit()
    for typed in ("uit-1", "UIT-00001", "1", service.label_url(device.public_token)):
        response = client.get("/devices/", query_string={"q": typed})
        assert response.status_code == 302, typed
        assert response.headers["Location"].endswith(f"/devices/{device.id}")


def test_search_by_model_lists_matches(client, login_as):
    login_as("intake")
    make_device(make="Apple", model="MacBook Air")
    make_device(make="Lenovo", model="ThinkPad X250")
    db.session.commit()
    page = client.get("/devices/?q=macbook").get_data(as_text=True)
    assert "MacBook Air" in page and "ThinkPad X250" not in page


def test_intake_form_registers_and_keeps_input_on_errors(client, login_as):
    login_as("volunteer")
    bad = client.post("/devices/new", data={"make": "Dell", "model": "", "ram_gb": "acht"})
    assert bad.status_code == 422
    page = bad.get_data(as_text=True)
    assert 'value="Dell"' in page and "Vul een heel getal in" in page
    good = client.post(
        "/devices/new",
        data={
            "kind": "laptop",
            "make": "Dell",
            "model": "Latitude 5490",
            "serial": "7XK2Q",
            "new_donor_name": "Jan de Vries",
            "condition_grade": "A",
        },
    )
    assert good.status_code == 302
    device = db.session.query(Device).one()
    assert device.donor.name == "Jan de Vries"


def test_duplicate_serial_form_links_the_existing_device_and_can_confirm(client, login_as):
    login_as("volunteer")
    existing = make_device(make="Dell", serial="7XK2Q")
    db.session.commit()
    form = {"kind": "laptop", "make": "Dell", "model": "Latitude", "serial": "7xk2q"}
    warned = client.post("/devices/new", data=form)
    assert warned.status_code == 422
    page = warned.get_data(as_text=True)
    assert f'href="/devices/{existing.id}"' in page
    assert "Dit is echt een ander apparaat" in page
    confirmed = client.post(
        "/devices/new",
        data=form | {"confirm_duplicate": "1", "duplicate_reason": "Ander moederbord"},
    )
    assert confirmed.status_code == 302
    assert db.session.query(Device).count() == 2


def test_move_buttons_and_refusal_flash(client, login_as):
    login_as("volunteer")
    device = make_qc_device()
    db.session.commit()
    page = client.get(f"/devices/{device.id}").get_data(as_text=True)
    assert 'name="target" value="ready"' in page
    assert 'name="target" value="on_loan"' not in page
    response = client.post(
        f"/devices/{device.id}/move", data={"target": "ready"}, follow_redirects=True
    )
    assert "nog geen geslaagde controle" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Device, device.id).state == "qc"


def test_check_form_with_a_fail_sends_to_repair(client, login_as):
    login_as("volunteer")
    device = make_qc_device()
    db.session.commit()
    items = settings.get("qc_checklist")
    data = {f"item-{i}": ("fail" if item == "Webcam" else "pass") for i, item in enumerate(items)}
    response = client.post(f"/devices/{device.id}/check", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Device, device.id).state == "repair"
    missing = client.post(f"/devices/{device.id}/check", data={"item-0": "pass"})
    assert missing.status_code == 422


def test_manual_wipe_form(client, login_as):
    login_as("volunteer")
    device = make_device()
    db.session.commit()
    response = client.post(
        f"/devices/{device.id}/wipe",
        data={
            "method": "Zero Fill",
            "tool": "nwipe",
            "passes": "1",
            "disk-0-disk_model": "WDC WD5000",
            "disk-0-disk_serial": "WX1",
            "disk-0-result": "passed",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Device, device.id).state == "wiped"
    empty = client.post(f"/devices/{device.id}/wipe", data={"method": "Zero Fill"})
    assert empty.status_code == 422


def test_log_upload_page_refuses_a_bad_file_and_saves_nothing(client, login_as):
    login_as("volunteer")
    device = make_device()
    db.session.commit()
    with open(SAMPLES / "no_summary.log", "rb") as handle:
        response = client.post(
            f"/devices/{device.id}/wipe/import",
            data={"file": (handle, "no_summary.log")},
            content_type="multipart/form-data",
        )
    assert response.status_code == 422
    assert "Drive Status" in response.get_data(as_text=True)
    assert db.session.query(WipeRecord).count() == 0


def test_forms_need_the_csrf_token(csrf_client, make_user):
    user_id = make_user("volunteer").get_id()
    db.session.rollback()  # release SQLite's write lock before the other app's request
    with csrf_client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    response = csrf_client.post("/devices/new", data={"make": "Dell", "model": "X"})
    assert response.status_code == 400
    assert "formulier is verlopen" in response.get_data(as_text=True)


def test_desk_home_shows_devices_ready_to_lend(client, login_as):
    login_as("intake")
    page = client.get("/start").get_data(as_text=True)
    assert "Klaar voor uitleen" in page
    assert "Binnengekomen" not in page


def test_manual_wipe_form_reads_its_times_as_local_across_the_spring_change(client, login_as):
    login_as("volunteer")
    device = make_device()
    device.cycle_started_at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.commit()
    # 01:30 CET to 03:30 CEST on 29 March 2026 is one hour of wiping, not two.
    response = client.post(
        f"/devices/{device.id}/wipe",
        data={
            "method": "Zero Fill",
            "disk-0-disk_model": "WDC WD5000",
            "disk-0-result": "passed",
            "disk-0-started_at": "2026-03-29T01:30",
            "disk-0-finished_at": "2026-03-29T03:30",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    record = db.session.scalars(select(WipeRecord)).one()
    assert record.started_at == datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert record.finished_at == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    page = client.get(f"/devices/{device.id}").get_data(as_text=True)
    assert "29-03-2026, 03:30" in page  # the wipe's heading and its disk row, as typed


def test_device_history_shows_local_time_on_both_sides_of_the_autumn_change(client, login_as):
    login_as("volunteer")
    device = make_device()
    db.session.flush()
    events = db.session.scalars(
        select(Event).where(Event.subject_type == "devices", Event.subject_id == str(device.id))
    ).all()
    events[0].at = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
    db.session.commit()
    page = client.get(f"/devices/{device.id}").get_data(as_text=True)
    assert "25-10-2026, 02:30" in page
    assert 'datetime="2026-10-25T00:30:00+00:00"' in page  # machine-readable, with offset
    events[0].at = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, an hour later
    db.session.commit()
    page = client.get(f"/devices/{device.id}").get_data(as_text=True)
    assert "25-10-2026, 02:30" in page
    assert 'datetime="2026-10-25T01:30:00+00:00"' in page
