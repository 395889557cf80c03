"""Per-address rate limits: one fixed-window count per request, in the configured store.

Built on the `limits` library (the engine under Flask-Limiter) rather than on
Flask-Limiter itself: that extension evaluates its limits in a hook before every request
and again in each decorator; with the memory store's timer thread (see below) that cost
the public help page about a sixth of its throughput under gunicorn. Here a limited view
makes one `hit` and every other view pays nothing.

Settings: RATELIMIT_STORAGE_URI, RATELIMIT_ENABLED, and one ``*_RATE_LIMIT`` setting per
limit (e.g. "60/minute"), checked when the app starts. The stores:

- ``file://`` (the default): one small SQLite file in the instance folder, shared by every
  worker on this machine (``file:///path/counts.sqlite3`` puts it elsewhere). No server.
- ``redis://host:port``: one count for several machines.
- ``memory://``: each worker process counts alone (tests, a single worker).

When the store fails, a limit made with ``strict=True`` (login) counts in this process
instead, so guessing passwords never goes unlimited; other limits (the help page) let the
request through, since a household must still reach help.
"""

from __future__ import annotations

import math
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from uitleen.config import ConfigError

EXTENSION = "uitleen.ratelimit"
FALLBACK = "uitleen.ratelimit.fallback"
SWEEP_SECONDS = 60


class WorkerMemoryStorage(Storage):
    """Fixed-window counts in this process, dropped once their window has passed.

    Stands in for limits' own MemoryStorage, which expires keys from a timer thread that
    it starts again every 10 ms: in a threaded gunicorn worker that thread cost the help
    page a tenth of its time. Here a count past its window reads as zero, and a sweep
    once a minute, made by whichever request comes, forgets the addresses gone quiet.
    """

    STORAGE_SCHEME = None  # made by init_app for memory://, not through the registry

    def __init__(self, clock: Callable[[], float] = time.time):
        super().__init__()
        self._clock = clock
        self._counts: dict[str, tuple[int, float]] = {}  # key: (count, window ends at)
        self._lock = threading.Lock()
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._next_sweep = now + SWEEP_SECONDS
            count, ends = self._counts.get(key, (0, now))
            if ends <= now:
                count, ends = 0, now + expiry
            self._counts[key] = (count + amount, ends)
            return count + amount

    def get(self, key: str) -> int:
        count, ends = self._counts.get(key, (0, 0.0))
        return count if ends > self._clock() else 0

    def get_expiry(self, key: str) -> float:
        now = self._clock()
        _count, ends = self._counts.get(key, (0, now))
        return max(ends, now)

    def check(self) -> bool:
        return True

    def reset(self) -> int:
        with self._lock:
            forgotten = len(self._counts)
            self._counts = {}
        return forgotten

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


class MachineFileStorage(Storage):
    """Fixed-window counts in one SQLite file, so every worker on this machine counts once.

    Each hit is one atomic upsert (a count past its window starts again) in autocommit
    mode; the file is not the app's database, so a count never waits for, or holds, the
    app's own transactions. Counts need not survive a crash, hence synchronous=OFF.
    """

    STORAGE_SCHEME = None  # made by init_app for file://, not through the registry

    UPSERT = """
        INSERT INTO counts (key, count, ends) VALUES (:key, :amount, :ends)
        ON CONFLICT (key) DO UPDATE SET
            count = CASE WHEN counts.ends <= :now THEN excluded.count
                         ELSE counts.count + excluded.count END,
            ends = CASE WHEN counts.ends <= :now THEN excluded.ends ELSE counts.ends END
        RETURNING count
    """

    def __init__(self, path: str, clock: Callable[[], float] = time.time):
        super().__init__()
        self.path = path
        self._clock = clock
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._pid = 0
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return sqlite3.Error

    def _execute(self, sql: str, parameters: dict | tuple = ()) -> sqlite3.Cursor:
        """Run one statement on this process's connection (opened again after a fork)."""
        if self._connection is None or self._pid != os.getpid():
            connection = sqlite3.connect(
                self.path, timeout=5, isolation_level=None, check_same_thread=False
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS counts "
                "(key TEXT PRIMARY KEY, count INTEGER NOT NULL, ends REAL NOT NULL)"
            )
            self._connection, self._pid = connection, os.getpid()
        return self._connection.execute(sql, parameters)

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = self._clock()
        with self._lock:
            if now >= self._next_sweep:
                self._execute("DELETE FROM counts WHERE ends <= ?", (now,))
                self._next_sweep = now + SWEEP_SECONDS
            row = self._execute(
                self.UPSERT, {"key": key, "amount": amount, "ends": now + expiry, "now": now}
            ).fetchone()
        return row[0]

    def get(self, key: str) -> int:
        with self._lock:
            row = self._execute(
                "SELECT count FROM counts WHERE key = ? AND ends > ?", (key, self._clock())
            ).fetchone()
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        now = self._clock()
        with self._lock:
            row = self._execute("SELECT ends FROM counts WHERE key = ?", (key,)).fetchone()
        return max(row[0], now) if row else now

    def check(self) -> bool:
        try:
            with self._lock:
                self._execute("SELECT 1")
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int:
        with self._lock:
            return self._execute("DELETE FROM counts").rowcount

    def clear(self, key: str) -> None:
        with self._lock:
            self._execute("DELETE FROM counts WHERE key = ?", (key,))


