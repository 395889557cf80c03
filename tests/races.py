"""Race tests: many workers against one database at the same moment.

Each worker is a real thread with its own app context, session and connection, and
commits for real, so a race test is marked `commits` (its tables are emptied, not rolled
back) and must end its own read transaction before the workers start: on SQLite an open
transaction of the test's thread holds the write lock they all wait for.
"""

import threading
from collections.abc import Callable
from typing import Any

from uitleen.errors import DomainError
from uitleen.extensions import db


def run_together(count: int, attempt: Callable[[int], Any]) -> list:
    """Start `count` threads that call attempt(i) at the same moment; their results, or
    the exception each raised, in order of i."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = attempt(i)
        except Exception as error:  # handed back, so the test can assert on it
            results[i] = error

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def pooled_app(app_factory, workers: int, **overrides):
    """An app on the test database whose pool lets each of `workers` threads hold its own
    connection at the same time."""
    return app_factory(
        SQLALCHEMY_ENGINE_OPTIONS={
            "pool_pre_ping": True,
            "pool_size": workers + 2,
            "max_overflow": 5,
            "pool_timeout": 60,
        },
        **overrides,
    )


def committed(app, work: Callable[[], Any]) -> Any:
    """Run work() in its own app context and session of `app` and commit: what work()
    returned, or the domain error (Conflict, Invalid, ...) it raised, rolled back."""
    with app.app_context():
        try:
            result = work()
            db.session.commit()
            return result
        except DomainError as refused:
            db.session.rollback()
            return refused
        finally:
            db.session.remove()
