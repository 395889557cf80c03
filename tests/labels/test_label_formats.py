from itertools import combinations
from pathlib import Path

import pytest

from uitleen.labels.formats import (
    DEFAULT_FORMATS_DIR,
    LabelFormat,
    LabelFormatError,
    available_formats,
    load_format,
)

# id: (labels per page, label width mm, label height mm, page width mm, page height mm)
SHIPPED = {
    "L7160": (21, 63.5, 38.1, 210, 297),
    "L7163": (14, 99.1, 38.1, 210, 297),
    "L7651": (65, 38.1, 21.2, 210, 297),
    "5160": (30, 66.675, 25.4, 215.9, 279.4),
    "DK-11209": (1, 62, 29, 62, 29),
    "DK-22205": (1, 62, 40, 62, 40),
    "99012": (1, 89, 36, 89, 36),
}
EPSILON = 1e-6


def write_variant(tmp_path: Path, old: str, new: str, name: str = "L7160") -> Path:
    """A copy of a shipped format file with one piece of text replaced."""
    text = (DEFAULT_FORMATS_DIR / f"{name}.toml").read_text()
    assert old in text, f"{old!r} not in {name}.toml"
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new, 1))
    return path


def rectangles_overlap(a, b) -> bool:
    (ax, ay, aw, ah), (bx, by, bw, bh) = a, b
    return (
        ax < bx + bw - EPSILON
        and bx < ax + aw - EPSILON
        and ay < by + bh - EPSILON
        and by < ay + ah - EPSILON
    )


def test_every_required_format_ships_with_its_real_size():
    formats = {fmt.id: fmt for fmt in available_formats()}
    assert set(SHIPPED) <= set(formats)
    for format_id, (count, width, height, page_width, page_height) in SHIPPED.items():
        fmt = formats[format_id]
        assert fmt.labels_per_page == count, format_id
        assert fmt.label_width_mm == pytest.approx(width), format_id
        assert fmt.label_height_mm == pytest.approx(height), format_id
        assert fmt.page_width_mm == pytest.approx(page_width), format_id
        assert fmt.page_height_mm == pytest.approx(page_height), format_id


@pytest.mark.parametrize("fmt", available_formats(), ids=lambda fmt: fmt.id)
def test_labels_lie_on_the_page_and_do_not_overlap(fmt: LabelFormat):
    cells = [fmt.cell(position) for position in range(1, fmt.labels_per_page + 1)]
    for left, top, width, height in cells:
        assert left >= -EPSILON and top >= -EPSILON
        assert left + width <= fmt.page_width_mm + EPSILON
        assert top + height <= fmt.page_height_mm + EPSILON
    for a, b in combinations(cells, 2):
        assert not rectangles_overlap(a, b), (a, b)


@pytest.mark.parametrize("fmt", available_formats(), ids=lambda fmt: fmt.id)
def test_the_qr_code_fits_on_the_label_and_its_dark_part_inside_the_padding(fmt: LabelFormat):
    assert "qr" in fmt.layout.elements and "tag" in fmt.layout.elements
    assert fmt.layout.qr_size_mm <= min(fmt.label_width_mm, fmt.label_height_mm) + EPSILON
    for modules in (21, 25, 29, 33):
        left, top, side = fmt.symbol_box(modules)
        module = side / modules
        assert left >= fmt.padding_x_mm - EPSILON and left >= 4 * module - EPSILON
        assert left + side + 4 * module <= fmt.text_left_mm + EPSILON  # quiet before text
        assert top >= fmt.padding_y_mm - EPSILON and top >= 4 * module - EPSILON
        assert top + side <= fmt.label_height_mm - fmt.padding_y_mm + EPSILON


def test_only_the_mini_labels_are_too_small_for_arms_length():
    too_small = [fmt.id for fmt in available_formats() if not fmt.scans_from_arms_length]
    assert too_small == ["L7651"]
    assert "dichtbij" in load_format("L7651").description


def test_sheet_sums_match_the_published_margins():
    l7160 = load_format("L7160")
    right = l7160.page_width_mm - (l7160.cell(3)[0] + l7160.label_width_mm)
    bottom = l7160.page_height_mm - (l7160.cell(21)[1] + l7160.label_height_mm)
    assert right == pytest.approx(l7160.margin_left_mm)  # symmetric sheet
    assert bottom == pytest.approx(l7160.margin_top_mm)


def test_cells_are_numbered_row_by_row():
    fmt = load_format("L7160")
    assert fmt.cell(1)[:2] == (pytest.approx(7.25), pytest.approx(15.15))
    assert fmt.cell(2)[:2] == (pytest.approx(7.25 + 66.0), pytest.approx(15.15))
    assert fmt.cell(4)[:2] == (pytest.approx(7.25), pytest.approx(15.15 + 38.1))
    for position in (0, 22):
        with pytest.raises(ValueError):
            fmt.cell(position)


def test_inches_are_converted_to_millimetres():
    fmt = load_format("5160")
    assert fmt.margin_left_mm == pytest.approx(4.7625)
    assert fmt.gap_x_mm == pytest.approx(3.175)
    assert fmt.layout.qr_size_mm == pytest.approx(25.4)


