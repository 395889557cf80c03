"""The one CSV writer of every export: spreadsheets open it safely.

RFC 4180 quoting, CRLF, UTF-8 with a byte-order mark, and no formula injection. The
reports export, the device export page and `uitleen devices export` all write through
here, so a change of format is made in one place.

The delimiter follows the reader's language: Excel splits a CSV file on the list
separator of the computer's regional settings, which is a semicolon wherever the decimal
separator is a comma (Dutch, and every other language here but English). A Dutch
coordinator double-clicks the file and gets columns, not one column of text.
delimiter_of() reads either back.

Formula injection (OWASP "CSV injection"): a spreadsheet runs a cell that starts with
= + - @ TAB or CR. Such text gets a leading apostrophe, which spreadsheets show as a
plain text marker. Only text is changed: an int, float or Decimal passes as it is, so a
real negative number stays a number. Text that merely looks like one ("-1" typed in a
notes field) is text and is prefixed like any other: the cell's type decides, not its
look, because "-1+1" and "-1" cannot be told apart safely by a pattern.

restore_cell() undoes the prefix when a file made here is read back (the device import
reads the device export), so a round trip changes nothing.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import IO

from flask import Response, stream_with_context

from uitleen.downloads import file_response

# A spreadsheet treats a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MARK = "'"
BOM = "\ufeff"  # makes Excel read UTF-8 (é, ü, Arabic) instead of guessing a code page
CONTENT_TYPE = "text/csv; charset=utf-8"
COMMA, SEMICOLON = ",", ";"
COMMA_LANGUAGES = ("en",)  # where a spreadsheet's list separator is the comma


def delimiter_for(lang: str | None) -> str:
    """The list separator a spreadsheet uses for this language: ';' but for English."""
    return COMMA if (lang or "").split("_")[0].split("-")[0] in COMMA_LANGUAGES else SEMICOLON


def delimiter_of(header: str) -> str:
    """The delimiter of a CSV file from its first line (one of ours, or Excel's)."""
    return SEMICOLON if header.count(SEMICOLON) > header.count(COMMA) else COMMA


def _needs_mark(text: str) -> bool:
    # A value that already starts with the mark before a formula start is marked again,
    # so restore_cell() gives back exactly what was written.
    return text.startswith(FORMULA_STARTS) or (
        text.startswith(MARK) and text[1:].lstrip(MARK).startswith(FORMULA_STARTS)
    )


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and _needs_mark(value):
        return MARK + value
    return value


def restore_cell(text: str) -> str:
    """The value safe_cell() was given, from the text it wrote."""
    if text.startswith(MARK) and _needs_mark(text[1:]):
        return text[1:]
    return text


def _row(row: Sequence[object]) -> list[object]:
    return [safe_cell("" if cell is None else cell) for cell in row]


def _writer(handle: IO[str], delimiter: str = COMMA):
    return csv.writer(handle, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)


def stream(rows: Iterable[Sequence[object]], delimiter: str = COMMA) -> Iterator[str]:
    """The CSV text piece by piece (the byte-order mark, then one record each)."""
    yield BOM
    buffer = io.StringIO()
    writer = _writer(buffer, delimiter)
    for row in rows:
        writer.writerow(_row(row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def write(rows: Iterable[Sequence[object]], handle: IO[str], delimiter: str = COMMA) -> int:
    """Write rows (header first) to a text handle opened with newline=""; returns the
    number of records after the header."""
    pieces = 0
    for piece in stream(rows, delimiter):
        handle.write(piece)
        pieces += 1
    return max(pieces - 2, 0)  # the byte-order mark and the header are no records


def to_csv(rows: Iterable[Sequence[object]], delimiter: str = COMMA) -> bytes:
    """Rows as CSV bytes, for a response built in one piece."""
    return "".join(stream(rows, delimiter)).encode("utf-8")


def download(rows: Iterable[Sequence[object]], filename: str, lang: str | None) -> Response:
    """A CSV download in the reader's locale, streamed, with one charset in its header."""
    return file_response(
        stream_with_context(stream(rows, delimiter_for(lang))), CONTENT_TYPE, filename
    )
