"""Every table cell says which column it is in, for phones.

On a narrow screen (max-width 40rem) uitleen/static/app.css turns each table row into a
card: `thead` is hidden and each cell shows its column name through
`[data-label]::before { content: attr(data-label) ": " }`. A `<td>` without
`data-label` shows a bare value there. So every `<td>` of a table with a `<thead>`
carries `data-label`, the same text as its column header, except:

- the first cell of a row: the row's own title (a linked asset tag, a code, a name),
- a `<td colspan=...>` row such as "nothing found",
- a cell whose column header is visually hidden (a checkbox, the actions).

A `<th scope="row">` is a row title and needs nothing. This reads the raw Jinja source.
"""

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parent.parent / "uitleen" / "templates"
WITH_THEAD = sorted(
    p.relative_to(TEMPLATES).as_posix()
    for p in TEMPLATES.rglob("*.html")
    if "<thead" in p.read_text(encoding="utf-8")
)

TABLE = re.compile(r"<table\b.*?</table>", re.S)
THEAD = re.compile(r"<thead\b.*?</thead>", re.S)
HEADER = re.compile(r"<th\b[^>]*>(.*?)</th>", re.S)
ROW = re.compile(r"<tr\b.*?</tr>", re.S)
CELL = re.compile(r"<(td|th)\b([^>]*)>")
LABEL = re.compile(r'data-label="([^"]*)"')


def unlabelled_cells(source: str) -> list[str]:
    """One line per `<td>` that needs a data-label and has none (or a wrong one)."""
    problems = []
    for table in TABLE.findall(source):
        thead = THEAD.search(table)
        if not thead:
            continue
        headers = [text.strip() for text in HEADER.findall(thead.group())]
        for row in ROW.findall(table[thead.end() :]):
            for column, (tag, attributes) in enumerate(CELL.findall(row)):
                if tag == "th" or column == 0 or "colspan" in attributes:
                    continue
                header = headers[column] if column < len(headers) else "?"
                label = LABEL.search(attributes)
                if label and label.group(1) == header:
                    continue
                if "visually-hidden" in header and not label:
                    continue
                problems.append(f"column {column + 1} ({header}): <td{attributes}>")
    return problems


def test_the_templates_with_tables_are_found():
    assert "devices/index.html" in WITH_THEAD and len(WITH_THEAD) >= 20


@pytest.mark.parametrize("name", WITH_THEAD)
def test_every_cell_is_labelled_for_phones(name):
    assert unlabelled_cells((TEMPLATES / name).read_text(encoding="utf-8")) == []


def test_a_new_unlabelled_column_is_caught():
    source = (
        "<table><thead><tr><th>{{ _('Naam') }}</th><th>{{ _('Telefoon') }}</th>"
        '<th><span class="visually-hidden">x</span></th></tr></thead>'
        "<tbody><tr><td>a</td><td>b</td><td>c</td></tr>"
        '<tr><td colspan="3">niets</td></tr></tbody></table>'
    )
    assert unlabelled_cells(source) == ["column 2 ({{ _('Telefoon') }}): <td>"]
    labelled = source.replace("<td>b", "<td data-label=\"{{ _('Telefoon') }}\">b")
    assert unlabelled_cells(labelled) == []
