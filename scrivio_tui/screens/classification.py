"""The care-demand classification (zorgvraagtypering) dialog: main group, HoNOS+ items, live advice, choice.

Fast at the desk: pick the group with x/y/z, type the 19 scores in a row (each digit moves on), ctrl+s.
The advice shown here is a preview; the service recomputes and stores it.
"""

from __future__ import annotations

import random
import textwrap
from datetime import date
from typing import TYPE_CHECKING, Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Container, Horizontal, Vertical
from textual.events import Key
from textual.markup import escape
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, RadioButton, RadioSet, Select, Static

from scrivio_tui.i18n import _
from scrivio_tui.screens.base import FormModal
from scrivio_tui.screens.dialogs import ConfirmDialog
from scrivio_tui.store import schemas
from scrivio_tui.widgets.fields import Field, select_field, text_field
from scrivio_tui.widgets.honos import HonosItemInput, item_widget_id
from scrivio_tui.zorgvraag import (
    ITEM_CODES,
    Advice,
    DynamicStep,
    Model,
    care_demand_type,
    care_demand_types,
    honos_items,
    main_groups,
)
from scrivio_tui.zorgvraag.dynamic import SAMPLE_RATE

if TYPE_CHECKING:
    from scrivio_tui.store.models import CareTrajectory

BAR_WIDTH = 16
GROUP_LABELS = {
    "X": _("X non-psychotic · niet-psychotisch"),
    "Y": _("Y psychotic · psychotisch"),
    "Z": _("Z cognitive · cognitieve stoornis"),
}


class ChoiceSet(RadioSet):
    """A radio set whose options also answer to one letter each (x/y/z, f/d): one key picks and moves on."""

    def __init__(self, choices: list[tuple[str, str, str]], *, value: str | None = None, id: str) -> None:
        self.choices = choices
        super().__init__(*(RadioButton(label, value=v == value, id=f"{id}-{v.lower()}")
                           for v, label, _key in choices), id=id)

    @property
    def value(self) -> str | None:
        index = self.pressed_index
        return self.choices[index][0] if index >= 0 else None

    def set_value(self, value: str | None) -> None:
        for v, _label, _key in self.choices:
            button = self.query_one(f"#{self.id}-{v.lower()}", RadioButton)
            if v == value and not button.value:
                button.value = True

    def on_key(self, event: Key) -> None:
        for i, (v, _label, key) in enumerate(self.choices):
            if event.character is not None and event.character.lower() == key:
                event.stop()
                event.prevent_default()
                self._selected = i
                self.set_value(v)
                self.post_message(self.Picked(self, v))
                return

    class Picked(Message):
        """The person picked an option with its letter key (move focus on)."""

        def __init__(self, choice_set: ChoiceSet, value: str) -> None:
            super().__init__()
            self.choice_set = choice_set
            self.value = value

        @property
        def control(self) -> ChoiceSet:
            return self.choice_set


