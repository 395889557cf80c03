"""Intake, the tag sequence, duplicates, wipes, software, quality checks and moves."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.devices.factories import (
    device_data,
    make_device,
    make_qc_device,
    make_ready_device,
    make_wiped_device,
    qc_results,
    software_data,
    wipe_input,
)
from tests.races import committed, run_together
from uitleen.audit.models import Event
from uitleen.audit.service import history
from uitleen.devices import lifecycle, service
from uitleen.devices.models import Device, Donor
from uitleen.errors import Conflict, Invalid
from uitleen.extensions import db
from uitleen.qr import QrMatrix


def states_from_log(device: Device) -> list[str]:
    """The states the event log says the device went through, oldest first."""
    events = reversed(history("devices", device.id))
    return [e.data["target"] for e in events if e.verb == "device.state_changed"]


def test_intake_gives_sequential_tags_token_and_qr(app):
    first = make_device()
    second = make_device()
    assert first.asset_tag == "UIT-00001"
    assert second.asset_tag == "UIT-00002"
    assert re.fullmatch(r"[A-Z2-7]{20}", first.public_token)
    assert first.public_token != second.public_token
    matrix = QrMatrix.from_bytes(first.qr_matrix)
    assert matrix.size >= 29
    assert first.state == "intake"
    assert history("devices", first.id)[0].verb == "device.registered"


def test_intake_can_create_a_donor_inline_or_pick_one(app):
    device = make_device(
        new_donor_name="Bakkerij Jansen B.V.",
        new_donor_is_organisation=True,
        new_donor_wants_certificate=True,
    )
    donor = device.donor
    assert donor.is_organisation and donor.wants_certificate
    again = make_device(donor_id=donor.id)
    assert again.donor_id == donor.id
    assert db.session.scalar(select(db.func.count()).select_from(Donor)) == 1
    with pytest.raises(Invalid) as refused:
        make_device(donor_id=99999)
    assert "donor_id" in refused.value.errors


def test_reserve_hands_out_blocks_without_overlap(app):
    assert service.reserve("test", 10) == 1
    assert service.reserve("test") == 11
    service.raise_counter_to("test", 50)
    assert service.reserve("test", 5) == 51
    service.raise_counter_to("test", 3)  # never goes back
    assert service.reserve("test") == 56


@pytest.mark.commits
def test_concurrent_intakes_get_distinct_tags(app):
    def register(_i: int):
        return committed(
            app,
            lambda: service.register_device(None, service.DeviceInput(**device_data())).asset_tag,
        )

    tags = run_together(8, register)
    assert [tag for tag in tags if not isinstance(tag, str)] == []
    assert sorted(tags) == [f"UIT-{n:05d}" for n in range(1, 9)]


def test_same_make_and_serial_warns_with_the_existing_tag(app):
    first = make_device(make="HP", serial="5CG1234XYZ")
    with pytest.raises(service.DuplicateSerial) as warned:
        make_device(make="hp", serial=" 5cg1234xyz ")
    assert warned.value.existing.id == first.id
    assert first.asset_tag in warned.value.message
    with pytest.raises(Invalid) as no_reason:
        make_device(make="HP", serial="5CG1234XYZ", confirm_duplicate=True)
    assert "duplicate_reason" in no_reason.value.errors
    second = make_device(
        make="HP",
        serial="5CG1234XYZ",
        confirm_duplicate=True,
        duplicate_reason="Sticker onder de accu heeft een ander nummer",
    )
    event = history("devices", second.id)[0]
    assert event.data["same_serial_as"] == first.asset_tag
    # The make is not compared: "Hewlett-Packard" is HP typed another way; asked, not refused.
    with pytest.raises(service.DuplicateSerial):
        make_device(make="Hewlett-Packard", serial="5CG1234XYZ")


def test_edit_records_what_changed_and_checks_duplicates(app):
    device = make_device(ram_gb=4)
    other = make_device(make="Dell", serial="ABC123")
    service.update_device(
        None, device, service.DeviceInput.from_data({"ram_gb": 8, "notes": "Extra geheugen erin"})
    )
    event = history("devices", device.id)[0]
    assert event.verb == "device.updated"
    assert event.data["changes"]["ram_gb"] == [4, 8]
    with pytest.raises(service.DuplicateSerial):
        service.update_device(
            None, device, service.DeviceInput.from_data({"make": "Dell", "serial": "abc123"})
        )
    assert other.serial == "ABC123"


def test_passed_wipe_moves_intake_to_wiped(app):
    device = make_wiped_device()
    assert device.state == "wiped"
    assert states_from_log(device) == ["wiping", "wiped"]
    assert lifecycle.evidence(device) == (True, False)


def test_failed_wipe_keeps_the_device_in_wiping(app):
    device = make_device()
    wipe = service.record_wipe(None, device, wipe_input("failed"))
    assert not wipe.passed
    assert device.state == "wiping"
    with pytest.raises(Conflict) as refused:
        service.transition(None, device, "wiped")
    assert "nog niet gewist" in refused.value.message


def test_one_failed_disk_fails_the_whole_wipe(app):
    device = make_device()
    disks = [
        {"disk_model": "A", "disk_serial": "1", "result": "passed"},
        {"disk_model": "B", "disk_serial": "2", "result": "failed"},
    ]
    wipe = service.record_wipe(None, device, wipe_input(disks=disks))
    assert not wipe.passed
    assert device.state == "wiping"


def test_nist_class_is_derived_or_asked_for(app):
    device = make_device()
    wipe = service.record_wipe(None, device, wipe_input(method="ATA Secure Erase"))
    assert wipe.nist_class == "purge"
    with pytest.raises(Invalid) as unknown:
        service.record_wipe(None, device, wipe_input(method="Mijn eigen trucje"))
    assert "nist_class" in unknown.value.errors
    chosen = service.record_wipe(None, device, wipe_input(method="Boren", nist_class="destroy"))
    assert chosen.nist_class == "destroy"


def test_a_wipe_from_before_the_round_does_not_count(app):
    device = make_device()
    before = device.cycle_started_at - timedelta(days=1)
    disks = [{"disk_model": "A", "result": "passed", "finished_at": before}]
    with pytest.raises(Invalid) as refused:
        service.record_wipe(None, device, wipe_input(disks=disks))
    assert refused.value.code == "wipe_before_round"


def test_software_needs_a_wipe_and_moves_to_qc(app):
    device = make_device()
    with pytest.raises(Conflict) as refused:
        service.record_software(None, device, **software_data())
    assert refused.value.code == "not_wiped"
    device = make_qc_device()
    assert device.state == "qc"
    with pytest.raises(Invalid):
        service.record_software(
            None, device, **software_data() | {"checklist": {"Spelletjes": True}}
        )


def test_failed_check_sends_the_device_to_repair_with_the_reason(app):
    device = make_qc_device()
    check = service.record_quality_check(
        None, device, results=qc_results(failed=("Webcam", "Toetsenbord")), notes="toets e"
    )
    assert not check.passed
    assert device.state == "repair"
    last = history("devices", device.id)[0]
    assert "Toetsenbord" in last.data["note"] and "Webcam" in last.data["note"]
    with pytest.raises(Conflict):
        service.mark_ready(None, device)
    # After the repair a new, passed check brings it back to qc, and then ready.
    service.record_quality_check(None, device, results=qc_results())
    assert device.state == "qc"
    service.mark_ready(None, device)
    assert device.state == "ready"


def test_check_needs_every_item(app):
    device = make_qc_device()
    results = qc_results()
    results.pop("Wifi")
    with pytest.raises(Invalid) as refused:
        service.record_quality_check(None, device, results=results)
    assert "results.Wifi" in refused.value.errors


def test_ready_needs_a_passed_check(app):
    device = make_qc_device()
    with pytest.raises(Conflict) as refused:
        service.mark_ready(None, device)
    assert refused.value.code == "not_checked"
    assert "controle" in refused.value.message


def test_a_returned_device_needs_a_new_wipe_and_check(app):
    device = make_ready_device()
    lifecycle.move(None, device, "on_loan")
    lifecycle.move(None, device, "returned", "terug")
    db.session.flush()
    assert lifecycle.evidence(device) == (False, False)
    with pytest.raises(Conflict):
        service.transition(None, device, "ready")
    service.record_wipe(None, device, wipe_input())
    assert device.state == "wiped"
    service.record_software(None, device, **software_data())
    service.record_quality_check(None, device, results=qc_results())
    service.mark_ready(None, device)
    assert states_from_log(device)[-1] == device.state == "ready"


def test_parts_recycled_and_lost_need_a_note(app):
    device = make_device()
    with pytest.raises(Invalid) as refused:
        service.transition(None, device, "parts")
    assert "note" in refused.value.errors
    service.transition(None, device, "parts", "Moederbord kapot")
    service.transition(None, device, "recycled", "Naar de milieustraat")
    assert states_from_log(device) == ["parts", "recycled"]


def test_a_failed_wipe_found_for_a_device_out_on_loan_flags_it_for_the_desk(app):
    device = make_ready_device()
    lifecycle.move(None, device, "on_loan")

    service.record_wipe(None, device, wipe_input(result="failed"))

    assert device.state == "on_loan"
    assert "niet geslaagd" in device.attention


@pytest.mark.parametrize("state", ["gifted", "lost"])
def test_no_wipe_on_a_device_that_left(app, state):
    device = make_ready_device()
    lifecycle.move(None, device, state)
    with pytest.raises(Conflict) as refused:
        service.record_wipe(None, device, wipe_input())
    assert refused.value.code == "not_in_workshop"


def test_state_agrees_with_the_log_for_every_device(app):
    devices = [make_device(), make_wiped_device(), make_qc_device(), make_ready_device()]
    db.session.flush()
    for device in devices:
        log = states_from_log(device)
        assert (log[-1] if log else "intake") == device.state
    verbs = set(db.session.scalars(select(Event.verb)))
    assert {"device.registered", "wipe.recorded", "software.recorded"} <= verbs


@pytest.mark.parametrize(
    ("typed", "tag"),
    [
        ("uit-42", "UIT-00042"),
        ("UIT-00042", "UIT-00042"),
        ("42", "UIT-00042"),
        (" UIT00042\n", "UIT-00042"),
        ("uit 7", "UIT-00007"),
    ],
)
def test_typed_and_scanned_tags(typed, tag):
    assert service.parse_lookup(typed).tag == tag


def test_scanned_label_url_gives_the_token():
    token = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    assert service.parse_lookup(f"HTTPS://HULP.UITLEEN.NL/H/{token}").token == token
    assert service.parse_lookup(f"https://hulp.uitleen.nl/h/{token.lower()}/").token == token
    assert service.parse_lookup("ThinkPad").text == "ThinkPad"
    assert service.parse_lookup("ThinkPad").tag is None


def test_find_exact_by_tag_and_label(app):
    device = make_device()
    assert service.find_exact("uit-1") == device
    assert service.find_exact(service.label_url(device.public_token)) == device
    assert service.find_exact("uit-2") is None


def test_queue_counts_are_capped_and_agree_with_the_full_count(app):
    for _ in range(3):
        make_device()
    make_wiped_device()
    counts = service.queue_counts(("intake", "wiped", "ready"), cap=2)
    assert counts == {"intake": 2, "wiped": 1, "ready": 0}
    assert service.counts_by_state()["intake"] == 3
    page = service.search(limit=2)
    assert [d.asset_tag for d in page.items] == ["UIT-00004", "UIT-00003"]
    assert page.items[0].state == "wiped" and page.items[0].donor is None


def test_an_old_label_still_opens_its_device(app):
    from uitleen.devices.models import RetiredToken

    device = make_device()
    old = device.public_token
    service.assign_token(device)
    db.session.add(RetiredToken(token=old, device_id=device.id))
    db.session.flush()
    assert device.public_token != old
    assert service.find_exact(service.label_url(old)) == device
    assert service.find_exact(service.label_url(device.public_token)) == device
