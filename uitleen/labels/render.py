"""Label sheets and rolls as PDF: a pure function from a format and label contents to bytes."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from uitleen.labels.formats import LabelFormat, LabelLayout
from uitleen.pdf import FontNotFoundError, text_width, visual, wrap
from uitleen.pdf import font_path as find_font
from uitleen.qr import QUIET_ZONE, QrMatrix, draw_matrix, make_matrix

DEFAULT_FONT_FILE = "DejaVuSans.ttf"  # looked up by uitleen.pdf (UITLEEN_FONT_DIR first)
TAG_FONT = "Helvetica-Bold"  # tags are ASCII; a standard font needs no embedding
MIN_FONT_PT = 6.0  # below this, older eyes cannot read a label (issue 15)
HELP_MAX_LINES = 2
_BLOCK_SPACING = 0.3  # space between text blocks, as a fraction of the largest font size
_ICON_SCALE = 1.7  # the pictogram is this many times the help font size
_ICON_ADVANCE = 1.25  # text starts this many pictogram widths to the right
_BUBBLE = "help-bubble"


@dataclass(frozen=True)
class LabelContent:
    """What one label shows; without a matrix the QR code is made from the URL."""

    tag: str
    url: str
    matrix: QrMatrix | None = None
    help_text: str = ""
    phone_text: str = ""
    #: "Hulp? · Help? · …" in every language of the help page, under the help line where
    #: the label has room for it in three lines at MIN_FONT_PT or more.
    languages_text: str = ""


@dataclass(frozen=True)
class _Fonts:
    tag: str
    text: str


def render_labels(
    fmt: LabelFormat,
    labels: Iterable[LabelContent],
    start_position: int = 1,
    font_path: Path | str | None = None,
    notice: str = "",
) -> bytes:
    """A PDF with the labels in cell order; the first one goes in cell ``start_position``.

    A ``notice`` (test labels) is printed in the top margin of every sheet.
    """
    buffer = io.BytesIO()
    write_labels(buffer, fmt, labels, start_position, font_path, notice)
    return buffer.getvalue()


def write_labels(
    stream: BinaryIO,
    fmt: LabelFormat,
    labels: Iterable[LabelContent],
    start_position: int = 1,
    font_path: Path | str | None = None,
    notice: str = "",
) -> int:
    """Write the PDF to a binary stream (e.g. a temporary file) and return the label count."""
    if not 1 <= start_position <= fmt.labels_per_page:
        raise ValueError(f"start_position must be between 1 and {fmt.labels_per_page}")
    fonts = _Fonts(tag=TAG_FONT, text=_text_font(font_path))
    canvas = Canvas(
        stream,
        pagesize=(fmt.page_width_mm * mm, fmt.page_height_mm * mm),
        pageCompression=1,
        invariant=1,  # same input, same bytes: no timestamps or random ids
    )
    canvas.setTitle(fmt.name)
    if "help" in fmt.layout.elements:
        _define_bubble(canvas)
    position, count = start_position, 0
    for content in labels:  # consumed lazily: a generator of 10,000 labels is fine
        if position > fmt.labels_per_page:
            canvas.showPage()
            position = 1
        if notice and (count == 0 or position == 1):
            _draw_notice(canvas, fmt, fonts, notice)
        _draw_label(canvas, fmt, fonts, position, content)
        position += 1
        count += 1
    if count == 0:
        raise ValueError("there are no labels to render")
    canvas.showPage()
    canvas.save()
    return count


def _draw_notice(canvas: Canvas, fmt: LabelFormat, fonts: _Fonts, notice: str) -> None:
    """The notice in a sheet's top margin, where no label is."""
    if fmt.media != "sheet" or fmt.margin_top_mm < 5:
        return  # a roll's label carries the notice in its help line instead
    size = min(10.0, fmt.margin_top_mm * mm * 0.5)
    canvas.setFont(fonts.text, size)
    baseline = (fmt.page_height_mm - fmt.margin_top_mm / 2) * mm - size / 3
    canvas.drawString(fmt.margin_left_mm * mm, baseline, _visual(notice))


def _draw_label(
    canvas: Canvas, fmt: LabelFormat, fonts: _Fonts, position: int, content: LabelContent
) -> None:
    left, top, width, height = fmt.cell(position)
    bottom = fmt.page_height_mm - top - height  # PDF points have their origin bottom left
    layout = fmt.layout
    if "qr" in layout.elements:
        matrix = content.matrix or make_matrix(content.url)
        symbol_left, symbol_top, side = fmt.symbol_box(matrix.size)
        quiet = side / matrix.size * QUIET_ZONE
        draw_matrix(
            canvas,
            matrix,
            (left + symbol_left - quiet) * mm,
            (bottom + height - symbol_top - side - quiet) * mm,
            (side + 2 * quiet) * mm,
        )
    if layout.text_elements:
        text_x = (left + fmt.text_left_mm) * mm
        column_width = (left + width - fmt.padding_x_mm) * mm - text_x
        y = (bottom + fmt.padding_y_mm) * mm
        box_height = (height - 2 * fmt.padding_y_mm) * mm
        _draw_text(canvas, layout, fonts, content, text_x, y, column_width, box_height)


