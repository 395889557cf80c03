"""A real server for the browser and crash tests: its own database, a free port.

On SQLite the database is a temporary file; when DATABASE_URL names PostgreSQL, a fresh
database is made for the server and dropped afterwards, so nothing is shared with the
rest of the suite.
"""

from __future__ import annotations

import socket
import threading

from tests.conftest import TEST_CONFIG, fresh_database  # noqa: F401 - used by importers


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def live_config(database_url: str, base_url: str) -> dict:
    """Production-like settings: CSRF and rate limits on, a fast password hash."""
    return {
        **TEST_CONFIG,
        "TESTING": False,
        "WTF_CSRF_ENABLED": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UITLEEN_BASE_URL": base_url,
    }


class LiveServer:
    """The app served by werkzeug on 127.0.0.1 in a background thread."""

    def __init__(self, app, port: int):
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
