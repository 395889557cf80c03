"""Settings read from the environment, with safe development defaults."""

import ipaddress
import os
import socket
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - refused in production, see check_config


def _bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def normalise_database_url(url: str) -> str:
    """Route every PostgreSQL URL through psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def from_environment(instance_path: str) -> dict:
    """Build the app's config mapping from environment variables."""
    default_db = "sqlite:///" + str(Path(instance_path) / "uitleen.sqlite3")
    production = os.environ.get("UITLEEN_ENV", "development") == "production"
    # One Redis for several app servers: the background queue (uitleen.tasks) and, unless
    # RATELIMIT_STORAGE_URI says otherwise, the rate-limit counts. Unset: one machine.
    redis_url = os.environ.get("UITLEEN_REDIS_URL") or os.environ.get("REDIS_URL") or ""
    return {
        "UITLEEN_REDIS_URL": redis_url,
        "UITLEEN_BACKUP_DIR": os.environ.get("UITLEEN_BACKUP_DIR", ""),  # "": instance/backups
        "ENV_NAME": os.environ.get("UITLEEN_ENV", "development"),
        "SECRET_KEY": os.environ.get("SECRET_KEY", DEV_SECRET_KEY),
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(
            os.environ.get("DATABASE_URL", default_db)
        ),
        "UITLEEN_BASE_URL": os.environ.get("UITLEEN_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "UITLEEN_LABELS_DIR": os.environ.get(
            "UITLEEN_LABELS_DIR", str(Path(__file__).resolve().parent.parent / "labels")
        ),
        "UITLEEN_MIGRATIONS_DIR": os.environ.get(
            "UITLEEN_MIGRATIONS_DIR", str(Path(__file__).resolve().parent.parent / "migrations")
        ),
        # How many reverse proxies stand in front (0: none). Rate limits need the real
        # client address, not the proxy's.
        "UITLEEN_PROXY_COUNT": int(os.environ.get("UITLEEN_PROXY_COUNT", "0")),
        # file:// counts once per machine in a small file (uitleen.ratelimit); redis:// once
        # for several machines.
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or redis_url or "file://",
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        # Requests per client address, e.g. "60/minute". Raise the help page's where many
        # households share one address (a community centre's wifi, a carrier's NAT).
        "HELP_PAGE_RATE_LIMIT": os.environ.get("HELP_PAGE_RATE_LIMIT", "60/minute"),
        "HELP_POST_RATE_LIMIT": os.environ.get("HELP_POST_RATE_LIMIT", "10/minute"),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "20/minute"),
        # How often a busy `uitleen worker` says it is alive; after three missed beats its
        # job is given to another worker.
        "UITLEEN_WORKER_HEARTBEAT": int(os.environ.get("UITLEEN_WORKER_HEARTBEAT", "10")),
        # Production runs behind https: cookies go over https only unless turned off by hand.
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", production),
        "PREFERRED_URL_SCHEME": os.environ.get("PREFERRED_URL_SCHEME", "http"),
        # The organisation's time zone: pages, PDFs, CSV and messages show local time in it,
        # and nwipe's zone-less log times are read as it.
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("UITLEEN_TIME_ZONE", "Europe/Amsterdam"),
    }


# Settings that do not depend on the environment.
STATIC = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # A login ends after 8 hours unused and 12 hours after it began (uitleen.auth.sessions);
    # Flask also refuses any session cookie signed longer ago than this (its default: 31 days).
    "SESSION_IDLE_LIFETIME": timedelta(hours=8),
    "SESSION_ABSOLUTE_LIFETIME": timedelta(hours=12),
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,  # a workshop shift; a form left open over lunch still posts
    "BABEL_DEFAULT_LOCALE": "nl",
    # How many bytes a request may send. Forms and JSON need little; the routes that take
    # files raise it (uitleen.inputs.body_limit). Every body is held in memory at least
    # once, so these bound what a few requests at once can cost a worker.
    "MAX_CONTENT_LENGTH": 1024 * 1024,
    "UPLOAD_MAX_CONTENT_LENGTH": 32 * 1024 * 1024,  # a 100,000-row device CSV (~11 MB) fits
    # A workbench-script snapshot is 0.1-2 MB (legacy ones with hwinfo a few MB).
    "SNAPSHOT_MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
    # The public help form: a 1,000-character message, percent-encoded even at 12 bytes a
    # character (emoji), with room to spare.
    "PUBLIC_FORM_MAX_CONTENT_LENGTH": 16 * 1024,
    "API_TITLE": "Uitleen API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "PASSWORD_HASH_METHOD": "scrypt",
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_MINUTES": 15,
}


class ConfigError(RuntimeError):
    """The configuration is unsafe to run with."""


def check_config(config: dict) -> None:
    """Refuse to run with an unknown time zone, or production with development secrets."""
    try:
        ZoneInfo(config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Amsterdam")
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ConfigError(
            f"UITLEEN_TIME_ZONE={config.get('BABEL_DEFAULT_TIMEZONE')!r} is not a time zone. "
            "Use a name such as Europe/Amsterdam."
        ) from error
    if config.get("ENV_NAME") == "production" and config.get("SECRET_KEY") in (
        None,
        "",
        DEV_SECRET_KEY,
    ):
        raise ConfigError(
            "SECRET_KEY is not set. Set a long random SECRET_KEY in the environment "
            "before starting Uitleen in production."
        )


def base_url_problem(url: str) -> str | None:
    """Why a phone could not open labels pointing at this base URL (a short code), or None.

    "missing": no scheme and host; "localhost"/"loopback": only this machine can open it;
    "plain_http": reachable at best on the same network, and not safely. Labels stay on
    laptops for years, so production needs a public https address.
    """
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return "missing"
    if host == "localhost" or host.endswith(".localhost"):
        return "localhost"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (address.is_loopback or address.is_unspecified):
        return "loopback"
    if parts.scheme != "https":
        return "plain_http"
    return None


def phones_cannot_open(url: str) -> bool:
    """Whether no phone at all can open the URL (not even on the same network)."""
    return base_url_problem(url) in ("missing", "localhost", "loopback")


def lan_address() -> str:
    """This machine's address on its local network (the one its default route uses)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            # A UDP "connection" sends nothing; it only picks the outgoing interface.
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1, never routed for real
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"  # no network at all: only this machine then


def development_base_url(host: str, port: int | str) -> str:
    """The base URL `make run` gives labels: the address phones on this network can use."""
    if host in ("0.0.0.0", "::", ""):  # noqa: S104 - listening everywhere is the point here
        host = lan_address()
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}"
