"""ScrivioApp: opens the store after the first paint, signs staff in, global keys and the palette."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from scrivio_tui.config import Settings
from scrivio_tui.i18n import _

if TYPE_CHECKING:
    from scrivio_tui.services.base import Actor
    from scrivio_tui.store.db import Database

log = logging.getLogger("scrivio_tui")
OUTBOX_INTERVAL = 20.0  # seconds between delivery rounds of queued sign-in links


class ClientCommands(Provider):
    """Command palette: 'open client …' by name, date of birth or email (exact BSN too)."""

    async def search(self, query: str) -> Hits:
        app = self.app
        assert isinstance(app, ScrivioApp)
        if app.locked or len(query.strip()) < 2:
            return
        from scrivio_tui.services import clients

        matcher = self.matcher(query)
        result = clients.search(app.db, app.actor, query, limit=20)  # type: ignore[arg-type]
        for row in result.value or []:
            title = f"{_('Open client')}: {row.name} ({row.date_of_birth:%d-%m-%Y})"
            words = row.name.lower().split()
            exact = any(w == query.strip().lower() for w in words) or row.name.lower().startswith(query.lower())
            score = max(matcher.match(row.name), 0.3) + (1.0 if exact else 0.0)
            yield Hit(score, matcher.highlight(title), partial(app.open_client, row.id), help=row.email or "")

    async def discover(self) -> Hits:
        app = self.app
        assert isinstance(app, ScrivioApp)
        if app.locked:
            return
        yield DiscoveryHit(_("Clients overview"), app.action_clients, help=_("All clients, search as you type"))


class ScrivioApp(App[None]):
    """The reception terminal."""

    TITLE = "scrivio-tui"
    CSS_PATH = "app.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    COMMANDS: ClassVar[set[Any]] = App.COMMANDS | {ClientCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", _("Quit"), id="quit", priority=True),
        Binding("ctrl+l", "lock", _("Lock"), id="lock", show=False),
        Binding("ctrl+n", "new_client", _("New client"), id="new_client", show=False),
    ]

    def __init__(self, settings: Settings, *, db: Database | None = None, seed_demo: bool = False,
                 start_simulators: bool = False) -> None:
        self._started = time.perf_counter()
        super().__init__()
        self.settings = settings
        self._db = db
        self.actor: Actor | None = None
        self.seed_demo = seed_demo
        self.start_simulators = start_simulators
        self.demo_hint: str = ""
        self.integrations: Any = None
        if settings.keymap:
            self.set_keymap(settings.keymap)

    # -- store
    @property
    def db(self) -> Database:
        assert self._db is not None, "store opened"
        return self._db

    @property
    def db_ready(self) -> bool:
        return self._db is not None

    def on_mount(self) -> None:
        from scrivio_tui.screens.sign_in import SignInScreen

        self.push_screen(SignInScreen())
        log.info("started in %d ms (first screen)", (time.perf_counter() - self._started) * 1000)
        if self._db is None:
            # after the first frame: importing SQLAlchemy/Alembic in a thread would slow the paint (GIL)
            self.call_after_refresh(self.run_worker, self._open_store, thread=True, exclusive=True, group="store")
        else:
            self.call_later(self._store_ready)

    def _open_store(self) -> None:
        from scrivio_tui.store.db import Database

        try:
            db = Database(self.settings.effective_database_url)
            if self.seed_demo:
                from scrivio_tui.services import demo

                demo.seed(db)
        except Exception:
            log.exception("could not open the store")
            self.call_from_thread(self.notify, _("The practice database could not be opened. Check the "
                                                 "database settings; details are in the log."),
                                  severity="error", timeout=30)
            return
        self._db = db
        self._build_integrations()
        log.info("store ready in %d ms", (time.perf_counter() - self._started) * 1000)
        self.call_from_thread(self._store_ready)

    def _build_integrations(self) -> None:
        from scrivio_tui.services.integrations import Integrations

        self.integrations = Integrations(self.settings, self.db)
        if self.start_simulators:
            try:
                self.integrations.start_simulators()
            except OSError:
                log.exception("could not start the demo simulators")

    def _store_ready(self) -> None:
        if self.integrations is None and self._db is not None:
            self._build_integrations()
        self.set_interval(OUTBOX_INTERVAL, self.deliver_outbox, name="outbox")
        self.deliver_outbox()
        if self.settings.demo:
            from scrivio_tui.services import demo

            self.demo_hint = demo.CREDENTIALS_HINT
        screen = self.screen
        if hasattr(screen, "store_ready"):
            screen.store_ready()

    # -- session
    def signed_in(self, actor: Actor) -> None:
        """After sign-in (or unlock): the overview, then any drafts offered back."""
        from scrivio_tui.screens.clients import ClientsScreen

        previous, self.actor = self.actor, actor
        if previous is not None and previous.user_id == actor.user_id and len(self.screen_stack) > 2:
            self.pop_screen()  # unlock: back where the person was
            return
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(ClientsScreen())
        self.offer_drafts()

    def offer_drafts(self) -> None:
        from scrivio_tui.services import drafts

        if self.actor and drafts.list_drafts(self.db, self.actor):
            from scrivio_tui.screens.drafts import ResumeDraftsScreen

            self.push_screen(ResumeDraftsScreen())

    def resume_draft(self, draft: Any) -> None:
        """Open the form the draft belongs to, filled with what was typed."""
        data = dict(draft.data)
        if draft.kind == "new_client":
            from scrivio_tui.screens.client_form import ClientFormScreen

            self.push_screen(ClientFormScreen(initial=data))
            return
        self.open_client(draft.client_id)
        if draft.kind == "edit_client":
            from scrivio_tui.screens.client_form import ClientFormScreen

            self.push_screen(ClientFormScreen(draft.client_id, initial=data))
        elif draft.kind == "trajectory":
            from scrivio_tui.screens.trajectory import TrajectoryFormScreen

            self.push_screen(TrajectoryFormScreen(draft.client_id, initial=data))
        elif draft.kind in ("financing", "policy"):
            from scrivio_tui.screens.financing import FinancingScreen

            self.push_screen(FinancingScreen(draft.client_id, initial=data if draft.kind == "financing" else None))
            if draft.kind == "policy":
                from scrivio_tui.screens.financing import PolicyDialog

                self.push_screen(PolicyDialog(draft.client_id, proposed=data))
        elif draft.kind == "classification":
            from scrivio_tui.screens.trajectory import TrajectoryScreen

            self.push_screen(TrajectoryScreen(draft.client_id, classify=True, trajectory_id=draft.object_id))

    def deliver_outbox(self) -> None:
        """Try to deliver queued sign-in links now, in a worker (the desk never waits on the portal)."""
        if self.integrations is not None:
            self.run_worker(self.integrations.flush_outbox, thread=True, group="outbox", exclusive=True)

    @property
    def locked(self) -> bool:
        """True while the sign-in (or lock) screen is up: then nothing but quit may act."""
        from scrivio_tui.screens.sign_in import SignInScreen

        return self.actor is None or isinstance(self.screen, SignInScreen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (self.locked and action not in ("quit", "help_quit", "focus_next", "focus_previous"))

    def action_command_palette(self) -> None:
        if not self.locked:
            super().action_command_palette()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """After a delivery round that changed something, the open hub or portal screen shows it."""
        if event.worker.group != "outbox" or event.state is not WorkerState.SUCCESS:
            return
        report = event.worker.result
        if report is not None and report.attempted and hasattr(self.screen, "load"):
            from scrivio_tui.screens.client_hub import ClientHubScreen
            from scrivio_tui.screens.portal import PortalScreen

            if isinstance(self.screen, ClientHubScreen | PortalScreen):
                self.screen.load()

    def demo_stop_portal(self) -> None:
        self.integrations.stop_portal_simulator()
        self.notify(_("Portal simulator stopped: new sign-in links stay queued."), title=_("Demo"))

    def demo_start_portal(self) -> None:
        self.integrations.start_portal_simulator()
        self.notify(_("Portal simulator running again: queued links go out on the next delivery round."),
                    title=_("Demo"))
        self.deliver_outbox()

    def action_lock(self) -> None:
        if self.actor is None:
            return
        from scrivio_tui.screens.sign_in import SignInScreen

        self.push_screen(SignInScreen(lock_for=self.actor.username))

    def action_new_client(self) -> None:
        if self.locked:
            return
        from scrivio_tui.screens.client_form import ClientFormScreen

        if isinstance(self.screen, ClientFormScreen) and self.screen.client_id is None:
            self.notify(_("This is the new-client form already."))
            return
        self.push_screen(ClientFormScreen())

    def action_clients(self) -> None:
        from scrivio_tui.screens.clients import ClientsScreen

        while len(self.screen_stack) > 2:
            self.pop_screen()
        if not isinstance(self.screen, ClientsScreen) and self.actor is not None:
            self.push_screen(ClientsScreen())

    def open_client(self, client_id: int) -> None:
        """The client hub, on top of the overview (so escape always leads back there)."""
        from scrivio_tui.screens.client_hub import ClientHubScreen

        self.action_clients()
        self.push_screen(ClientHubScreen(client_id))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        if self.locked:
            return
        yield from super().get_system_commands(screen)
        yield SystemCommand(_("New client"), _("Create a client (step 1)"), self.action_new_client)
        yield SystemCommand(_("Clients overview"), _("All clients"), self.action_clients)
        yield SystemCommand(_("Lock"), _("Lock the terminal; sign in again to continue"), self.action_lock)
        integrations = self.integrations
        if integrations is not None and integrations.mail_dir is not None:
            if integrations.portal_simulator_running:
                yield SystemCommand(_("Demo: stop the portal simulator"),
                                    _("Sign-in links then wait in the outbox until it is back"),
                                    self.demo_stop_portal)
            else:
                yield SystemCommand(_("Demo: start the portal simulator"), _("Queued sign-in links go out"),
                                    self.demo_start_portal)
        seen = {_("New client"), _("Clients overview"), _("Lock")}
        for binding in screen.active_bindings.values():
            b = binding.binding
            if b.show and b.description and b.description not in seen and b.action not in ("quit", "app.quit"):
                seen.add(b.description)
                yield SystemCommand(b.description, _("Key: {key}").format(key=b.key_display or b.key),
                                    partial(self.run_action, b.action, screen))

    def _fatal_error(self) -> None:
        """An unexpected crash: the traceback goes to the log, the person gets one calm line."""
        if self.is_headless:
            super()._fatal_error()
            return
        ref = uuid.uuid4().hex[:8]
        log.error("fatal error (ref %s)", ref, exc_info=self._exception)
        self.bell()
        self._exit_renderables.append(
            _("scrivio-tui stopped after an unexpected error (ref {ref}). Everything you typed is kept "
              "as a draft and offered back when you start again. Details: {log}").format(
                ref=ref, log=Path(self.settings.log_dir) / "scrivio-tui.log"))
        self._close_messages_no_wait()

    def on_unmount(self) -> None:
        if self.integrations is not None:
            self.integrations.stop()
