"""One clock for people: moments are stored in UTC and shown in the organisation's zone.

The zone is the setting UITLEEN_TIME_ZONE (default Europe/Amsterdam), which Flask-Babel's
date filters use too. nwipe and other tools write the wiping machine's local time without
a zone; from_local reads such a time as the organisation's.
"""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

from uitleen.db import utcnow

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
    """A naive wall-clock time in the organisation's zone, as an aware UTC moment.

    Around a DST change (Europe/Amsterdam shown; fold=0 rules both, as PEP 495 says):
    - a time in the spring gap does not exist (2026-03-29 02:30); it is read with the offset
      from before the change (+01:00), so it lands at 01:30 UTC, which the clock shows as 03:30;
    - a time in the autumn fold exists twice (2026-10-25 02:30); it is read as the first one
      (+02:00, 00:30 UTC) unless the caller set fold=1 (+01:00, 01:30 UTC).
    An aware moment keeps its own offset.
    """
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone())
    return moment.astimezone(UTC)


def today(now: datetime | None = None) -> date:
    """The date on the organisation's wall calendar (at 00:30 in Amsterdam, UTC is a day behind)."""
    return local(now or utcnow()).date()  # utcnow: the demo's story clock, too


def format_local(moment: datetime, pattern: str = "%d-%m-%Y %H:%M", with_zone: bool = False) -> str:
    """A moment as people read it: local wall-clock time, optionally with the zone name."""
    shown = local(moment)
    text = shown.strftime(pattern)
    return f"{text} {shown.tzname()}" if with_zone else text


def iso_local(moment: datetime) -> str:
    """A moment for a file people open (CSV): ISO 8601 local time with its offset.

    Chosen over wall-clock time with the zone named in the header: during the autumn fold
    02:30 happens twice and only the offset tells them apart; the text still reads as the
    local time a person expects, and a spreadsheet or script can parse and sort it.
    """
    return local(moment).isoformat(timespec="seconds")
