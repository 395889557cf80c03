"""Reading codes from CSV and text files: trimmed, de-duplicated, bad lines named."""

import pytest

from uitleen.errors import Invalid
from uitleen.vouchers.importer import parse_codes


def test_plain_text_one_code_per_line_trimmed_and_blank_lines_skipped():
    parsed = parse_codes(b"  AAAA1111 \n\n\tBBBB2222\r\n   \nCCCC3333")
    assert parsed.codes == ["AAAA1111", "BBBB2222", "CCCC3333"]
    assert parsed.duplicates_in_file == 0


def test_repeats_in_the_file_are_counted_once():
    parsed = parse_codes(b"AAAA1111\nBBBB2222\nAAAA1111\nAAAA1111\n")
    assert parsed.codes == ["AAAA1111", "BBBB2222"]
    assert parsed.duplicates_in_file == 2


def test_csv_uses_the_code_column_wherever_it_is():
    data = b"serial;Code;pin\n1;K7PX-9Q2M;0000\n2; WD4R-8TZB ;1111\n"
    assert parse_codes(data).codes == ["K7PX-9Q2M", "WD4R-8TZB"]


def test_csv_without_header_uses_the_first_column():
    data = b"K7PX9Q2M,2026-12-31\nWD4R8TZB,2026-12-31\n"
    assert parse_codes(data).codes == ["K7PX9Q2M", "WD4R8TZB"]


def test_csv_with_a_byte_order_mark_and_quoted_cells():
    data = '\ufeffcode,product\n"K7PX9Q2M","SIM, 20 GB"\n'.encode()
    assert parse_codes(data).codes == ["K7PX9Q2M"]


def test_csv_with_a_header_but_no_code_column_is_refused_with_its_line():
    with pytest.raises(Invalid) as refused:
        parse_codes(b"naam,omschrijving\nK7PX9Q2M,sim\n")
    assert refused.value.code == "import_no_code_column"
    assert "regel 1" in refused.value.message


def test_bad_lines_are_named_and_say_why():
    data = b"GOOD0001\nBAD CODE\nGOOD0002\n" + b"X" * 121 + b"\nTAB\x07BELL\n"
    with pytest.raises(Invalid) as refused:
        parse_codes(data)
    error = refused.value
    assert error.code == "import_malformed"
    assert "regels 2, 4, 5" in error.message
    assert "Er is niets ingelezen" in error.message
    details = error.errors["file"]
    assert details[0] == "Regel 2: er staat een spatie in de code."
    assert details[1] == "Regel 4: de code is langer dan 120 tekens."
    assert details[2] == "Regel 5: er staat een onzichtbaar teken in de code."


def test_one_bad_line_is_said_in_the_singular():
    with pytest.raises(Invalid) as refused:
        parse_codes(b"GOOD0001\nBAD CODE\n")
    assert "regel 2 klopt niet" in refused.value.message


def test_many_bad_lines_are_summarised():
    data = b"\n".join(b"BAD %d" % n for n in range(40))
    with pytest.raises(Invalid) as refused:
        parse_codes(data)
    assert "en nog 25 regels" in refused.value.message
    assert len(refused.value.errors["file"]) == 15


def test_binary_content_is_refused_naming_the_line():
    with pytest.raises(Invalid) as refused:
        parse_codes(b"GOOD0001\nGOOD0002\n\x89PNG\x00\x1a\n")
    assert refused.value.code == "import_not_text"
    assert "regel 3" in refused.value.message


def test_text_that_is_not_utf8_is_refused():
    with pytest.raises(Invalid) as refused:
        parse_codes("GOOD0001\nCAFÉ0002\n".encode("latin-1"))
    assert "regel 2" in refused.value.message


@pytest.mark.parametrize("data", [b"", b"\n\n  \n", b"code\n"])
def test_a_file_without_codes_is_refused(data):
    with pytest.raises(Invalid) as refused:
        parse_codes(data)
    assert refused.value.code == "import_empty"
