"""The one CSV writer: formula injection neutralised, RFC 4180 quoting, CRLF, UTF-8."""

import csv
import io

import pytest

from uitleen.csvexport import restore_cell, safe_cell, to_csv, write


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A9)", "'=SUM(A1:A9)"),
        ("+31 6 1234", "'+31 6 1234"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("School", "School"),
        ("a=b", "a=b"),
        ("", ""),
        (-3, -3),
        (12, 12),
    ],
)
def test_safe_cell_prefixes_only_formula_starts(value, expected):
    assert safe_cell(value) == expected


def parse(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark for Excel
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_quotes_per_rfc_4180_with_crlf():
    rows = [["naam", "aantal"], ['Zeg "hoi"', 3], ["komma, hier", 4], ["twee\nregels", 5]]
    data = to_csv(rows)
    assert b'"Zeg ""hoi"""' in data
    assert b'"komma, hier"' in data
    assert data.count(b"\r\n") == 4  # every record ends in CRLF; the inner \n stays quoted
    assert data.endswith(b"5\r\n")
    assert parse(data) == [
        ["naam", "aantal"],
        ['Zeg "hoi"', "3"],
        ["komma, hier", "4"],
        ["twee\nregels", "5"],
    ]


def test_csv_keeps_unicode_and_neutralises_formulas():
    data = to_csv([["Türkçe", "العربية"], ['=HYPERLINK("http://x")', None]])
    rows = parse(data)
    assert rows[0] == ["Türkçe", "العربية"]
    assert rows[1] == ['\'=HYPERLINK("http://x")', ""]


def test_real_numbers_stay_numbers_and_text_that_looks_like_one_is_marked():
    # The type decides: a count of -3 is a number; "-1" typed into a notes field is text.
    assert to_csv([[-3, -2.5, "-1", "-"]]).decode("utf-8-sig") == "-3,-2.5,'-1,'-\r\n"


@pytest.mark.parametrize(
    "value", ["=1", "'=1", "''=1", "'hoi", "hoi", "-", "@", "\t=1", "'", "", "a'=b"]
)
def test_restore_cell_gives_back_what_was_written(value):
    assert restore_cell(safe_cell(value)) == value


def test_write_counts_records_after_the_header():
    handle = io.StringIO(newline="")
    assert write([["a"], ["=1"], [2]], handle) == 2
    assert handle.getvalue() == "\ufeffa\r\n'=1\r\n2\r\n"
    assert write([["a"]], io.StringIO()) == 0
