"""`uitleen vouchers import` and `uitleen vouchers expire`."""

from datetime import date, timedelta

from sqlalchemy import func, select

from tests.vouchers.factories import make_batch
from uitleen.extensions import db
from uitleen.vouchers.models import Voucher


def count(status: str | None = None) -> int:
    query = select(func.count()).select_from(Voucher)
    if status:
        query = query.where(Voucher.status == status)
    return db.session.scalar(query)


def test_import_prints_the_report(app, tmp_path):
    make_batch(codes=["KNOWN0001"])
    batch_id = make_batch().id
    path = tmp_path / "codes.txt"
    path.write_text("NEW00001\n\nNEW00002\nNEW00001\nKNOWN0001\n")
    result = app.test_cli_runner().invoke(
        args=["vouchers", "import", "--batch", str(batch_id), str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "added: 2, duplicates in file: 1, already known: 1" in result.output
    db.session.expire_all()
    assert count() == 3


def test_import_of_a_malformed_file_names_the_lines_and_saves_nothing(app, tmp_path):
    batch_id = make_batch().id
    path = tmp_path / "codes.csv"
    path.write_text("code\nGOOD0001\nTWO WORDS\nGOOD0002\n")
    result = app.test_cli_runner().invoke(
        args=["vouchers", "import", "--batch", str(batch_id), str(path)]
    )
    assert result.exit_code == 1
    assert "regel 3" in result.output
    assert "Regel 3: er staat een spatie in de code." in result.output
    db.session.expire_all()
    assert count() == 0


def test_import_into_an_unknown_batch(app, tmp_path):
    path = tmp_path / "codes.txt"
    path.write_text("GOOD0001\n")
    result = app.test_cli_runner().invoke(args=["vouchers", "import", "--batch", "999", str(path)])
    assert result.exit_code == 1
    assert "Deze partij bestaat niet. Kies een andere partij." in result.output


def test_expire_marks_codes_of_expired_batches(app):
    make_batch(codes=4, expires_on=date.today() - timedelta(days=2))
    make_batch(codes=3)
    db.session.rollback()
    result = app.test_cli_runner().invoke(args=["vouchers", "expire"])
    assert result.exit_code == 0
    assert "expired: 4" in result.output
    db.session.expire_all()
    assert (count("expired"), count("available")) == (4, 3)
