"""HTTP client for the client portal's sign-in-link endpoint.

Contract (the portal at mijn.scrivio.nl and the local simulator both speak it):

``POST {base}/api/v1/sign-in-links``

Headers:
    ``Authorization: Bearer <token>`` (portal token from the OS keyring),
    ``Content-Type: application/json``,
    ``Idempotency-Key: <key>`` (required, 1-255 characters; one key per intended mail, reused on
    every retry of that mail),
    ``X-Request-ID: <uuid4>`` (echoed back in the header and the body).

Body::

    {"email": "client@example.nl", "clientReference": "client-6f1c", "locale": "nl"}

``clientReference`` is our internal client id (1-64 characters; never a BSN or a name); ``locale`` is
``"nl"`` (default) or ``"en"``.

Success: ``202 Accepted`` ::

    {"status": "accepted", "linkId": "<uuid>", "requestId": "<X-Request-ID>",
     "expiresAt": "2025-06-02T09:30:00Z"}

The portal then emails a single-use link (``https://mijn.scrivio.nl/sign-in?token=...``) to ``email``.
A repeated ``Idempotency-Key`` with the same body returns the same 202 body (same ``linkId``) and sends
no second mail; the same key with a different body gives ``409 IDEMPOTENTIE_CONFLICT``.

Errors use the COV error body and codes (dutch-standards.md §5.4)::

    {"error": {"code": "NIET_GEAUTHENTICEERD", "message": "...", "requestId": "...", "details": []}}

=======  ==========================  ==========================================  ==================
status   ``error.code``              when                                        client result
=======  ==========================  ==========================================  ==================
400      ``VALIDATIE``               malformed JSON, bad email/reference/locale,  FAILED
                                     missing Idempotency-Key
401      ``NIET_GEAUTHENTICEERD``    missing/unknown/expired token               FAILED
403      ``NIET_GEAUTORISEERD``      token valid, practice may not send links    FAILED
409      ``IDEMPOTENTIE_CONFLICT``   key reused with a different body            FAILED
429      ``TE_VEEL_VERZOEKEN``       rate limit; ``Retry-After: <seconds>``      RETRY_LATER
500      ``TECHNISCHE_FOUT``         server error                                RETRY_LATER
502-504  ``NIET_BESCHIKBAAR``        mail/upstream down; optional Retry-After    RETRY_LATER
=======  ==========================  ==========================================  ==================

Timeouts and refused connections are RETRY_LATER too. ``GET {base}/api/v1/health`` answers
``200 {"status": "ok"}``.

This client makes one attempt, plus one immediate retry (after 0.5 s) when the connection failed or the
server answered 5xx — safe thanks to the Idempotency-Key. The durable retry lives in the outbox, which
schedules the next try with :func:`backoff_delay`.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import httpx

from scrivio_tui.i18n import _
from scrivio_tui.services._http import BearerClient, error_code, json_or_none, retry_after_seconds

__all__ = [
    "BACKOFF_SCHEDULE",
    "DEFAULT_TIMEOUT",
    "DeliveryResult",
    "DeliveryStatus",
    "PortalClient",
    "backoff_delay",
    "mask_email",
]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(15, connect=5)
BACKOFF_SCHEDULE: tuple[float, ...] = (5.0, 30.0, 120.0, 600.0)
"""Outbox delays after the 1st, 2nd, 3rd, 4th failed attempt; later ones wait :data:`BACKOFF_CAP`."""
BACKOFF_CAP = 3600.0
IMMEDIATE_RETRY_DELAY = 0.5


class DeliveryStatus(StrEnum):
    DELIVERED = "delivered"
    """The portal accepted the request (202) and sends the mail."""
    RETRY_LATER = "retry_later"
    """Transient: 429, 5xx, timeout, connection refused; the outbox should try again."""
    FAILED = "failed"
    """Permanent: 400/401/403/409 or another answer that retrying will not change."""


@dataclass(frozen=True)
class DeliveryResult:
    status: DeliveryStatus
    message: str
    """Plain words for reception staff."""
    link_id: str | None = None
    request_id: str | None = None
    """X-Request-ID of the last attempt."""
    http_status: int | None = None
    retry_after: float | None = None
    """Seconds the portal asked us to wait (``Retry-After``), when given."""
    reason: str | None = None
    """``error.code`` of the answer, or ``"timeout"`` / ``"connection"`` / ``"protocol"``."""
    expires_at: datetime | None = None
    attempted_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def delivered(self) -> bool:
        return self.status is DeliveryStatus.DELIVERED


def backoff_delay(attempt: int, retry_after: float | None = None) -> float:
    """Seconds the outbox waits after failed attempt number ``attempt`` (1-based).

    5 s, 30 s, 2 min, 10 min, then 1 h; a larger ``Retry-After`` from the portal wins, capped at 1 h.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    delay = BACKOFF_SCHEDULE[attempt - 1] if attempt <= len(BACKOFF_SCHEDULE) else BACKOFF_CAP
    if retry_after is not None and retry_after > delay:
        delay = retry_after
    return min(delay, BACKOFF_CAP)


