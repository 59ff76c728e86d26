"""On start: drafts left by a crash, a killed terminal or an interrupted desk are offered back."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from scrivio_tui.i18n import _
from scrivio_tui.screens.base import ServiceCalls

KIND_LABEL = {
    "new_client": _("New client"),
    "edit_client": _("Personal details"),
    "trajectory": _("Care trajectory"),
    "financing": _("Financing"),
    "policy": _("Policy"),
    "classification": _("Classification"),
}


class ResumeDraftsScreen(ServiceCalls, ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "resume", _("Resume"), id="resume", priority=True),
        Binding("delete,ctrl+d", "discard", _("Discard"), id="discard"),
        Binding("escape", "later", _("Later"), id="later"),
    ]

    def __init__(self) -> None:
        super().__init__(id="resume-drafts")
        self.drafts: list[Any] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("[b]Unfinished work was kept[/b]"), classes="dialog-title")
            yield Static(_("These forms were not saved when the terminal closed. enter resumes, "
                           "delete discards, escape decides later (they stay kept)."), classes="hint")
            yield DataTable(id="drafts-table", cursor_type="row")

    def on_mount(self) -> None:
        table = self.query_one("#drafts-table", DataTable)
        table.add_column(_("Form"))
        table.add_column(_("Client"))
        table.add_column(_("Last typed"))
        self.load()
        table.focus()

    def load(self) -> None:
        from scrivio_tui.services import drafts

        self.drafts = drafts.list_drafts(self.db, self.actor)
        table = self.query_one("#drafts-table", DataTable)
        table.clear()
        for d in self.drafts:
            table.add_row(KIND_LABEL.get(d.kind, d.kind), d.title or "—",
                          f"{d.updated_at.astimezone():%d-%m-%Y %H:%M}", key=str(d.id))
        if not self.drafts:
            self.dismiss(None)

    def _selected(self) -> Any:
        table = self.query_one("#drafts-table", DataTable)
        if not table.row_count:
            return None
        return self.drafts[table.cursor_row]

    def action_resume(self) -> None:
        draft = self._selected()
        if draft is None:
            return
        self.dismiss(None)
        self.scrivio.resume_draft(draft)

    def action_discard(self) -> None:
        from scrivio_tui.services import drafts

        draft = self._selected()
        if draft is None:
            return
        drafts.discard_draft(self.db, self.actor, draft.kind, client_id=draft.client_id, object_id=draft.object_id)
        self.scrivio.notify(_("Draft discarded."))
        self.load()

    def action_later(self) -> None:
        self.dismiss(None)
