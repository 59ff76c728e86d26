"""F1: what this screen is for, what the focused field wants, and every key that works here."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Markdown

from scrivio_tui.i18n import _
from scrivio_tui.widgets.fields import Field

GLOBAL_KEYS = [
    ("F1", _("help for this screen and the focused field")),
    ("ctrl+p", _("command palette: every action, and 'open client …' by name")),
    ("ctrl+n", _("new client")),
    ("ctrl+s / F2", _("save the form")),
    ("escape", _("back / close the dialog (input is kept as a draft)")),
    ("n", _("next open onboarding step (client hub)")),
    ("1 … 4", _("jump to step 1–4 of the journey (client hub)")),
    ("ctrl+l", _("lock the terminal (sign in again to continue)")),
    ("ctrl+q", _("quit (drafts are kept)")),
]


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q", "dismiss", _("Close help"), id="close_help"),
    ]

    def __init__(self, screen: Screen[Any]) -> None:
        super().__init__(id="help")
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        screen = self.for_screen
        parts = [f"# {_('Help')} — {screen.title or screen.id or ''}", str(getattr(screen, 'HELP', '') or '')]
        focused = screen.focused
        field = focused.parent if focused is not None else None
        if isinstance(field, Field):
            label = field.label_text.removesuffix(" *")
            required = _(" (required)") if field.label_text.endswith(" *") else ""
            if field.help:
                parts.append(f"**{_('This field')}: {label}**{required}  \n{field.help}")
            else:
                parts.append(f"**{_('This field')}: {label}**{required}")
        rows = []
        for binding in screen.active_bindings.values():
            b = binding.binding
            if b.id and b.description:  # ours (with ids), not the scroll keys of whatever has focus
                key = self.app.get_key_display(b)
                rows.append(f"| {key} | {b.description} |")
        if rows:
            parts.append(f"## {_('Keys on this screen')}\n\n| {_('key')} | {_('action')} |\n|---|---|\n"
                         + "\n".join(dict.fromkeys(rows)))
        parts.append(f"## {_('Everywhere')}\n\n| {_('key')} | {_('action')} |\n|---|---|\n"
                     + "\n".join(f"| {k} | {v} |" for k, v in GLOBAL_KEYS))
        with Vertical(classes="dialog"), VerticalScroll(id="help-body"):
            yield Markdown("\n\n".join(parts))

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(None)
