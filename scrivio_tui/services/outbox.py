"""Durable delivery of portal sign-in links (the outbox).

The request row is written with its audit line by portal_access.request_sign_in_link; this module
delivers due rows over HTTP and records the outcome. A row is claimed with a conditional UPDATE (a lease),
so two terminals or a flush command never send the same row at the same time; the Idempotency-Key makes a
retry after a crash between sending and recording harmless: the portal sends the mail once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from scrivio_tui.services.base import SYSTEM, audit
from scrivio_tui.services.portal import DeliveryStatus, PortalClient, backoff_delay
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import SignInLinkRequest, utcnow

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=90)


@dataclass
class FlushReport:
    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return len(self.sent) + len(self.retry) + len(self.failed)


def _claim(db: Database, request_id: int, now: datetime) -> SignInLinkRequest | None:
    """Take the row for one attempt, or None when another process has it or it is no longer due."""
    with db.transaction() as session:
        claimed = session.execute(  # type: ignore[attr-defined]
            update(SignInLinkRequest)
            .where(col(SignInLinkRequest.id) == request_id, col(SignInLinkRequest.status) == "queued",
                   col(SignInLinkRequest.next_attempt_at) <= now)
            .values(next_attempt_at=now + LEASE, attempts=col(SignInLinkRequest.attempts) + 1)
        ).rowcount
        if claimed != 1:
            return None
        return session.get(SignInLinkRequest, request_id)


def flush(db: Database, client: PortalClient, *, now: datetime | None = None, limit: int = 50) -> FlushReport:
    """Deliver every due queued link once; transient failures are rescheduled with backoff."""
    now = now or utcnow()
    report = FlushReport()
    with db.read() as session:
        due = list(session.exec(select(SignInLinkRequest.id).where(
            SignInLinkRequest.status == "queued", col(SignInLinkRequest.next_attempt_at) <= now)
            .order_by(col(SignInLinkRequest.id)).limit(limit)).all())
    for request_id in due:
        assert request_id is not None
        row = _claim(db, request_id, now)
        if row is None:
            continue
        result = client.send_sign_in_link(row.email, f"client-{row.client_id}", row.idempotency_key)
        with db.transaction() as session:
            fresh = session.get(SignInLinkRequest, request_id)
            assert fresh is not None
            if result.status is DeliveryStatus.DELIVERED:
                fresh.status, fresh.sent_at, fresh.link_id, fresh.last_error = "sent", utcnow(), result.link_id, None
                report.sent.append(request_id)
                outcome = "success"
            elif result.status is DeliveryStatus.RETRY_LATER:
                delay = backoff_delay(fresh.attempts, result.retry_after)
                fresh.next_attempt_at = utcnow() + timedelta(seconds=delay)
                fresh.last_error = result.message
                report.retry.append(request_id)
                outcome = "retry"
            else:
                fresh.status, fresh.last_error = "failed", result.message
                report.failed.append(request_id)
                outcome = "failed"
            session.add(fresh)
            audit(session, SYSTEM, "portal.deliver_link", "E", client_id=fresh.client_id,
                  object_type="sign_in_link", object_id=request_id, outcome=outcome,
                  detail=f"attempt {fresh.attempts}; request {result.request_id or '-'}; http {result.http_status}")
        log.info("sign-in link %s: %s (attempt %s)", request_id, outcome, row.attempts)
    return report


def next_due(db: Database) -> datetime | None:
    """When the next queued link is due (for the status line and the retry timer)."""
    with db.read() as session:
        return session.exec(select(SignInLinkRequest.next_attempt_at).where(SignInLinkRequest.status == "queued")
                            .order_by(col(SignInLinkRequest.next_attempt_at)).limit(1)).first()
