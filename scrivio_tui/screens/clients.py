"""Clients overview: search as you type, active/archived filter, enter opens, ctrl+n creates."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import DataTable, Footer, Header, Input, Static

from scrivio_tui.i18n import _
from scrivio_tui.screens.base import BaseScreen
from scrivio_tui.widgets import fields


class ClientsScreen(BaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "app.new_client", _("New client"), id="new_client"),
        Binding("ctrl+f", "focus_search", _("Search"), id="search", key_display="^f"),
        Binding("f3", "toggle_archived", _("Active/archived"), id="toggle_archived"),
        Binding("f5", "refresh", _("Refresh"), id="refresh"),
        Binding("f1", "help", _("Help"), id="help"),
    ]
    HELP = _("Type to search by name, date of birth (DD-MM-YYYY) or email; a BSN matches only when all "
             "9 digits are typed. Arrow keys choose, enter opens the client, ctrl+n creates a new client.")

    def __init__(self) -> None:
        super().__init__(classes="clients")
        self.archived = False

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with Horizontal(id="search-bar"):
            search = Input(placeholder=_("Search name, date of birth, email or full BSN…"), id="search")
            search.cursor_blink = fields.CURSOR_BLINK
            yield search
            yield Static("", id="filter-label")
        yield DataTable(id="clients-table", cursor_type="row", zebra_stripes=True)
        yield Static("", id="clients-count", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.title = _("Clients")
        self.sub_title = f"{self.actor.role_label} · {self.actor.display_name}"
        table = self.query_one("#clients-table", DataTable)
        table.add_column(_("Name"), key="name", width=26)
        table.add_column(_("Born"), key="dob", width=10)
        table.add_column(_("Status"), key="status", width=16)
        table.add_column(_("Active care trajectory"), key="trajectory", width=22)
        table.add_column(_("Email"), key="email")
        self.refresh_rows()
        self.query_one("#search", Input).focus()

    def on_screen_resume(self) -> None:
        self.refresh_rows()

    def refresh_rows(self) -> None:
        from scrivio_tui.services import clients

        term = self.query_one("#search", Input).value
        result = self.call(clients.search, self.db, self.actor, term, archived=self.archived)
        table = self.query_one("#clients-table", DataTable)
        table.clear()
        for row in result.value or []:
            status = _("archived") if row.status == "archived" else _("active")
            if row.review_overdue:
                status = _("! review overdue")
            table.add_row(row.sort_name, f"{row.date_of_birth:%d-%m-%Y}", status, row.active_trajectory or "—",
                          row.email or "—", key=str(row.id))
        n = len(result.value or [])
        self.query_one("#filter-label", Static).update(
            _("showing: archived") if self.archived else _("showing: active"))
        self.query_one("#clients-count", Static).update(
            _("{n} clients · enter opens · ctrl+n new client").format(n=n) if n else
            _("No clients match. ctrl+n creates a new client."))

    @on(Input.Changed, "#search")
    def _search(self) -> None:
        self.refresh_rows()

    @on(Input.Submitted, "#search")
    def _to_table(self) -> None:
        table = self.query_one("#clients-table", DataTable)
        if table.row_count == 1:
            self._open(table)
        elif table.row_count:
            table.focus()

    def on_key(self, event: object) -> None:
        key = getattr(event, "key", "")
        if key == "down" and self.focused is self.query_one("#search", Input):
            self.query_one("#clients-table", DataTable).focus()

    @on(DataTable.RowSelected, "#clients-table")
    def _selected(self) -> None:
        self._open(self.query_one("#clients-table", DataTable))

    def _open(self, table: DataTable[object]) -> None:
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key:
            self.scrivio.open_client(int(key))

    def action_focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_toggle_archived(self) -> None:
        self.archived = not self.archived
        self.refresh_rows()

    def action_refresh(self) -> None:
        self.refresh_rows()

    def action_back(self) -> None:
        self.query_one("#search", Input).focus()
