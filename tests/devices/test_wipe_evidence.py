"""Wipe records say exactly what happened: one log one record, the newest evidence wins,
implausible evidence waits for a coordinator, times are the organisation's, and
certificates are numbered by the evidence, never by the GET that draws them."""

import hashlib
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.devices.factories import make_device, make_ready_device, wipe_input
from uitleen.audit.models import Event
from uitleen.devices import lifecycle, service
from uitleen.devices.models import Counter, Device, Donor, WipeRecord
from uitleen.devices.wipelog import UNREADABLE_SERIAL, WipeLogError, parse_nwipe_log
from uitleen.errors import Conflict, Invalid
from uitleen.extensions import db

NWIPE = Path(__file__).parent / "samples" / "nwipe"
EXPECTED = json.loads((NWIPE / "expected.json").read_text())
PASSED_ONE = "0.34_passed_one_disk.log"  # a real 16 MiB loop device, 2026-12-06 04:2x


def log_bytes(name: str) -> bytes:
    return (NWIPE / name).read_bytes()


def intake(**changes) -> Device:
    """A device whose round began before the sample logs (of 16 MiB loop devices) were
    written, with no storage size recorded, so the small disks are plausible."""
    device = make_device(**({"storage_gb": None} | changes))
    device.cycle_started_at = datetime(2026, 12, 1, tzinfo=UTC)
    db.session.flush()
    return device


def wipe_count() -> int:
    return db.session.scalar(select(func.count()).select_from(WipeRecord))


# --- one log, one record --------------------------------------------------------------


def test_the_same_log_imported_again_names_the_record_it_made(app):
    device = intake()
    first = service.import_wipe_log(None, log_bytes(PASSED_ONE), PASSED_ONE, device)

    for _ in range(3):
        with pytest.raises(Conflict) as again:
            service.import_wipe_log(None, log_bytes(PASSED_ONE), "copy.log", device)
        assert again.value.code == "log_already_imported"
        assert f"wisbeurt {first.id}" in again.value.message
        assert device.asset_tag in again.value.message

    assert wipe_count() == 1
    assert first.log_sha256 == hashlib.sha256(log_bytes(PASSED_ONE)).hexdigest()
    assert first.log_content == log_bytes(PASSED_ONE)


def test_the_same_log_twice_through_the_api_is_a_409_with_the_record(client, api_headers):
    headers = api_headers("volunteer")
    device = intake()
    db.session.commit()
    url = f"/api/v1/devices/{device.id}/wipes/import"

    def post():
        return client.post(
            url,
            data={"file": (io.BytesIO(log_bytes(PASSED_ONE)), PASSED_ONE)},
            headers=headers,
            content_type="multipart/form-data",
        )

    assert post().status_code == 201
    again = post()
    assert again.status_code == 409
    assert again.json["code"] == "log_already_imported"
    assert wipe_count() == 1


# --- the newest evidence wins ---------------------------------------------------------------


@pytest.mark.parametrize("result", ["failed", "aborted"])
def test_a_failed_wipe_sends_a_ready_device_back_to_wiping_with_the_reason(app, result):
    device = make_ready_device()

    wipe = service.record_wipe(None, device, wipe_input(result=result))

    assert device.state == "wiping"
    assert lifecycle.evidence(device)[0] is False
    event = db.session.scalars(
        select(Event).where(Event.verb == "device.state_changed").order_by(Event.id.desc())
    ).first()
    assert event.data["target"] == "wiping"
    assert f"Wisbeurt {wipe.id} is niet geslaagd" in event.data["note"]


def test_an_older_failed_log_does_not_undo_a_newer_passed_wipe(app):
    device = intake()
    service.import_wipe_log(None, log_bytes("0.34_one_noblank.log"), "passed.log", device)
    assert device.state == "wiped"

    # Written at 04:19:07, half a minute before the passed run ended at 04:19:40.
    service.import_wipe_log(None, log_bytes("0.34_verify_failed.log"), "failed.log", device)

    assert device.state == "wiped"
    assert lifecycle.evidence(device)[0] is True


