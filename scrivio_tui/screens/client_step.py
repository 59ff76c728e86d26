"""Journey step screens share the header line (client · date of birth) and the stepper, with the
current step marked, so the person always sees whose record this is and where they are."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.widgets import Header

from scrivio_tui.screens.base import BaseScreen, FormScreen, ServiceCalls
from scrivio_tui.widgets.stepper import Stepper


class ClientHeader(ServiceCalls):
    step = ""
    client_id: int
    summary: Any = None
    draft_title: str = ""

    def compose_header(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Stepper()

    def refresh_header(self) -> None:
        from scrivio_tui.services import clients

        result = self.call(clients.get_summary, self.db, self.actor, self.client_id)
        if result.value is None:
            return
        self.summary = s = result.value
        screen: Any = self
        screen.title = f"{s.client.full_name} · {s.client.date_of_birth:%d-%m-%Y}"
        screen.sub_title = f"{self.actor.role_label} · {self.actor.display_name}"
        self.draft_title = s.client.full_name
        screen.query_one(Stepper).show(s.steps, self.step)


class ClientStepScreen(ClientHeader, FormScreen):
    """A journey form for one client (draft kept per client)."""

    def __init__(self, client_id: int, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.client_id = client_id
        self.draft_client = client_id


class ClientViewScreen(ClientHeader, BaseScreen):
    """A read-mostly journey screen for one client."""

    def __init__(self, client_id: int, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.client_id = client_id
