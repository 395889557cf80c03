"""Label formats (sheets and rolls) read from TOML files: a new format is a new file."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from uitleen.i18n import SUPPORTED, translated
from uitleen.qr import QUIET_ZONE

#: The shipped formats: ``labels/`` at the top of the repository.
DEFAULT_FORMATS_DIR = Path(__file__).resolve().parents[2] / "labels"

ELEMENTS = ("qr", "tag", "help", "phone")
_FONT_FIELDS = {"tag": "tag_font_pt", "help": "help_font_pt", "phone": "phone_font_pt"}
_UNITS_MM = {"mm": 1.0, "in": 25.4}
_TOLERANCE_MM = 1e-6  # float sums of exact sheet sizes must not fail the fit check
_MIN_TEXT_WIDTH_MM = 8.0

#: Below this module size (for a typical label code of 25 modules) a phone must come
#: close: the robustness test (tests/labels/test_label_photos.py) decodes codes with
#: 0.64 mm modules only from a fair photo, 0.77 mm ones from a quarter of the poor ones.
ARMS_LENGTH_MODULE_MM = 0.7
TYPICAL_MODULES = 25  # version 2: a label URL with a host name of up to 16 characters


class LabelFormatError(ValueError):
    """A label format file is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class LabelLayout:
    """What goes on one label and how big; text elements are stacked in the given order."""

    elements: tuple[str, ...]
    qr_size_mm: float
    gap_mm: float
    tag_font_pt: float
    help_font_pt: float
    phone_font_pt: float

    @property
    def text_elements(self) -> tuple[str, ...]:
        """The elements drawn as lines of text beside the QR code."""
        return tuple(element for element in self.elements if element != "qr")

    def font_pt(self, element: str) -> float:
        """The largest font size of a text element, in points."""
        return getattr(self, _FONT_FIELDS[element])


@dataclass(frozen=True)
class LabelFormat:
    """A page of labels in millimetres, origin at the top left corner of the page."""

    id: str
    name: str
    description: str  # Dutch, the source
    media: str
    page_width_mm: float
    page_height_mm: float
    label_width_mm: float
    label_height_mm: float
    padding_x_mm: float
    padding_y_mm: float
    columns: int
    rows: int
    margin_top_mm: float
    margin_left_mm: float
    gap_x_mm: float
    gap_y_mm: float
    layout: LabelLayout
    # (language, description) pairs from [descriptions] in the file: staff read the
    # format list in their own language.
    descriptions: tuple[tuple[str, str], ...] = ()

    def description_in(self, lang: str) -> str:
        """The description in `lang`, or the Dutch one when the file has none in it."""
        return translated(self.description, dict(self.descriptions), lang)[0]

    def module_mm(self, modules: int) -> float:
        """The side of one module of a code with ``modules`` modules a side, in mm.

        The code's square (``qr_size``, quiet zone included) sits at the label's left edge,
        centred in height: the blank edge of the label counts towards the quiet zone,
        while the dark modules stay inside the printable box (the padding). The largest
        module that satisfies both wins.
        """
        side = self.layout.qr_size_mm
        quiet = QUIET_ZONE
        candidates = [
            side / (modules + 2 * quiet),
            (self.label_height_mm - 2 * self.padding_y_mm) / modules,
            self.label_height_mm / (modules + 2 * quiet),
        ]
        if self.padding_x_mm > quiet * candidates[0]:
            # A blank edge wider than the quiet zone is the left quiet zone by itself.
            candidates[0] = (side - self.padding_x_mm) / (modules + quiet)
        return min(candidates)

    def symbol_box(self, modules: int) -> tuple[float, float, float]:
        """(left, top, side) of the dark part of the code, in mm from the label's corner."""
        module = self.module_mm(modules)
        side = module * modules
        left = max(self.padding_x_mm, QUIET_ZONE * module)
        return left, (self.label_height_mm - side) / 2, side

    @property
    def text_left_mm(self) -> float:
        """Where the text column starts, in mm from the label's left edge."""
        if "qr" not in self.layout.elements:
            return self.padding_x_mm
        return self.layout.qr_size_mm + self.layout.gap_mm

    @property
    def scans_from_arms_length(self) -> bool:
        """Whether a typical code on this label scans with the phone held at arm's length."""
        if "qr" not in self.layout.elements:
            return False
        return self.module_mm(TYPICAL_MODULES) >= ARMS_LENGTH_MODULE_MM

    @property
    def labels_per_page(self) -> int:
        """How many labels fit on one page."""
        return self.columns * self.rows

    def cell(self, position: int) -> tuple[float, float, float, float]:
        """(left, top, width, height) of the label at 1-based position, row by row."""
        if not 1 <= position <= self.labels_per_page:
            raise ValueError(f"position must be between 1 and {self.labels_per_page}")
        row, column = divmod(position - 1, self.columns)
        left = self.margin_left_mm + column * (self.label_width_mm + self.gap_x_mm)
        top = self.margin_top_mm + row * (self.label_height_mm + self.gap_y_mm)
        return left, top, self.label_width_mm, self.label_height_mm


