"""Real loopback servers for the integration tests: the two simulators and a canned-answer server.

No HTTP mocking: every client call in these tests crosses a real socket.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from scrivio_tui.services.cov import CovClient
from scrivio_tui.services.portal import PortalClient
from scrivio_tui.simulators import RunningServer, start_cov_simulator, start_portal_simulator
from scrivio_tui.simulators.portal import PortalRunningServer

TODAY = date(2025, 6, 1)
COV_TOKEN = "test-cov-token"
PORTAL_TOKEN = "test-portal-token"
AGB = "94123456"
BIRTH = "1962-03-15"
FAST = httpx.Timeout(0.3, connect=1.0)


class SleepRecorder:
    """Stands in for time.sleep: records the delays instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def cov_server() -> Iterator[RunningServer]:
    with start_cov_simulator(token=COV_TOKEN, deny_agb=("94999999",), today=lambda: TODAY) as server:
        yield server


@pytest.fixture
def cov_client(cov_server: RunningServer, sleeps: SleepRecorder) -> Iterator[CovClient]:
    with CovClient(cov_server.url, COV_TOKEN, AGB, sleep=sleeps, today=lambda: TODAY) as client:
        yield client


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    return tmp_path / "outbox"


@pytest.fixture
def portal_server(outbox: Path) -> Iterator[PortalRunningServer]:
    with start_portal_simulator(token=PORTAL_TOKEN, outbox_dir=outbox) as server:
        assert isinstance(server, PortalRunningServer)
        yield server


@pytest.fixture
def portal_client(portal_server: PortalRunningServer, sleeps: SleepRecorder) -> Iterator[PortalClient]:
    with PortalClient(portal_server.url, PORTAL_TOKEN, sleep=sleeps) as client:
        yield client


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL on which nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


Answer = tuple[int, dict[str, str], Any]


class CannedServer:
    """A real HTTP server that plays back a list of answers (the last one repeats)."""

    def __init__(self) -> None:
        self.answers: list[Answer] = []
        self.requests: list[dict[str, Any]] = []
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                canned.requests.append({"headers": dict(self.headers), "body": json.loads(body or b"null")})
                index = min(len(canned.requests), len(canned.answers)) - 1
                status, headers, payload = canned.answers[index]
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05})
        self._thread.start()

    def play(self, *answers: Answer) -> None:
        self.answers = list(answers)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    server = CannedServer()
    yield server
    server.stop()