def test_a_newer_failed_log_undoes_an_older_passed_wipe(app):
    device = intake()
    service.import_wipe_log(None, log_bytes(PASSED_ONE), PASSED_ONE, device)  # 04:18:27

    service.import_wipe_log(None, log_bytes("0.34_verify_failed.log"), "failed.log", device)

    assert device.state == "wiping"
    assert lifecycle.evidence(device)[0] is False


# --- plausibility ---------------------------------------------------------------------------


def test_a_small_disk_log_for_a_big_laptop_waits_for_a_coordinator(app, make_user):
    device = intake(storage_gb=256)

    wipe = service.import_wipe_log(None, log_bytes(PASSED_ONE), PASSED_ONE, device)

    assert wipe.passed and wipe.review_status == lifecycle.NEEDS_REVIEW
    assert wipe.review_reasons[0]["code"] == "disk_too_small"
    assert "16.8 MB" in service.review_reason_text(wipe.review_reasons[0])
    assert device.state == "wiping"
    assert wipe.certificate_number is None
    with pytest.raises(Conflict):
        service.certificate(device, wipe)

    with pytest.raises(Conflict) as refused:
        service.review_wipe(make_user("volunteer"), device, wipe, accept=True, note="ok")
    assert refused.value.code == "role_not_allowed"
    with pytest.raises(Invalid):
        service.review_wipe(make_user("coordinator"), device, wipe, accept=True, note=" ")

    service.review_wipe(
        make_user("coordinator"), device, wipe, accept=True, note="Schijf vervangen door 16 MB"
    )

    assert wipe.review_status == lifecycle.ACCEPTED
    assert device.state == "wiped"
    assert wipe.certificate_number is not None


def test_a_log_with_other_disk_serials_than_before_waits_for_review(app):
    device = make_ready_device()  # the factory wiped disk S3YJNX0K81
    service.transition(None, device, "repair", note="scherm")
    wipe = service.record_wipe(
        None,
        device,
        wipe_input(disks=[{"disk_model": "WDC", "disk_serial": "WX99", "result": "passed"}]),
    )

    assert wipe.review_status == lifecycle.NEEDS_REVIEW
    assert wipe.review_reasons[0] == {
        "code": "disk_serial_changed",
        "found": "WX99",
        "known": "S3YJNX0K81",
    }
    assert device.state == "wiping"


def test_only_a_coordinator_reviews_through_the_api(client, api_headers):
    device = intake(storage_gb=256)
    wipe = service.import_wipe_log(None, log_bytes(PASSED_ONE), PASSED_ONE, device)
    db.session.commit()
    url = f"/api/v1/devices/{device.id}/wipes/{wipe.id}/review"
    body = {"decision": "accept", "note": "klopt"}

    assert client.post(url, json=body, headers=api_headers("volunteer")).status_code == 403
    answer = client.post(url, json=body, headers=api_headers("coordinator"))
    assert answer.status_code == 200, answer.json
    assert answer.json["review_status"] == "accepted"


def test_a_log_that_ends_in_the_future_is_refused(app):
    device = intake()
    text = log_bytes(PASSED_ONE).replace(b"[2026/12/06", b"[2099/12/06")

    with pytest.raises(Invalid) as refused:
        service.import_wipe_log(None, text, "future.log", device)

    assert refused.value.code == "wipe_in_future"
    assert wipe_count() == 0


def test_a_hand_recorded_wipe_in_the_future_is_refused(app):
    device = make_device()
    future = datetime(2099, 1, 1, tzinfo=UTC)
    disks = [{"disk_model": "X", "disk_serial": "1", "result": "passed", "finished_at": future}]

    with pytest.raises(Invalid) as refused:
        service.record_wipe(None, device, wipe_input(disks=disks))

    assert refused.value.code == "wipe_in_future"


