"""Hardware snapshots register or update devices, feed the checks and the wipe evidence,
and refuse bad input with a clear answer and nothing saved."""

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.devices import snapshots as samples
from tests.devices.factories import make_device, wipe_input
from uitleen.devices import lifecycle, service
from uitleen.devices.models import Device, HardwareSnapshot, QualityCheck, SnapshotDisk
from uitleen.errors import Conflict, Invalid
from uitleen.extensions import db
from uitleen.settings import service as settings

URL = "/api/v1/devices/snapshots"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def post(client, headers, content: bytes, **extra):
    """As workbench-script sends: the JSON body with its own two headers."""
    return client.post(
        URL,
        data=content,
        headers={**headers, "Content-Type": "application/json", **extra},
    )


def imported(snapshot: dict, actor=None) -> service.SnapshotResult:
    return service.import_snapshot(actor, samples.body(snapshot), "cli")


# --- registering and updating --------------------------------------------------------


def test_a_snapshot_registers_the_laptop_with_every_disk(client, api_headers):
    answer = post(client, api_headers("volunteer"), samples.DELL.read_bytes())

    assert answer.status_code == 201, answer.json
    body = answer.json
    assert body["created"] is True and body["replayed"] is False
    device = body["device"]
    assert (device["kind"], device["make"], device["model"], device["serial"]) == (
        "laptop",
        "Dell",
        "Latitude E7240",
        "5CQ6VY1",
    )
    assert (device["cpu"], device["ram_gb"], device["storage_gb"], device["storage_type"]) == (
        "Intel Core i7-4600U CPU @ 2.10GHz",
        16,
        756,
        "ssd",
    )
    assert device["state"] == "intake"
    assert [disk["serial"] for disk in body["disks"]] == list(samples.DELL_DISKS)
    assert body["disks"][1] | {} == body["disks"][1] and body["disks"][1]["power_on_hours"] == 17702
    assert body["dhid"] == device["asset_tag"]
    assert body["public_url"].endswith(f"/devices/{device['id']}")
    assert body["findings"] == []


def test_a_qemu_pc_registers_with_its_smbios_identity_and_its_disk(client, api_headers):
    answer = post(client, api_headers("volunteer"), samples.QEMU.read_bytes())

    assert answer.status_code == 201, answer.json
    device = answer.json["device"]
    assert (device["kind"], device["make"], device["model"], device["serial"]) == (
        "laptop",
        "Lenovo",
        "ThinkPad X1 Carbon 5th",
        samples.QEMU_SERIAL,
    )
    assert (device["ram_gb"], device["storage_gb"], device["storage_type"]) == (2, 256, "ssd")
    (disk,) = answer.json["disks"]
    assert (disk["model"], disk["serial"], disk["size_bytes"], disk["smart_passed"]) == (
        "SAMSUNG MZ7LN256HAJQ-000L7",
        samples.QEMU_DISK,
        256060514304,
        True,
    )
    assert answer.json["findings"] == []
    stored = db.session.scalars(select(SnapshotDisk)).one()
    assert (stored.serial, stored.smart_passed, stored.reallocated_sectors) == (
        samples.QEMU_DISK,
        True,
        0,
    )


def test_the_same_uuid_twice_is_one_record(client, api_headers):
    headers = api_headers("volunteer")
    first = post(client, headers, samples.DELL.read_bytes())
    again = post(client, headers, samples.DELL.read_bytes())

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json["replayed"] is True
    assert again.json["device"]["id"] == first.json["device"]["id"]
    assert count(HardwareSnapshot) == 1 and count(Device) == 1


def test_a_known_machine_is_updated_and_the_answer_says_what_changed(app):
    device = make_device(make="Dell", model="Latitude", serial=samples.DELL_SERIAL, ram_gb=8)

    result = imported(samples.dell())

    assert result.device is device and not result.created
    assert result.changes["ram_gb"] == [8, 16]
    assert result.changes["model"] == ["Latitude", "Latitude E7240"]
    assert "serial" not in result.changes
    assert device.ram_gb == 16 and device.cpu.startswith("Intel Core i7-4600U")


