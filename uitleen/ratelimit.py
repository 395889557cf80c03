"""Per-address rate limits: one fixed-window count per request, in the configured store.

Built on the `limits` library (the engine under Flask-Limiter) rather than on
Flask-Limiter itself: that extension evaluates its limits in a hook before every request
and again in each decorator; with the memory store's timer thread (see below) that cost
the public help page about a sixth of its throughput under gunicorn. Here a limited view
makes one `hit` and every other view pays nothing.

Settings: RATELIMIT_STORAGE_URI (``memory://`` counts per worker process; ``redis://...``
shares the counts between workers), RATELIMIT_ENABLED, and one ``*_RATE_LIMIT`` setting
per limit (e.g. "60/minute"), checked when the app starts.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable
from functools import lru_cache, wraps

from flask import Flask, current_app, request
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from werkzeug.exceptions import TooManyRequests

from uitleen.config import ConfigError

EXTENSION = "uitleen.ratelimit"
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
    uri = app.config["RATELIMIT_STORAGE_URI"]
    storage = WorkerMemoryStorage() if uri.startswith("memory:") else storage_from_string(uri)
    app.extensions[EXTENSION] = FixedWindowRateLimiter(storage)


def reset(app: Flask) -> None:
    """Forget every count (tests start each from zero)."""
    limiter = app.extensions.get(EXTENSION)
    if limiter is not None:
        limiter.storage.reset()


@lru_cache(maxsize=64)
def _parsed(text: str) -> RateLimitItem:
    return parse(text)


def per_address(setting: str, scope: str, methods: Iterable[str] = ("GET",)) -> Callable:
    """Allow each client address `app.config[setting]` (e.g. "60/minute") requests.

    Views with the same scope share one count. Other methods are not counted. Over the
    limit the view is not run and the request ends in a 429 with Retry-After (seconds
    until the window ends), which the error handlers turn into a page.
    """
    counted = frozenset(method.upper() for method in methods)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def limited(*args, **kwargs):
            if request.method in counted:
                _count(setting, scope)
            return view(*args, **kwargs)

        return limited

    return decorator


def _count(setting: str, scope: str) -> None:
    """Count this request; raise TooManyRequests when it is over the limit."""
    limiter = current_app.extensions.get(EXTENSION)
    if limiter is None:
        return
    limit = _parsed(current_app.config[setting])
    address = request.remote_addr or "unknown"
    try:
        if limiter.hit(limit, scope, address):
            return
        window_ends = limiter.get_window_stats(limit, scope, address).reset_time
    except Exception:  # noqa: BLE001 - a store that is down must not take the pages down
        current_app.logger.exception("rate-limit store failed; request let through")
        return
    raise TooManyRequests(retry_after=max(1, math.ceil(window_ends - time.time())))
