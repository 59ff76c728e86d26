"""One HoNOS+ item as a single keyboard line: type 0–4 to rate it, and the dialog moves on to the next one.

Open items stay visibly open (``_ _ _ _ _``) so nothing is skipped by accident; the anchor text of the chosen
score is shown beside it, the full wording of the focused item on the dialog's help line.
"""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Key
from textual.markup import escape
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from scrivio_tui.i18n import _
from scrivio_tui.zorgvraag import HonosItem

SCORES = (0, 1, 2, 3, 4)


def item_widget_id(code: str) -> str:
    """``HV07`` → ``hv07`` (the widget id, also the error key the service uses)."""
    return code.lower()


class HonosItemInput(Widget, can_focus=True):
    """A focusable HoNOS+ item: number, title, the five score slots (chosen one marked) and its anchor."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("backspace,delete", "clear", _("Clear score"), show=False, id="honos_clear"),
        Binding("down", "app.focus_next", _("Next item"), show=False, id="honos_next"),
        Binding("up", "app.focus_previous", _("Previous item"), show=False, id="honos_previous"),
        Binding("right", "step(1)", _("Score +1"), show=False, id="honos_up"),
        Binding("left", "step(-1)", _("Score −1"), show=False, id="honos_down"),
    ]

    DEFAULT_CSS = """
    HonosItemInput { height: 1; width: 1fr; padding: 0 1 0 0; }
    """

    score: reactive[int | None] = reactive(None)
    error: reactive[str | None] = reactive(None)

    class Changed(Message):
        """A score was typed or cleared; ``advance`` is True when the person typed a digit (move on)."""

        def __init__(self, widget: HonosItemInput, score: int | None, advance: bool) -> None:
            super().__init__()
            self.widget = widget
            self.score = score
            self.advance = advance

        @property
        def control(self) -> HonosItemInput:
            return self.widget

        @property
        def code(self) -> str:
            return self.widget.item.code

    def __init__(self, item: HonosItem, *, score: int | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(id=id or item_widget_id(item.code), classes=classes)
        self.item = item
        self.set_reactive(HonosItemInput.score, score)

    # -- keys
    def on_key(self, event: Key) -> None:
        if event.character is not None and event.character in "01234" and len(event.character) == 1:
            event.stop()
            event.prevent_default()
            self.rate(int(event.character), advance=True)

    def rate(self, score: int | None, *, advance: bool = False) -> None:
        """Set (or clear) the score as the person does, and tell the dialog."""
        if score is not None and score not in SCORES:
            raise ValueError(f"score must be 0–4, got {score!r}")
        self.score = score
        self.error = None
        self.post_message(self.Changed(self, score, advance))

    def action_clear(self) -> None:
        self.rate(None)

    def action_step(self, delta: int) -> None:
        current = self.score if self.score is not None else (-1 if delta > 0 else 5)
        self.rate(max(0, min(4, current + delta)))

    # -- display
    @property
    def anchor_text(self) -> str:
        """Anchor text of the chosen score, or the prompt for an open item."""
        if self.score is None:
            return _("(type 0–4)")
        return self.item.anchors_en[self.score]

    def watch_error(self, error: str | None) -> None:
        self.set_class(bool(error), "-invalid")

    def watch_score(self, score: int | None) -> None:
        self.set_class(score is None, "-open")

    def render(self) -> Content:
        width = max(self.size.width, 40)
        marker = "›" if self.has_focus else " "
        label = self.item.form_label
        slots_width = 15
        rest = width - 4 - slots_width - 2
        title_width = max(12, min(44, int(rest * 0.6)))
        anchor_width = max(0, rest - title_width - 1)
        title = self.item.title_en
        if len(title) > title_width:
            title = title[: title_width - 1] + "…"
        parts = [f"[b]{marker}[/b]{label:>2} ", escape(title.ljust(title_width)), "  "]
        for s in SCORES:
            if self.score is None:
                parts.append("[$text-warning] _ [/]")
            elif s == self.score:
                parts.append(f"[reverse b]\\[{s}][/]")
            else:
                parts.append(f"[dim] {s} [/]")
        if self.error:
            note = "✗ " + self.error
            style = "$text-error"
        else:
            note = self.anchor_text
            style = "dim" if self.score is None else "$foreground"
        if len(note) > anchor_width:
            note = note[: max(0, anchor_width - 1)] + "…"
        parts.append(f" [{style}]{escape(note)}[/]")
        return Content.from_markup("".join(parts))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    @property
    def help_text(self) -> str:
        """The full wording for the help line: titles in both languages, period and all five anchors."""
        period = _("last two weeks") if self.item.period == "current" else _("historical")
        anchors = " · ".join(f"{s} {a}" for s, a in zip(SCORES, self.item.anchors_en, strict=True))
        return (f"{self.item.form_label} · {self.item.title_en} · {period}\n"
                f"NL: {self.item.title_nl}\n{anchors}")
