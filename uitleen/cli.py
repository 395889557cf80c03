"""The `uitleen` command: this app's Flask CLI."""

from flask.cli import FlaskGroup

from uitleen import create_app


def main() -> None:
    cli = FlaskGroup(create_app=create_app, help="Uitleen: uitleen beheren vanaf de opdrachtregel.")
    cli.main(prog_name="uitleen")
