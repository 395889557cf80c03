"""`uitleen seed-demo`: a realistic demo organisation in an empty database.

Each domain package may have a demo.seed(demo) that adds its part, in the order of
uitleen.wiring.DEMO_SEEDERS, so later domains can build on what earlier ones made
(demo.objects).
"""

import random
from dataclasses import dataclass, field
from datetime import datetime

import click
from flask import current_app
from sqlalchemy import func, select

from uitleen.audit.models import Event
from uitleen.auth import service as auth
from uitleen.auth.models import User
from uitleen.auth.roles import COORDINATOR, INTAKE, VOLUNTEER
from uitleen.db import utcnow
from uitleen.extensions import db

# Demo only: seed-demo refuses to run in production, so these never guard real data.
DEMO_LOGINS = [
    ("coordinator@demo.uitleen.nl", "Carla Coördinator", COORDINATOR, "demo-coordinator"),
    ("intake@demo.uitleen.nl", "Ilse Intake", INTAKE, "demo-intake-2026"),
    ("vrijwilliger@demo.uitleen.nl", "Victor Vrijwilliger", VOLUNTEER, "demo-vrijwilliger"),
]


@dataclass
class Demo:
    """What the domain seeders share: users by role, a seeded RNG, and made objects."""

    users: dict[str, User]
    rng: random.Random
    now: datetime
    objects: dict[str, list] = field(default_factory=dict)


def database_is_empty() -> bool:
    users = db.session.scalar(select(func.count()).select_from(User))
    events = db.session.scalar(select(func.count()).select_from(Event))
    return not users and not events


def seed(rng_seed: int = 2026) -> Demo:
    # Imported here: the domains' demo modules import this one for Demo.
    from uitleen.wiring import DEMO_SEEDERS

    users = {}
    for email, name, role, password in DEMO_LOGINS:
        users[role] = auth.create_user(None, email, name, role, password)
    demo = Demo(users=users, rng=random.Random(rng_seed), now=utcnow())
    for seed_domain in DEMO_SEEDERS:
        seed_domain(demo)
        db.session.flush()
    return demo


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when there is data.")
def seed_demo(if_empty: bool):
    """Fill an empty database with a demo organisation and print the demo logins."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("seed-demo is for trying Uitleen out; not in production.")
    if not database_is_empty():
        if if_empty:
            click.echo("The database already has data; no demo added.")
            print_logins()
            return
        raise click.ClickException(
            "The database is not empty; seed-demo only fills an empty database. "
            "Use a new DATABASE_URL, or remove the SQLite file in instance/."
        )
    seed()
    db.session.commit()
    click.echo("Demo data added.")
    print_logins()


def print_logins() -> None:
    click.echo("Demo logins (email / password):")
    for email, _name, role, password in DEMO_LOGINS:
        click.echo(f"  {role:<12} {email:<32} {password}")