def bar(percentage: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in half cells (█ and ▌), so small differences stay visible; ▏ marks a non-zero sliver."""
    halves = round(max(0.0, min(100.0, percentage)) / 100 * width * 2)
    full, half = divmod(halves, 2)
    text = "█" * full + ("▌" if half else "")
    return text or ("▏" if percentage > 0.5 else "")


def advice_lines(advice: Advice | None, *, route: str, step: DynamicStep | None, fallback: str | None,
                 chosen: str | None, width: int = 50) -> list[str]:
    """The advice panel as markup lines: ranked types with bars; top in $success (★ advice), other types at
    or above 20 % in $warning (◆), excluded ones in $error (✗); the symbol always says what the colour says."""
    lines: list[str] = []
    if advice is not None and advice.is_stand_in:
        lines.append("[$text-warning]![/] " + _("Indicative: stand-in tables, no official NZa table loaded"))
    if advice is None:
        lines.append("[dim]" + _("Choose the main group to see the advice.") + "[/]")
        return lines
    if route == "dynamic" and fallback is None:
        if step is not None and step.kind == "advice" and step.type_code is not None:
            t = care_demand_type(step.type_code)
            mark = "[$text-success]★[/]"
            lines.append(_("Dynamic route: suggestion after {n} items").format(n=advice.answered))
            lines.append(f"{mark} [b]{t.code:>2} {escape(t.name_en)}[/b]  [$text-success]" + _("advice") + "[/]")
        else:
            item = step.item if step is not None and step.item else ""
            lines.append(_("Dynamic route: {n} answered · next {item}").format(n=advice.answered, item=item))
            lines.append("[dim]" + _("The suggestion shows when the answers are clear enough.") + "[/]")
        return lines
    if fallback == "sample":
        lines.append("[dim]" + _("Full route: this typing is in the NZa 5 % sample") + "[/]")
    elif fallback == "no_advice":
        lines.append("[dim]" + _("Full route: the dynamic route reached no suggestion") + "[/]")
    if advice.answered == 0:
        lines.append("[dim]" + _("Rate the items (0–4) to see the advice.") + "[/]")
        return lines
    if advice.top is None:
        lines.append("[$text-error]✗[/] " + _("No advice possible (geen advies mogelijk): choose freely"))
    highlighted = {r.code for r in advice.highlighted}
    top = advice.top.code if advice.top else None
    bar_width = max(6, min(BAR_WIDTH, (width - 14) // 3))
    name_width = max(8, width - bar_width - 16)
    for r in advice.ranked:
        name = r.name_en if len(r.name_en) <= name_width else r.name_en[: name_width - 1] + "…"
        pct = f"{r.rounded_percentage:>3} %"
        pick = "[b]▸[/b]" if chosen == str(r.code) else " "
        filled = bar(r.percentage, bar_width)
        track = " " * (bar_width - len(filled))
        body = f"{r.code:>2} {filled}[on $boost]{track}[/] {pct}"
        if r.excluded:
            lines.append(f"{pick}[$text-error]✗ {r.code:>2} {'':<{bar_width}} " + _("excluded") +
                         f" {escape(name)}[/]")
        elif r.code == top or r.code in highlighted:
            colour, mark = ("$text-success", "★") if r.code == top else ("$text-warning", "◆")
            full = r.name_en if len(r.name_en) > name_width else ""
            lines.append(f"{pick}[{colour}]{mark} [b]{body}[/b] {escape('' if full else name)}[/]")
            lines += [f"[{colour}]     {escape(part)}[/]" for part in textwrap.wrap(full, max(10, width - 6))]
        else:
            lines.append(f"{pick}[dim]· {body} {escape(name)}[/]")
    lines.append("[dim]" + _("★ advice · ◆ 20 % or more · ▸ chosen") + "[/]")
    if not advice.complete:
        lines.append("[dim]" + _("Preview on {n} of 19 items; final when all are rated.").format(
            n=advice.answered) + "[/]")
    return lines


class AdvicePanel(Static):
    """The live advice, laid out for the width it gets (bars and names shrink on a small terminal)."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id)
        self._args: dict[str, Any] = {"advice": None, "route": "full", "step": None, "fallback": None,
                                      "chosen": None}

    def show(self, advice: Advice | None, *, route: str, step: DynamicStep | None, fallback: str | None,
             chosen: str | None) -> None:
        self._args = {"advice": advice, "route": route, "step": step, "fallback": fallback, "chosen": chosen}
        self._draw()

    def _draw(self) -> None:
        width = self.content_region.width or 44
        self.update("\n".join(advice_lines(**self._args, width=width)))

    def on_resize(self) -> None:
        self._draw()


class ClassificationDialog(FormModal):
    """Classify (or recalibrate) a care trajectory; dismisses with True when saved, None otherwise."""

    CSS_PATH = "classification.tcss"
    draft_kind = "classification"
    AUTO_FOCUS = "#main-group"

    def __init__(self, client_id: int, trajectory: CareTrajectory, *, client_name: str | None = None) -> None:
        super().__init__(id="classification-dialog")
        self.client_id = self.draft_client = client_id
        self.trajectory = trajectory
        self.draft_object = trajectory.id or 0
        self.client_name = client_name
        self.group: str | None = None
        self.route = "full"
        self.scores: dict[str, int] = {}
        self.fallback: str | None = None
        self.sampled: bool | None = None
        self.sample_rate = SAMPLE_RATE
        self.rng = random.Random()
        self.asked: list[str] = []
        self.step: DynamicStep | None = None
        self.advice: Advice | None = None
        self.chosen_follows = True
        self._auto_chosen: str | None = None

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        start = max(schemas.today(), self.trajectory.start_date)
        with Vertical(id="classification-box", classes="dialog"):
            yield Static(id="classification-title", classes="dialog-title")
            with Container(id="cls-body"):
                with Vertical(id="cls-left"):
                    with Horizontal(id="cls-choices"):
                        yield Field(_("Main group (hoofdgroep) · x y z"),
                                    ChoiceSet([(g.code, GROUP_LABELS.get(g.code, g.name_en), g.code.lower())
                                               for g in main_groups()], id="main-group"), required=True)
                        yield Field(_("Route · f d"),
                                    ChoiceSet([("full", _("full (19 items)"), "f"),
                                               ("dynamic", _("dynamic"), "d")], value="full", id="route"),
                                    required=True)
                    yield Static(_("[b]HoNOS+[/b] — type 0–4 per item; the next item follows by itself"),
                                 id="items-title", classes="section-title")
                    yield Static("", id="answers-error", classes="field-error -empty")
                    with Vertical(id="honos-items"):
                        for item in honos_items():
                            yield HonosItemInput(item)
                    yield Static("", id="item-help")
                with Vertical(id="cls-right"):
                    yield Static(_("[b]Advice[/b]"), id="advice-title", classes="section-title")
                    yield AdvicePanel(id="advice")
                    yield select_field("chosen_type", _("Chosen type (zorgvraagtype)"), [], required=True,
                                       prompt=_("— follows the advice —"))
                    yield text_field("deviation_reason", _("Why another type than the advice?"), required=True)
                    with Horizontal(id="date-reason"):
                        yield text_field("effective_date", _("Effective date"), required=True,
                                         placeholder="DD-MM-YYYY", value=schemas.format_date(start),
                                         normalise=schemas.parse_date)
                        yield text_field("reason", _("Reason (optional)"))
            with Horizontal(id="cls-status"):
                yield Static(id="answered-count")
                yield Static(_("ctrl+s save · esc close (keeps a draft)"), id="cls-keys", classes="hint")

    def on_mount(self) -> None:
        name = self.client_name or self._client_name()
        self.draft_title = name
        title = _("[b]Care-demand classification (zorgvraagtypering)[/b]")
        self.query_one("#classification-title", Static).update(f"{title} — {escape(name)}" if name else title)
        from scrivio_tui.services import drafts

        draft = self.call(lambda: _wrap(drafts.load_draft(self.db, self.actor, self.draft_kind,
                                                          client_id=self.draft_client,
                                                          object_id=self.draft_object))).value
        if draft:
            self.restore(draft)
            self.scrivio.notify(_("Your unsaved classification was loaded back."), title=_("Draft"))
        self.recompute()
        self.query_one("#main-group").focus()

    def _client_name(self) -> str:
        for screen in reversed(self.app.screen_stack[:-1]):
            summary = getattr(screen, "summary", None)
            if summary is not None and getattr(summary, "client", None) is not None:
                return str(summary.client.full_name)
        from scrivio_tui.services import clients

        result = self.call(clients.get_client, self.db, self.actor, self.client_id)
        return result.value.full_name if result.value is not None else ""

    # ------------------------------------------------------------------ state → screen
    @property
    def items(self) -> dict[str, HonosItemInput]:
        return {w.item.code: w for w in self.query(HonosItemInput)}

    def effective_date(self) -> date:
        try:
            value = schemas.parse_date(self.query_one("#effective-date", Input).value)
        except ValueError:
            value = None
        return value or max(schemas.today(), self.trajectory.start_date)

    def model(self) -> Model | None:
        from scrivio_tui.services import classification

        try:
            return classification.model_for(self.effective_date(), self.scrivio.settings.tables_dir)
        except Exception:
            return None

    def submitted_answers(self) -> dict[str, int]:
        """What goes to the service: on the dynamic route only what it asked, unless it fell back."""
        if self.route == "dynamic" and self.fallback is None:
            return {c: self.scores[c] for c in self.asked if c in self.scores}
        return {c: self.scores[c] for c in ITEM_CODES if c in self.scores}

    def advised_type(self) -> str | None:
        if self.route == "dynamic" and self.fallback is None:
            step = self.step
            return str(step.type_code) if step and step.kind == "advice" and step.type_code else None
        advice = self.advice
        if advice is None or advice.answered == 0 or advice.top is None:
            return None
        return str(advice.top.code)

    def recompute(self) -> None:
        """Recompute the live advice (and the dynamic route's next question) from the current answers."""
        from scrivio_tui.services import classification

        model = self.model()
        self.advice = None
        self.step = None
        if model is not None and self.group is not None:
            if self.route == "dynamic" and self.fallback is None:
                self.asked, self.step = classification.dynamic_progress(model, self.group, self.scores)
                if self.step.kind == "advice":
                    if self.sampled is None:
                        self.sampled = self.rng.random() < self.sample_rate
                    if self.sampled:
                        self._fall_back("sample")
                elif self.step.kind == "fallback":
                    self._fall_back("no_advice")
            self.advice = classification.advice_for(self.group, self.submitted_answers(), model=model)
        self._layout_items()
        self._follow_advice()
        self._show_advice()
        self._show_count()

    def _fall_back(self, reason: str) -> None:
        self.fallback = reason
        self.step = None
        if reason == "sample":
            msg = _("This typing is in the NZa 5 % sample: please rate all 19 items (your answers are kept).")
        else:
            msg = _("The dynamic route reached no clear suggestion: please rate all 19 items "
                    "(your answers are kept).")
        self.scrivio.notify(msg, title=_("Full route"), timeout=8)

    def _layout_items(self) -> None:
        """Full route: all 19 in order. Dynamic route: only the items it asked, in the order asked."""
        container = self.query_one("#honos-items", Vertical)
        widgets = self.items
        if self.route == "dynamic" and self.fallback is None and self.group is not None:
            order = list(self.asked)
            if self.step is not None and self.step.kind == "ask" and self.step.item:
                order.append(self.step.item)
        elif self.route == "dynamic" and self.fallback is None:
            order = []
        else:
            order = list(ITEM_CODES)
        shown = set(order)
        full_order = order + [c for c in ITEM_CODES if c not in shown]
        current = [w.item.code for w in container.query_children(HonosItemInput)]
        if current != full_order:
            for i, code in enumerate(full_order):
                container.move_child(widgets[code], before=i)
        for code, w in widgets.items():
            w.display = code in shown
        self.query_one("#items-title", Static).update(
            _("[b]HoNOS+[/b] — dynamic route: rate each item it asks (0–4)")
            if self.route == "dynamic" and self.fallback is None
            else _("[b]HoNOS+[/b] — type 0–4 per item; the next item follows by itself"))

    def _follow_advice(self) -> None:
        """The chosen type follows the advice until the person picks one."""
        select = self.query_one("#chosen-type", Select)
        if self.chosen_follows:
            target = self.advised_type()
            self._auto_chosen = target
            current = None if select.is_blank() else str(select.value)
            if current != target:
                select.value = target if target is not None else Select.NULL
        self._show_deviation()

    def _show_deviation(self) -> None:
        select = self.query_one("#chosen-type", Select)
        chosen = None if select.is_blank() else str(select.value)
        advised = self.advised_type()
        field = self.query_one("#deviation-reason-field", Field)
        has_text = bool(self.query_one("#deviation-reason", Input).value.strip())
        field.display = has_text or (chosen is not None and advised is not None and chosen != advised)

    def _show_advice(self) -> None:
        select = self.query_one("#chosen-type", Select)
        chosen = None if select.is_blank() else str(select.value)
        self.query_one("#advice", AdvicePanel).show(self.advice, route=self.route, step=self.step,
                                                    fallback=self.fallback, chosen=chosen)

    def _show_count(self) -> None:
        answered = len(self.submitted_answers())
        if self.route == "dynamic" and self.fallback is None:
            text = _("{n} answered · dynamic route").format(n=answered)
        else:
            text = _("{n} of 19 answered").format(n=answered)
        done = (self.route == "dynamic" and self.fallback is None and self.step is not None
                and self.step.kind == "advice") or answered == 19
        mark = "[$text-success]✓[/]" if done else "[$text-warning]○[/]"
        advised = self.advised_type()
        if advised is not None:
            share = ""
            if self.advice is not None and not (self.route == "dynamic" and self.fallback is None):
                share = f" ({round(self.advice.percentage_of(int(advised)))} %)"
            text += " · " + _("advice") + f" [$text-success]★ {advised}{share}[/]"
        self.query_one("#answered-count", Static).update(f"{mark} {text}")

    def _set_group_options(self) -> None:
        select = self.query_one("#chosen-type", Select)
        types = [t for t in care_demand_types() if t.group == self.group]
        select.set_options([(f"{t.code} {t.name_en}", str(t.code)) for t in types])

    # ------------------------------------------------------------------ events
    @on(ChoiceSet.Picked, "#main-group")
    def _group_key(self) -> None:
        self.call_after_refresh(self._focus_first_open)

    @on(ChoiceSet.Picked, "#route")
    def _route_key(self) -> None:
        self.call_after_refresh(self._focus_first_open)

    @on(RadioSet.Changed, "#main-group")
    def _group_changed(self, event: RadioSet.Changed) -> None:
        value = self.query_one("#main-group", ChoiceSet).value
        if value == self.group:
            return
        self.group = value
        self.chosen_follows = True
        self._set_group_options()
        self.query_one("#main-group-field", Field).set_error(None)
        self.recompute()
        self._changed()

    @on(RadioSet.Changed, "#route")
    def _route_changed(self, event: RadioSet.Changed) -> None:
        value = self.query_one("#route", ChoiceSet).value or "full"
        if value == self.route:
            return
        self.route = value
        self.fallback = None
        self.sampled = None
        self.recompute()
        self._changed()

    @on(HonosItemInput.Changed)
    def _scored(self, event: HonosItemInput.Changed) -> None:
        event.stop()
        code = event.code
        if event.score is None:
            self.scores.pop(code, None)
        else:
            self.scores[code] = event.score
        self.query_one("#answers-error", Static).set_class(True, "-empty")
        self.recompute()
        self._changed()
        if event.advance:
            self.call_after_refresh(self._advance_from, code)

    def _advance_from(self, code: str) -> None:
        """After a digit: the next item (dynamic: the one it asks next), or the chosen type when done."""
        visible = [w for w in self.query_one("#honos-items").query_children(HonosItemInput) if w.display]
        codes = [w.item.code for w in visible]
        if self.route == "dynamic" and self.fallback is None:
            if self.step is not None and self.step.kind == "ask" and self.step.item:
                self.items[self.step.item].focus()
                return
            self.query_one("#chosen-type").focus()
            return
        if code in codes and codes.index(code) + 1 < len(codes):
            visible[codes.index(code) + 1].focus()
        elif len(self.scores) < len(ITEM_CODES):
            self._focus_first_open()
        else:
            self.query_one("#chosen-type").focus()

    def _focus_first_open(self) -> None:
        for w in self.query_one("#honos-items").query_children(HonosItemInput):
            if w.display and w.score is None:
                w.focus()
                return
        self.query_one("#chosen-type").focus()

    @on(Select.Changed, "#chosen-type")
    def _chosen_changed(self, event: Select.Changed) -> None:
        select = self.query_one("#chosen-type", Select)
        current = None if select.is_blank() else str(select.value)
        if current != self._auto_chosen:
            self.chosen_follows = False
        self._show_deviation()
        self._show_advice()

    @on(Input.Changed, "#effective-date")
    def _date_changed(self) -> None:
        if self.group is not None:
            self.recompute()

    @on(Input.Changed, "#deviation-reason")
    def _reason_typed(self) -> None:
        self._show_deviation()

    def on_descendant_focus(self, event: Any) -> None:
        widget = event.widget
        help_line = self.query_one("#item-help", Static)
        if isinstance(widget, HonosItemInput):
            help_line.update(escape(widget.help_text))
            help_line.display = True
        else:
            help_line.display = False

    # ------------------------------------------------------------------ drafts
    def draft_data(self) -> dict[str, Any]:
        values = {name: value for name, value in self.form_values().items()}
        values.update({"main_group": self.group, "route": self.route, "answers": dict(self.scores),
                       "fallback": self.fallback, "sampled": self.sampled, "chosen_follows": self.chosen_follows})
        return values

    def form_values(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in ("chosen_type", "deviation_reason", "effective_date", "reason"):
            control = self.query_one(f"#{name.replace('_', '-')}")
            if isinstance(control, Select):
                values[name] = None if control.is_blank() else control.value
            elif isinstance(control, Input):
                values[name] = control.value
        return values

    def restore(self, data: dict[str, Any]) -> None:
        """Load a kept draft back: group, route, scores, choice and the typed text."""
        self._loading = True
        try:
            group = data.get("main_group")
            if group in ("X", "Y", "Z"):
                self.group = group
                self.query_one("#main-group", ChoiceSet).set_value(group)
                self._set_group_options()
            route = data.get("route") if data.get("route") in ("full", "dynamic") else "full"
            self.route = str(route)
            self.query_one("#route", ChoiceSet).set_value(self.route)
            self.fallback = data.get("fallback") if data.get("fallback") in ("no_advice", "sample") else None
            sampled = data.get("sampled")
            self.sampled = sampled if isinstance(sampled, bool) else None
            widgets = self.items
            for code, score in (data.get("answers") or {}).items():
                if code in widgets and score in (0, 1, 2, 3, 4):
                    self.scores[code] = int(score)
                    widgets[code].score = int(score)
            self.chosen_follows = bool(data.get("chosen_follows", True))
            for name in ("deviation_reason", "effective_date", "reason"):
                if data.get(name) is not None:
                    self.query_one(f"#{name.replace('_', '-')}", Input).value = str(data[name])
            if not self.chosen_follows and data.get("chosen_type"):
                self._auto_chosen = None
                self.query_one("#chosen-type", Select).value = str(data["chosen_type"])
        finally:
            self._loading = False

    # ------------------------------------------------------------------ save / cancel
    def raw(self) -> dict[str, Any]:
        """The input as typed, for the service (which validates and recomputes everything)."""
        values = self.form_values()
        return {"main_group": self.group, "route": self.route, "answers": self.submitted_answers(),
                "asked": list(self.asked) if self.route == "dynamic" else None,
                "fallback": self.fallback if self.route == "dynamic" else None, **values}

    def action_save(self) -> None:
        from scrivio_tui.services import classification

        result = self.call(classification.record_classification, self.db, self.actor, self.trajectory.id,
                           self.raw(), tables_dir=self.scrivio.settings.tables_dir)
        if not result.ok or result.value is None:
            if result.denied:
                self.report(result)
            self.show_errors(result.errors)
            return
        self.show_errors({})
        self.discard_draft()
        self.report(result)
        self.dismiss(True)

    def show_errors(self, errors: dict[str, str]) -> None:
        """Messages under their fields and items; focus goes to the first place in error, in reading order."""
        first: Widget | None = None
        for f in self.query(Field):
            name = (f.control.id or "").replace("-", "_")
            f.set_error(errors.get(name))
            if name in errors and first is None and name in ("main_group", "route"):
                first = f.control
        line = self.query_one("#answers-error", Static)
        message = errors.get("answers")
        line.update(f"✗ {escape(message)}" if message else "")
        line.set_class(not message, "-empty")
        for code, widget in self.items.items():
            widget.error = errors.get(item_widget_id(code))
            if widget.error and widget.display and first is None:
                first = widget
        if first is None and message:
            first = next((w for w in self.query_one("#honos-items").query_children(HonosItemInput)
                          if w.display and w.score is None), None)
        if first is None:
            for f in self.query(Field):
                name = (f.control.id or "").replace("-", "_")
                if name in errors:
                    first = f.control
                    break
        if "deviation_reason" in errors:
            self.query_one("#deviation-reason-field").display = True
        general = errors.get("__all__")
        if general:
            self.scrivio.notify(general, severity="error")
        if first is not None:
            first.focus()

    def action_cancel(self) -> None:
        if not self.scores:
            super().action_cancel()
            return
        self.app.push_screen(
            ConfirmDialog(_("Close the classification?"),
                          _("{n} items are rated but not saved.").format(n=len(self.scores)),
                          [("keep", _("Keep as draft"), "k"), ("discard", _("Discard"), "d"),
                           ("stay", _("Stay"), "s")], id="classification-confirm"),
            self._cancel_answer)

    def _cancel_answer(self, answer: str | None) -> None:
        if answer == "keep":
            self.dirty = True
            self.keep_draft()
            self.scrivio.notify(_("Your classification is kept as a draft."), title=_("Draft kept"))
            self.dismiss(None)
        elif answer == "discard":
            self.discard_draft()
            self.dismiss(None)


def _wrap(value: Any) -> Any:
    from scrivio_tui.services.base import Result

    return Result(value=value)
