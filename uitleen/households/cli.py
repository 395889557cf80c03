"""`uitleen households purge`: erase personal data past the retention period."""

import click

from uitleen.extensions import db
from uitleen.households import service
from uitleen.settings import service as settings


@click.group("households", help="Households: retention of personal data.")
def households_group():
    pass


@households_group.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count; erase nothing.")
def purge(dry_run: bool):
    """Erase name, phone and notes of households past the retention period."""
    months = settings.get("retention_months")
    if dry_run:
        count = len(service.retention_due())
        db.session.rollback()
        click.echo(f"{count} household(s) are past the retention period of {months} months.")
        return
    count = service.purge(None)
    db.session.commit()
    click.echo(f"Erased the personal data of {count} household(s) (retention: {months} months).")


commands = [households_group]