def test_a_machine_is_found_by_its_disks_when_the_serial_is_new(app):
    first = imported(samples.dell()).device
    board_swapped = samples.with_serial(samples.dell(), "9ZZ9ZZ9")

    result = imported(board_swapped)

    assert result.device is first and not result.created
    assert first.serial == samples.DELL_SERIAL  # the sticker's serial stays


def test_a_machine_is_found_by_a_disk_an_nwipe_log_named(app):
    device = make_device(serial="")
    service.transition(None, device, "wiping")
    service.record_wipe(
        None,
        device,
        wipe_input(disks=[{"disk_serial": samples.DELL_DISKS[1], "result": "passed"}]),
    )

    result = imported(samples.dell())

    assert result.device is device
    assert result.changes["serial"] == ["", samples.DELL_SERIAL]


def test_a_placeholder_disk_serial_matches_nothing(app):
    first = imported(samples.with_disk_serials(samples.dell(), "00000000", "00000000")).device
    other = samples.with_serial(samples.dell(), "7XX7XX7")

    result = imported(samples.with_disk_serials(other, "00000000", "00000000"))

    assert result.created and result.device is not first


def test_a_snapshot_that_matches_two_devices_is_refused_naming_both(client, api_headers):
    by_serial = make_device(serial=samples.DELL_SERIAL)
    other = imported(samples.with_serial(samples.dell(), "7XX7XX7")).device  # owns the disks
    db.session.commit()
    snapshots_before = count(HardwareSnapshot)

    answer = post(client, api_headers("volunteer"), samples.body(samples.dell()))

    assert answer.status_code == 409
    assert answer.json["code"] == "snapshot_matches_two_devices"
    assert by_serial.asset_tag in answer.json["message"]
    assert other.asset_tag in answer.json["message"]
    assert count(HardwareSnapshot) == snapshots_before


def test_a_token_in_quotes_as_settings_ini_writes_it_is_accepted(client, api_headers):
    token = api_headers("volunteer")["Authorization"].split(" ", 1)[1]
    headers = {"Authorization": f"Bearer '{token}'"}
    assert post(client, headers, samples.DELL.read_bytes()).status_code == 201


def test_only_workshop_roles_send_snapshots(client, api_headers):
    assert post(client, {}, samples.DELL.read_bytes()).status_code == 401
    assert post(client, api_headers("intake"), samples.DELL.read_bytes()).status_code == 403
    assert count(HardwareSnapshot) == 0


# --- disk and battery health -----------------------------------------------------------


def test_a_failing_smart_verdict_fails_the_storage_item_and_sends_the_device_to_repair(app):
    items = samples.disks(samples.dell())
    items[1]["smart_status"] = {"passed": False}
    result = imported(samples.with_disks(samples.dell(), items))

    check = db.session.scalars(select(QualityCheck)).one()
    assert check.results == {"Opslag (schijf)": "fail"} and check.passed is False
    assert "S33HNX0J203755R" in check.notes and "FAILED" in check.notes
    assert result.device.state == "repair"
    assert result.findings[0]["code"] == "smart_failed"


def test_reallocated_sectors_above_the_setting_fail_with_the_figures(app):
    settings.put(None, "disk_bad_sectors_max", 10)
    snapshot = samples.with_attribute(samples.dell(), 0, 5, 11)
    snapshot = samples.with_attribute(snapshot, 0, 197, 3)
    result = imported(snapshot)

    assert result.device.state == "repair"
    check = db.session.scalars(select(QualityCheck)).one()
    assert "11 vervangen en 3 wachtende" in check.notes and "hoogstens 10" in check.notes


def test_sectors_at_the_setting_pass_nothing_and_fail_nothing(app):
    settings.put(None, "disk_bad_sectors_max", 10)
    result = imported(samples.with_attribute(samples.dell(), 0, 197, 10))

    assert result.findings == [] and result.device.state == "intake"
    assert count(QualityCheck) == 0  # nothing is marked passed by a snapshot alone


def test_a_weak_battery_fails_the_battery_item(app):
    result = imported(samples.with_battery(samples.dell(), "weak"))

    assert result.device.battery_health == 40
    check = db.session.scalars(select(QualityCheck)).one()
    assert check.results == {"Accu houdt lading": "fail"}
    assert "20.8 van 52.0 Wh" in check.notes and "40%" in check.notes


