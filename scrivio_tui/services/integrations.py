"""The outside world, built from settings: the COV and portal clients (tokens from the keyring) and, in
demo mode, the local simulators on free ports. The UI and the CLI hold one of these."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from scrivio_tui import clock
from scrivio_tui.config import Settings
from scrivio_tui.i18n import _
from scrivio_tui.services import outbox
from scrivio_tui.services.cov import CovClient
from scrivio_tui.services.portal import PortalClient
from scrivio_tui.store.db import Database

log = logging.getLogger(__name__)


class NotConfigured(RuntimeError):
    """A service URL or its token is missing; the message says what to set."""


class Integrations:
    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings, self.db = settings, db
        self.cov_url, self.portal_url = settings.cov_url, settings.portal_url
        self._tokens: dict[str, str] = {}
        self._servers: list[object] = []
        self._flush_lock = threading.Lock()
        self.mail_dir: Path | None = None
        self._portal_port = 0

    def start_simulators(self) -> None:
        """Demo mode: both simulators on free loopback ports, with their fixed demo tokens."""
        from scrivio_tui.simulators.cov import start_cov_simulator
        from scrivio_tui.simulators.portal import start_portal_simulator

        self.mail_dir = self.settings.data_dir / "demo-mail"
        cov = start_cov_simulator(port=0, token="demo-cov-token")
        portal = start_portal_simulator(port=0, token="demo-portal-token", outbox_dir=self.mail_dir)
        self._servers = [cov, portal]
        self._portal_port = portal.port
        self.cov_url, self.portal_url = cov.url, portal.url
        self._tokens = {"cov-token": "demo-cov-token", "portal-token": "demo-portal-token"}
        log.info("demo simulators: COV %s, portal %s", cov.url, portal.url)

    @property
    def portal_simulator_running(self) -> bool:
        return any(getattr(s, "outbox_dir", None) is not None for s in self._servers)

    def stop_portal_simulator(self) -> None:
        """Demo: take the portal away (connection refused), so links queue up in the outbox."""
        for server in [s for s in self._servers if getattr(s, "outbox_dir", None) is not None]:
            server.stop()  # type: ignore[attr-defined]
            self._servers.remove(server)

    def start_portal_simulator(self) -> None:
        """Demo: bring the portal back on the same address; queued links go out on the next round."""
        from scrivio_tui.simulators.portal import start_portal_simulator

        if self.portal_simulator_running or self.mail_dir is None:
            return
        self._servers.append(start_portal_simulator(port=self._portal_port, token="demo-portal-token",
                                                    outbox_dir=self.mail_dir))

    def _token(self, name: str) -> str:
        if name in self._tokens:
            return self._tokens[name]
        from scrivio_tui.secrets import SecretsUnavailable, get_secret

        try:
            token = get_secret(name)
        except SecretsUnavailable as exc:
            raise NotConfigured(str(exc)) from None
        if not token:
            raise NotConfigured(_("No {name} in the keyring: an administrator runs "
                                  "`scrivio-tui secrets set {name}`").format(name=name))
        return token

    def cov(self, **kwargs: object) -> CovClient:
        if not self.cov_url:
            raise NotConfigured(_("COV is not configured: set cov_url (SCRIVIO_COV_URL)"))
        kwargs.setdefault("today", clock.today)
        return CovClient(self.cov_url, self._token("cov-token"), self.settings.practice_agb,
                         **kwargs)  # type: ignore[arg-type]

    def portal(self) -> PortalClient:
        if not self.portal_url:
            raise NotConfigured(_("The portal is not configured: set portal_url (SCRIVIO_PORTAL_URL)"))
        return PortalClient(self.portal_url, self._token("portal-token"))

    def flush_outbox(self) -> outbox.FlushReport | None:
        """Deliver due sign-in links; None when the portal is not configured (links stay queued)."""
        if not self._flush_lock.acquire(blocking=False):
            return None
        try:
            try:
                client = self.portal()
            except NotConfigured as exc:
                log.info("outbox not flushed: %s", exc)
                return None
            try:
                return outbox.flush(self.db, client)
            finally:
                client.close()
        finally:
            self._flush_lock.release()

    def stop(self) -> None:
        for server in self._servers:
            server.stop()  # type: ignore[attr-defined]
        self._servers = []
