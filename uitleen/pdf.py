"""Shared helpers for household PDFs: fonts, right-to-left text, wrapping, a page cursor."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import arabic_reshaper
from bidi import get_display
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

SANS = "UitleenSans"
SANS_BOLD = "UitleenSans-Bold"
MONO = "UitleenMono-Bold"

# DejaVu covers Latin (Dutch, Turkish, Polish), Cyrillic and the Arabic presentation
# forms that arabic-reshaper emits. Debian/Ubuntu package: fonts-dejavu-core.
FONT_FILES = {
    SANS: "DejaVuSans.ttf",
    SANS_BOLD: "DejaVuSans-Bold.ttf",
    MONO: "DejaVuSansMono-Bold.ttf",
}
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))

RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})

NBSP = "\u00a0"
LRI, PDI = "\u2066", "\u2069"
_RTL_CHAR = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")
# Direction marks and isolates steer the bidi algorithm but have no glyph in the font.
_BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# A left-to-right run inside right-to-left text: tags, phone numbers, Latin words.
_LATIN = "0-9A-Za-z\u00c0-\u024f"
_TOKEN = f"\\(?[{_LATIN}+€](?:[{_LATIN}+€\\-./:@_]*[{_LATIN}€])?\\)?"
_LTR_RUN = re.compile(f"{_TOKEN}(?:,?[ {NBSP}]+{_TOKEN})*")
_DIGIT_SPACE_DIGIT = re.compile(r"(?<=\d) (?=\+?\d)")


class FontNotFoundError(FileNotFoundError):
    """A font file the PDFs need is not installed."""


class PageFullError(ValueError):
    """The content does not fit on one page."""


def font_dirs() -> list[Path]:
    """Directories searched for fonts; UITLEEN_FONT_DIR comes first when set."""
    override = os.environ.get("UITLEEN_FONT_DIR")
    return ([Path(override)] if override else []) + list(FONT_DIRS)


def font_path(filename: str) -> Path:
    """Find a font file or explain which package provides it."""
    for directory in font_dirs():
        if (directory / filename).is_file():
            return directory / filename
    searched = ", ".join(str(d) for d in font_dirs())
    raise FontNotFoundError(
        f"Font {filename} not found in {searched}. Install the Debian package "
        "fonts-dejavu-core or set UITLEEN_FONT_DIR to a folder that holds it."
    )


def register_fonts() -> None:
    """Register the PDF fonts with reportlab once per process."""
    registered = set(pdfmetrics.getRegisteredFontNames())
    for name, filename in FONT_FILES.items():
        if name not in registered:
            pdfmetrics.registerFont(TTFont(name, str(font_path(filename))))


def is_rtl(lang: str) -> bool:
    """Whether a language code (nl, ar, ar_SY, ar-SY) is written right to left."""
    return lang.replace("-", "_").split("_")[0].lower() in RTL_LANGUAGES


def keep_numbers_together(text: str) -> str:
    """Glue digit groups ("06 1234 5678") with no-break spaces so wrapping never splits them."""
    return _DIGIT_SPACE_DIGIT.sub(NBSP, text)


def shape(text: str) -> str:
    """Join Arabic letters into their contextual forms; other text is returned unchanged."""
    return arabic_reshaper.reshape(text) if _RTL_CHAR.search(text) else text


def visual(line: str, rtl: bool) -> str:
    """Turn one logical line into the glyph order a PDF draws left to right."""
    if not _RTL_CHAR.search(line):
        # Purely left-to-right content (a Latin address in an Arabic page) keeps its order.
        return line
    if rtl:
        # Isolate Latin and digit runs, or "06 1234 5678" comes out as "5678 1234 06".
        line = _LTR_RUN.sub(lambda match: LRI + match.group(0) + PDI, line)
    ordered = get_display(shape(line), base_dir="R" if rtl else "L")
    return _BIDI_CONTROLS.sub("", ordered)


def text_width(text: str, font: str, size: float) -> float:
    """Width of a logical line once shaped; letter order does not change the width."""
    return pdfmetrics.stringWidth(_BIDI_CONTROLS.sub("", shape(text)), font, size)


def _pieces(word: str, font: str, size: float, width: float) -> list[str]:
    """Cut a word wider than the line (a long URL) into pieces that fit."""
    if text_width(word, font, size) <= width:
        return [word]
    pieces, piece = [], ""
    for char in word:
        if piece and text_width(piece + char, font, size) > width:
            pieces.append(piece)
            piece = ""
        piece += char
    return pieces + [piece]


def wrap(
    text: str, font: str, size: float, width: float, *, glue_numbers: bool = True
) -> list[str]:
    """Break logical text into lines that fit width; newlines start a new line."""
    # Wrap in reading order and reorder each line afterwards (visual): reordering a whole
    # Arabic paragraph first would put the end of the sentence on the first line.
    lines = []
    if glue_numbers:
        text = keep_numbers_together(text)
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split(" "):
            for piece in _pieces(word, font, size, width) if word else []:
                candidate = f"{line} {piece}" if line else piece
                if line and text_width(candidate, font, size) > width:
                    lines.append(line)
                    candidate = piece
                line = candidate
        lines.append(line)
    return lines


@dataclass
class Page:
    """A cursor moving down one A4 page, drawing text at the reading side (left or right)."""

    canvas: Canvas
    rtl: bool
    left: float = 20 * mm
    right: float = A4[0] - 20 * mm
    top: float = A4[1] - 16 * mm
    bottom: float = 16 * mm
    y: float = field(init=False)

    def __post_init__(self) -> None:
        self.y = self.top

    @property
    def width(self) -> float:
        return self.right - self.left

    def take(self, height: float) -> float:
        """Move down by height and return the new y; refuse to pass the bottom margin."""
        if self.y - height < self.bottom:
            raise PageFullError("The text does not fit on one page.")
        self.y -= height
        return self.y

    def space(self, height: float) -> None:
        """Leave vertical room, or stop quietly at the bottom margin."""
        self.y = max(self.y - height, self.bottom)

    @contextmanager
    def inset(self, start: float = 0.0, end: float = 0.0) -> Iterator[Page]:
        """Narrow the text column; start is the reading side (right in Arabic)."""
        left, right = self.left, self.right
        self.left += end if self.rtl else start
        self.right -= start if self.rtl else end
        try:
            yield self
        finally:
            self.left, self.right = left, right

    @property
    def start_x(self) -> float:
        """Where a line begins: the left edge, or the right edge in right-to-left text."""
        return self.right if self.rtl else self.left

    def draw_line(self, text: str, font: str, size: float, align: str = "start") -> None:
        """Draw one already-wrapped logical line at the current baseline."""
        drawn = visual(text, self.rtl)
        self.canvas.setFont(font, size)
        if align == "center":
            self.canvas.drawCentredString((self.left + self.right) / 2, self.y, drawn)
        elif self.rtl:
            self.canvas.drawRightString(self.right, self.y, drawn)
        else:
            self.canvas.drawString(self.left, self.y, drawn)

    def paragraph(
        self,
        text: str,
        size: float,
        font: str = SANS,
        *,
        leading: float = 1.3,
        after: float = 0.35,
        align: str = "start",
    ) -> None:
        """Wrap text to the column and draw it; after is the gap below, in lines."""
        for line in wrap(text, font, size, self.width):
            self.take(size * leading)
            self.draw_line(line, font, size, align)
        self.space(size * after)

    def heading(self, text: str, size: float) -> None:
        """A bold heading with a little room above it."""
        self.space(size * 0.5)
        self.paragraph(text, size, SANS_BOLD, leading=1.25, after=0.2)

    def bullets(self, items: Sequence[str], size: float, *, numbered: bool = False) -> None:
        """A list with a bullet or number at the reading side and wrapped, indented items."""
        for number, item in enumerate(items, start=1):
            marker = f"{number}." if numbered else "•"
            indent = text_width(f"{len(items)}.", SANS_BOLD, size) + size * 0.6
            lines = wrap(item, SANS, size, self.width - indent)
            for index, line in enumerate(lines):
                self.take(size * 1.3)
                if index == 0:
                    self.draw_line(marker, SANS_BOLD, size)
                with self.inset(start=indent):
                    self.draw_line(line, SANS, size)
            self.space(size * 0.3)

    def rows(self, pairs: Sequence[tuple[str, str]], size: float) -> None:
        """Label and value pairs in two columns, labels bold at the reading side."""
        widest = max(text_width(label, SANS_BOLD, size) for label, _ in pairs)
        label_width = min(widest, self.width * 0.45)
        value_start = label_width + size  # one em between label and value
        for label, value in pairs:
            labels = wrap(label, SANS_BOLD, size, label_width)
            with self.inset(start=value_start):
                values = wrap(value, SANS, size, self.width)
            for index in range(max(len(labels), len(values))):
                self.take(size * 1.3)
                if index < len(labels):
                    self.draw_line(labels[index], SANS_BOLD, size)
                if index < len(values):
                    with self.inset(start=value_start):
                        self.draw_line(values[index], SANS, size)
            self.space(size * 0.25)

    def rule(self, gap: float = 3 * mm) -> None:
        """A thin horizontal line across the column."""
        self.take(gap)
        self.canvas.setLineWidth(0.5)
        self.canvas.line(self.left, self.y, self.right, self.y)
        self.space(gap)


def render_page(
    draw: Callable[[Page, float], None], sizes: Sequence[float], *, lang: str, title: str
) -> bytes:
    """Draw one A4 page at the largest body size in sizes that fits, and return the PDF."""
    register_fonts()
    for size in sizes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=A4, lang=lang, invariant=True)
        canvas.setTitle(title)
        try:
            draw(Page(canvas, is_rtl(lang)), size)
        except PageFullError:
            continue
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()
    raise PageFullError(
        f"The text does not fit on one A4 page, even at {min(sizes)} pt. "
        "Shorten the longest texts (names, descriptions, steps)."
    )