def test_a_good_battery_is_recorded_but_not_passed(app):
    result = imported(samples.with_battery(samples.dell(), "good"))

    assert result.device.battery_health == 77
    assert count(QualityCheck) == 0


# --- wipe evidence and the certificate ---------------------------------------------------


def test_a_wipe_log_of_other_disks_than_the_snapshot_found_waits_for_review(app):
    device = imported(samples.dell()).device
    service.transition(None, device, "wiping")

    wipe = service.record_wipe(
        None, device, wipe_input(disks=[{"disk_serial": "WX99", "result": "passed"}])
    )

    assert wipe.review_status == lifecycle.NEEDS_REVIEW
    codes = [reason["code"] for reason in wipe.review_reasons]
    assert codes == ["disk_serial_changed", "snapshot_disk_not_wiped"]
    assert device.state == "wiping"


def test_a_wipe_that_leaves_a_snapshot_disk_out_waits_for_review(app):
    device = imported(samples.dell()).device
    service.transition(None, device, "wiping")

    wipe = service.record_wipe(
        None, device, wipe_input(disks=[{"disk_serial": samples.DELL_DISKS[0], "result": "passed"}])
    )

    assert wipe.review_reasons == [
        {"code": "snapshot_disk_not_wiped", "missing": samples.DELL_DISKS[1]}
    ]
    assert "S33HNX0J203755R" in service.review_reason_text(wipe.review_reasons[0])


def test_a_wipe_of_every_snapshot_disk_counts_and_the_certificate_lists_both(app):
    device = imported(samples.dell(new_donor_name="Bibliotheek Oost")).device
    device.donor = service.create_donor(None, "Bibliotheek Oost", wants_certificate=True)
    service.transition(None, device, "wiping")
    disks = [{"disk_serial": serial, "result": "passed"} for serial in samples.DELL_DISKS]

    wipe = service.record_wipe(None, device, wipe_input(disks=disks))

    assert wipe.review_status == "" and device.state == "wiped"
    _name, pdf = service.certificate(device, wipe)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "hardware-opname" in text and "niet in deze wisbeurt" not in text
    assert "Samsung SSD 850 EVO mSATA 500GB" in text and "500 GB" in text
    assert "LITEONIT LMT-256M6M" in text


# --- bad snapshots ----------------------------------------------------------------------


def _bad(change) -> bytes:
    snapshot = samples.dell()
    change(snapshot)
    return samples.body(snapshot)


@pytest.mark.parametrize(
    ("content", "field"),
    [
        (b"this is not json", "file"),
        (b'{"type": "DeviceSnapshotV1", "save": false, "data": {}}', "type"),
        (samples.VM.read_bytes(), "data.dmidecode"),  # this machine: a VM without SMBIOS
        (
            _bad(
                lambda s: s["data"].update(
                    smartctl=json.loads(samples.VM.read_text())["data"]["smartctl"]
                )
            ),
            "data.smartctl",
        ),
        (_bad(lambda s: s["data"].pop("dmidecode")), "data.dmidecode"),
        (_bad(lambda s: s.pop("uuid")), "uuid"),
    ],
)
def test_a_bad_snapshot_is_a_422_naming_the_part_and_saves_nothing(
    client, api_headers, content, field
):
    answer = post(client, api_headers("volunteer"), content)

    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"], answer.json
    assert answer.json["message"]
    assert count(HardwareSnapshot) == count(Device) == count(SnapshotDisk) == 0


def test_a_serial_that_is_not_utf8_is_a_422(client, api_headers):
    items = samples.disks(samples.dell())
    items[0]["serial_number"] = "TW0X\udcc3\udc28"
    content = samples.body(samples.with_disks(samples.dell(), items))

    answer = post(client, api_headers("volunteer"), content)

    assert answer.status_code == 422
    assert "data.smartctl[0].serial_number" in answer.json["errors"]
    assert count(Device) == 0


def test_a_huge_snapshot_is_a_413(app, client, api_headers):
    headers = api_headers("volunteer")
    limit = app.config["SNAPSHOT_MAX_CONTENT_LENGTH"]
    snapshot = samples.dell()
    snapshot["data"]["hwinfo"] = "x" * limit

    answer = post(client, headers, samples.body(snapshot))

    assert answer.status_code == 413
    assert count(HardwareSnapshot) == 0


