"""The sign-in-link outbox against the portal simulator as a real server: queued while the portal is
down, delivered once when it is back, and delivered after a restart when the app died in between."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlmodel import select

from scrivio_tui import clock
from scrivio_tui.services import clients, portal_access
from scrivio_tui.services import outbox as delivery
from scrivio_tui.services.base import Actor
from scrivio_tui.services.portal import PortalClient
from scrivio_tui.simulators.portal import PortalRunningServer, start_portal_simulator
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import AuditEvent, SignInLinkRequest
from tests.integrations.conftest import PORTAL_TOKEN


def _client_with_link(db: Database, actor: Actor) -> int:
    client = clients.create_client(db, actor, {"first_name": "Anna", "last_name": "Vries",
                                               "date_of_birth": "12-03-1985", "email": "anna@example.nl"}).unwrap()
    assert client.id is not None
    return portal_access.request_sign_in_link(db, actor, client.id).unwrap().id or 0


def _row(db: Database, request_id: int) -> SignInLinkRequest:
    with db.read() as s:
        row = s.get(SignInLinkRequest, request_id)
        assert row is not None
        return row


def _later(minutes: float) -> None:
    clock.freeze(clock.now() + timedelta(minutes=minutes))


def test_queued_while_portal_down_then_delivered_once(db: Database, reception: Actor, outbox: Path,
                                                      portal_server: PortalRunningServer) -> None:
    request_id = _client_with_link(db, reception)
    assert _row(db, request_id).status == "queued"
    portal_server.set_fault("503")
    client = PortalClient(portal_server.url, PORTAL_TOKEN, sleep=lambda s: None)
    try:
        report = delivery.flush(db, client)
        assert report.retry == [request_id]
        row = _row(db, request_id)
        assert row.status == "queued" and row.attempts == 1 and row.last_error
        assert row.next_attempt_at > clock.now()
        assert delivery.flush(db, client).attempted == 0  # not due yet: backoff respected
        portal_server.set_fault(None)
        clock.freeze(row.next_attempt_at + timedelta(seconds=1))
        assert delivery.flush(db, client).sent == [request_id]
        assert delivery.flush(db, client).attempted == 0  # sent rows are never sent again
    finally:
        clock.freeze(None)
        client.close()
    row = _row(db, request_id)
    assert row.status == "sent" and row.sent_at is not None and row.link_id
    mails = list(outbox.glob("*.eml"))
    assert len(mails) == 1
    assert "anna@example.nl" in mails[0].read_text()
    with db.read() as s:
        outcomes = [e.outcome for e in s.exec(select(AuditEvent).where(AuditEvent.action == "portal.deliver_link"))]
    assert outcomes == ["retry", "success"]


def test_killed_between_write_and_delivery_is_delivered_on_next_start(tmp_path: Path, reception: Actor,
                                                                      db: Database, outbox: Path) -> None:
    request_id = _client_with_link(db, reception)  # written, then the app "dies": nothing was sent
    db.dispose()
    restarted = Database(db.url)
    with start_portal_simulator(token=PORTAL_TOKEN, outbox_dir=outbox) as server, \
            PortalClient(server.url, PORTAL_TOKEN) as client:
        assert delivery.flush(restarted, client).sent == [request_id]
    assert _row(restarted, request_id).status == "sent"
    assert len(list(outbox.glob("*.eml"))) == 1


def test_crash_after_send_before_record_sends_one_mail(db: Database, reception: Actor, outbox: Path,
                                                       portal_server: PortalRunningServer) -> None:
    """The portal got the request but the app died before writing 'sent': the retry (same idempotency
    key, after the claim's lease ran out) is answered from the portal's memory and no second mail goes."""
    request_id = _client_with_link(db, reception)
    row = _row(db, request_id)
    with PortalClient(portal_server.url, PORTAL_TOKEN) as client:
        first = client.send_sign_in_link(row.email, f"client-{row.client_id}", row.idempotency_key)
        try:
            _later(5)
            assert delivery.flush(db, client).sent == [request_id]
        finally:
            clock.freeze(None)
    assert _row(db, request_id).link_id == first.link_id
    assert len(list(outbox.glob("*.eml"))) == 1


def test_permanent_failure_is_marked_failed(db: Database, reception: Actor,
                                            portal_server: PortalRunningServer) -> None:
    request_id = _client_with_link(db, reception)
    with PortalClient(portal_server.url, "wrong-token") as client:
        assert delivery.flush(db, client).failed == [request_id]
    row = _row(db, request_id)
    assert row.status == "failed" and row.last_error


def test_a_claimed_row_is_not_sent_twice(db: Database, reception: Actor, portal_server: PortalRunningServer,
                                         outbox: Path) -> None:
    """Two terminals flushing at once: the conditional claim lets only one of them send."""
    request_id = _client_with_link(db, reception)
    now = clock.now()
    assert delivery._claim(db, request_id, now) is not None
    assert delivery._claim(db, request_id, now) is None


def test_demo_portal_stopped_then_started_delivers_the_queued_link(tmp_path: Path, db: Database,
                                                                   reception: Actor) -> None:
    """What a demo user does from the palette: stop the portal, send a link, start it, see it go out."""
    from scrivio_tui.config import load_settings
    from scrivio_tui.services.integrations import Integrations

    integrations = Integrations(load_settings(data_dir=tmp_path / "data", demo=True), db)
    integrations.start_simulators()
    try:
        integrations.stop_portal_simulator()
        assert not integrations.portal_simulator_running
        request_id = _client_with_link(db, reception)
        report = integrations.flush_outbox()
        assert report is not None and report.retry == [request_id]  # connection refused: stays queued
        integrations.start_portal_simulator()
        clock.freeze(_row(db, request_id).next_attempt_at + timedelta(seconds=1))
        report = integrations.flush_outbox()
        assert report is not None and report.sent == [request_id]
    finally:
        clock.freeze(None)
        integrations.stop()
    assert integrations.mail_dir is not None and len(list(integrations.mail_dir.glob("*.eml"))) == 1
