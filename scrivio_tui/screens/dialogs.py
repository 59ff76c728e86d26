"""Small dialogs: confirm (with an optional third choice)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from scrivio_tui.i18n import _


class ConfirmDialog(ModalScreen[str | None]):
    """A question with up to three answers; each answer has its own key. Escape answers None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss_none", _("Cancel"), id="cancel")]

    def __init__(self, title: str, message: str, choices: list[tuple[str, str, str]], *,
                 id: str = "confirm-dialog") -> None:
        """choices: (value, label, key) — the first is the default (focused)."""
        super().__init__(id=id)
        self.title_text, self.message, self.choices = title, message, choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"[b]{self.title_text}[/b]", classes="dialog-title")
            yield Static(self.message, classes="dialog-message")
            with Horizontal(classes="dialog-buttons" + (" -vertical" if len(self.choices) > 3 else "")):
                for i, (value, label, key) in enumerate(self.choices):
                    yield Button(f"{label} \\[{key}]", id=f"choice-{value}",
                                 variant="primary" if i == 0 else "default")

    def on_mount(self) -> None:
        self.query_one(Button).focus()
        for value, _label, key in self.choices:
            self._bindings.bind(key, f"choose('{value}')", show=False)

    def action_choose(self, value: str) -> None:
        self.dismiss(value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-"))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
