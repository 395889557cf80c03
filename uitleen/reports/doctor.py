"""`uitleen doctor`: the settings that would hurt households, each with what to do.

A label that leads nowhere, a help page without https, rate limits that do not count,
a guessable secret key, the wrong time zone or no recent backup all hurt people who
cannot fix them themselves. Each check returns a Finding; the command prints them all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import redis
from flask import current_app
from sqlalchemy import func, select

from uitleen.audit.models import Event
from uitleen.audit.service import record
from uitleen.config import DEV_SECRET_KEY, base_url_problem
from uitleen.db import utcnow
from uitleen.extensions import db

BACKUP_VERB = "backup.made"
BACKUP_MAX_AGE = timedelta(days=2)
MIN_SECRET_LENGTH = 32
_REDIS_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class Finding:
    """One setting: its value as shown, whether it is fine, and what to do if not."""

    setting: str
    value: str
    ok: bool
    advice: str


def findings() -> list[Finding]:
    """Every check, in the order the command prints them."""
    config = current_app.config
    return [
        _base_url(config["UITLEEN_BASE_URL"]),
        _https(config),
        _rate_limits(config),
        _secret_key(config.get("SECRET_KEY") or ""),
        _time_zone(config.get("BABEL_DEFAULT_TIMEZONE") or ""),
        _backups(),
    ]


def record_backup(name: str, actor=None) -> None:
    """Note a verified backup, so the doctor knows when the last one was made.

    actor: who asked for it on the backups page; None for `uitleen backup` (the system).
    """
    record(actor, BACKUP_VERB, ("backups", name[:40]))


def _base_url(url: str) -> Finding:
    advice = {
        "missing": "Set UITLEEN_BASE_URL to this site's address, e.g. https://hulp.example.nl.",
        "localhost": "Labels would point at this machine only. Set UITLEEN_BASE_URL to the "
        "public https address of this site.",
        "loopback": "Labels would point at this machine only. Set UITLEEN_BASE_URL to the "
        "public https address of this site.",
        "plain_http": "Labels and help pages need https:// (phones warn, networks tamper). "
        "Set UITLEEN_BASE_URL to the https:// address of this site.",
    }
    problem = base_url_problem(url)
    return Finding("UITLEEN_BASE_URL", url or "(empty)", problem is None, advice.get(problem, ""))


def _https(config) -> Finding:
    if not config.get("SESSION_COOKIE_SECURE"):
        return Finding(
            "SESSION_COOKIE_SECURE",
            "off",
            False,
            "Staff logins would travel without https. Serve over https and set "
            "SESSION_COOKIE_SECURE=1 (on by default with UITLEEN_ENV=production).",
        )
    scheme = config.get("PREFERRED_URL_SCHEME") or "http"
    if scheme != "https":
        return Finding(
            "PREFERRED_URL_SCHEME",
            scheme,
            False,
            "Links in e-mails and PDFs would start with http://. Set PREFERRED_URL_SCHEME=https.",
        )
    return Finding("HTTPS", "secure cookies, https links", True, "")


def _rate_limits(config) -> Finding:
    if not config.get("RATELIMIT_ENABLED", True):
        return Finding(
            "RATELIMIT_ENABLED",
            "off",
            False,
            "Anyone could try label tokens or flood the help queue. Remove RATELIMIT_ENABLED=0.",
        )
    uri = config.get("RATELIMIT_STORAGE_URI") or ""
    if uri.startswith("memory://"):
        return Finding(
            "RATELIMIT_STORAGE_URI",
            uri,
            False,
            "memory:// counts per worker process, so limits multiply. Use file:// on one "
            "machine or redis://host:6379/0 for several.",
        )
    if uri.startswith(("redis://", "rediss://")):
        try:
            client = redis.Redis.from_url(uri, socket_timeout=_REDIS_TIMEOUT_SECONDS)
            client.ping()
        except (redis.RedisError, OSError, ValueError) as error:
            return Finding(
                "RATELIMIT_STORAGE_URI",
                uri,
                False,
                f"cannot reach the rate-limit store ({error.__class__.__name__}): public "
                "pages would fail. Start Redis or correct RATELIMIT_STORAGE_URI.",
            )
        return Finding("RATELIMIT_STORAGE_URI", uri, True, "")
    if uri.startswith("file://"):
        return Finding(
            "RATELIMIT_STORAGE_URI",
            f"{uri} (counts on one machine: use redis:// when several servers serve this site)",
            True,
            "",
        )
    return Finding("RATELIMIT_STORAGE_URI", uri, True, "")


def _secret_key(key: str) -> Finding:
    if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_LENGTH:
        return Finding(
            "SECRET_KEY",
            "development key" if key == DEV_SECRET_KEY else f"{len(key)} characters",
            False,
            "Anyone who knows or guesses it can sign in as staff. Set SECRET_KEY to at least "
            f"{MIN_SECRET_LENGTH} random characters, e.g. python3 -c 'import secrets; "
            "print(secrets.token_urlsafe(48))'.",
        )
    return Finding("SECRET_KEY", f"{len(key)} characters", True, "")


def _time_zone(zone: str) -> Finding:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return Finding(
            "UITLEEN_TIME_ZONE",
            zone or "(empty)",
            False,
            "Due dates and walk-in hours would show the wrong time. Set UITLEEN_TIME_ZONE to "
            "a name such as Europe/Amsterdam.",
        )
    return Finding("UITLEEN_TIME_ZONE", zone, True, "")


def _backups() -> Finding:
    last = db.session.scalar(select(func.max(Event.at)).where(Event.verb == BACKUP_VERB))
    if last is None or utcnow() - last > BACKUP_MAX_AGE:
        when = "never" if last is None else f"last on {last:%Y-%m-%d %H:%M} UTC"
        return Finding(
            "backups",
            when,
            False,
            "No backup in 2 days: a broken disk would lose households' loans and help "
            "requests. Run uitleen backup FILE every day (cron or a systemd timer).",
        )
    return Finding("backups", f"last on {last:%Y-%m-%d %H:%M} UTC", True, "")
