"""One clock for people: stored UTC, shown in the organisation's zone, across DST changes."""

from datetime import UTC, date, datetime

import pytest
from flask import render_template_string

from uitleen import clock, create_app
from uitleen.config import ConfigError

# Europe/Amsterdam, 2026: summer time starts 29 March at 01:00 UTC (02:00 → 03:00 local)
# and ends 25 October at 01:00 UTC (03:00 → 02:00 local).
SPRING_BEFORE = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET
SPRING_AFTER = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # 03:30 CEST
AUTUMN_FIRST = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST
AUTUMN_SECOND = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 CET, an hour later


def test_local_shows_wall_clock_time_on_both_sides_of_the_spring_change(app):
    assert clock.format_local(SPRING_BEFORE, with_zone=True) == "29-03-2026 01:30 CET"
    assert clock.format_local(SPRING_AFTER, with_zone=True) == "29-03-2026 03:30 CEST"


def test_the_autumn_fold_shows_the_same_wall_clock_time_twice_with_its_zone(app):
    assert clock.format_local(AUTUMN_FIRST, with_zone=True) == "25-10-2026 02:30 CEST"
    assert clock.format_local(AUTUMN_SECOND, with_zone=True) == "25-10-2026 02:30 CET"
    assert clock.iso_local(AUTUMN_FIRST) == "2026-10-25T02:30:00+02:00"
    assert clock.iso_local(AUTUMN_SECOND) == "2026-10-25T02:30:00+01:00"


def test_a_naive_moment_from_sqlite_is_read_as_utc(app):
    naive = datetime(2026, 11, 28, 9, 29)
    assert clock.format_local(naive) == "28-11-2026 10:29"
    assert clock.iso_local(naive) == "2026-11-28T10:29:00+01:00"


def test_from_local_reads_a_wall_clock_time_in_the_organisations_zone(app):
    assert clock.from_local(datetime(2026, 11, 28, 10, 29)) == datetime(
        2026, 11, 28, 9, 29, tzinfo=UTC
    )
    assert clock.from_local(datetime(2026, 7, 1, 12, 0)) == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)
    assert clock.from_local(None) is None


def test_from_local_reads_a_time_in_the_spring_gap_with_the_offset_from_before(app):
    # 02:30 on 29 March 2026 never happened in Amsterdam; it is read as +01:00, which is
    # the moment the clock shows as 03:30.
    moment = clock.from_local(datetime(2026, 3, 29, 2, 30))
    assert moment == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert clock.format_local(moment) == "29-03-2026 03:30"


def test_from_local_reads_a_time_in_the_autumn_fold_as_the_first_one(app):
    assert clock.from_local(datetime(2026, 10, 25, 2, 30)) == AUTUMN_FIRST
    assert clock.from_local(datetime(2026, 10, 25, 2, 30, fold=1)) == AUTUMN_SECOND


def test_an_aware_moment_keeps_its_own_offset(app):
    given = datetime.fromisoformat("2026-03-29T03:30:00+02:00")
    assert clock.from_local(given) == SPRING_AFTER


def test_today_is_the_local_date(app):
    assert clock.today(datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == date(2026, 3, 29)
    assert clock.today(datetime(2026, 10, 24, 21, 59, tzinfo=UTC)) == date(2026, 10, 24)
    assert clock.today(datetime(2026, 10, 24, 22, 0, tzinfo=UTC)) == date(2026, 10, 25)
    assert clock.today(datetime(2026, 10, 25, 22, 59, tzinfo=UTC)) == date(2026, 10, 25)
    assert clock.today(datetime(2026, 10, 25, 23, 0, tzinfo=UTC)) == date(2026, 10, 26)


def test_the_zone_is_the_setting(app_factory):
    other = app_factory(BABEL_DEFAULT_TIMEZONE="America/New_York")
    with other.app_context():
        assert clock.zone().key == "America/New_York"
        assert clock.format_local(SPRING_AFTER) == "28-03-2026 21:30"
    with other.test_request_context():
        shown = render_template_string("{{ m|datetimeformat('dd-MM-yyyy HH:mm') }}", m=SPRING_AFTER)
    assert shown == "28-03-2026 21:30"  # pages follow the same setting


def test_the_zone_defaults_to_amsterdam(app):
    assert clock.zone().key == "Europe/Amsterdam"


def test_an_unknown_time_zone_is_refused_at_start_with_a_clear_message(monkeypatch):
    monkeypatch.setenv("UITLEEN_TIME_ZONE", "Europe/Amsterdm")
    with pytest.raises(ConfigError, match="UITLEEN_TIME_ZONE='Europe/Amsterdm' is not a time zone"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_the_zone_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("UITLEEN_TIME_ZONE", "Europe/Lisbon")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        assert clock.zone().key == "Europe/Lisbon"


@pytest.mark.parametrize(
    ("moment", "shown"),
    [
        (SPRING_BEFORE, "29-03-2026 01:30"),
        (SPRING_AFTER, "29-03-2026 03:30"),
        (AUTUMN_FIRST, "25-10-2026 02:30"),
        (AUTUMN_SECOND, "25-10-2026 02:30"),
        (datetime(2026, 11, 28, 9, 29), "28-11-2026 10:29"),  # naive, as SQLite gives it
    ],
)
def test_templates_datetime_filter_shows_the_same_local_time(app, moment, shown):
    with app.test_request_context():
        text = render_template_string("{{ m|datetimeformat('dd-MM-yyyy HH:mm') }}", m=moment)
    assert text == shown == clock.format_local(moment)


def test_templates_date_filter_gives_the_local_date_of_a_moment(app):
    # 23:30 UTC on 28 March is already 29 March in Amsterdam.
    with app.test_request_context():
        text = render_template_string(
            "{{ m|dateformat('yyyy-MM-dd') }}", m=datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
        )
    assert text == "2026-03-29"
