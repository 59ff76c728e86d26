"""Shared plumbing of the simulators: a threaded loopback HTTP server with a start/stop handle.

Stdlib only (no Textual, no httpx), so the app can start a simulator in-process in demo mode without
paying for heavy imports.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import signal
import threading
import uuid
from collections.abc import Callable
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from types import TracebackType
from typing import Any

log = logging.getLogger("scrivio_tui.simulators")

FAULTS = ("429", "500", "502", "503", "504", "timeout")
"""Values accepted by ``set_fault`` and by the ``X-Simulate`` request header."""

_FAULT_BODY = {
    "429": ("TE_VEEL_VERZOEKEN", "Too many requests"),
    "500": ("TECHNISCHE_FOUT", "Simulated technical error"),
    "502": ("NIET_BESCHIKBAAR", "Simulated upstream failure"),
    "503": ("NIET_BESCHIKBAAR", "Simulated maintenance"),
    "504": ("NIET_BESCHIKBAAR", "Simulated upstream timeout"),
}


@lru_cache(maxsize=1)
def uzovi_names() -> dict[str, str]:
    """UZOVI code → insurer name from the shipped ``scrivio_tui/data/uzovi.csv``."""
    text = resources.files("scrivio_tui").joinpath("data/uzovi.csv").read_text(encoding="utf-8")
    return {row["code"].zfill(4): row["name"] for row in csv.DictReader(text.splitlines())}


class SimServer(ThreadingHTTPServer):
    """A ThreadingHTTPServer that carries the simulator's state and a switchable fault."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        token: str,
        timeout_delay: float,
    ) -> None:
        super().__init__(address, handler)
        self.token = token
        self.timeout_delay = timeout_delay
        self.stopping = threading.Event()
        self._fault_lock = threading.Lock()
        self._fault: str | None = None
        self._fault_times: int | None = None

    def set_fault(self, fault: str | None, *, times: int | None = None) -> None:
        if fault is not None and fault not in FAULTS:
            raise ValueError(f"unknown fault {fault!r}; use one of {', '.join(FAULTS)} or None")
        with self._fault_lock:
            self._fault = fault
            self._fault_times = times

    def take_fault(self) -> str | None:
        """The fault to apply to the current request (counting down a ``times`` budget)."""
        with self._fault_lock:
            fault = self._fault
            if fault is not None and self._fault_times is not None:
                self._fault_times -= 1
                if self._fault_times <= 0:
                    self._fault, self._fault_times = None, None
            return fault

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout test) makes the write fail: that is expected, not news.
        log.debug("simulator request from %s ended with an error", client_address, exc_info=True)


class JsonHandler(BaseHTTPRequestHandler):
    """Request helpers shared by both simulators; subclasses implement ``route``."""

    server: SimServer
    server_version = "scrivio-simulator/1"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    # -- dispatch ------------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        self.request_id = self.headers.get("X-Request-ID") or str(uuid.uuid4())
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length > 0 else b""
        try:
            if self._apply_fault():
                return
            self.route(method, self.path.split("?", 1)[0])
        except (BrokenPipeError, ConnectionResetError):
            log.debug("client went away before the answer")
        except Exception:
            log.exception("simulator failed to handle %s %s", method, self.path)
            with contextlib.suppress(OSError):
                self.send_error_body(500, "TECHNISCHE_FOUT", "Simulator error")

    def route(self, method: str, path: str) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    # -- faults ---------------------------------------------------------------------------------
    def _apply_fault(self) -> bool:
        header = (self.headers.get("X-Simulate") or "").strip()
        fault = header if header in FAULTS else self.server.take_fault()
        if fault is None:
            return False
        if fault == "timeout":
            # Sleep past the client's read timeout; a stopping server wakes us at once.
            if self.server.stopping.wait(self.server.timeout_delay):
                self.close_connection = True
                return True
            return False  # answer late, as a slow server would
        code, message = _FAULT_BODY[fault]
        extra = {"Retry-After": "1"} if fault in ("429", "503") else {}
        self.send_error_body(int(fault), code, message, extra_headers=extra)
        return True

    # -- helpers --------------------------------------------------------------------------------
    def bearer_token(self) -> str | None:
        value = self.headers.get("Authorization") or ""
        scheme, _, token = value.partition(" ")
        return token.strip() if scheme.lower() == "bearer" and token.strip() else None

    def read_json(self) -> Any:
        """The parsed body, or raises ValueError for malformed JSON."""
        return json.loads(self.body.decode("utf-8"))

    def send_json(self, status: int, payload: Any, *, extra_headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-ID", self.request_id)
        self.send_header("Connection", "close")
        for key, value in (extra_headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def send_error_body(
        self,
        status: int,
        code: str,
        message: str,
        *,
        details: list[Any] | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        error = {"code": code, "message": message, "requestId": self.request_id, "details": details or []}
        body = {"error": error}
        self.send_json(status, body, extra_headers=extra_headers)


class RunningServer:
    """Handle on a simulator running in a background thread: ``url``, ``port``, ``stop()``.

    Usable as a context manager. ``set_fault("503")`` makes every following request fail that way
    until ``set_fault(None)``; ``times=n`` limits it to the next n requests.
    """

    def __init__(self, server: SimServer, name: str) -> None:
        self._server = server
        self.name = name
        host, port = server.server_address[:2]
        self.host = str(host)
        self.port = int(port)
        self.url = f"http://{self.host}:{self.port}"
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"{name}-simulator", daemon=True
        )
        self._thread.start()
        self._stopped = False

    @property
    def server(self) -> SimServer:
        return self._server

    def set_fault(self, fault: str | None, *, times: int | None = None) -> None:
        self._server.set_fault(fault, times=times)

    def stop(self) -> None:
        """Stop serving and free the port (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        self._server.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def block_until_interrupted(running: RunningServer, announce: Callable[[str], object]) -> None:
    """Serve until Ctrl+C (SIGINT) or SIGTERM, then stop cleanly."""
    done = threading.Event()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: done.set())
    announce(f"{running.name} simulator listening on {running.url} — press Ctrl+C to stop")
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        announce(f"{running.name} simulator stopped")