def _storage(app: Flask, uri: str) -> Storage:
    if uri.startswith("memory:"):
        return WorkerMemoryStorage()
    if uri.startswith("file:"):
        path = unquote(urlsplit(uri).path) or str(Path(app.instance_path) / "ratelimits.sqlite3")
        return MachineFileStorage(path)
    return storage_from_string(uri)


def init_app(app: Flask) -> None:
    """One limiter per app (and so per worker process), or none when limits are off."""
    for setting in [key for key in app.config if key.endswith("_RATE_LIMIT")]:
        try:
            _parsed(app.config[setting])
        except ValueError:
            raise ConfigError(
                f'{setting}={app.config[setting]!r} is not a rate limit such as "60/minute"'
            ) from None
    if not app.config["RATELIMIT_ENABLED"]:
        app.extensions[EXTENSION] = None
        return
    app.extensions[EXTENSION] = FixedWindowRateLimiter(
        _storage(app, app.config["RATELIMIT_STORAGE_URI"])
    )
    app.extensions[FALLBACK] = FixedWindowRateLimiter(WorkerMemoryStorage())


def reset(app: Flask) -> None:
    """Forget every count (tests start each from zero)."""
    for name in (EXTENSION, FALLBACK):
        limiter = app.extensions.get(name)
        if limiter is not None:
            limiter.storage.reset()


@lru_cache(maxsize=64)
def _parsed(text: str) -> RateLimitItem:
    return parse(text)


def per_address(
    setting: str, scope: str, methods: Iterable[str] = ("GET",), strict: bool = False
) -> Callable:
    """Allow each client address `app.config[setting]` (e.g. "60/minute") requests.

    Views with the same scope share one count. Other methods are not counted. Over the
    limit the view is not run and the request ends in a 429 with Retry-After (seconds
    until the window ends), which the error handlers turn into a page. When the store
    fails, a strict limit counts in this process; any other lets the request through.
    """
    counted = frozenset(method.upper() for method in methods)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def limited(*args, **kwargs):
            if request.method in counted:
                _count(setting, scope, strict)
            return view(*args, **kwargs)

        return limited

    return decorator


def _count(setting: str, scope: str, strict: bool) -> None:
    """Count this request; raise TooManyRequests when it is over the limit."""
    limiter = current_app.extensions.get(EXTENSION)
    if limiter is None:
        return
    limit = _parsed(current_app.config[setting])
    address = request.remote_addr or "unknown"
    try:
        allowed, window_ends = _hit(limiter, limit, scope, address)
    except Exception:  # noqa: BLE001 - a store that is down must not take the pages down
        if not strict:
            current_app.logger.exception("rate-limit store failed; request let through")
            return
        current_app.logger.exception("rate-limit store failed; counted in this process")
        allowed, window_ends = _hit(current_app.extensions[FALLBACK], limit, scope, address)
    if not allowed:
        raise TooManyRequests(retry_after=max(1, math.ceil(window_ends - time.time())))


def _hit(
    limiter: FixedWindowRateLimiter, limit: RateLimitItem, scope: str, address: str
) -> tuple[bool, float]:
    """Whether this hit is allowed, and when its window ends (asked only when it is not)."""
    if limiter.hit(limit, scope, address):
        return True, 0.0
    return False, limiter.get_window_stats(limit, scope, address).reset_time
