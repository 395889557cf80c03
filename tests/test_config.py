"""Settings from the environment: one Redis setting shares the queue and the rate limits."""

import pytest

from uitleen.config import from_environment


@pytest.fixture
def clean_env(monkeypatch):
    for name in ("UITLEEN_REDIS_URL", "REDIS_URL", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_one_machine_needs_no_redis(clean_env, tmp_path):
    config = from_environment(str(tmp_path))
    assert config["UITLEEN_REDIS_URL"] == ""
    assert config["RATELIMIT_STORAGE_URI"] == "file://"


def test_uitleen_redis_url_also_holds_the_rate_limit_counts(clean_env, tmp_path):
    clean_env.setenv("UITLEEN_REDIS_URL", "redis://cache:6379/0")
    config = from_environment(str(tmp_path))
    assert config["UITLEEN_REDIS_URL"] == "redis://cache:6379/0"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/0"


def test_the_common_redis_url_name_works_and_a_separate_limit_store_wins(clean_env, tmp_path):
    clean_env.setenv("REDIS_URL", "redis://cache:6379/0")
    clean_env.setenv("RATELIMIT_STORAGE_URI", "redis://limits:6379/1")
    config = from_environment(str(tmp_path))
    assert config["UITLEEN_REDIS_URL"] == "redis://cache:6379/0"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://limits:6379/1"
