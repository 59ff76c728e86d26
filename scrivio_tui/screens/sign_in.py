"""Sign-in (and lock): the first screen, painted before the store is even opened."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, LoadingIndicator, Static

from scrivio_tui.i18n import _
from scrivio_tui.screens.base import FormMixin
from scrivio_tui.widgets.fields import text_field


class SignInScreen(FormMixin, Screen[Any]):
    """Username and password; on an empty database it first asks for the administrator account."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", _("Sign in"), id="sign_in", priority=True),
    ]
    HELP = _("Sign in with your own account. The terminal locks with ctrl+l; nothing is lost.")

    def __init__(self, lock_for: str | None = None) -> None:
        super().__init__(classes="sign-in")
        self.lock_for = lock_for
        self.first_admin = False
        self._building = asyncio.Lock()  # store_ready may arrive twice (mount and the app's callback)

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="sign-in-box", classes="dialog"):
            yield Static(_("[b]scrivio-tui[/b] · client onboarding"), id="sign-in-title")
            if self.lock_for:
                yield Static(_("Locked. Sign in again to continue where you were."), classes="hint")
            yield Vertical(id="sign-in-fields")
            yield LoadingIndicator(id="store-loading")
            yield Button(_("Sign in"), id="sign-in-button", variant="primary", disabled=True)
            yield Static("", id="demo-hint", classes="hint")
        yield Footer()

    async def on_mount(self) -> None:
        box = self.query_one("#sign-in-fields", Vertical)
        await box.mount_all([text_field("username", _("Username"), required=True, value=self.lock_for or ""),
                             text_field("password", _("Password"), required=True, password=True)])
        self._focus_first()
        if self.scrivio.db_ready:
            await self._ready()

    async def _ask_for_administrator(self) -> None:
        """An empty database: add the fields for the first account around the ones already there, so
        whatever was typed meanwhile stays (the store opens while the person may already be typing)."""
        async with self._building:
            if self.first_admin:
                return
            self.first_admin = True
            self.query_one("#sign-in-button", Button).label = _("Create account and sign in")
            box = self.query_one("#sign-in-fields", Vertical)
            await box.mount(Static(_("No accounts yet: create the first administrator account."),
                                   id="first-admin-hint", classes="hint"), before=0)
            await box.mount(text_field("display_name", _("Your name as colleagues see it"), required=True),
                            after=self.query_one("#username-field"))
            await box.mount(text_field("password_again", _("Password again"), required=True, password=True))

    def _focus_first(self) -> None:
        target = "#password" if self.lock_for else "#username"
        self.query_one(target, Input).focus()

    def store_ready(self) -> None:
        """Called by the app once the database is open (it opens after this screen has painted)."""
        self.run_worker(self._ready(), exclusive=True, group="sign-in")

    async def _ready(self) -> None:
        from scrivio_tui.services import staff

        if self.first_admin:
            return
        self.query_one("#store-loading").display = False
        self.query_one("#sign-in-button", Button).disabled = False
        if not self.lock_for and not staff.has_staff(self.scrivio.db):
            await self._ask_for_administrator()
        if self.scrivio.demo_hint and not self.lock_for:
            self.query_one("#demo-hint", Static).update(self.scrivio.demo_hint)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        inputs = list(self.query(Input))
        if event.input is inputs[-1]:
            self.action_submit()
        else:
            self.focus_next()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        if not self.scrivio.db_ready:
            self.scrivio.notify(_("Opening the practice database…"))
            return
        from scrivio_tui.services import staff

        values = self.form_values()
        if self.first_admin:
            if values["password"] != values["password_again"]:
                self.show_errors({"password_again": _("The two passwords differ")})
                return
            created = self.call(staff.create_first_admin, self.scrivio.db, username=values["username"],
                                display_name=values["display_name"], password=values["password"])
            if not created.ok:
                self.show_errors(created.errors)
                return
        if self.lock_for and values["username"].strip().lower() != self.lock_for:
            self.show_errors({"username": _("Only {user} can unlock; or quit with ctrl+q").format(
                user=self.lock_for)})
            return
        result = self.call(staff.authenticate, self.scrivio.db, values["username"], values["password"])
        if not result.ok or result.value is None:
            self.query_one("#password", Input).value = ""
            self.show_errors(result.errors)
            return
        self.scrivio.signed_in(result.value)


