"""Without Chromium the browser tests skip with a clear message, except where required."""

import pytest

from tests.browser.chromium import chromium_or_skip, chromium_path


def test_no_chromium_skips_and_says_how_to_install_it():
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        chromium_or_skip(None, required=False)


def test_no_chromium_fails_where_the_browser_tests_are_required():
    with pytest.raises(pytest.fail.Exception, match="No Chromium found"):
        chromium_or_skip(None, required=True)


def test_the_chromium_env_variable_points_at_a_browser(monkeypatch, tmp_path):
    fake = tmp_path / "chromium"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("CHROMIUM", str(fake))
    assert chromium_path() == str(fake)
    assert chromium_or_skip(str(fake), required=True) == str(fake)
