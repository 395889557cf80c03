"""`uitleen devices import FILE.csv`, `uitleen devices export [FILE.csv]` and
`uitleen devices snapshot-import FILE...` (hardware snapshots from a USB stick)."""

import sys

import click
from flask_babel import gettext as _

from uitleen import csvexport
from uitleen.devices import bulk, service
from uitleen.errors import DomainError
from uitleen.extensions import db


@click.group("devices")
def devices():
    """Devices: bulk intake and export."""


@devices.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def import_devices(path: str):
    """Register every device in a CSV file: all rows or none."""

    rows = bulk.rows_in(path)
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


@devices.command("snapshot-import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def snapshot_import(paths: tuple[str, ...]):
    """Read workbench-script snapshots (.json); each file is saved on its own or not at all."""
    refused = 0
    for path in paths:
        with open(path, "rb") as handle:
            content = handle.read()
        try:
            result = service.import_snapshot(None, content, "cli", path)
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            refused += 1
            click.echo(f"{path}: {error.message}", err=True)
            continue
        click.echo(f"{path}: {_summary(result)}")
        for finding in result.findings:
            click.echo(f"  {service.finding_text(finding)}")
    if refused:
        raise click.ClickException(
            _("%(n)s van %(total)s bestanden niet ingelezen.", n=refused, total=len(paths))
        )


def _summary(result: service.SnapshotResult) -> str:
    tag = result.device.asset_tag
    if result.replayed:
        return _("al ingelezen bij %(tag)s", tag=tag)
    if result.created:
        return _("%(tag)s geregistreerd", tag=tag)
    changed = ", ".join(result.changes) or _("niets veranderd")
    return _("%(tag)s bijgewerkt: %(fields)s", tag=tag, fields=changed)


commands = [devices]
