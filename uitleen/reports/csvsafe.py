"""CSV that spreadsheets open safely: RFC 4180 quoting, CRLF, UTF-8, no formula injection.

A moment in a CSV is written with uitleen.clock.iso_local (local time with its offset, for
the reason given there); the exports today carry dates only, which are local days already.
"""

import csv
import io
from collections.abc import Iterable, Sequence

# A spreadsheet treats a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe.

    Numbers pass unchanged: a spreadsheet reads -3 as a number, never as a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(rows: Iterable[Sequence[object]]) -> bytes:
    """Rows as RFC 4180 CSV bytes: comma, double quotes where needed, CRLF, UTF-8 with BOM.

    The byte-order mark makes Excel read UTF-8 (é, ü, Arabic) instead of guessing a code page.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in rows:
        writer.writerow([safe_cell("" if cell is None else cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")
