"""`uitleen user …` and `uitleen token …`."""

import sys

import click

from uitleen.auth import service
from uitleen.auth.roles import ROLES
from uitleen.errors import DomainError
from uitleen.extensions import db


def _fail(error: DomainError):
    db.session.rollback()
    raise click.ClickException(error.message)


@click.group("user", help="Manage staff accounts.")
def user_group():
    pass


@user_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="", help="Display name (defaults to the email address).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email: str, role: str, name: str, password_stdin: bool):
    """Create a staff account; asks for the password twice unless --password-stdin."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = service.create_user(None, email, name, role, password)
        db.session.commit()
    except DomainError as error:
        _fail(error)
    click.echo(f"Created {user.email} ({user.role}).", err=True)


@user_group.command("deactivate")
@click.argument("email")
def deactivate_user(email: str):
    """Deactivate an account: its sessions and API tokens stop working at once."""
    user = service.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with email {email}.")
    service.deactivate(None, user)
    db.session.commit()
    click.echo(f"Deactivated {user.email}.", err=True)


@user_group.command("list")
def list_users():
    """List staff accounts."""
    from sqlalchemy import select

    from uitleen.auth.models import User

    for user in db.session.scalars(select(User).order_by(User.email)):
        state = "active" if user.active else "inactive"
        click.echo(f"{user.email}\t{user.role}\t{state}")


@click.group("token", help="Manage API tokens.")
def token_group():
    pass


@token_group.command("create")
@click.argument("email")
@click.option("--name", default="", help="What the token is for, e.g. 'label printer'.")
def create_token(email: str, name: str):
    """Print a new API token for EMAIL, once, on stdout."""
    user = service.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account with email {email}.")
    try:
        token = service.create_token(None, user, name)
        db.session.commit()
    except DomainError as error:
        _fail(error)
    click.echo(token)


@token_group.command("revoke")
@click.argument("token_ref")
def revoke_token(token_ref: str):
    """Revoke a token by its number, its first characters (uit_xxxxxx) or the whole token."""
    try:
        token = service.revoke_token(None, token_ref)
        db.session.commit()
    except DomainError as error:
        _fail(error)
    click.echo(f"Revoked token {token.id} ({token.prefix}…).", err=True)


commands = [user_group, token_group]
