"""QR matrices for labels and certificates: made once per token, stored as compact bytes,
drawn on a reportlab canvas.

Pure (only zxing-cpp's encoder; drawing takes the caller's canvas), so devices (which
stores a token's matrix and prints certificates) and labels both use it without one
importing the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import zxingcpp

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

#: Error-correction levels, weakest first. A label code takes the smallest version that
#: holds its URL at level L, then the strongest level that still fits that version: on a
#: label of fixed size, fewer modules are larger modules, and module size is what a phone
#: camera at arm's length runs out of first (bench/label_scans.py measures the trade-off).
LEVELS = ("L", "M", "Q", "H")
MAX_VERSION = 40

#: Characters of the QR alphanumeric mode (ISO/IEC 18004, table 5).
ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")

_FORMAT_V1 = 1  # first byte of the serialisation, so the layout can change later
# Same layout; says the symbol was chosen by the smallest-version rule (make_matrix).
# A stored version-1 matrix is still a correct code, only larger than needed.
_FORMAT_V2 = 2
_FORMATS = (_FORMAT_V1, _FORMAT_V2)
_DARK_PIXEL = bytes.maketrans(bytes(range(256)), b"1" + b"0" * 255)
_HEADER = 2
_DARK_RUN = re.compile("1+")

QUIET_ZONE = 4  # modules of white around the symbol, as ISO/IEC 18004 asks


def label_url(base_url: str, token: str) -> str:
    """The URL printed on a label, upper case so the QR code can use alphanumeric mode."""
    # Scheme and host are case-insensitive; the app must route "/H/<TOKEN>" too.
    return f"{base_url.rstrip('/')}/h/{token}".upper()


def is_alphanumeric(text: str) -> bool:
    """Whether a QR code can hold the whole text in alphanumeric mode."""
    return all(char in ALPHANUMERIC for char in text)


@dataclass(frozen=True)
class QrMatrix:
    """A square QR symbol without quiet zone: ``bits`` are its rows, packed MSB first."""

    size: int
    bits: bytes

    def __post_init__(self) -> None:
        if not 21 <= self.size <= 177 or (self.size - 17) % 4:
            raise ValueError(f"{self.size} is not the size of a QR symbol")
        if len(self.bits) != _packed_length(self.size):
            raise ValueError(
                f"a {self.size}×{self.size} matrix needs {_packed_length(self.size)} bytes"
            )

    @classmethod
    def from_rows(cls, rows: list[list[bool]]) -> QrMatrix:
        """Pack a list of rows of booleans (True = dark)."""
        size = len(rows)
        if any(len(row) != size for row in rows):
            raise ValueError("a QR matrix must be square")
        value = 0
        for row in rows:
            for dark in row:
                value = (value << 1) | bool(dark)
        padding = _packed_length(size) * 8 - size * size
        return cls(size, (value << padding).to_bytes(_packed_length(size), "big"))

    @property
    def version(self) -> int:
        """The QR version (1–40)."""
        return (self.size - 17) // 4

    def rows(self) -> list[list[bool]]:
        """The modules as rows of booleans, top row first."""
        return [[char == "1" for char in row] for row in self._row_strings()]

    @cached_property
    def dark_runs(self) -> tuple[tuple[int, int, int], ...]:
        """Horizontal runs of dark modules as (row, first column, length)."""
        # One regex over the rows joined by a light module, so no run crosses a row end,
        # finds the runs far faster than a Python loop over the modules.
        stride = self.size + 1
        joined = "0".join(self._row_strings())
        return tuple(
            (*divmod(run.start(), stride), run.end() - run.start())
            for run in _DARK_RUN.finditer(joined)
        )

    def _row_strings(self) -> list[str]:
        flat = format(int.from_bytes(self.bits, "big"), f"0{len(self.bits) * 8}b")
        return [flat[y * self.size : (y + 1) * self.size] for y in range(self.size)]

    def to_bytes(self) -> bytes:
        """Serialise as format byte, size byte and packed bits (81 bytes for version 2)."""
        return bytes((_FORMAT_V2, self.size)) + self.bits

    @classmethod
    def from_bytes(cls, data: bytes) -> QrMatrix:
        """Read what :meth:`to_bytes` wrote (now or before the smallest-version rule)."""
        if len(data) < _HEADER or data[0] not in _FORMATS:
            raise ValueError("not a serialised QR matrix")
        return cls(data[1], bytes(data[_HEADER:]))


def is_current(data: bytes | None) -> bool:
    """Whether stored matrix bytes were made by today's make_matrix (else: make it again)."""
    return bool(data) and data[0] == _FORMAT_V2


def make_matrix(url: str) -> QrMatrix:
    """Encode a URL in the smallest QR version, at the strongest level that version allows.

    zxing-cpp's encoder (zint inside, C++) picks alphanumeric mode for upper-case URLs and
    the mask pattern; measured at 0.3 ms a code against 3.5–6.5 ms for qrcode and 4.5 ms
    for segno (bench/labels.py), which makes a first print of 1,000 labels fast.
    """
    version = _smallest_version(url)
    for level in reversed(LEVELS):
        try:
            return _encode(url, level, version)
        except ValueError:
            continue  # this level needs a larger symbol
    raise AssertionError("level L fitted this version a moment ago")  # pragma: no cover


def _smallest_version(url: str) -> int:
    try:
        return _encode(url, LEVELS[0], None).version
    except ValueError as error:
        raise ValueError(f"too long for a QR code: {len(url)} characters") from error


def _encode(url: str, level: str, version: int | None) -> QrMatrix:
    options = {"ec_level": level} | ({"version": version} if version else {})
    barcode = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, **options)
    image = barcode.to_image(scale=1, add_quiet_zones=False)
    size = image.shape[0]
    # One byte a module, 0 for dark: translate to "1"/"0" and read it as one number.
    flat = bytes(image).translate(_DARK_PIXEL)
    padding = _packed_length(size) * 8 - size * size
    return QrMatrix(size, (int(flat, 2) << padding).to_bytes(_packed_length(size), "big"))


def _packed_length(size: int) -> int:
    return (size * size + 7) // 8


def draw_matrix(canvas: Canvas, matrix: QrMatrix, x: float, y: float, size: float) -> None:
    """Draw the dark modules as one filled path; (x, y) is the quiet zone's bottom left."""
    module = size / (matrix.size + 2 * QUIET_ZONE)
    canvas.saveState()
    # Work in module units with y pointing down, so a run is "column row length 1 re".
    canvas.transform(module, 0, 0, -module, x + QUIET_ZONE * module, y + size - QUIET_ZONE * module)
    # addLiteral is reportlab's documented way in for raw operators. The same path built
    # with canvas.beginPath() formats four floats per run in Python: measured 0.7 against
    # 8.9 ms per code, PDF written.
    ops = [f"{column} {row} {length} 1 re" for row, column, length in matrix.dark_runs]
    ops.append("f")
    canvas.addLiteral("\n".join(ops))
    canvas.restoreState()