@dataclass(frozen=True)
class _Block:
    kind: str
    height: float
    size: float
    lines: tuple[str, ...]


def _draw_text(
    canvas: Canvas,
    layout: LabelLayout,
    fonts: _Fonts,
    content: LabelContent,
    x: float,
    y: float,
    width: float,
    height: float,
) -> None:
    """Stack the text elements, centred vertically; shrink them together if too tall."""
    blocks, spacing, total = _arrange(layout, fonts, content, width, height)
    cursor = y + (height + total) / 2  # top of the first block
    canvas.saveState()
    # Settings that cannot fit are refused (fits), but a format added later could still be
    # too small for an old value: nothing is printed outside the label's text column then.
    path = canvas.beginPath()
    path.rect(x, y, width, height)
    canvas.clipPath(path, stroke=0, fill=0)
    for block in blocks:
        _draw_block(canvas, fonts, block, x, cursor - block.height)
        cursor -= block.height + spacing
    canvas.restoreState()


def _arrange(
    layout: LabelLayout, fonts: _Fonts, content: LabelContent, width: float, height: float
) -> tuple[list[_Block], float, float]:
    """The text blocks, their spacing and total height, shrunk to fit where possible.

    No text goes below MIN_FONT_PT: the languages line is left out first when there is
    no room for everything.
    """
    largest = max(layout.font_pt(element) for element in layout.text_elements)
    for attempt in (content, replace(content, languages_text="")):
        scale = 1.0
        # One pass usually fits; each retry shrinks by the overflow, at least 3 %, as
        # blocks already at MIN_FONT_PT no longer shrink with the rest.
        for _ in range(8):
            blocks = _layout_blocks(layout, fonts, attempt, width, scale)
            spacing = _BLOCK_SPACING * largest * scale
            total = sum(block.height for block in blocks) + spacing * max(len(blocks) - 1, 0)
            if total <= height:
                return blocks, spacing, total
            scale *= min(height / total, 0.97)
    return blocks, spacing, total


def text_overflows(
    fmt: LabelFormat, content: LabelContent, font_path: Path | str | None = None
) -> bool:
    """Whether the label's text needs more room than the label has at MIN_FONT_PT."""
    if not fmt.layout.text_elements:
        return False
    fonts = _Fonts(tag=TAG_FONT, text=_text_font(font_path))
    width = column_width_pt(fmt)
    height = (fmt.label_height_mm - 2 * fmt.padding_y_mm) * mm
    blocks, _spacing, total = _arrange(fmt.layout, fonts, content, width, height)
    too_wide = any(
        text_width(line, fonts.tag if block.kind == "tag" else fonts.text, block.size)
        > width - (block.size * _ICON_SCALE * _ICON_ADVANCE if block.kind == "help" else 0)
        for block in blocks
        for line in block.lines
    )
    return too_wide or total > height + 0.01


def _layout_blocks(
    layout: LabelLayout, fonts: _Fonts, content: LabelContent, width: float, scale: float
) -> list[_Block]:
    blocks = []
    for element in layout.text_elements:
        if element == "tag" and content.tag:
            size = _fit(content.tag, fonts.tag, _scaled(layout.tag_font_pt, scale), width)
            blocks.append(_Block("tag", _line_height(fonts.tag, size), size, (content.tag,)))
        elif element == "help" and content.help_text:
            size, lines = _wrap_help(
                content.help_text, fonts.text, _scaled(layout.help_font_pt, scale), width
            )
            text_height = len(lines) * _line_height(fonts.text, size)
            blocks.append(_Block("help", max(text_height, size * _ICON_SCALE), size, lines))
            for size in (_scaled(layout.help_font_pt * 0.85, scale), MIN_FONT_PT):
                lines = _language_lines(content.languages_text, fonts.text, size, width)
                if lines:
                    break
            if lines:
                height = len(lines) * _line_height(fonts.text, size)
                blocks.append(_Block("languages", height, size, lines))
        elif element == "phone" and content.phone_text:
            size = _fit(content.phone_text, fonts.text, _scaled(layout.phone_font_pt, scale), width)
            line_height = _line_height(fonts.text, size)
            blocks.append(_Block("phone", line_height, size, (content.phone_text,)))
    return blocks


def _draw_block(canvas: Canvas, fonts: _Fonts, block: _Block, x: float, y: float) -> None:
    """Draw a block whose bottom left corner is (x, y)."""
    font = fonts.tag if block.kind == "tag" else fonts.text
    line_height = _line_height(font, block.size)
    descent = -pdfmetrics.getDescent(font, block.size)
    if block.kind == "help":
        icon = block.size * _ICON_SCALE
        canvas.saveState()
        canvas.transform(icon, 0, 0, icon, x, y + (block.height - icon) / 2)
        canvas.doForm(_BUBBLE)
        canvas.restoreState()
        x += icon * _ICON_ADVANCE
        # Centre the lines beside the pictogram.
        y += (block.height - line_height * len(block.lines)) / 2
    canvas.setFont(font, block.size)
    for index, line in enumerate(block.lines):
        baseline = y + line_height * (len(block.lines) - 1 - index) + descent
        # The languages line is a list read from the left, whichever language starts it.
        glyphs = visual(line, rtl=False) if block.kind == "languages" else _visual(line)
        canvas.drawString(x, baseline, glyphs)


