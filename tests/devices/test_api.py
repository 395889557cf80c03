"""/api/v1/devices: intake, lists, moves with reasons, wipes, logs, certificates, privacy."""

from pathlib import Path

from tests.devices.factories import (
    device_data,
    make_device,
    make_qc_device,
    make_ready_device,
    qc_results,
    software_data,
    wipe_data,
)
from uitleen.devices import service
from uitleen.devices.models import Device, WipeRecord
from uitleen.extensions import db

SAMPLES = Path(__file__).parent / "samples"

# Exactly what a volunteer's device JSON holds: device facts, donor and place, no household.
VOLUNTEER_DEVICE_KEYS = {
    "id",
    "asset_tag",
    "public_token",
    "kind",
    "make",
    "model",
    "serial",
    "cpu",
    "ram_gb",
    "storage_gb",
    "storage_type",
    "battery_health",
    "screen_inches",
    "os_licence",
    "condition_grade",
    "condition_notes",
    "notes",
    "state",
    "state_changed_at",
    "donor",
    "location",
    "created_at",
}


def test_volunteer_device_json_has_exactly_the_device_fields(client, api_headers):
    headers = api_headers("volunteer")
    device = make_ready_device(new_donor_name="Gemeente Zaanstad", new_donor_is_organisation=True)
    db.session.commit()
    body = client.get(f"/api/v1/devices/{device.id}", headers=headers).json
    assert set(body) == VOLUNTEER_DEVICE_KEYS
    assert set(body["donor"]) == {"id", "name", "is_organisation", "wants_certificate"}
    listed = client.get("/api/v1/devices", headers=headers).json["items"][0]
    assert set(listed) == VOLUNTEER_DEVICE_KEYS


def test_create_device_gives_tag_and_201(client, api_headers):
    response = client.post("/api/v1/devices", json=device_data(), headers=api_headers("volunteer"))
    assert response.status_code == 201, response.json
    assert response.json["asset_tag"] == "UIT-00001"
    assert response.json["state"] == "intake"


def test_create_with_bad_fields_says_which(client, api_headers):
    response = client.post(
        "/api/v1/devices", json={"make": "", "ram_gb": "veel"}, headers=api_headers("volunteer")
    )
    assert response.status_code == 422
    assert {"make", "model", "ram_gb"} <= set(response.json["errors"])
    assert db.session.query(Device).count() == 0


def test_duplicate_serial_is_a_409_with_the_existing_tag(client, api_headers):
    headers = api_headers("volunteer")
    first = client.post("/api/v1/devices", json=device_data(serial="X1"), headers=headers).json
    again = client.post("/api/v1/devices", json=device_data(serial="x1"), headers=headers)
    assert again.status_code == 409
    assert again.json["code"] == "duplicate_serial"
    assert first["asset_tag"] in again.json["message"]
    confirmed = client.post(
        "/api/v1/devices",
        json=device_data(
            serial="X1", confirm_duplicate=True, duplicate_reason="Tweede accu-sticker"
        ),
        headers=headers,
    )
    assert confirmed.status_code == 201


def test_refused_transition_is_409_in_plain_dutch(client, api_headers):
    device = make_qc_device()
    db.session.commit()
    response = client.post(
        f"/api/v1/devices/{device.id}/transitions",
        json={"target": "ready"},
        headers=api_headers("volunteer"),
    )
    assert response.status_code == 409
    assert response.json["code"] == "not_checked"
    fresh = make_device()
    service.transition(None, fresh, "wiping")
    db.session.commit()
    response = client.post(
        f"/api/v1/devices/{fresh.id}/transitions",
        json={"target": "wiped"},
        headers=api_headers("volunteer"),
    )
    assert response.status_code == 409
    assert "Deze laptop is nog niet gewist" in response.json["message"]


def test_loans_are_not_made_by_a_bare_transition(client, api_headers):
    device = make_ready_device()
    db.session.commit()
    response = client.post(
        f"/api/v1/devices/{device.id}/transitions",
        json={"target": "on_loan"},
        headers=api_headers("intake"),
    )
    assert response.status_code == 409
    assert response.json["code"] == "use_loans"
    assert "via de uitleen" in response.json["message"]


