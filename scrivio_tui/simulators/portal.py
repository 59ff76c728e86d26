"""Local portal simulator: ``POST /api/v1/sign-in-links`` (contract in ``scrivio_tui.services.portal``).

Every accepted link is "mailed" by writing an RFC 5322 ``.eml`` file into the outbox folder. A repeated
``Idempotency-Key`` returns the first answer and sends no second mail. Idempotency state is kept in
memory: a restarted simulator forgets it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import threading
import uuid
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from scrivio_tui.simulators._server import JsonHandler, RunningServer, SimServer, block_until_interrupted

__all__ = [
    "DEFAULT_PORTAL_PORT",
    "DEFAULT_PORTAL_TOKEN",
    "FORBIDDEN_PORTAL_TOKEN",
    "SIGN_IN_URL",
    "run_portal_simulator",
    "start_portal_simulator",
]

DEFAULT_PORTAL_PORT = 8766
DEFAULT_PORTAL_TOKEN = "sim-portal-token"
FORBIDDEN_PORTAL_TOKEN = "forbidden-practice"
"""A token the simulator answers with 403 (valid, but not allowed to send sign-in links)."""
SIGN_IN_URL = "https://mijn.scrivio.nl/sign-in"
LINK_LIFETIME = timedelta(hours=24)
SENDER = "Scrivio <no-reply@mijn.scrivio.nl>"

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_MAIL_TEXT = {
    "nl": (
        "Je inloglink voor Scrivio",
        "Hallo,\n\nJe praktijk heeft een inloglink voor je aangevraagd. Klik op de link hieronder om in "
        "te loggen op je clientportaal:\n\n{link}\n\nDe link werkt één keer en verloopt op {expires} (UTC).\n"
        "Heb je dit niet verwacht? Dan kun je deze e-mail negeren.\n\nMet vriendelijke groet,\nScrivio\n",
    ),
    "en": (
        "Your Scrivio sign-in link",
        "Hello,\n\nYour practice requested a sign-in link for you. Click the link below to sign in to your "
        "client portal:\n\n{link}\n\nThe link works once and expires at {expires} (UTC).\n"
        "Not expecting this? You can ignore this email.\n\nKind regards,\nScrivio\n",
    ),
}


class PortalState:
    """Outbox folder and the idempotency memory (key → body fingerprint and first answer)."""

    def __init__(self, outbox_dir: Path, deny_tokens: Iterable[str]) -> None:
        self.outbox_dir = outbox_dir
        self.deny_tokens = frozenset(deny_tokens)
        self.lock = threading.Lock()
        self.answers: dict[str, tuple[str, dict[str, Any]]] = {}
        self.sent = 0


class PortalServer(SimServer):
    state: PortalState


class PortalHandler(JsonHandler):
    """``POST /api/v1/sign-in-links`` and ``GET /api/v1/health``."""

    server: PortalServer

    def route(self, method: str, path: str) -> None:
        if path == "/api/v1/health" and method == "GET":
            self.send_json(200, {"status": "ok"})
            return
        if path != "/api/v1/sign-in-links":
            self.send_error_body(404, "NIET_GEVONDEN", "Unknown path")
            return
        if method != "POST":
            self.send_error_body(405, "METHODE_NIET_TOEGESTAAN", "Use POST")
            return
        state = self.server.state
        token = self.bearer_token()
        if token is not None and (token in state.deny_tokens or token == FORBIDDEN_PORTAL_TOKEN):
            self.send_error_body(403, "NIET_GEAUTORISEERD", "Not allowed to send sign-in links")
            return
        if token is None or token != self.server.token:
            self.send_error_body(401, "NIET_GEAUTHENTICEERD", "Missing or unknown token")
            return
        try:
            request = self.read_json()
        except (ValueError, UnicodeDecodeError):
            self.send_error_body(400, "VALIDATIE", "Body is not valid JSON")
            return
        key = (self.headers.get("Idempotency-Key") or "").strip()
        problems = _problems(request, key)
        if problems:
            self.send_error_body(400, "VALIDATIE", "Request does not match the schema", details=problems)
            return
        fingerprint = hashlib.sha256(
            json.dumps(request, sort_keys=True, ensure_ascii=False).encode("utf-8")
        ).hexdigest()
        with state.lock:
            previous = state.answers.get(key)
            if previous is not None:
                if previous[0] != fingerprint:
                    self.send_error_body(409, "IDEMPOTENTIE_CONFLICT", "Idempotency-Key was used with a different body")
                else:
                    self.send_json(202, previous[1], extra_headers={"Idempotent-Replayed": "true"})
                return
            answer = self._send_mail(request)
            state.answers[key] = (fingerprint, answer)
            state.sent += 1
        self.send_json(202, answer)

    def _send_mail(self, request: dict[str, Any]) -> dict[str, Any]:
        link_id = str(uuid.uuid4())
        now = datetime.now(UTC).replace(microsecond=0)
        expires = now + LINK_LIFETIME
        link = f"{SIGN_IN_URL}?token={secrets.token_urlsafe(32)}"
        subject, text = _MAIL_TEXT[request.get("locale", "nl")]
        message = EmailMessage()
        message["From"] = SENDER
        message["To"] = request["email"]
        message["Subject"] = subject
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid(domain="mijn.scrivio.nl")
        message["X-Scrivio-Link-Id"] = link_id
        message["X-Scrivio-Client-Reference"] = request["clientReference"]
        message.set_content(text.format(link=link, expires=expires.strftime("%Y-%m-%d %H:%M")))
        outbox = self.server.state.outbox_dir
        outbox.mkdir(parents=True, exist_ok=True)
        final = outbox / f"{now.strftime('%Y%m%dT%H%M%SZ')}-{link_id}.eml"
        partial = final.with_suffix(".eml.part")
        partial.write_bytes(bytes(message))
        os.replace(partial, final)  # a folder watcher never sees half a mail
        return {
            "status": "accepted",
            "linkId": link_id,
            "requestId": self.request_id,
            "expiresAt": expires.isoformat().replace("+00:00", "Z"),
        }


def _problems(request: Any, key: str) -> list[str]:
    problems: list[str] = []
    if not key or len(key) > 255:
        problems.append("Idempotency-Key header is required (1-255 characters)")
    if not isinstance(request, dict):
        return [*problems, "body must be a JSON object"]
    email = request.get("email")
    if not isinstance(email, str) or not _EMAIL.match(email) or len(email) > 254:
        problems.append("email must be an email address")
    reference = request.get("clientReference")
    if not isinstance(reference, str) or not reference.strip() or len(reference) > 64:
        problems.append("clientReference must be a string of 1-64 characters")
    if request.get("locale", "nl") not in _MAIL_TEXT:
        problems.append(f"locale must be one of {', '.join(sorted(_MAIL_TEXT))}")
    return problems


class PortalRunningServer(RunningServer):
    """A running portal simulator; ``outbox_dir`` holds the "sent" mails, ``sent_count`` counts them."""

    def __init__(self, server: PortalServer) -> None:
        super().__init__(server, "Portal")
        self._portal = server

    @property
    def outbox_dir(self) -> Path:
        return self._portal.state.outbox_dir

    @property
    def sent_count(self) -> int:
        with self._portal.state.lock:
            return self._portal.state.sent


def start_portal_simulator(
    host: str = "127.0.0.1",
    port: int = 0,
    token: str = DEFAULT_PORTAL_TOKEN,
    outbox_dir: Path | None = None,
    fail_mode: str | None = None,
    *,
    deny_tokens: Iterable[str] = (),
    timeout_delay: float = 20.0,
) -> PortalRunningServer:
    """Start the portal simulator in a background thread; mails go to ``outbox_dir`` (required).

    ``fail_mode`` ("429" | "500" | "502" | "503" | "504" | "timeout") is the initial fault; switch it at
    run time with ``server.set_fault(...)``.
    """
    if outbox_dir is None:
        raise ValueError("outbox_dir is required: the simulator writes every sent mail there")
    outbox = Path(outbox_dir)
    outbox.mkdir(parents=True, exist_ok=True)
    server = PortalServer((host, port), PortalHandler, token=token, timeout_delay=timeout_delay)
    server.state = PortalState(outbox, deny_tokens)
    server.set_fault(fail_mode)
    return PortalRunningServer(server)


def run_portal_simulator(
    port: int = DEFAULT_PORTAL_PORT,
    token: str = DEFAULT_PORTAL_TOKEN,
    outbox_dir: Path | None = None,
    *,
    host: str = "127.0.0.1",
    fail_mode: str | None = None,
    announce: Callable[[str], object] = print,
) -> None:
    """Blocking entry for ``scrivio-tui simulate portal``: serve until Ctrl+C.

    Without ``outbox_dir`` the mails go to ``./scrivio-outbox``.
    """
    outbox = Path(outbox_dir) if outbox_dir is not None else Path.cwd() / "scrivio-outbox"
    running = start_portal_simulator(host, port, token, outbox, fail_mode)
    announce(f"Portal simulator writes sent mails to {outbox}")
    block_until_interrupted(running, announce)