# --- one clock for people --------------------------------------------------------------------


def test_the_refusal_of_an_old_wipe_names_local_times_across_the_dst_change(app):
    device = make_device()
    # 01:30 UTC on the morning clocks went forward: 03:30 summer time in Amsterdam.
    device.cycle_started_at = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    old = datetime(2026, 3, 29, 0, 59, tzinfo=UTC)  # 01:59 winter time
    disks = [{"disk_model": "X", "disk_serial": "1", "result": "passed", "finished_at": old}]

    with pytest.raises(Invalid) as refused:
        service.record_wipe(None, device, wipe_input(disks=disks))

    assert "29-03-2026 01:59" in refused.value.message
    assert "29-03-2026 03:30" in refused.value.message


def test_nwipe_times_are_read_as_the_organisations_local_time(app):
    device = intake()
    wipe = service.import_wipe_log(None, log_bytes(PASSED_ONE), PASSED_ONE, device)
    log = parse_nwipe_log(log_bytes(PASSED_ONE))

    # Amsterdam is UTC+1 in December: the log's 04:2x is 03:2x UTC.
    assert wipe.finished_at.replace(tzinfo=None) == log.finished_at.replace(hour=3)


# --- certificates ------------------------------------------------------------------------------


def certificate_text(device, wipe) -> str:
    _name, pdf = service.certificate(device, wipe)
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_certificate_shows_local_time_sizes_the_log_hash_and_where_to_check_it(app):
    device = intake(new_donor_name="Bibliotheek Oost")
    wipe = service.import_wipe_log(None, log_bytes(PASSED_ONE), PASSED_ONE, device)

    text = " ".join(certificate_text(device, wipe).split())

    local = parse_nwipe_log(log_bytes(PASSED_ONE)).disks[0].finished_at
    assert f"{local:%H:%M} CET" in text
    assert "16.8 MB" in text
    assert wipe.log_sha256 in text.replace(" ", "")
    assert f"/c/{wipe.verification_token}" in text
    assert "geschonken door Bibliotheek Oost" in text


def test_the_certificate_reads_well_without_a_donor(app):
    device = intake()
    wipe = service.import_wipe_log(None, log_bytes(PASSED_ONE), PASSED_ONE, device)

    text = " ".join(certificate_text(device, wipe).split())

    assert "geschonken door ," not in text
    assert "apparaat zijn verwijderd volgens" in text


def test_an_unreadable_serial_is_printed_as_its_bytes(app):
    raw = log_bytes(PASSED_ONE).replace(b"Loopback device, ", b"Loopback device, ", 1)
    raw = raw.replace(b"S/N=\n", b"S/N=AB\xff\xfe12\n", 1)
    device = intake()

    wipe = service.import_wipe_log(None, raw, "garbled.log", device)

    assert wipe.disks[0].disk_serial == UNREADABLE_SERIAL + "41 42 ff fe 31 32"
    assert "onleesbaar (hex 41 42 ff fe 31 32)" in " ".join(certificate_text(device, wipe).split())


def test_drawing_the_certificate_writes_nothing(client, api_headers):
    headers = api_headers("volunteer")
    device = intake()
    wipe = service.import_wipe_log(None, log_bytes(PASSED_ONE), PASSED_ONE, device)
    db.session.commit()
    number = wipe.certificate_number
    assert number is not None  # numbered when the passed wipe started to count
    events = db.session.scalar(select(func.count()).select_from(Event))
    counter = db.session.get(Counter, service.CERTIFICATE_COUNTER).value

    url = f"/api/v1/devices/{device.id}/wipes/{wipe.id}/certificate.pdf"
    for _ in range(3):
        assert client.get(url, headers=headers).status_code == 200

    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Event)) == events
    assert db.session.get(Counter, service.CERTIFICATE_COUNTER).value == counter
    assert db.session.get(WipeRecord, wipe.id).certificate_number == number


