"""`uitleen help-requests purge`: erase call-back numbers and messages past retention."""

import click

from uitleen.extensions import db
from uitleen.helpdesk import service


@click.group("help-requests", help="Help requests from the label pages.")
def help_requests_group():
    pass


@help_requests_group.command("purge")
def purge():
    """Erase message and call-back number of requests closed past the retention period."""
    count = service.purge_closed(None)
    db.session.commit()
    click.echo(f"Erased the message and call-back number of {count} closed help request(s).")


commands = [help_requests_group]