def test_load_by_path_and_by_name_agree(tmp_path):
    path = write_variant(tmp_path, 'name = "Avery L7160"', 'name = "Mijn vel"')
    assert load_format(path).name == "Mijn vel"
    assert load_format("L7160", tmp_path).name == "Mijn vel"
    assert load_format("L7160").name == "Avery L7160"


def test_a_new_format_is_just_a_new_file(tmp_path):
    write_variant(tmp_path, "columns = 3", "columns = 2", name="L7160")
    (tmp_path / "L7160.toml").rename(tmp_path / "two-columns.toml")
    [fmt] = available_formats(tmp_path)
    assert fmt.id == "two-columns"
    assert fmt.labels_per_page == 14


def test_unknown_name_names_the_file():
    with pytest.raises(LabelFormatError, match=r"^nope\.toml: no such label format"):
        load_format("nope")


def test_invalid_toml_names_the_file(tmp_path):
    path = write_variant(tmp_path, "columns = 3", "columns = = 3")
    with pytest.raises(LabelFormatError, match=r"^L7160\.toml: not valid TOML"):
        load_format(path)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("columns = 3\n", "", "'grid.columns' is missing"),
        ("columns = 3", 'columns = "3"', "'grid.columns' must be a whole number ≥ 1"),
        ("columns = 3", "columns = 2.5", "'grid.columns' must be a whole number ≥ 1"),
        ("columns = 3", "columns = 0", "'grid.columns' must be a whole number ≥ 1"),
        ("columns = 3", "columns = true", "'grid.columns' must be a whole number ≥ 1"),
        (
            "columns = 3",
            "columns = 4",
            "'grid.columns' does not fit: 4 columns with their margin need 268.75 mm, "
            "the page is 210 mm wide",
        ),
        (
            "rows = 7",
            "rows = 8",
            "'grid.rows' does not fit: 8 rows with their margin need 319.95 mm, "
            "the page is 297 mm high",
        ),
        ("margin_left = 7.25", "margin_left = 15", "'grid.columns' does not fit: 3 columns"),
        ("width = 63.5", "width = -63.5", "'label.width' must be a number > 0"),
        ("width = 63.5", 'width = "63.5mm"', "'label.width' must be a number > 0"),
        ('name = "Avery L7160"\n', "", "'name' is missing"),
        ('media = "sheet"', 'media = "tape"', """'media' must be one of "sheet", "roll\""""),
        ('unit = "mm"', 'unit = "cm"', """'unit' must be one of "mm", "in\""""),
        (
            "pitch_x = 66.0",
            "pitch_x = 66.0\ngap_x = 2.5",
            "'grid.gap_x' and 'grid.pitch_x' both given",
        ),
        ("pitch_x = 66.0", "pitch_x = 60", "'grid.pitch_x' must be at least the label size"),
        ("columns = 3", "columns = 3\ncolums = 3", "'grid.colums' is not a known field"),
        (
            "qr_size = 38.1",
            "qr_size = 38.2",
            "'content.qr_size' is larger than the label (63.5 × 38.1 mm)",
        ),
        (
            "qr_size = 38.1",
            "qr_size = 38.1\nqr_size_mm = 1",
            "'content.qr_size_mm' is not a known field",
        ),
        ('"qr", "tag"', '"qr", "logo"', "'content.elements' must be a list of distinct elements"),
        ('"qr", "tag"', '"qr", "qr"', "'content.elements' must be a list of distinct elements"),
        ("tag_font_pt = 14\n", "", "'content.tag_font_pt' is missing"),
        ("padding_y = 2.0", "padding_y = 19.05", "'label.padding_y' leaves no room on the label"),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 30 else None,
)
def test_bad_format_files_say_which_field_is_wrong(tmp_path, old, new, message):
    path = write_variant(tmp_path, old, new)
    with pytest.raises(LabelFormatError) as caught:
        load_format(path)
    assert str(caught.value).startswith(f"L7160.toml: {message}")


def test_a_roll_has_no_grid(tmp_path):
    path = write_variant(tmp_path, "[content]", "[grid]\ncolumns = 2\n\n[content]", name="DK-11209")
    with pytest.raises(LabelFormatError, match=r"^DK-11209\.toml: 'grid' is not used for a roll"):
        load_format(path)


def test_text_needs_room_beside_the_qr_code(tmp_path):
    path = write_variant(tmp_path, "qr_size = 21.2", "qr_size = 21.2\n", name="L7651")
    path.write_text(path.read_text().replace("width = 38.1", "width = 24"))
    with pytest.raises(
        LabelFormatError, match=r"'content.qr_size' leaves less than 8 mm for the text"
    ):
        load_format(path)


def test_one_bad_file_fails_the_listing(tmp_path):
    write_variant(tmp_path, "rows = 7", "rows = 70")
    with pytest.raises(LabelFormatError, match="'grid.rows'"):
        available_formats(tmp_path)


def test_a_table_must_be_a_table(tmp_path):
    path = write_variant(tmp_path, "[grid]", "[grod]")
    path.write_text("grid = 3\n" + path.read_text())
    with pytest.raises(LabelFormatError, match=r"^L7160\.toml: 'grid' must be a table"):
        load_format(path)
