"""One clock for people: moments are stored in UTC and shown in the organisation's zone.

The zone is the setting UITLEEN_TIME_ZONE (default Europe/Amsterdam), which Flask-Babel's
date filters use too. nwipe and other tools write the wiping machine's local time without
a zone; from_local reads such a time as the organisation's.
"""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Europe/Amsterdam"


def zone() -> ZoneInfo:
    """The organisation's time zone."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or DEFAULT_ZONE)


def local(moment: datetime) -> datetime:
    """A stored moment (aware, or naive UTC from SQLite) in the organisation's zone."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone())


def from_local(moment: datetime | None) -> datetime | None:
    """A naive wall-clock time in the organisation's zone, as an aware UTC moment."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        # fold=0: an ambiguous hour in the autumn DST change is read as the first one.
        moment = moment.replace(tzinfo=zone())
    return moment.astimezone(UTC)


def format_local(moment: datetime, pattern: str = "%d-%m-%Y %H:%M", with_zone: bool = False) -> str:
    """A moment as people read it: local wall-clock time, optionally with the zone name."""
    shown = local(moment)
    text = shown.strftime(pattern)
    return f"{text} {shown.tzname()}" if with_zone else text