def test_the_verification_page_shows_the_certificates_facts_and_nothing_personal(client):
    donor_name = "Familie Jansen-Özdemir"
    device = intake(new_donor_name=donor_name, serial="5CG7XYZ")
    wipe = service.import_wipe_log(None, log_bytes(PASSED_ONE), PASSED_ONE, device)
    db.session.commit()

    page = client.get(f"/c/{wipe.verification_token}")

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert wipe.certificate_number in html
    assert "Fill With Zeros" in html and "Clear" in html
    assert "<script" not in html
    for personal in (donor_name, "5CG7XYZ", device.asset_tag, device.public_token):
        assert personal not in html
    assert db.session.scalar(select(func.count()).select_from(Donor)) == 1
    assert client.get("/c/AAAAAAAAAAAAAAAAAAAAAAAAAA").status_code == 404
    assert client.get("/c/EC-2026-00001").status_code == 404


# --- every real log through every import path ------------------------------------------------


def _import_paths(client, api_headers, login_as):
    volunteer = api_headers("volunteer")
    login_as("volunteer")

    def api_for(device, name, content):
        return client.post(
            f"/api/v1/devices/{device.id}/wipes/import",
            data={"file": (io.BytesIO(content), name)},
            headers=volunteer,
            content_type="multipart/form-data",
        )

    def api_by_tag(device, name, content):
        return client.post(
            "/api/v1/devices/wipes/import",
            data={"file": (io.BytesIO(content), f"{device.asset_tag}_{name}")},
            headers=volunteer,
            content_type="multipart/form-data",
        )

    def page_for(device, name, content):
        return client.post(
            f"/devices/{device.id}/wipe/import",
            data={"file": (io.BytesIO(content), name)},
            content_type="multipart/form-data",
        )

    def page_by_tag(device, name, content):
        return client.post(
            "/devices/wipe-import",
            data={"file": (io.BytesIO(content), f"{device.asset_tag}_{name}")},
            content_type="multipart/form-data",
        )

    return {"api": api_for, "api-by-tag": api_by_tag, "page": page_for, "page-by-tag": page_by_tag}


def test_every_real_log_through_every_import_path(client, api_headers, login_as):
    paths = _import_paths(client, api_headers, login_as)
    for name in sorted(EXPECTED):
        content = log_bytes(name)
        try:
            verdict = parse_nwipe_log(content)
        except WipeLogError:
            verdict = None
        if verdict is not None and verdict.nist_class is None:
            verdict = None  # "Verify Zeros" reads a disk, it erases nothing: refused too
        for path, send in paths.items():
            device = intake()
            db.session.commit()
            answer = send(device, name, content)
            db.session.expire_all()
            records = db.session.scalars(
                select(WipeRecord).where(WipeRecord.device_id == device.id)
            ).all()
            where = f"{name} via {path}"
            if verdict is None:
                assert answer.status_code == 422, where
                assert records == [], where
                continue
            assert answer.status_code in (201, 302), where
            (record,) = records
            assert record.passed is verdict.passed, where
            assert len(record.disks) == len(verdict.disks), where
            state = db.session.get(Device, device.id).state
            assert state == ("wiped" if verdict.passed else "wiping"), where
            # One log, one record: this log now belongs to this device.
            db.session.delete(record)
            db.session.commit()


def test_the_desk_sees_the_flag_until_the_device_comes_back(app):
    device = make_ready_device()
    lifecycle.move(None, device, "on_loan")
    service.record_wipe(None, device, wipe_input(result="failed"))
    assert device.attention

    lifecycle.move(None, device, "returned")

    assert device.attention == ""


def test_a_failed_wipe_of_another_device_does_not_undo_this_ones(app):
    """The newest-evidence rule compares wipes of the same device only."""
    first, other = make_device(), make_device()
    service.record_wipe(None, first, wipe_input())
    service.record_wipe(None, other, wipe_input(result="failed"))  # later, another laptop

    assert lifecycle.evidence(first)[0] is True
    assert first.state == "wiped"
