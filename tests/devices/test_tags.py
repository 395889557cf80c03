"""The one rule for reading asset tags: loose when typed, printed form when a file names one."""

import pytest

from uitleen.devices.tags import find_tags, format_tag, parse_printed_tag, parse_tag


def test_format_tag_pads_to_five_digits_and_grows_past_them():
    assert format_tag(42) == "UIT-00042"
    assert format_tag(123456) == "UIT-123456"


@pytest.mark.parametrize(
    "typed",
    ["UIT-00042", "uit-42", "uit 42", "UIT42", "42", "00042", " 42\n", "uit - 0042"],
)
def test_what_a_person_may_type(typed):
    assert parse_tag(typed) == 42


@pytest.mark.parametrize("typed", ["", None, "0", "UIT-", "ThinkPad", "42a", "4 2", "1234567890"])
def test_what_is_not_a_typed_tag(typed):
    assert parse_tag(typed) is None


@pytest.mark.parametrize(
    "named, number",
    [("UIT-00042", 42), ("uit-00042", 42), (" UIT-00001 ", 1), ("UIT-123456", 123456)],
)
def test_what_a_file_may_name(named, number):
    assert parse_printed_tag(named) == number


@pytest.mark.parametrize("named", ["42", "UIT-42", "UIT 00042", "UIT-000042", "UIT-00000", ""])
def test_a_file_names_a_tag_only_in_its_printed_form(named):
    assert parse_printed_tag(named) is None


def test_every_printed_tag_reads_back_both_ways():
    for number in (1, 42, 99999, 100000, 999_999_999):
        assert parse_tag(format_tag(number)) == number
        assert parse_printed_tag(format_tag(number)) == number


def test_tags_in_free_text():
    text = "nwipe for uit-00042.log; UIT-000421 XUIT-00007 UIT-00042 UIT-100000 UIT-00008."
    assert find_tags(text) == ("UIT-00042", "UIT-100000", "UIT-00008")
