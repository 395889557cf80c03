"""`uitleen backup OUT` and `uitleen restore IN`."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from uitleen.extensions import db
from uitleen.reports import doctor
from uitleen.reports.backup import BackupError, backup, restore
from uitleen.reports.backups import database_url


@click.command("backup")
@with_appcontext
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(out: Path):
    """Copy the database to OUT while the app keeps serving, and verify the copy."""
    try:
        check = backup(database_url(), out)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    for line in check.lines():
        click.echo(line)
    doctor.record_backup(out.name)  # after the copy: the backup itself does not hold it
    db.session.commit()
    click.echo(f"Backup written to {out} and verified.")


@click.command("restore")
@with_appcontext
@click.argument("backup_file", metavar="IN", type=click.Path(dir_okay=False, path_type=Path))
def restore_command(backup_file: Path):
    """Restore the backup IN into the (empty) database of DATABASE_URL, and verify it."""
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the file or the schema
    try:
        check = restore(backup_file, database_url())
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    for line in check.lines():
        click.echo(line)
    if not check.ok:
        raise click.ClickException("The restored database does not match the backup.")
    click.echo(f"Restored {backup_file} and verified.")


@click.command("doctor")
@with_appcontext
def doctor_command():
    """Check every setting that would hurt households; exit 1 when one is wrong."""
    found = doctor.findings()
    for finding in found:
        status = "ok     " if finding.ok else "PROBLEM"
        line = f"{status} {finding.setting}: {finding.value}"
        click.echo(line if finding.ok else f"{line}. {finding.advice}")
    wrong = sum(not finding.ok for finding in found)
    if wrong:
        click.echo(f"{wrong} setting(s) to fix before households rely on this site.")
        raise SystemExit(1)
    click.echo("All settings ok.")


commands = [backup_command, restore_command, doctor_command]
