"""New client (step 1) and edit personal details: errors under the field, every typed value kept."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.widgets import Footer, Header, Static

from scrivio_tui import refdata
from scrivio_tui.i18n import _
from scrivio_tui.screens.base import FormScreen
from scrivio_tui.screens.dialogs import ConfirmDialog
from scrivio_tui.store.schemas import (
    format_date,
    format_phone,
    normalise_bsn,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    parse_date,
)
from scrivio_tui.widgets.fields import select_field, text_field


class ClientFormScreen(FormScreen):
    """Create a client (client_id None) or edit one. ctrl+s saves; after creating, the hub opens."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("f8", "start_empty", _("Start empty"), id="start_empty")]

    HELP = _("Fields marked * are required. Type dates as DD-MM-YYYY. The BSN must pass the 11-test; "
             "without a BSN the client can be created, but billing will be blocked later. The email address "
             "is where the portal sign-in link goes. ctrl+s (or F2) saves; escape keeps your input as a draft.")

    def __init__(self, client_id: int | None = None, initial: dict[str, Any] | None = None) -> None:
        super().__init__(classes="client-form")
        self.client_id = client_id
        self.initial = initial
        self.draft_kind = "edit_client" if client_id else "new_client"
        self.draft_client = client_id or 0

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        with VerticalScroll(id="form-scroll"):
            yield Static("", id="form-intro", classes="hint")
            with Grid(classes="form-grid"):
                yield text_field("first_name", _("First name"), required=True)
                yield text_field("last_name_prefix", _("Prefix (e.g. van der)"))
                yield text_field("last_name", _("Last name"), required=True)
                yield text_field("date_of_birth", _("Date of birth"), required=True, placeholder="DD-MM-YYYY",
                                 normalise=parse_date)
                yield text_field("bsn", _("BSN"), placeholder=_("9 digits"), normalise=normalise_bsn)
                yield select_field("gender", _("Gender"), [(g.label, g.code) for g in refdata.genders()])
                yield text_field("email", _("Email (for the portal)"), placeholder="naam@example.nl",
                                 normalise=normalise_email)
                yield text_field("phone", _("Phone"), placeholder="06 12345678", normalise=normalise_phone)
                yield text_field("street", _("Street"))
                yield text_field("house_number", _("House number"))
                yield text_field("postcode", _("Postcode"), placeholder="1234 AB", normalise=normalise_postcode)
                yield text_field("city", _("City"))
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"{self.actor.role_label} · {self.actor.display_name}"
        intro = self.query_one("#form-intro", Static)
        if self.client_id:
            from scrivio_tui.services import clients

            result = self.call(clients.get_client, self.db, self.actor, self.client_id)
            if result.value is None:
                self.show_errors(result.errors)
                return
            c = result.value
            self.title = _("Edit personal details — {name}").format(name=c.full_name)
            self.draft_title = c.full_name
            self.load_values({**c.model_dump(), "date_of_birth": format_date(c.date_of_birth),
                              "phone": format_phone(c.phone)})
            intro.update(_("Change what is needed and press ctrl+s."))
        else:
            self.title = _("New client — step 1 of 4")
            intro.update(_("Personal details. * is required; the rest can be added later. ctrl+s saves."))
        if self.initial is None and not self.client_id:
            from scrivio_tui.services import drafts

            self.initial = drafts.load_draft(self.db, self.actor, "new_client")
            if self.initial:
                self.scrivio.notify(_("Your unfinished new client is back. F8 starts an empty form instead."),
                                    title=_("Draft restored"), timeout=8)
        if self.initial:
            self.load_values(self.initial)
            self.dirty = True
        self.query_one("#first-name").focus()

    def action_start_empty(self) -> None:
        """Throw the kept draft away and clear the form (asks first: typed input is never lost silently)."""
        if not any(v not in (None, "") for v in self.form_values().values()):
            return

        def answer(choice: str | None) -> None:
            if choice == "clear":
                self.discard_draft()
                self.load_values({name: None for name in self.form_controls()})
                self.clear_errors()
                self.query_one("#first-name").focus()

        self.app.push_screen(ConfirmDialog(_("Start an empty form?"),
                                           _("What is typed here is thrown away."),
                                           [("keep", _("Keep it"), "k"), ("clear", _("Start empty"), "e")]), answer)

    def draft_data(self) -> dict[str, Any]:
        values = self.form_values()
        self.draft_title = " ".join(v for v in (values.get("first_name"), values.get("last_name")) if v)
        return values

    def action_save(self, confirm_similar: bool = False) -> None:
        from scrivio_tui.services import clients

        values = self.form_values()
        if self.client_id:
            result = self.call(clients.update_client, self.db, self.actor, self.client_id, values,
                               confirm_similar=confirm_similar)
        else:
            result = self.call(clients.create_client, self.db, self.actor, values,
                               confirm_similar=confirm_similar)
        if result.denied:
            self.report(result)
            return
        if result.duplicate_of is not None:
            self.show_errors(result.errors)
            self._offer_existing(result.duplicate_of, result.message)
            return
        if result.needs_confirmation:
            self._ask_similar(result.message)
            return
        if not result.ok or result.value is None:
            self.show_errors(result.errors)
            return
        self.clear_errors()
        self.discard_draft()
        self.report(result)
        client_id = result.value.id
        assert client_id is not None
        if self.client_id:
            self.app.pop_screen()
        else:
            self.app.pop_screen()
            self.scrivio.open_client(client_id)

    def _offer_existing(self, other_id: int, message: str) -> None:
        def chosen(answer: str | None) -> None:
            if answer == "open":
                self.discard_draft()
                self.app.pop_screen()
                self.scrivio.open_client(other_id)

        self.app.push_screen(ConfirmDialog(
            _("BSN already registered"),
            message + " " + _("Open that client instead? Your input stays here if you go back."),
            [("open", _("Open existing client"), "o"), ("back", _("Back to the form"), "b")],
            id="duplicate-dialog"), chosen)

    def _ask_similar(self, message: str) -> None:
        def chosen(answer: str | None) -> None:
            if answer == "save":
                self.action_save(confirm_similar=True)
            elif answer == "open":
                from scrivio_tui.services import clients

                other = clients.similar_client_id(self.db, self.form_values())
                if other:
                    self.keep_draft()
                    self.app.pop_screen()
                    self.scrivio.open_client(other)

        self.app.push_screen(ConfirmDialog(
            _("Possible duplicate"), message,
            [("save", _("Different person: save"), "s"), ("open", _("Open the existing client"), "o"),
             ("back", _("Back to the form"), "b")], id="similar-dialog"), chosen)