def test_a_legacy_sized_snapshot_under_the_limit_is_taken(app, client, api_headers):
    snapshot = samples.dell()
    snapshot["data"]["hwinfo"] = "x" * (2 * 1024 * 1024)  # hwinfo --reallyall is megabytes
    assert post(client, api_headers("volunteer"), samples.body(snapshot)).status_code == 201


# --- the intake page and the command line ------------------------------------------------


def test_the_intake_page_explains_workbench_script_in_dutch(app, client, login_as):
    login_as("volunteer")
    page = client.get("/devices/new").get_data(as_text=True)

    assert "workbench-script" in page and "settings.ini" in page
    assert f"url = {app.config['UITLEEN_BASE_URL']}{URL}" in page
    assert "uitleen token create" in page


def test_the_intake_page_takes_snapshot_files(client, login_as):
    login_as("volunteer")
    files = [
        (io.BytesIO(samples.body(samples.dell())), "dell.json"),
        (io.BytesIO(samples.body(samples.with_serial(samples.dell(), "1AB2CD3"))), "b.json"),
    ]
    answer = client.post("/devices/snapshots", data={"file": files[:1]})
    assert answer.status_code == 302
    device = db.session.scalars(select(Device)).one()
    assert answer.headers["Location"].endswith(f"/devices/{device.id}")

    # The second file is the same laptop with a new board: found by its disks, not a
    # second device; the serial on the sticker stays.
    answer = client.post("/devices/snapshots", data={"file": files[1:]}, follow_redirects=True)
    assert "de opname klopt met wat er al stond" in answer.get_data(as_text=True)
    assert count(Device) == 1 and count(HardwareSnapshot) == 2


def test_the_intake_page_saves_nothing_when_one_file_is_bad(client, login_as):
    login_as("volunteer")
    files = [
        (io.BytesIO(samples.body(samples.dell())), "good.json"),
        (io.BytesIO(samples.VM.read_bytes()), "vm.json"),
    ]
    answer = client.post("/devices/snapshots", data={"file": files})

    assert answer.status_code == 422
    assert "vm.json" in answer.get_data(as_text=True)
    assert count(Device) == count(HardwareSnapshot) == 0


def test_the_address_workbench_script_prints_opens_the_device(client, login_as):
    login_as("volunteer")
    device = imported(samples.dell()).device
    db.session.commit()
    snapshot_uuid = db.session.scalars(select(HardwareSnapshot.uuid)).one()

    answer = client.get(f"/evidence/{snapshot_uuid}")

    assert answer.headers["Location"].endswith(f"/devices/{device.id}")


def test_the_command_reads_a_stick_full_of_snapshots(app, tmp_path):
    good = tmp_path / "20250123-11_44_29_41858da1.json"
    good.write_bytes(samples.DELL.read_bytes())
    bad = tmp_path / "vm.json"
    bad.write_bytes(samples.VM.read_bytes())

    result = app.test_cli_runner().invoke(
        args=["devices", "snapshot-import", str(good), str(bad), str(good)]
    )

    assert result.exit_code == 1
    assert "geregistreerd" in result.output and "al ingelezen" in result.output
    assert "virtuele machine" in result.output
    assert count(Device) == count(HardwareSnapshot) == 1


def test_the_service_refusals_are_domain_errors(app):
    with pytest.raises(Invalid):
        service.import_snapshot(None, b"{}")
    make_device(serial=samples.DELL_SERIAL)
    imported(samples.with_serial(samples.dell(), "7XX7XX7"))
    with pytest.raises(Conflict):
        imported(samples.dell())


def test_the_device_page_shows_the_disks_and_why_they_failed(client, login_as):
    login_as("volunteer")
    items = samples.disks(samples.dell())
    items[1]["smart_status"] = {"passed": False}
    device = imported(samples.with_disks(samples.dell(), items)).device
    db.session.commit()

    page = client.get(f"/devices/{device.id}").get_data(as_text=True)

    assert "Schijven uit de hardware-opname" in page
    assert "SMART: FOUT" in page and "SMART: goed" in page
    assert "17702 uur aan" in page
    assert "Fout: Opslag (schijf)" in page
    assert "In reparatie" in page
