"""`uitleen doctor`: every setting that would hurt households, with what to do."""

from datetime import timedelta

import pytest

from uitleen.audit.service import record
from uitleen.db import utcnow
from uitleen.extensions import db
from uitleen.reports import doctor

GOOD = {
    "ENV_NAME": "production",
    "UITLEEN_BASE_URL": "https://hulp.uitleen.nl",
    "SESSION_COOKIE_SECURE": True,
    "PREFERRED_URL_SCHEME": "https",
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "SECRET_KEY": "x" * 48,
    "BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdam",
}


@pytest.fixture
def configured(app, monkeypatch):
    def configure(**changes):
        for key, value in (GOOD | changes).items():
            monkeypatch.setitem(app.config, key, value)

    return configure


def backed_up(days_ago: float) -> None:
    event = record(None, "backup.made", ("backups", "uitleen.sqlite3"))
    event.at = utcnow() - timedelta(days=days_ago)
    db.session.commit()


def run_doctor(app):
    return app.test_cli_runner().invoke(args=["doctor"])


def test_a_healthy_setup_passes(app, configured):
    configured()
    backed_up(days_ago=1)
    result = run_doctor(app)
    assert result.exit_code == 0, result.output
    assert "ok" in result.output.lower()
    assert "UITLEEN_BASE_URL" in result.output  # every setting is listed, also when fine


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"UITLEEN_BASE_URL": "http://127.0.0.1:5000"}, "UITLEEN_BASE_URL"),
        ({"UITLEEN_BASE_URL": "http://hulp.uitleen.nl"}, "https://"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE"),
        ({"PREFERRED_URL_SCHEME": "http"}, "PREFERRED_URL_SCHEME"),
        ({"RATELIMIT_ENABLED": False}, "RATELIMIT_ENABLED"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "RATELIMIT_STORAGE_URI"),
        ({"RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"}, "cannot reach"),
        ({"SECRET_KEY": "dev-only-not-secret"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"BABEL_DEFAULT_TIMEZONE": "Europe/Amsterdm"}, "UITLEEN_TIME_ZONE"),
    ],
)
def test_each_harmful_setting_is_named_with_what_to_do(app, configured, changes, says):
    configured(**changes)
    backed_up(days_ago=1)
    result = run_doctor(app)
    assert result.exit_code == 1
    [problem] = [line for line in result.output.splitlines() if line.startswith("PROBLEM")]
    assert says in problem


@pytest.mark.parametrize("days_ago", [None, 2.5])
def test_no_backup_in_two_days_is_a_problem(app, configured, days_ago):
    configured()
    if days_ago is not None:
        backed_up(days_ago)
    result = run_doctor(app)
    assert result.exit_code == 1
    [problem] = [line for line in result.output.splitlines() if line.startswith("PROBLEM")]
    assert "uitleen backup" in problem


def test_file_rate_limits_are_fine_on_one_machine(app, configured):
    configured(RATELIMIT_STORAGE_URI="file://")
    backed_up(days_ago=0.5)
    result = run_doctor(app)
    assert result.exit_code == 0, result.output
    assert "one machine" in result.output


def test_findings_are_data_for_other_callers(app, configured):
    configured(UITLEEN_BASE_URL="http://localhost:5000")
    findings = {finding.setting: finding for finding in doctor.findings()}
    assert not findings["UITLEEN_BASE_URL"].ok
    assert findings["SECRET_KEY"].ok
