"""deploy/compose.yaml and deploy/nginx.conf: several app servers, as the README describes.

There is no container engine in CI, so this reads the files: every part is there with a
health check, migrations run once before any server starts, every app process gets the
same shared settings, and nginx agrees with the app about proxies and upload sizes.
"""

import re
from pathlib import Path

import pytest
import yaml

from uitleen.config import STATIC

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
APP_PROCESSES = ("app1", "app2", "worker")


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())["services"]


def test_every_part_is_there_and_every_long_running_one_has_a_health_check(services):
    assert set(services) == {"db", "redis", "migrate", "app1", "app2", "worker", "proxy"}
    for name, service in services.items():
        if name != "migrate":
            assert service["healthcheck"]["test"], name


def test_migrations_run_once_before_the_app_servers_and_the_worker(services):
    assert services["migrate"]["command"] == ["uitleen", "db", "upgrade"]
    assert services["migrate"]["restart"] == "no"
    for name in APP_PROCESSES:
        assert "upgrade" not in " ".join(services[name]["command"]), name
        waits_for = services[name]["depends_on"]
        assert waits_for["migrate"]["condition"] == "service_completed_successfully"
        assert waits_for["db"]["condition"] == "service_healthy"
        assert waits_for["redis"]["condition"] == "service_healthy"
    assert services["worker"]["command"] == ["uitleen", "worker"]


def test_every_app_process_shares_the_secret_the_database_and_redis(services):
    environments = [services[name]["environment"] for name in (*APP_PROCESSES, "migrate")]
    for key in ("SECRET_KEY", "DATABASE_URL", "UITLEEN_REDIS_URL", "UITLEEN_BASE_URL"):
        assert len({env[key] for env in environments}) == 1, key
    first = environments[0]
    assert first["UITLEEN_ENV"] == "production"
    assert first["UITLEEN_REDIS_URL"].startswith("redis://redis:")
    assert "@db:5432/" in first["DATABASE_URL"]


def test_nginx_sends_requests_to_both_app_servers_as_the_app_expects():
    conf = (DEPLOY / "nginx.conf").read_text()
    upstream = re.search(r"upstream uitleen \{(.*?)\}", conf, re.S).group(1)
    assert re.findall(r"server (app\d):8000", upstream) == ["app1", "app2"]
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in conf  # UITLEEN_PROXY_COUNT=1
    size = int(re.search(r"client_max_body_size (\d+)m;", conf).group(1))
    assert size * 1024 * 1024 >= STATIC["UPLOAD_MAX_CONTENT_LENGTH"]


def test_the_proxy_is_counted_by_the_app(services):
    for name in APP_PROCESSES:
        assert services[name]["environment"]["UITLEEN_PROXY_COUNT"] == "1"
    assert services["proxy"]["volumes"] == ["./nginx.conf:/etc/nginx/conf.d/default.conf:ro"]


def test_the_worker_keeps_backups_on_a_volume_and_has_pg_dump(services):
    dockerfile = (DEPLOY.parent / "Dockerfile").read_text()
    folder = re.search(r"ENV UITLEEN_BACKUP_DIR=(\S+)", dockerfile).group(1)
    assert services["worker"]["volumes"] == [f"backups:{folder}"]
    assert "backups" in yaml.safe_load((DEPLOY / "compose.yaml").read_text())["volumes"]
    assert "postgresql-client" in dockerfile  # pg_dump, for the PostgreSQL backups
    # The volume takes the folder's owner and mode from the image: the app's user only.
    assert re.search(r"chown uitleen [^\n]*\$UITLEEN_BACKUP_DIR", dockerfile)
    assert 'chmod 700 "$UITLEEN_BACKUP_DIR"' in dockerfile