def test_full_pipeline_through_the_api(client, api_headers):
    headers = api_headers("volunteer")
    device = client.post("/api/v1/devices", json=device_data(), headers=headers).json
    base = f"/api/v1/devices/{device['id']}"
    wipe = client.post(f"{base}/wipes", json=wipe_data(), headers=headers)
    assert wipe.status_code == 201 and wipe.json["passed"]
    assert wipe.json["nist_class"] == "clear"
    software = client.post(f"{base}/software", json=software_data(), headers=headers)
    assert software.status_code == 201
    check = client.post(f"{base}/quality-checks", json={"results": qc_results()}, headers=headers)
    assert check.status_code == 201 and check.json["passed"]
    ready = client.post(f"{base}/transitions", json={"target": "ready"}, headers=headers)
    assert ready.status_code == 200 and ready.json["state"] == "ready"
    assert len(client.get(f"{base}/wipes", headers=headers).json) == 1


def test_failed_check_via_api_goes_to_repair(client, api_headers):
    device = make_qc_device()
    db.session.commit()
    response = client.post(
        f"/api/v1/devices/{device.id}/quality-checks",
        json={"results": qc_results(failed=("Scherm",))},
        headers=api_headers("volunteer"),
    )
    assert response.status_code == 201
    db.session.expire_all()
    assert db.session.get(Device, device.id).state == "repair"


def test_patch_changes_only_what_is_sent(client, api_headers):
    device = make_device(ram_gb=4, cpu="i3")
    db.session.commit()
    response = client.patch(
        f"/api/v1/devices/{device.id}", json={"ram_gb": 16}, headers=api_headers("volunteer")
    )
    assert response.status_code == 200
    assert response.json["ram_gb"] == 16 and response.json["cpu"] == "i3"


def _backdate(device: Device) -> None:
    """The samples are from 2025: let this round start before them."""
    from datetime import datetime

    device.cycle_started_at = datetime(2025, 1, 1)
    db.session.commit()


def test_import_nwipe_log_attaches_by_the_tag_in_the_file_name(client, api_headers):
    for _ in range(42):
        device = make_device()
    _backdate(device)
    assert device.asset_tag == "UIT-00042"
    name = "nwipe_UIT-00042_2025-03-01.log"
    with open(SAMPLES / name, "rb") as handle:
        response = client.post(
            "/api/v1/devices/wipes/import",
            data={"file": (handle, name)},
            headers=api_headers("volunteer"),
            content_type="multipart/form-data",
        )
    assert response.status_code == 201, response.json
    assert response.json["device_id"] == device.id
    assert response.json["source"] == "nwipe-log"
    assert response.json["disks"][0]["disk_serial"]


def test_unparseable_log_is_422_and_saves_nothing(client, api_headers):
    device = make_device()
    _backdate(device)
    with open(SAMPLES / "not_nwipe.txt", "rb") as handle:
        response = client.post(
            f"/api/v1/devices/{device.id}/wipes/import",
            data={"file": (handle, "not_nwipe.txt")},
            headers=api_headers("volunteer"),
            content_type="multipart/form-data",
        )
    assert response.status_code == 422
    assert response.json["errors"]["file"]
    assert db.session.query(WipeRecord).count() == 0
    db.session.expire_all()
    assert db.session.get(Device, device.id).state == "intake"


def test_partial_wipe_log_never_counts_as_passed(client, api_headers):
    device = make_device()
    _backdate(device)
    with open(SAMPLES / "two_disks_one_failed.log", "rb") as handle:
        response = client.post(
            f"/api/v1/devices/{device.id}/wipes/import",
            data={"file": (handle, "two_disks_one_failed.log")},
            headers=api_headers("volunteer"),
            content_type="multipart/form-data",
        )
    assert response.status_code == 201, response.json
    assert response.json["passed"] is False
    assert {d["result"] for d in response.json["disks"]} == {"passed", "failed"}
    db.session.expire_all()
    assert db.session.get(Device, device.id).state == "wiping"
    cert = client.get(
        f"/api/v1/devices/{device.id}/wipes/{response.json['id']}/certificate.pdf",
        headers=api_headers("volunteer"),
    )
    assert cert.status_code == 409


def test_log_for_another_device_is_refused(client, api_headers):
    devices = [make_device() for _ in range(42)]
    _backdate(devices[0])
    name = "nwipe_UIT-00042_2025-03-01.log"
    with open(SAMPLES / name, "rb") as handle:
        response = client.post(
            f"/api/v1/devices/{devices[0].id}/wipes/import",
            data={"file": (handle, name)},
            headers=api_headers("volunteer"),
            content_type="multipart/form-data",
        )
    assert response.status_code == 422
    assert response.json["code"] == "other_device"


