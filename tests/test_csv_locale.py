"""Issue 11: CSV exports open as columns in the staff member's spreadsheet."""

import csv
import io

import pytest
from flask import g

from tests.devices.factories import make_device
from uitleen.csvexport import delimiter_for, delimiter_of
from uitleen.devices import bulk
from uitleen.extensions import db


def rows_of(response, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"), newline=""),
                           delimiter=delimiter))  # fmt: skip


@pytest.mark.parametrize(("lang", "delimiter"), [("nl", ";"), ("en", ",")])
def test_the_device_export_follows_the_staff_language(client, login_as, lang, delimiter):
    login_as("volunteer")
    make_device(make="Acer", model="Swift 3, 2019")
    db.session.commit()
    if lang == "en":
        client.post("/lang/en", data={"next": "/start"})
        g.pop("_flask_babel", None)
    response = client.get("/devices/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"  # one charset
    assert response.data.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    header = response.data.decode("utf-8-sig").splitlines()[0]
    assert header == delimiter.join(bulk.COLUMNS)
    rows = rows_of(response, delimiter)
    assert rows[1][2:4] == ["Acer", "Swift 3, 2019"]


def test_the_report_export_has_one_charset_and_semicolons(client, login_as):
    login_as("coordinator")
    response = client.get("/reports/export.csv?from=2026-03-01&to=2026-03-31")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert ";" in response.data.decode("utf-8-sig").splitlines()[0]


def test_a_dutch_export_imports_again(client, login_as):
    login_as("volunteer")
    make_device(make="Acer", model="Swift 3", serial="NXH9")
    db.session.commit()
    exported = client.get("/devices/export.csv").data.decode("utf-8-sig")
    assert delimiter_of(exported.splitlines()[0]) == ";"
    handle = io.StringIO(exported, newline="")
    result = bulk.check(lambda: io.StringIO(handle.getvalue(), newline=""))
    assert result.rows == 1


def test_delimiters():
    assert [delimiter_for(code) for code in ("nl", "en", "en_GB", "tr", None)] == [
        ";", ",", ",", ";", ";"]  # fmt: skip
    assert delimiter_of("a;b;c") == ";" and delimiter_of("a,b;c,d") == ","