def available_formats(formats_dir: Path | str = DEFAULT_FORMATS_DIR) -> list[LabelFormat]:
    """Every format in the folder, sorted by id; one bad file raises LabelFormatError."""
    return [load_format(path) for path in sorted(Path(formats_dir).glob("*.toml"))]


def load_format(
    path_or_name: Path | str, formats_dir: Path | str = DEFAULT_FORMATS_DIR
) -> LabelFormat:
    """Load a format by file path, or by id (the file name without .toml) from formats_dir."""
    path = Path(path_or_name)
    if path.suffix != ".toml":
        path = Path(formats_dir) / f"{path_or_name}.toml"
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except FileNotFoundError:
        raise LabelFormatError(f"{path.name}: no such label format in {path.parent}") from None
    except tomllib.TOMLDecodeError as error:
        raise LabelFormatError(f"{path.name}: not valid TOML ({error})") from None
    return _parse(path.stem, _Table(path.name, "", data))


def _parse(format_id: str, top: _Table) -> LabelFormat:
    name = top.text("name")
    description = top.text("description")
    descriptions = _descriptions(top)
    media = top.choice("media", ("sheet", "roll"))
    unit = _UNITS_MM[top.choice("unit", tuple(_UNITS_MM), default="mm")]

    label = top.table("label")
    label_width = label.length("width", unit, minimum=0, exclusive=True)
    label_height = label.length("height", unit, minimum=0, exclusive=True)
    padding_x = label.length("padding_x", unit, minimum=0, default=0.0)
    padding_y = label.length("padding_y", unit, minimum=0, default=0.0)
    if 2 * padding_x >= label_width:
        raise top.error("label.padding_x", "leaves no room on the label")
    if 2 * padding_y >= label_height:
        raise top.error("label.padding_y", "leaves no room on the label")
    label.done()

    if media == "roll":
        # One label per page: the printer driver feeds and cuts.
        for table in ("page", "grid"):
            if table in top.data:
                raise top.error(table, "is not used for a roll: the page is one label")
        page_width, page_height = label_width, label_height
        columns = rows = 1
        margin_top = margin_left = gap_x = gap_y = 0.0
    else:
        page = top.table("page")
        page_width = page.length("width", unit, minimum=0, exclusive=True)
        page_height = page.length("height", unit, minimum=0, exclusive=True)
        page.done()
        grid = top.table("grid")
        columns = grid.whole("columns")
        rows = grid.whole("rows")
        margin_top = grid.length("margin_top", unit, minimum=0)
        margin_left = grid.length("margin_left", unit, minimum=0)
        gap_x = grid.gap("x", unit, label_width)
        gap_y = grid.gap("y", unit, label_height)
        grid.done()
        _check_fits(grid, "columns", columns, margin_left, label_width, gap_x, page_width, "wide")
        _check_fits(grid, "rows", rows, margin_top, label_height, gap_y, page_height, "high")

    layout = _parse_layout(top.table("content"), unit, label_width, label_height, padding_x)
    top.done()
    return LabelFormat(
        id=format_id,
        name=name,
        description=description,
        media=media,
        page_width_mm=page_width,
        page_height_mm=page_height,
        label_width_mm=label_width,
        label_height_mm=label_height,
        padding_x_mm=padding_x,
        padding_y_mm=padding_y,
        columns=columns,
        rows=rows,
        margin_top_mm=margin_top,
        margin_left_mm=margin_left,
        gap_x_mm=gap_x,
        gap_y_mm=gap_y,
        layout=layout,
        descriptions=descriptions,
    )


def _descriptions(top: _Table) -> tuple[tuple[str, str], ...]:
    """[descriptions] en = "..." : the description in other staff languages (optional)."""
    if "descriptions" not in top.data:
        return ()
    table = top.table("descriptions")
    found = tuple((lang, table.text(lang)) for lang in SUPPORTED if lang in table.data)
    table.done()
    return found


