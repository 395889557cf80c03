"""`uitleen devices import FILE.csv` and `uitleen devices export [FILE.csv]`."""

import sys

import click
from flask_babel import gettext as _

from uitleen import csvexport
from uitleen.devices import bulk
from uitleen.extensions import db


@click.group("devices")
def devices():
    """Devices: bulk intake and export."""


@devices.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_devices(path: str):
    """Register every device in a CSV file: all rows or none."""

    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = max(sum(1 for _line in handle) - 1, 0)
    click.echo(_("Alle regels controleren…"))
    with click.progressbar(length=rows, label=_("Inlezen")) as bar:
        last = [0]

        def progress(done: int) -> None:
            bar.update(done - last[0])
            last[0] = done

        try:
            count = bulk.import_rows(None, bulk.opener(path), progress)
        except bulk.ImportRefused as refused:
            db.session.rollback()
            _report(refused.result)
            raise click.ClickException(
                _("Niets ingelezen: %(n)s fout(en).", n=refused.result.error_count)
            ) from refused
    db.session.commit()
    click.echo(_("%(n)s apparaten ingelezen.", n=count))


def _report(result: bulk.CheckResult) -> None:
    for error in result.errors:
        click.echo(
            _(
                "regel %(row)s, %(field)s: %(message)s",
                row=error.row,
                field=error.field,
                message=error.message,
            ),
            err=True,
        )
    hidden = result.error_count - len(result.errors)
    if hidden:
        click.echo(_("… en nog %(n)s.", n=hidden), err=True)


@devices.command("export")
@click.argument("path", type=click.Path(dir_okay=False, writable=True), default="-")
def export_devices(path: str):
    """Write all devices as CSV (the columns that `devices import` reads); '-' is stdout."""
    if path == "-":
        csvexport.write(bulk.export_rows(), sys.stdout)
    else:
        with open(path, "w", encoding="utf-8", newline="") as handle:
            count = csvexport.write(bulk.export_rows(), handle)
        click.echo(_("%(n)s apparaten geschreven naar %(path)s.", n=count, path=path))


commands = [devices]
