"""`uitleen labels --format F [--state S] [--tag T …] [--start N] -o out.pdf`."""

import os
from pathlib import Path

import click
from flask_babel import gettext as _
from marshmallow import ValidationError

from uitleen.errors import Invalid, field_errors
from uitleen.extensions import db
from uitleen.labels import service
from uitleen.labels.render import write_labels
from uitleen.labels.schemas import LabelPrintInSchema


@click.command("labels")
@click.option("--format", "format_", required=True, help="Label format id, e.g. L7160.")
@click.option("--state", default=None, help="All devices in this state.")
@click.option("--tag", "tags", multiple=True, help="An asset tag or label URL; repeatable.")
@click.option("--start", default=1, show_default=True, help="Position of the first label.")
@click.option("--copies", default=1, show_default=True, help="Labels per device.")
@click.option(
    "-o", "--output", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path)
)
def labels(format_, state, tags, start, copies, output: Path):
    """Write the labels of the chosen devices to a PDF (printing is logged)."""
    if not state and not tags:
        raise click.UsageError(_("Kies apparaten met --state of --tag."))
    data = {"format": format_, "state": state, "start": start, "copies": copies}
    data["tags"] = [part for tag in tags for part in service.split_tags(tag)]
    try:
        run = service.prepare_print(None, **LabelPrintInSchema().load(data))
    except ValidationError as error:
        _refuse(field_errors(error.messages))
    except Invalid as error:
        _refuse(error.errors or {"_schema": [error.message]})
    db.session.commit()
    partial = output.with_name(output.name + ".part")
    with partial.open("wb") as stream:  # a complete file or none: renamed when written
        count = write_labels(stream, run.fmt, run.labels(), run.start, notice=run.notice)
    os.replace(partial, output)
    click.echo(_("%(n)s labels geschreven naar %(path)s.", n=count, path=output))


def _refuse(errors: dict) -> None:
    db.session.rollback()
    for field, messages in errors.items():
        click.echo(f"{field}: {' '.join(messages)}", err=True)
    raise click.ClickException(_("Geen labels gemaakt."))


commands = [labels]