def _parse_layout(
    content: _Table, unit: float, width: float, height: float, padding_x: float
) -> LabelLayout:
    elements = content.elements("elements")
    qr_size = gap = 0.0
    if "qr" in elements:
        # The square of the code with its quiet zone: it may reach the label's edge.
        qr_size = content.length("qr_size", unit, minimum=0, exclusive=True)
        if qr_size > width + _TOLERANCE_MM or qr_size > height + _TOLERANCE_MM:
            raise content.error(
                "qr_size", f"is larger than the label ({width:.1f} × {height:.1f} mm)"
            )
        gap = content.length("gap", unit, minimum=0, default=1.0)
    fonts = {
        field: content.number(field, minimum=0, exclusive=True) if element in elements else 0.0
        for element, field in _FONT_FIELDS.items()
    }
    has_text = any(element != "qr" for element in elements)
    if has_text and width - padding_x - qr_size - gap < _MIN_TEXT_WIDTH_MM:
        raise content.error("qr_size", f"leaves less than {_MIN_TEXT_WIDTH_MM:g} mm for the text")
    content.done()
    return LabelLayout(elements=elements, qr_size_mm=qr_size, gap_mm=gap, **fonts)


def _check_fits(
    grid: _Table,
    field: str,
    count: int,
    margin: float,
    size: float,
    gap: float,
    page: float,
    direction: str,
) -> None:
    needed = margin + count * size + (count - 1) * gap
    if needed > page + _TOLERANCE_MM:
        raise grid.error(
            field,
            f"does not fit: {count} {field} with their margin need {needed:.2f} mm, "
            f"the page is {page:g} mm {direction}",
        )


class _Table:
    """One TOML table being read: each getter removes its key, so leftovers are typos."""

    def __init__(self, file_name: str, prefix: str, data: dict[str, Any]) -> None:
        self.file_name = file_name
        self.prefix = prefix
        self.data = dict(data)

    def error(self, key: str, problem: str) -> LabelFormatError:
        return LabelFormatError(f"{self.file_name}: '{self.prefix}{key}' {problem}")

    def _take(self, key: str, default: Any = None) -> Any:
        if key not in self.data:
            if default is None:
                raise self.error(key, "is missing")
            return default
        return self.data.pop(key)

    def table(self, key: str) -> _Table:
        value = self._take(key)
        if not isinstance(value, dict):
            raise self.error(key, "must be a table, e.g. [" + self.prefix + key + "]")
        return _Table(self.file_name, f"{self.prefix}{key}.", value)

    def text(self, key: str) -> str:
        value = self._take(key)
        if not isinstance(value, str) or not value.strip():
            raise self.error(key, "must be a non-empty text")
        return value.strip()

    def choice(self, key: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self._take(key, default)
        if value not in choices:
            raise self.error(key, "must be one of " + ", ".join(f'"{c}"' for c in choices))
        return value

    def number(
        self, key: str, minimum: float, exclusive: bool = False, default: float | None = None
    ) -> float:
        value = self._take(key, default)
        # TOML booleans are Python ints; a label is never "true" millimetres wide.
        valid = isinstance(value, int | float) and not isinstance(value, bool)
        if not valid or (value <= minimum if exclusive else value < minimum):
            relation = ">" if exclusive else "≥"
            raise self.error(key, f"must be a number {relation} {minimum:g}")
        return float(value)

    def length(
        self,
        key: str,
        unit: float,
        minimum: float,
        exclusive: bool = False,
        default: float | None = None,
    ) -> float:
        return self.number(key, minimum, exclusive, default) * unit

    def whole(self, key: str) -> int:
        value = self._take(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise self.error(key, "must be a whole number ≥ 1")
        return value

    def gap(self, axis: str, unit: float, label_size: float) -> float:
        """The gap between labels, given as gap_<axis> or as pitch_<axis>, not both."""
        gap_key, pitch_key = f"gap_{axis}", f"pitch_{axis}"
        if gap_key in self.data and pitch_key in self.data:
            raise self.error(gap_key, f"and '{self.prefix}{pitch_key}' both given: give one")
        if pitch_key in self.data:
            pitch = self.length(pitch_key, unit, minimum=0, exclusive=True)
            if pitch < label_size - _TOLERANCE_MM:
                raise self.error(pitch_key, "must be at least the label size")
            return max(pitch - label_size, 0.0)
        return self.length(gap_key, unit, minimum=0, default=0.0)

    def elements(self, key: str) -> tuple[str, ...]:
        value = self._take(key)
        valid = (
            isinstance(value, list)
            and value
            and all(element in ELEMENTS for element in value)
            and len(set(value)) == len(value)
        )
        if not valid:
            raise self.error(key, "must be a list of distinct elements from " + ", ".join(ELEMENTS))
        return tuple(value)

    def done(self) -> None:
        if self.data:
            raise self.error(sorted(self.data)[0], "is not a known field")
