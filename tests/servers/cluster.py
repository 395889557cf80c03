"""Several app servers for the multi-server test and bench/servers.py.

Real parts: gunicorn app servers (gunicorn.conf.py, wsgi:app) and `uitleen worker`
processes on one database and one Redis, and in front a small round-robin HTTP proxy
that, like nginx's `proxy_next_upstream error`, tries the next server when one does not
answer. The proxy records which server took each request.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rq import Worker

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "content-length",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RoundRobinProxy:
    """A threaded HTTP/1.0 proxy: request n goes to server n mod N (the next one if down)."""

    def __init__(self, ports: list[int]):
        self.ports = ports
        self.served: list[tuple[int, str, str]] = []  # (server index, method, path)
        self._turn = itertools.count()
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server interface
                proxy._forward(self)

            do_POST = do_HEAD = do_GET  # noqa: N815

            def log_message(self, *args):  # quiet: the test reads `served`
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> RoundRobinProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _forward(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else None
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
        headers["X-Forwarded-For"] = handler.client_address[0]
        headers["X-Forwarded-Proto"] = "http"
        headers["X-Forwarded-Host"] = handler.headers.get("Host", "")
        with self._lock:
            first = next(self._turn)
        for attempt in range(len(self.ports)):
            index = (first + attempt) % len(self.ports)
            connection = http.client.HTTPConnection("127.0.0.1", self.ports[index], timeout=120)
            try:
                connection.request(handler.command, handler.path, body=body, headers=headers)
                response = connection.getresponse()
                payload = response.read()
            except OSError:  # refused or reset: that server is down, try the next
                connection.close()
                continue
            connection.close()
            with self._lock:
                self.served.append((index, handler.command, handler.path))
            handler.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in HOP_BY_HOP:
                    handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(payload)))
            handler.end_headers()
            if handler.command != "HEAD":
                handler.wfile.write(payload)
            return
        handler.send_error(502, "no app server answered")


def command(name: str) -> str:
    """A console script of this virtualenv (gunicorn, uitleen)."""
    return str(BIN / name)


def start_app_server(env: dict, port: int, instance: Path, workers: int = 1) -> subprocess.Popen:
    instance.mkdir(parents=True, exist_ok=True)
    server_env = env | {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": "4",
        "UITLEEN_INSTANCE_PATH": str(instance),
    }
    with (instance / "gunicorn.log").open("ab") as log:  # the child keeps its own copy
        return subprocess.Popen(  # noqa: S603 - our own server, fixed arguments
            [command("gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"],
            env=server_env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def start_worker(env: dict, instance: Path) -> subprocess.Popen:
    instance.mkdir(parents=True, exist_ok=True)
    with (instance / "worker.log").open("ab") as log:
        return subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            [command("uitleen"), "worker"],
            env=env | {"UITLEEN_INSTANCE_PATH": str(instance)},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def wait_until_serving(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            connection.request("GET", "/login")
            if connection.getresponse().status == 200:
                return
        except (OSError, http.client.HTTPException):  # not up yet, or reset while starting
            pass
        finally:
            connection.close()  # also after a failed read: no unclosed-socket warning later
        time.sleep(0.2)
    raise AssertionError(f"no app server answered on port {port}")


def wait_for_worker(connection, timeout: float = 60) -> None:
    """Until a `uitleen worker` has registered in Redis (the app refuses jobs before)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if Worker.count(connection=connection):
            return
        time.sleep(0.2)
    raise AssertionError("no worker registered in Redis; see worker.log")


def descendants(pid: int) -> list[int]:
    """Every process started by pid, also those in their own process group (RQ's work horse)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
    """Signal the process and everything it started, as when its machine goes down."""
    for pid in [*descendants(process.pid), process.pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