def test_certificate_pdf_for_a_passed_wipe_is_numbered_once(client, api_headers):
    import pypdf

    device = make_ready_device(
        new_donor_name="Bakkerij Jansen B.V.", new_donor_is_organisation=True
    )
    db.session.commit()
    wipe = db.session.query(WipeRecord).filter_by(device_id=device.id).one()
    url = f"/api/v1/devices/{device.id}/wipes/{wipe.id}/certificate.pdf"
    headers = api_headers("volunteer")
    first = client.get(url, headers=headers)
    assert first.status_code == 200
    assert first.mimetype == "application/pdf"
    import io

    text = pypdf.PdfReader(io.BytesIO(first.data)).pages[0].extract_text()
    db.session.expire_all()
    number = db.session.get(WipeRecord, wipe.id).certificate_number
    assert number and number.startswith("EC-")
    assert number in text and device.asset_tag in text
    client.get(url, headers=headers)
    db.session.expire_all()
    assert db.session.get(WipeRecord, wipe.id).certificate_number == number


def test_list_filters_search_and_pages(client, api_headers):
    headers = api_headers("intake")
    for n in range(7):
        make_device(make="Dell" if n % 2 else "HP", model=f"Latitude {n}")
    db.session.commit()
    page = client.get("/api/v1/devices?limit=3", headers=headers).json
    assert [d["asset_tag"] for d in page["items"]] == ["UIT-00007", "UIT-00006", "UIT-00005"]
    rest = client.get(f"/api/v1/devices?limit=3&after={page['next_after']}", headers=headers).json
    assert [d["asset_tag"] for d in rest["items"]] == ["UIT-00004", "UIT-00003", "UIT-00002"]
    last = client.get(f"/api/v1/devices?limit=3&after={rest['next_after']}", headers=headers).json
    assert [d["asset_tag"] for d in last["items"]] == ["UIT-00001"]
    assert last["next_after"] is None
    dells = client.get("/api/v1/devices?q=dell", headers=headers).json["items"]
    assert len(dells) == 3
    assert client.get("/api/v1/devices?q=uit-3", headers=headers).json["items"][0]["asset_tag"] == (
        "UIT-00003"
    )
    assert client.get("/api/v1/devices?state=ready", headers=headers).json["items"] == []


def test_a_desk_worker_may_not_make_workshop_moves(client, api_headers):
    device = make_device()
    db.session.commit()
    response = client.post(
        f"/api/v1/devices/{device.id}/transitions",
        json={"target": "wiping"},
        headers=api_headers("intake"),
    )
    assert response.status_code == 409
    assert response.json["code"] == "role_not_allowed"
    assert "rol" in response.json["message"]


def test_a_wipe_time_without_an_offset_is_refused_and_nothing_is_saved(client, api_headers):
    headers = api_headers("volunteer")
    device = make_device()
    _backdate(device)
    disk = {"disk_model": "A", "result": "passed", "finished_at": "2026-03-29T03:30:00"}
    response = client.post(
        f"/api/v1/devices/{device.id}/wipes", json=wipe_data(disks=[disk]), headers=headers
    )
    assert response.status_code == 422
    assert response.json["errors"]["disks.0.finished_at"] == [
        "Zet de tijdzone achter de tijd, bijvoorbeeld 2026-03-01T14:30:00+01:00."
    ]
    assert db.session.query(WipeRecord).count() == 0


def test_a_wipe_time_with_an_offset_is_kept_and_given_back_with_one(client, api_headers):
    headers = api_headers("volunteer")
    device = make_device()
    _backdate(device)
    disk = {
        "disk_model": "A",
        "result": "passed",
        "started_at": "2026-03-29T01:30:00+01:00",
        "finished_at": "2026-03-29T03:30:00+02:00",
    }
    response = client.post(
        f"/api/v1/devices/{device.id}/wipes", json=wipe_data(disks=[disk]), headers=headers
    )
    assert response.status_code == 201, response.json
    assert response.json["started_at"] == "2026-03-29T00:30:00+00:00"
    assert response.json["finished_at"] == "2026-03-29T01:30:00+00:00"
    listed = client.get(f"/api/v1/devices/{device.id}/wipes", headers=headers).json[0]
    assert listed["disks"][0]["finished_at"] == "2026-03-29T01:30:00+00:00"
    assert listed["recorded_at"].endswith("+00:00")
