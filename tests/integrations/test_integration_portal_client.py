"""PortalClient against the real portal simulator: delivery, idempotency, permanent and transient failures."""

from __future__ import annotations

import email
import email.policy
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from scrivio_tui.services.portal import (
    DeliveryStatus,
    PortalClient,
    backoff_delay,
    mask_email,
)
from scrivio_tui.simulators.portal import PortalRunningServer

from .conftest import FAST, PORTAL_TOKEN, SleepRecorder


def _mails(outbox: Path) -> list[EmailMessage]:
    mails = []
    for path in sorted(outbox.glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        mails.append(message)
    return mails


def test_delivered_and_mail_written(portal_client: PortalClient, outbox: Path, sleeps: SleepRecorder) -> None:
    result = portal_client.send_sign_in_link("jan.jansen@example.nl", "client-6f1c", "key-1")
    assert result.status is DeliveryStatus.DELIVERED and result.delivered
    assert result.http_status == 202 and result.link_id and result.request_id
    assert result.message == "Sign-in link sent to j••••@example.nl"
    assert result.expires_at is not None and result.expires_at > datetime.now(UTC)
    (mail,) = _mails(outbox)
    assert mail["To"] == "jan.jansen@example.nl"
    assert mail["From"] == "Scrivio <no-reply@mijn.scrivio.nl>"
    assert mail["Subject"] == "Je inloglink voor Scrivio"
    assert mail["Date"] and mail["Message-ID"]
    assert mail["X-Scrivio-Link-Id"] == result.link_id
    body = mail.get_content()
    assert "https://mijn.scrivio.nl/sign-in?token=" in body
    assert sleeps.delays == [] and not list(outbox.glob("*.part"))


def test_same_idempotency_key_sends_one_mail(
    portal_server: PortalRunningServer, portal_client: PortalClient, outbox: Path
) -> None:
    first = portal_client.send_sign_in_link("a@example.nl", "client-1", "key-same")
    second = portal_client.send_sign_in_link("a@example.nl", "client-1", "key-same")
    assert first.delivered and second.delivered
    assert first.link_id == second.link_id
    assert len(_mails(outbox)) == 1 and portal_server.sent_count == 1


def test_new_key_sends_a_new_mail(portal_client: PortalClient, outbox: Path) -> None:
    first = portal_client.send_sign_in_link("a@example.nl", "client-1", "key-a")
    second = portal_client.send_sign_in_link("a@example.nl", "client-1", "key-b")
    assert first.link_id != second.link_id
    links = {m.get_content().split("token=")[1].split()[0] for m in _mails(outbox)}
    assert len(links) == 2


def test_same_key_different_body_fails(portal_client: PortalClient, outbox: Path) -> None:
    portal_client.send_sign_in_link("a@example.nl", "client-1", "key-x")
    result = portal_client.send_sign_in_link("b@example.nl", "client-1", "key-x")
    assert result.status is DeliveryStatus.FAILED and result.http_status == 409
    assert result.reason == "IDEMPOTENTIE_CONFLICT" and len(_mails(outbox)) == 1


def test_401_is_permanent(portal_server: PortalRunningServer, sleeps: SleepRecorder, outbox: Path) -> None:
    with PortalClient(portal_server.url, "wrong", sleep=sleeps) as client:
        result = client.send_sign_in_link("a@example.nl", "client-1", "key-1")
    assert result.status is DeliveryStatus.FAILED and result.http_status == 401
    assert result.reason == "NIET_GEAUTHENTICEERD" and result.link_id is None
    assert result.message == "Portal credentials invalid — ask an administrator; the link was not sent"
    assert sleeps.delays == [] and _mails(outbox) == []


def test_403_is_permanent(portal_server: PortalRunningServer, sleeps: SleepRecorder) -> None:
    with PortalClient(portal_server.url, "forbidden-practice", sleep=sleeps) as client:
        result = client.send_sign_in_link("a@example.nl", "client-1", "key-1")
    assert result.status is DeliveryStatus.FAILED and result.http_status == 403
    assert result.reason == "NIET_GEAUTORISEERD"


def test_400_bad_email_is_permanent(portal_client: PortalClient, outbox: Path, sleeps: SleepRecorder) -> None:
    result = portal_client.send_sign_in_link("not-an-address", "client-1", "key-1")
    assert result.status is DeliveryStatus.FAILED and result.http_status == 400 and result.reason == "VALIDATIE"
    assert _mails(outbox) == [] and sleeps.delays == []


def test_503_is_retry_later(
    portal_server: PortalRunningServer, portal_client: PortalClient, outbox: Path, sleeps: SleepRecorder
) -> None:
    portal_server.set_fault("503")
    result = portal_client.send_sign_in_link("a@example.nl", "client-1", "key-1")
    assert result.status is DeliveryStatus.RETRY_LATER and result.http_status == 503
    assert result.retry_after == 1.0 and result.reason == "NIET_BESCHIKBAAR"
    assert result.message == "The portal is unavailable (HTTP 503) — the link will be sent again automatically"
    assert sleeps.delays == [0.5]  # exactly one immediate retry
    assert _mails(outbox) == []
    portal_server.set_fault(None)  # the portal comes back: the outbox's next try delivers
    assert portal_client.send_sign_in_link("a@example.nl", "client-1", "key-1").delivered
    assert len(_mails(outbox)) == 1


def test_one_immediate_retry_can_deliver(
    portal_server: PortalRunningServer, portal_client: PortalClient, sleeps: SleepRecorder
) -> None:
    portal_server.set_fault("500", times=1)
    result = portal_client.send_sign_in_link("a@example.nl", "client-1", "key-1")
    assert result.delivered and sleeps.delays == [0.5]


def test_429_is_retry_later_without_immediate_retry(portal_server: PortalRunningServer, sleeps: SleepRecorder) -> None:
    with PortalClient(portal_server.url, PORTAL_TOKEN, sleep=sleeps, extra_headers={"X-Simulate": "429"}) as c:
        result = c.send_sign_in_link("a@example.nl", "client-1", "key-1")
    assert result.status is DeliveryStatus.RETRY_LATER and result.http_status == 429
    assert result.retry_after == 1.0 and sleeps.delays == []


def test_connection_refused_is_retry_later(closed_port_url: str, sleeps: SleepRecorder) -> None:
    with PortalClient(closed_port_url, PORTAL_TOKEN, sleep=sleeps) as client:
        result = client.send_sign_in_link("a@example.nl", "client-1", "key-1")
        assert client.health() is False
    assert result.status is DeliveryStatus.RETRY_LATER and result.reason == "connection"
    assert result.http_status is None and sleeps.delays == [0.5]


def test_timeout_is_retry_later(portal_server: PortalRunningServer, sleeps: SleepRecorder) -> None:
    portal_server.set_fault("timeout")
    started = time.monotonic()
    with PortalClient(portal_server.url, PORTAL_TOKEN, sleep=sleeps, timeout=FAST) as client:
        result = client.send_sign_in_link("a@example.nl", "client-1", "key-1")
    assert time.monotonic() - started < 3
    assert result.status is DeliveryStatus.RETRY_LATER and result.reason == "timeout"
    assert sleeps.delays == []  # a slow portal is not hammered


def test_health(portal_client: PortalClient) -> None:
    assert portal_client.health() is True


def test_empty_idempotency_key_is_a_programming_error(portal_client: PortalClient) -> None:
    with pytest.raises(ValueError):
        portal_client.send_sign_in_link("a@example.nl", "client-1", "")


@pytest.mark.parametrize(
    ("attempt", "retry_after", "expected"),
    [
        (1, None, 5.0),
        (2, None, 30.0),
        (3, None, 120.0),
        (4, None, 600.0),
        (5, None, 3600.0),
        (50, None, 3600.0),
        (1, 90.0, 90.0),
        (3, 1.0, 120.0),
        (2, 99999.0, 3600.0),
    ],
)
def test_backoff_delay(attempt: int, retry_after: float | None, expected: float) -> None:
    assert backoff_delay(attempt, retry_after) == expected


def test_backoff_delay_counts_from_one() -> None:
    with pytest.raises(ValueError):
        backoff_delay(0)


def test_mask_email() -> None:
    assert mask_email("jan@example.nl") == "j••••@example.nl"
    assert mask_email("broken") == "•••"
