"""Backups on demand: a coordinator asks for one on a page, and it is made in the background.

The copy is the same verified backup as `uitleen backup` makes. It goes to
UITLEEN_BACKUP_DIR (default: `backups` in the instance folder) on the machine that makes
it: with several app servers, the worker's, so that folder must be a volume that outlives
the container. It is never sent through the browser: a backup holds every household's
data and every password hash, and a stolen session must not be enough to take them.
The page lists the backups from the event log, which every server reads alike.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from sqlalchemy import select

from uitleen import clock
from uitleen.audit.models import Event
from uitleen.auth.models import User
from uitleen.db import utcnow
from uitleen.extensions import db
from uitleen.reports import doctor
from uitleen.reports.backup import BackupError, backup, private_folder

BACKUP_WORK = "reports.backup"  # its kind of background work (uitleen.tasks)
KEEP = 14  # backups made on demand that stay in the folder; older ones are removed
PREFIX = "uitleen-"


def backup_dir() -> Path:
    """UITLEEN_BACKUP_DIR, or backups in the instance folder."""
    configured = current_app.config.get("UITLEEN_BACKUP_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "backups"


def database_url() -> str:
    """The engine's URL: Flask-SQLAlchemy has made a relative SQLite path absolute there."""
    return db.engine.url.render_as_string(hide_password=False)


def make(actor_id: int) -> dict:
    """The background work: a verified backup in backup_dir(), noted in the event log.

    Returns {"file", "tables", "rows"} or, when no verified copy could be made,
    {"problem"} with the reason (for the operator: it names tools and paths).
    """
    suffix = "sqlite3" if database_url().startswith("sqlite") else "dump"
    name = f"{PREFIX}{clock.local(utcnow()):%Y%m%d-%H%M%S}.{suffix}"
    try:
        folder = private_folder(backup_dir())
        check = backup(database_url(), folder / name)
    except (BackupError, OSError) as error:  # OSError: a folder it may not write in, a full disk
        return {"problem": str(error)}
    doctor.record_backup(name, db.session.get(User, actor_id))
    db.session.commit()
    _remove_old(folder)
    return {
        "file": name,
        "tables": len(check.copy_counts),
        "rows": sum(check.copy_counts.values()),
    }


def _remove_old(folder: Path) -> None:
    """Keep the KEEP newest backups made here; files of other names are not ours to touch.

    Newest by the time the file was written, not by its name: local times in names go
    back an hour when summer time ends."""
    ours = sorted(folder.glob(f"{PREFIX}*"), key=lambda path: path.stat().st_mtime, reverse=True)
    for path in ours[KEEP:]:
        path.unlink(missing_ok=True)


def recent(limit: int = 10) -> list[Event]:
    """The latest backups, from the command line or this page, newest first."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.verb == doctor.BACKUP_VERB)
            .order_by(Event.at.desc(), Event.id.desc())
            .limit(limit)
        )
    )
