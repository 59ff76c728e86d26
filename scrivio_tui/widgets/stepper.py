"""The onboarding stepper: five parts, each done ✓, needs attention !, or open ○ (colour never alone)."""

from __future__ import annotations

from textual.markup import escape
from textual.widgets import Static

from scrivio_tui.i18n import _

STEP_LABELS = {
    "client": _("Client"),
    "care_trajectory": _("Care trajectory"),
    "classification": _("Classification"),
    "financing": _("Financing"),
    "portal": _("Portal"),
}
SYMBOL = {"done": "✓", "attention": "!", "open": "○"}
STYLE = {"done": "bold $success", "attention": "bold $warning", "open": "$text-muted"}


class Stepper(Static):
    DEFAULT_CSS = "Stepper { height: 1; padding: 0 1; }"

    def __init__(self, id: str = "stepper") -> None:
        super().__init__("", id=id)
        self.steps: dict[str, str] = {}
        self.current: str | None = None

    def show(self, steps: dict[str, str], current: str | None = None) -> None:
        self.steps, self.current = steps, current
        parts = []
        for key, label in STEP_LABELS.items():
            state = steps.get(key, "open")
            style = STYLE[state] + (" underline" if key == self.current else "")
            parts.append(f"[{style}]{SYMBOL[state]} {escape(label)}[/]")
        self.update(" [dim]›[/] ".join(parts))