def _define_bubble(canvas: Canvas) -> None:
    """A speech bubble with a question mark, 'ask for help' without words, 1 × 1 pt."""
    # Defined once per document as a form that _draw_block places: one "Do" operator
    # per label instead of its curves, which halved the time spent on text.
    canvas.beginForm(_BUBBLE, 0, 0, 1, 1)
    body = 0.78
    canvas.roundRect(0, 1 - body, 1, body, 0.2, stroke=0, fill=1)
    tail = canvas.beginPath()
    tail.moveTo(0.18, 1 - body + 0.01)
    tail.lineTo(0.12, 0)
    tail.lineTo(0.48, 1 - body + 0.01)
    tail.close()
    canvas.drawPath(tail, stroke=0, fill=1)
    canvas.setFillGray(1)
    canvas.setFont(TAG_FONT, body * 0.8)
    canvas.drawCentredString(0.5, 1 - body * 0.78, "?")
    canvas.endForm()


LANGUAGE_SEPARATOR = " · "
LANGUAGE_MAX_LINES = 3


@lru_cache(maxsize=64)
def _language_lines(text: str, font: str, size: float, width: float) -> tuple[str, ...]:
    """The languages line in at most three lines, broken between languages; () if no room."""
    lines: list[str] = []
    for piece in text.split(LANGUAGE_SEPARATOR) if text else []:
        joined = lines[-1] + LANGUAGE_SEPARATOR + piece if lines else piece
        if lines and text_width(joined, font, size) <= width:
            lines[-1] = joined
        elif text_width(piece, font, size) <= width:
            lines.append(piece)
        else:
            return ()
    return tuple(lines) if len(lines) <= LANGUAGE_MAX_LINES else ()


def _scaled(size: float, scale: float) -> float:
    return max(size * scale, MIN_FONT_PT)


def column_width_pt(fmt: LabelFormat) -> float:
    """The width of the label's text column, in points."""
    return (fmt.label_width_mm - fmt.padding_x_mm - fmt.text_left_mm) * mm


def fits(fmt: LabelFormat, element: str, text: str, font_path: Path | str | None = None) -> bool:
    """Whether a one-line element (tag, phone) fits its label at MIN_FONT_PT or more."""
    font = TAG_FONT if element == "tag" else _text_font(font_path)
    return text_width(text, font, MIN_FONT_PT) <= column_width_pt(fmt)


def longest_fitting(
    fmt: LabelFormat, element: str, text: str, font_path: Path | str | None = None
) -> str:
    """The longest beginning of ``text`` that :func:`fits` (without trailing spaces)."""
    for end in range(len(text), 0, -1):
        if fits(fmt, element, text[:end].rstrip(), font_path):
            return text[:end].rstrip()
    return ""


@lru_cache(maxsize=1024)
def _fit(text: str, font: str, size: float, width: float) -> float:
    """The largest size up to ``size`` at which one line of text fits the width."""
    natural = text_width(text, font, size)
    if natural <= width:
        return size
    return max(size * width / natural, MIN_FONT_PT)


@lru_cache(maxsize=256)
def _wrap_help(text: str, font: str, size: float, width: float) -> tuple[float, tuple[str, ...]]:
    """Wrap the help text beside its pictogram in at most two lines, shrinking if needed."""
    while True:
        lines = wrap(text, font, size, width - size * _ICON_SCALE * _ICON_ADVANCE)
        if len(lines) <= HELP_MAX_LINES or size <= MIN_FONT_PT:
            return size, tuple(lines)
        size = max(size * 0.92, MIN_FONT_PT)


def _visual(line: str) -> str:
    """Glyph order for drawing: Arabic or Hebrew text is shaped and reordered."""
    return visual(line, rtl=_starts_right_to_left(line))


def _starts_right_to_left(text: str) -> bool:
    """Whether the first strongly directional letter is right-to-left (Unicode bidi P2)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def _line_height(font: str, size: float) -> float:
    ascent, descent = pdfmetrics.getAscentDescent(font, size)
    return ascent - descent


@lru_cache(maxsize=8)
def _text_font(path: Path | str | None) -> str:
    """Register the TTF for help and phone text; without one, DejaVu Sans or Helvetica."""
    if path is None:
        try:
            path = find_font(DEFAULT_FONT_FILE)
        except FontNotFoundError:
            return "Helvetica"  # Latin text still prints; other scripts need the TTF
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"font file not found: {path}")
    name = f"Label-{path.stem}"
    pdfmetrics.registerFont(TTFont(name, str(path)))
    return name
