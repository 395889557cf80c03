"""Reading nwipe logs: facts per disk, the pass/fail verdict and clear refusals."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from uitleen.devices.wipelog import (
    DiskResult,
    NistClass,
    Outcome,
    Verification,
    WipeLogError,
    find_asset_tags,
    nist_class,
    parse_nwipe_log,
)

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text()


def parse_sample(name: str):
    return parse_nwipe_log(sample(name), filename=name)


def test_passed_single_disk_dodshort_with_verification():
    log = parse_sample("dodshort_passed.log")

    assert (log.tool, log.version) == ("nwipe", "0.35")
    assert log.method == "DoD Short"
    assert log.nist_class is NistClass.CLEAR
    assert (log.rounds, log.passes) == (1, 3)
    assert log.verification is Verification.LAST
    assert log.blanking is True
    assert log.prng == "Isaac64"
    assert log.passed is True
    assert log.outcome is Outcome.PASSED
    assert log.final_message.startswith("Nwipe successfully completed")

    (disk,) = log.disks
    assert disk.device == "/dev/sda"
    assert disk.model == "SAMSUNG MZ7LN256HAJQ-000L7"
    assert disk.serial == "S3YJNX0K812345"
    assert disk.size_bytes == 256_060_514_304
    assert disk.size_text == "256 GB"
    assert disk.bus == "ATA"
    assert disk.result is DiskResult.PASSED
    assert disk.started_at == datetime(2025, 3, 1, 10, 16, 41)
    assert disk.finished_at == datetime(2025, 3, 1, 11, 3, 50)
    assert disk.duration == timedelta(minutes=47, seconds=9)
    assert disk.throughput == "452 MB/s"
    assert (disk.pass_errors, disk.verify_errors, disk.sync_errors) == (0, 0, 0)
    assert disk.notes == ()


def test_system_identifiers_and_asset_tag_come_from_the_dmi_lines():
    log = parse_sample("dodshort_passed.log")

    assert log.system_serial == "PF0XK2LM"
    assert log.system_uuid == "8a9b1c2d-3e4f-11b2-a85c-c1a2b3d4e5f6"
    assert log.dmi["system-version"] == "ThinkPad T470"
    assert log.asset_tags == ("UIT-00017",)
    assert log.asset_tag == "UIT-00017"


def test_one_disk_passed_one_failed_is_partial_and_not_passed():
    log = parse_sample("two_disks_one_failed.log")

    assert log.passed is False
    assert log.outcome is Outcome.PARTIAL
    assert log.version == "0.34"  # from the options banner: 0.34 did not log its version first
    sda, sdb = log.disks
    assert (sda.device, sda.result) == ("/dev/sda", DiskResult.PASSED)
    assert (sdb.device, sdb.result) == ("/dev/sdb", DiskResult.FAILED)
    assert sdb.model == "WDC WD10EZEX-08WN4A0"
    assert sdb.serial == "WD-WCC6Y3KL9T2A"
    assert (sdb.pass_errors, sdb.verify_errors, sdb.sync_errors) == (1, 0, 1)
    assert sdb.finished_at == datetime(2025, 2, 14, 10, 1, 57)
    assert any("Buffer flush failure on '/dev/sdb'" in note for note in sdb.notes)


def test_placeholder_dmi_values_are_not_identifiers():
    log = parse_sample("two_disks_one_failed.log")

    assert log.dmi["system-serial-number"] == "To be filled by O.E.M."
    assert log.system_serial is None
    # A dummy UUID that many boards report; it identifies nothing.
    assert log.system_uuid is None


def test_failed_verification_fails_the_wipe():
    log = parse_sample("verify_failed.log")

    assert log.method == "Fill With Zeros"
    assert log.passed is False
    assert log.outcome is Outcome.FAILED
    (disk,) = log.disks
    assert disk.result is DiskResult.FAILED
    assert disk.status == "-FAILED-"
    assert disk.verify_errors == 1536


def test_user_abort_is_aborted_not_passed():
    log = parse_sample("aborted_by_user.log")

    assert log.passed is False
    assert log.outcome is Outcome.ABORTED
    assert log.aborted_by_user is True
    assert (log.method, log.passes) == ("Gutmann Wipe", 35)
    (disk,) = log.disks
    assert disk.device == "/dev/nvme0n1"
    assert disk.bus == "NVME"
    assert disk.result is DiskResult.ABORTED
    assert disk.status == "UABORTED"


def test_older_log_format_with_asset_tag_in_file_name():
    name = "nwipe_UIT-00042_2025-03-01.log"
    log = parse_nwipe_log(sample(name), filename=name)

    assert log.version == "0.28"
    assert log.method == "PRNG Stream"
    assert log.verification is Verification.NONE
    assert log.blanking is False
    assert log.passed is True
    assert log.asset_tag == "UIT-00042"
    assert log.system_serial == "DSAH012345"
    (disk,) = log.disks
    assert disk.device == "/dev/sdc"
    assert disk.model == "WDC WD1600AAJS-2"  # libparted's "ATA " prefix removed
    assert disk.serial == "WD-WCAP9ABC1234"
    assert disk.size_bytes == 160_041_885_696
    assert disk.started_at == datetime(2025, 3, 1, 9, 12, 5)


def test_same_log_without_the_file_name_has_no_asset_tag():
    log = parse_nwipe_log(sample("nwipe_UIT-00042_2025-03-01.log"))

    assert log.asset_tags == ()
    assert log.asset_tag is None


def test_disagreeing_asset_tags_give_no_single_tag():
    log = parse_nwipe_log(sample("dodshort_passed.log"), filename="nwipe_UIT-00042.log")

    assert log.asset_tags == ("UIT-00042", "UIT-00017")
    assert log.asset_tag is None


def test_windows_line_endings_and_bytes_are_accepted():
    data = sample("dodshort_passed.log").replace("\n", "\r\n").encode()

    log = parse_nwipe_log(data, filename="log.txt")

    assert log.passed is True
    assert log.disks[0].serial == "S3YJNX0K812345"


def test_erased_without_a_finished_final_round_is_not_passed():
    text = sample("dodshort_passed.log").replace(
        "Finished final round 1 of 1 on /dev/sda", "Finished pass 3/3 again"
    )

    (disk,) = parse_nwipe_log(text).disks

    assert disk.status == "Erased"
    assert disk.result is DiskResult.FAILED


def test_erased_with_errors_in_the_error_summary_is_not_passed():
    text = sample("dodshort_passed.log").replace(
        "       sda |           0 |                    0 |                    0",
        "       sda |           0 |                    3 |                    0",
    )

    log = parse_nwipe_log(text)

    assert log.disks[0].verify_errors == 3
    assert log.passed is False


def test_only_the_last_complete_run_in_a_file_counts():
    aborted, passed = sample("aborted_by_user.log"), sample("dodshort_passed.log")

    assert parse_nwipe_log(aborted + passed).outcome is Outcome.PASSED
    later_abort = parse_nwipe_log(passed + aborted)
    assert later_abort.outcome is Outcome.ABORTED
    assert [disk.device for disk in later_abort.disks] == ["/dev/nvme0n1"]
    assert later_abort.asset_tags == ()  # the tag belongs to the earlier run


def test_log_without_summary_is_refused():
    with pytest.raises(WipeLogError) as error:
        parse_sample("no_summary.log")

    assert error.value.code == "no_summary"
    assert "Drive Status" in error.value.message


def test_other_text_file_is_refused_and_says_what_was_expected():
    with pytest.raises(WipeLogError) as error:
        parse_sample("not_nwipe.txt")

    assert error.value.code == "not_nwipe"
    assert "geen nwipe-logboek" in str(error.value)
    assert "Drive Status" in str(error.value)


@pytest.mark.parametrize("text", ["", "   \n\n", b""])
def test_empty_input_is_refused(text):
    with pytest.raises(WipeLogError) as error:
        parse_nwipe_log(text)

    assert error.value.code == "empty"


def test_binary_input_is_refused():
    data = bytes(range(256)) * 64

    with pytest.raises(WipeLogError) as error:
        parse_nwipe_log(data)

    assert error.value.code == "binary"
    assert isinstance(error.value, ValueError)


def test_nwipe_pdf_report_is_refused_with_a_hint():
    with pytest.raises(WipeLogError) as error:
        parse_nwipe_log(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")

    assert error.value.code == "pdf"
    assert "PDF" in error.value.message


def test_timestamped_text_from_another_tool_is_refused():
    text = "[2025/03/01 10:00:00] backup: started\n[2025/03/01 10:05:00] backup: done\n"

    with pytest.raises(WipeLogError) as error:
        parse_nwipe_log(text)

    assert error.value.code == "not_nwipe"


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("DoD Short", NistClass.CLEAR),
        ("DoD 5220.22-M", NistClass.CLEAR),
        ("Gutmann Wipe", NistClass.CLEAR),
        ("PRNG Stream", NistClass.CLEAR),
        ("Fill With Zeros", NistClass.CLEAR),
        ("Fill With Ones", NistClass.CLEAR),
        ("Quick Erase", NistClass.CLEAR),
        ("RCMP TSSIT OPS-II", NistClass.CLEAR),
        ("HMG IS5 Enhanced", NistClass.CLEAR),
        ("Bruce Schneier 7-Pass", NistClass.CLEAR),
        ("Secure Erase (ATA/NVMe)", NistClass.PURGE),
        ("Secure Erase + PRNG + Verify", NistClass.PURGE),
        ("Sanitize Crypto Erase (ATA/SCSI/NVMe)", NistClass.PURGE),
        ("Sanitize Overwrite (ATA/SCSI/NVMe)", NistClass.PURGE),
        ("ATA Secure Erase", NistClass.PURGE),
        ("NVMe Sanitize", NistClass.PURGE),
        ("NVMe format met crypto erase", NistClass.PURGE),
        ("Physical destruction", NistClass.DESTROY),
        ("Fysiek vernietigd", NistClass.DESTROY),
        ("Overschrijven met nullen", NistClass.CLEAR),
        ("Verify Zeros (0x00)", None),
        ("Something new", None),
    ],
)
def test_nist_class_of_methods(method, expected):
    assert nist_class(method) is expected


def test_find_asset_tags_ignores_longer_numbers_and_normalises_case():
    assert find_asset_tags("uit-00042.log", "UIT-000421 UIT-00042 XUIT-00007") == ("UIT-00042",)


def _cut_after(text: str, marker: str) -> str:
    return text[: text.index(marker) + len(marker)]


@pytest.mark.parametrize(
    "marker",
    [
        "       sda | Erased | 176 MB/s | 02:21:34 | ST500DM002-1BD142/Z3TABC12\n",
        "!      sdb |-FAIL",
        "--------------------------------------------------------------------------------\n"
        "[2025/02/14 11:25:22] Total Throughput",
        "Creating PDF report in .\n",
    ],
)
def test_a_failed_two_disk_log_cut_short_is_refused_as_incomplete(marker):
    text = sample("two_disks_one_failed.log")
    cut = _cut_after(text, marker)

    with pytest.raises(WipeLogError) as error:
        parse_nwipe_log(cut)

    assert error.value.code == "incomplete"
    assert "niet compleet" in error.value.message


def test_a_passed_two_disk_log_cut_after_its_first_row_does_not_pass_with_one_disk():
    text = sample("two_loops_zero_passed_0.33.log")
    cut = _cut_after(text, "     loop0 | Erased |   0 B/s | 00:00:00 | Loopback device/\n")

    with pytest.raises(WipeLogError) as error:
        parse_nwipe_log(cut)

    assert "Drive Status" in error.value.message
    assert len(parse_nwipe_log(text).disks) == 2


def test_a_disk_the_run_worked_on_but_left_out_of_the_table_is_refused():
    text = sample("two_loops_zero_passed_0.33.log").replace(
        "     loop1 | Erased |   0 B/s | 00:00:00 | Loopback device/\n", ""
    )

    with pytest.raises(WipeLogError) as error:
        parse_nwipe_log(text)

    assert "/dev/loop1" in error.value.message


def test_a_disk_nwipe_found_but_did_not_wipe_fails_the_log():
    text = sample("two_loops_zero_passed_0.33.log").replace(
        "[2026/12/06 04:16:38]  notice: Found /dev/loop1, VIRT, Loopback device,   4 MB, S/N=\n",
        "[2026/12/06 04:16:38]  notice: Found /dev/loop1, VIRT, Loopback device,   4 MB, S/N=\n"
        "[2026/12/06 04:16:38]  notice: Found /dev/sdz, ATA    , WDC WD5000LPCX-2, 500 GB, "
        "S/N=WX41A\n",
    )

    log = parse_nwipe_log(text)

    assert log.passed is False
    left = log.disks[-1]
    assert (left.device, left.serial, left.result) == ("/dev/sdz", "WX41A", DiskResult.FAILED)


def test_erased_rows_do_not_pass_when_nwipe_itself_reports_errors():
    text = sample("two_loops_zero_passed_0.33.log").replace(
        "Nwipe successfully completed. See summary table for details.",
        "Nwipe exited with errors, check the log & summary table for individual drive status.",
    )

    log = parse_nwipe_log(text)

    assert all(disk.passed for disk in log.disks)
    assert (log.passed, log.outcome) == (False, Outcome.FAILED)


def test_a_later_unfinished_run_in_the_same_file_makes_it_incomplete():
    passed = sample("two_loops_zero_passed_0.33.log")
    later = "[2026/12/06 05:00:00]  notice: Program options are set as follows...\n"

    with pytest.raises(WipeLogError) as error:
        parse_nwipe_log(passed + later)

    assert error.value.code == "incomplete"
