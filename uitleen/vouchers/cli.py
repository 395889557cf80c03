"""`uitleen vouchers import` and `uitleen vouchers expire`."""

import click

from uitleen.errors import DomainError
from uitleen.extensions import db
from uitleen.vouchers import service


@click.group("vouchers", help="Internet voucher batches and codes.")
def vouchers_group():
    pass


@vouchers_group.command("import")
@click.option("--batch", "batch_id", type=int, required=True, help="The batch number.")
@click.argument("file", type=click.File("rb"))
def import_codes(batch_id: int, file):
    """Import codes from FILE (CSV with a 'code' column, or text: one code a line)."""
    try:
        report = service.import_codes(None, service.get_batch(batch_id), file.read())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        details = [
            f"  {line}"
            for lines in error.errors.values()
            for line in lines
            if line != error.message
        ]
        raise click.ClickException("\n".join([error.message, *details])) from None
    click.echo(
        f"added: {report.added}, duplicates in file: {report.duplicates_in_file}, "
        f"already known: {report.already_known}"
    )


@vouchers_group.command("expire")
def expire():
    """Mark the available codes of batches past their expiry date as expired."""
    count = service.expire_batches(None)
    db.session.commit()
    click.echo(f"expired: {count}")


commands = [vouchers_group]