def mask_email(address: str) -> str:
    """``j••••@example.nl`` — for "sent at … to …" lines and logs."""
    local, at, domain = address.partition("@")
    if not at:
        return "•••"
    return f"{local[:1]}••••@{domain}"


class PortalClient(BearerClient):
    """Client for ``{base_url}/api/v1/*``; reusable, close it (or use ``with``) when done."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        sleep: Callable[[float], object] = time.sleep,
        locale: str = "nl",
        extra_headers: dict[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        super().__init__(base_url, token, timeout=timeout, extra_headers=extra_headers, transport=transport)
        self._sleep = sleep
        self._locale = locale

    def health(self) -> bool:
        """True when ``GET /api/v1/health`` answers 200."""
        return self._healthy("/api/v1/health")

    def send_sign_in_link(self, email: str, client_reference: str, idempotency_key: str) -> DeliveryResult:
        """Ask the portal to email a sign-in link; never raises for HTTP or network trouble."""
        if not idempotency_key or len(idempotency_key) > 255:
            raise ValueError("idempotency_key must be 1-255 characters")
        body = {"email": email, "clientReference": client_reference, "locale": self._locale}
        result = self._attempt(body, idempotency_key)
        transient = result.status is DeliveryStatus.RETRY_LATER
        if transient and result.http_status != 429 and result.reason != "timeout":
            self._sleep(IMMEDIATE_RETRY_DELAY)
            result = self._attempt(body, idempotency_key)
        log.info(
            "sign-in link to %s: %s (HTTP %s, request %s)",
            mask_email(email),
            result.status,
            result.http_status,
            result.request_id,
        )
        return result

    def _attempt(self, body: dict[str, Any], idempotency_key: str) -> DeliveryResult:
        request_id = str(uuid.uuid4())
        try:
            response = self._http.post(
                f"{self._base_url}/api/v1/sign-in-links",
                json=body,
                headers={"Idempotency-Key": idempotency_key, "X-Request-ID": request_id},
            )
        except httpx.TimeoutException:
            return DeliveryResult(
                DeliveryStatus.RETRY_LATER,
                _("The portal did not answer in time — the link will be sent again automatically"),
                request_id=request_id,
                reason="timeout",
            )
        except httpx.TransportError:
            return DeliveryResult(
                DeliveryStatus.RETRY_LATER,
                _("The portal could not be reached — the link will be sent again automatically"),
                request_id=request_id,
                reason="connection",
            )
        status = response.status_code
        payload = json_or_none(response)
        code = error_code(payload)
        retry_after = retry_after_seconds(response)
        common: dict[str, Any] = {"request_id": request_id, "http_status": status, "reason": code}
        if status in (200, 201, 202):
            if payload is None or not payload.get("linkId"):
                return DeliveryResult(
                    DeliveryStatus.RETRY_LATER,
                    _("The portal sent an answer the app cannot read — the link will be sent again"),
                    **{**common, "reason": "protocol"},
                )
            return DeliveryResult(
                DeliveryStatus.DELIVERED,
                _("Sign-in link sent to {email}").format(email=mask_email(str(body["email"]))),
                link_id=str(payload["linkId"]),
                expires_at=_parse_timestamp(payload.get("expiresAt")),
                **common,
            )
        if status == 429:
            return DeliveryResult(
                DeliveryStatus.RETRY_LATER,
                _("The portal is busy — the link will be sent again automatically"),
                retry_after=retry_after,
                **common,
            )
        if status >= 500:
            return DeliveryResult(
                DeliveryStatus.RETRY_LATER,
                _("The portal is unavailable (HTTP {status}) — the link will be sent again automatically").format(
                    status=status
                ),
                retry_after=retry_after,
                **common,
            )
        if status == 401:
            text = _("Portal credentials invalid — ask an administrator; the link was not sent")
        elif status == 403:
            text = _("This practice may not send portal sign-in links — ask an administrator")
        elif status == 400:
            text = _("The portal rejected the request (check the email address) — the link was not sent")
        elif status == 409:
            text = _("The portal refused a repeated request with different details — the link was not sent")
        else:
            text = _("The portal answered with an unexpected HTTP {status} — the link was not sent").format(
                status=status
            )
        return DeliveryResult(DeliveryStatus.FAILED, text, **common)


def _parse_timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
