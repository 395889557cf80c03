"""Reading voucher codes from an uploaded file: CSV (a `code` column, or the first) or
plain text (one code per line). Pure functions: they never touch the database."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from uitleen.errors import Invalid

MAX_CODE_LENGTH = 120  # the column's length
MAX_LINES_NAMED = 15  # a message naming 4,000 lines helps nobody
# Headers providers use for the column with the codes.
CODE_HEADERS = frozenset(
    {"code", "codes", "vouchercode", "voucher_code", "voucher", "pin", "pincode", "activatiecode"}
)
CSV_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class ParsedCodes:
    """The distinct codes of a file, in file order, and how many repeats it had."""

    codes: list[str]
    duplicates_in_file: int


@dataclass(frozen=True)
class BadLine:
    line: int
    reason: str


def parse_codes(data: bytes) -> ParsedCodes:
    """Codes from a CSV or plain-text file; raises Invalid naming the bad line numbers."""
    text = _decode(data)
    delimiter = _delimiter(text)
    rows = _csv_rows(text, delimiter) if delimiter else _text_rows(text)
    found: list[tuple[int, str]] = []
    bad: list[BadLine] = []
    for line, value in rows:
        value = value.strip()
        if not value:
            continue  # blank lines and empty cells are skipped, not errors
        reason = code_problem(value)
        if reason:
            bad.append(BadLine(line, reason))
        else:
            found.append((line, value))
    if bad:
        raise _bad_lines(bad)
    if not found:
        raise Invalid(
            _(
                "Er staan geen codes in dit bestand. "
                "Kies het bestand met de codes van de aanbieder."
            ),
            code="import_empty",
            errors={"file": [_("Er staan geen codes in dit bestand.")]},
        )
    codes = list(dict.fromkeys(value for _line, value in found))
    return ParsedCodes(codes=codes, duplicates_in_file=len(found) - len(codes))


def code_problem(value: str) -> str | None:
    """Why a trimmed value cannot be a voucher code, or None when it can."""
    if len(value) > MAX_CODE_LENGTH:
        return _("de code is langer dan %(max)s tekens", max=MAX_CODE_LENGTH)
    if any(char.isspace() for char in value):
        return _("er staat een spatie in de code")
    if not value.isprintable():
        return _("er staat een onzichtbaar teken in de code")
    return None


def _decode(data: bytes) -> str:
    """UTF-8 text (with or without a byte-order mark); binary content is refused."""
    lines = data.split(b"\n")
    for number, raw in enumerate(lines, start=1):
        if b"\x00" in raw:
            raise _not_text(number)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _not_text(number) from None
    return data.decode("utf-8-sig")


def _not_text(line: int) -> Invalid:
    message = _(
        "Dit is geen tekst- of CSV-bestand (regel %(line)s kunnen we niet lezen). "
        "Sla de codes op als CSV (UTF-8) of als tekstbestand, één code per regel.",
        line=line,
    )
    return Invalid(message, code="import_not_text", errors={"file": [message]})


def _delimiter(text: str) -> str | None:
    """The CSV delimiter when the file has columns; None for one code per line."""
    for line in text.splitlines():
        if line.strip():
            counts = {d: line.count(d) for d in CSV_DELIMITERS}
            best = max(counts, key=counts.get)
            return best if counts[best] else None
    return None


def _text_rows(text: str):
    """(line number, line) per line; a first line that is a column name is skipped."""
    first = True
    for number, line in enumerate(text.splitlines(), start=1):
        if first and line.strip():
            first = False
            if line.strip().lower() in CODE_HEADERS:
                continue
        yield number, line


def _csv_rows(text: str, delimiter: str):
    """(line number, code cell) per CSV record, using the code column or the first."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    column = 0
    first = True
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if first:
                first = False
                header = [cell.strip().lower() for cell in cells]
                named = [i for i, name in enumerate(header) if name in CODE_HEADERS]
                if named:
                    column = named[0]
                    continue
                if _looks_like_header(header):
                    raise _no_code_column(line)
            yield line, cells[column] if column < len(cells) else ""
    except csv.Error as error:
        message = _(
            "Regel %(line)s van het CSV-bestand klopt niet (%(reason)s). "
            "Verbeter die regel en probeer het opnieuw.",
            line=reader.line_num,
            reason=str(error),
        )
        raise Invalid(message, code="import_malformed", errors={"file": [message]}) from None


def _looks_like_header(cells: list[str]) -> bool:
    """Column names are words; codes nearly always have digits or capitals."""
    return all(not any(c.isdigit() for c in cell) for cell in cells) and any(
        any(c.islower() for c in cell) for cell in cells
    )


def _no_code_column(line: int) -> Invalid:
    message = _(
        "Het CSV-bestand heeft geen kolom met codes (regel %(line)s). Noem die kolom 'code', "
        "of zet de codes in de eerste kolom zonder kopregel.",
        line=line,
    )
    return Invalid(message, code="import_no_code_column", errors={"file": [message]})


def _bad_lines(bad: list[BadLine]) -> Invalid:
    """One message naming the lines, and one entry per line under `file`."""
    shown = bad[:MAX_LINES_NAMED]
    numbers = ", ".join(str(b.line) for b in shown)
    more = len(bad) - len(shown)
    if more:
        numbers += " " + ngettext("en nog %(num)s regel", "en nog %(num)s regels", more)
    message = ngettext(
        "Er is niets ingelezen: regel %(lines)s klopt niet. "
        "Verbeter die regel en probeer het opnieuw.",
        "Er is niets ingelezen: regels %(lines)s kloppen niet. "
        "Verbeter die regels en probeer het opnieuw.",
        len(bad),
        lines=numbers,
    )
    details = [_("Regel %(line)s: %(reason)s.", line=b.line, reason=b.reason) for b in shown]
    return Invalid(message, code="import_malformed", errors={"file": details})
