"""Reading workbench-script snapshots: the real fixtures, and what is wrong with bad ones."""

import json
from datetime import datetime

import pytest

from tests.devices import snapshots as samples
from uitleen.devices.snapshot import SnapshotError, parse_snapshot


def test_the_public_dell_sample_reads_as_a_laptop_with_two_disks():
    facts = parse_snapshot(samples.DELL.read_bytes())
    assert (facts.kind, facts.make, facts.model) == ("laptop", "Dell", "Latitude E7240")
    assert facts.system_serial == facts.chassis_serial == samples.DELL_SERIAL
    assert facts.cpu == "Intel Core i7-4600U CPU @ 2.10GHz"
    assert facts.ram_gb == 16
    assert facts.uuid == "41858da1-5a7c-47a5-b5d2-f1a666a99ed5"
    assert facts.software == "workbench-script"
    sda, sdb = facts.disks
    assert (sda.model, sda.serial, sda.size_bytes, sda.kind) == (
        "LITEONIT LMT-256M6M mSATA 256GB",
        "TW0XXM305508539G1361",
        256060514304,
        "ssd",
    )
    assert (sda.smart_passed, sda.power_on_hours, sda.reallocated_sectors) == (True, None, 0)
    assert (sdb.serial, sdb.size_bytes, sdb.power_on_hours) == (
        "S33HNX0J203755R",
        500107862016,
        17702,
    )
    assert facts.battery_health is None  # the sample has no battery section


def test_a_qemu_pc_with_smbios_tables_reads_as_a_laptop_with_its_ide_disk():
    """Real dmidecode, smartctl and lsblk output of a QEMU guest (qemu-pc/make.sh)."""
    facts = parse_snapshot(samples.QEMU.read_bytes())
    # Type 3 says Notebook; LENOVO puts the name people know in Version, the type in Product.
    assert (facts.kind, facts.make, facts.model) == ("laptop", "Lenovo", "ThinkPad X1 Carbon 5th")
    assert facts.system_serial == facts.chassis_serial == samples.QEMU_SERIAL
    assert facts.cpu == "pc-i440fx-7.2"  # QEMU names its machine type as the processor version
    assert facts.ram_gb == 2
    assert facts.taken_at == datetime(2026, 12, 6, 11, 25, 10)
    (sda,) = facts.disks
    assert (sda.device_name, sda.model, sda.serial, sda.size_bytes, sda.kind) == (
        "/dev/sda",
        "SAMSUNG MZ7LN256HAJQ-000L7",
        samples.QEMU_DISK,
        256060514304,
        "ssd",
    )
    # smartctl exits 4 (QEMU answers no SMART logs) but the health verdict and attributes stand.
    assert (sda.smart_passed, sda.power_on_hours, sda.reallocated_sectors) == (True, 1, 0)
    assert facts.skipped == ()
    assert facts.battery_health is None  # no inxi in the guest: workbench-script sends ""


def test_this_build_machine_is_a_vm_without_dmidecode_data():
    with pytest.raises(SnapshotError) as refused:
        parse_snapshot(samples.VM.read_bytes())
    assert refused.value.missing == ["data.dmidecode"]
    assert "virtuele machine" in refused.value.message


def test_smartctl_error_objects_of_this_machine_name_each_disk():
    snapshot = samples.dell()
    vm = json.loads(samples.VM.read_text())
    snapshot["data"]["smartctl"] = vm["data"]["smartctl"]  # zram0 and vda: error objects
    with pytest.raises(SnapshotError) as refused:
        parse_snapshot(samples.body(snapshot))
    assert refused.value.code == "no_disks"
    assert "/dev/vda: Unable to detect device type" in refused.value.message
    assert "/dev/zram0" in refused.value.message


def test_a_readable_disk_beside_an_error_object_is_kept_and_the_other_reported():
    vm = json.loads(samples.VM.read_text())
    snapshot = samples.with_disks(
        samples.dell(), samples.disks(samples.dell())[:1] + json.loads(vm["data"]["smartctl"])
    )
    facts = parse_snapshot(samples.body(snapshot))
    assert [disk.serial for disk in facts.disks] == ["TW0XXM305508539G1361"]
    assert [skip.device_name for skip in facts.skipped] == ["/dev/zram0", "/dev/vda"]


def test_the_legacy_form_sends_the_list_as_smart():
    snapshot = samples.dell()
    snapshot["data"]["smart"] = json.loads(snapshot["data"].pop("smartctl"))
    del snapshot["data"]["inxi"]
    facts = parse_snapshot(samples.body(snapshot))
    assert len(facts.disks) == 2


@pytest.mark.parametrize(
    ("name", "full", "design", "health"), [("good", 40.3, 52.0, 77), ("weak", 20.8, 52.0, 40)]
)
def test_battery_health_from_inxi(name, full, design, health):
    facts = parse_snapshot(samples.body(samples.with_battery(samples.dell(), name)))
    assert (facts.battery_full_wh, facts.battery_design_wh, facts.battery_health) == (
        full,
        design,
        health,
    )


def _changed(change) -> bytes:
    snapshot = samples.dell()
    change(snapshot)
    return samples.body(snapshot)


@pytest.mark.parametrize(
    ("content", "code", "part"),
    [
        (b"\xff\xfe not text", "not_json", "file"),
        (b"{this is not json", "not_json", "file"),
        (b'{"type": "DeviceSnapshotV1", "data": {}}', "not_a_snapshot", "type"),
        (b'[{"ata_smart_attributes": {}}]', "not_a_snapshot", "type"),
        (_changed(lambda s: s.pop("data")), "missing_section", "data"),
        (_changed(lambda s: s.pop("uuid")), "missing_section", "uuid"),
        (_changed(lambda s: s["data"].pop("dmidecode")), "missing_section", "data.dmidecode"),
        (_changed(lambda s: s["data"].pop("smartctl")), "missing_section", "data.smartctl"),
        (_changed(lambda s: s["data"].update(smartctl="[{")), "garbled_section", "data.smartctl"),
        (_changed(lambda s: s["data"].update(smartctl="[]")), "no_disks", "data.smartctl"),
        (_changed(lambda s: s["data"].update(inxi="{garbled")), "garbled_section", "data.inxi"),
    ],
)
def test_bad_snapshots_name_what_is_wrong(content, code, part):
    with pytest.raises(SnapshotError) as refused:
        parse_snapshot(content)
    assert refused.value.code == code
    assert refused.value.missing == [part]


def test_a_serial_that_is_not_text_is_refused_by_name():
    """A disk whose firmware gave bytes that are not UTF-8: smartctl escapes them, and the
    JSON carries them as lone surrogates."""
    items = samples.disks(samples.dell())
    items[1]["serial_number"] = "S33H\udcff\udcfe"
    content = samples.body(samples.with_disks(samples.dell(), items))
    with pytest.raises(SnapshotError) as refused:
        parse_snapshot(content)
    assert refused.value.missing == ["data.smartctl[1].serial_number"]
