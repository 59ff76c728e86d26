"""Step 2: start a care trajectory; view its versioned fields and classification history."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, VerticalScroll
from textual.markup import escape
from textual.widgets import DataTable, Footer, Static

from scrivio_tui import refdata
from scrivio_tui.i18n import _
from scrivio_tui.screens.client_step import ClientStepScreen, ClientViewScreen
from scrivio_tui.store.schemas import format_date, parse_date, today
from scrivio_tui.widgets import tables
from scrivio_tui.widgets.fields import checkbox_field, select_field, text_field


def type_label(code: str | None) -> str:
    """'4 · <name>' for a zorgvraagtype code (the name from the engine's catalogue)."""
    from scrivio_tui.zorgvraag import care_demand_type

    if not code:
        return "—"
    try:
        return f"{code} · {care_demand_type(int(code)).name_en}"
    except (KeyError, ValueError, LookupError):
        return code


class TrajectoryFormScreen(ClientStepScreen):
    """Setting, start date and lead practitioner required; diagnosis, profile and referral now or later."""

    step = "care_trajectory"
    draft_kind = "trajectory"
    HELP = _("A care trajectory is the treatment context for appointments and billing. Setting, start date "
             "and lead practitioner are required; DSM-5 main group, basic GGZ profile and the referral can be "
             "added now or later. After saving, the care-demand classification (zorgvraagtypering) opens. "
             "ctrl+s saves; escape keeps a draft.")

    def __init__(self, client_id: int, initial: dict[str, Any] | None = None) -> None:
        super().__init__(client_id, classes="trajectory-form")
        self.initial = initial

    def compose(self) -> ComposeResult:
        from scrivio_tui.services import staff

        leads = staff.practitioners(self.db)
        yield from self.compose_header()
        with VerticalScroll(id="form-scroll"):
            yield Static(_("[b]Start a care trajectory[/b] — step 2 of 4.  * is required"), classes="hint")
            with Grid(classes="form-grid"):
                yield select_field("setting", _("Setting (NZa)"),
                                   [(f"{s.code} {s.label}", s.code) for s in refdata.settings(today())],
                                   required=True)
                yield text_field("start_date", _("Start date"), required=True, placeholder="DD-MM-YYYY",
                                 value=format_date(today()), normalise=parse_date)
                yield select_field("lead_practitioner", _("Lead practitioner (regiebehandelaar)"),
                                   [(f"{u.display_name} · {refdata.label(refdata.professions(), u.profession)}",
                                     u.id) for u in leads], required=True,
                                   value=leads[0].id if len(leads) == 1 else None)
                yield text_field("name", _("Name (optional)"), placeholder=_("default: setting + start date"))
                yield select_field("dsm5_diagnosis", _("DSM-5 main group (now or later)"),
                                   [(f"{c.code} {c.label}", c.code) for c in refdata.dsm5_groups()])
                yield select_field("basic_ggz_profile", _("Basic GGZ profile (now or later)"),
                                   [(f"{c.code} {c.label}", c.code) for c in refdata.basic_ggz_profiles()])
            yield Static(_("[b]Referral[/b] (verwijzing) — needed for billing; may be added later"),
                         classes="section-title")
            with Grid(classes="form-grid"):
                yield select_field("referrer_type", _("Referrer type"),
                                   [(f"{c.code} {c.label}", c.code) for c in refdata.referrer_types()])
                yield text_field("referrer_name", _("Referrer name"))
                yield text_field("referrer_agb", _("Referrer AGB code"), placeholder=_("8 digits"))
                yield text_field("referral_date", _("Referral date"), placeholder="DD-MM-YYYY",
                                 normalise=parse_date)
                yield checkbox_field("letter_on_file", _("Referral letter on file"))
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_header()
        if self.initial:
            self.load_values(self.initial)
            self.dirty = True
        self.query_one("#setting").focus()

    def action_save(self) -> None:
        from scrivio_tui.services import trajectories

        result = self.call(trajectories.start_trajectory, self.db, self.actor, self.client_id, self.form_values())
        if not result.ok or result.value is None:
            if result.denied:
                self.report(result)
            self.show_errors(result.errors)
            return
        self.clear_errors()
        self.discard_draft()
        self.report(result)
        trajectory_id = result.value.id
        self.app.pop_screen()
        self.app.push_screen(TrajectoryScreen(self.client_id, classify=True, trajectory_id=trajectory_id))


class TrajectoryScreen(ClientViewScreen):
    """The active trajectory: current values, period history, classification history and review date."""

    step = "care_trajectory"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "classify", _("Classify / recalibrate"), id="classify"),
        Binding("a", "new_trajectory", _("New trajectory"), id="new_trajectory"),
        Binding("escape", "back", _("Back"), id="back"),
        Binding("f1", "help", _("Help"), id="help"),
    ]
    HELP = _("The client's care trajectory. Versioned fields keep every period with its date. "
             "c opens the care-demand classification (zorgvraagtypering) — the first time, or to recalibrate; "
             "each save adds a period to the history below. a starts another trajectory.")

    def __init__(self, client_id: int, *, classify: bool = False, trajectory_id: int | None = None) -> None:
        super().__init__(client_id, classes="trajectory")
        self.classify_on_open = classify
        self.trajectory_id = trajectory_id
        self.view: Any = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with VerticalScroll(id="trajectory-scroll"):
            yield Static(id="trajectory-card", classes="card")
            yield Static(_("[b]Care-demand classification (zorgvraagtypering) history[/b]"),
                         classes="section-title")
            yield DataTable(id="classification-history", cursor_type="row")
            yield Static(_("[b]Versioned fields: all periods[/b]"), classes="section-title")
            yield DataTable(id="period-history", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        if self.view is None:
            self.app.pop_screen()
            self.app.push_screen(TrajectoryFormScreen(self.client_id))
            return
        if self.classify_on_open:
            self.call_after_refresh(self.action_classify)

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        from scrivio_tui.services import trajectories

        self.refresh_header()
        result = self.call(trajectories.list_trajectories, self.db, self.actor, self.client_id)
        views = result.value or []
        active = [v for v in views if v.trajectory.status == "active"]
        pick = [v for v in views if v.trajectory.id == self.trajectory_id] or active or views
        self.view = v = pick[0] if pick else None
        if v is None:
            return
        self.trajectory_id = v.trajectory.id
        t = v.trajectory
        current = v.classifications[-1] if v.classifications else None
        referral = v.referral
        ref_line = (f"{refdata.label(refdata.referrer_types(), referral.referrer_type)}"
                    f"{' · ' + referral.referrer_name if referral.referrer_name else ''}"
                    f"{' · AGB ' + referral.referrer_agb if referral.referrer_agb else ''}"
                    f"{' · ' + format_date(referral.referral_date) if referral.referral_date else ''}"
                    if referral else _("— none recorded (billing blocked) —"))
        overdue = current and current.review_due and current.review_due < today()
        rows = [
            (_("Trajectory"), f"{t.name} · {_(t.status)} · " + _("since {d}").format(d=format_date(t.start_date))),
            (_("Setting"), v.label("setting")),
            (_("Lead"), v.label("lead_practitioner")),
            (_("DSM-5"), v.label("dsm5_diagnosis")),
            (_("Profile"), v.label("basic_ggz_profile")),
            (_("Referral"), ref_line),
            (_("Type"), (f"{type_label(current.chosen_type)} · " + _("since {d}").format(
                d=format_date(current.valid_from)) + (" · " + _("deviates from advice {a}").format(
                    a=current.advised_type) if current.deviation_reason else ""))
             if current else _("— classification missing: press c —")),
            (_("Review by"), (format_date(current.review_due) + ("  ! " + _("overdue") if overdue else ""))
             if current and current.review_due else "—"),
        ]
        card = self.query_one("#trajectory-card", Static)
        card.border_title = _("Care trajectory")
        card.update("\n".join(f"[dim]{k:<10}[/] {escape(str(val))}" for k, val in rows))
        hist_rows: list[tuple[list[object], str | None]] = []
        for c in reversed(v.classifications):
            chosen = type_label(c.chosen_type)[:28] + (" ≠" if c.deviation_reason else "")
            hist_rows.append(([format_date(c.valid_from), chosen, c.advised_type or "—", f"{c.main_group} · {c.route}",
                          c.model_version, format_date(c.review_due) if c.review_due else "—",
                          v.staff_names.get(c.recorded_by or 0, "—"),
                          f"{c.recorded_at.astimezone():%d-%m-%Y %H:%M}"], str(c.id)))
        if not v.classifications:
            hist_rows.append((["—", _("no classification yet"), "", "", "", "", "", ""], None))
        tables.fill(self.query_one("#classification-history", DataTable),
                    [_("From"), _("Type"), _("Advised"), _("Group · route"), _("Model"), _("Review by"),
                     _("By"), _("Recorded")], hist_rows)
        period_rows: list[tuple[list[object], str | None]] = []
        for p in v.periods:
            shown = v.label(p.field) if v.current.get(p.field) is p else (p.value or "—")
            period_rows.append(([p.field.replace("_", " "), shown, format_date(p.valid_from), p.reason or "",
                                 v.staff_names.get(p.recorded_by or 0, "—")], str(p.id)))
        tables.fill(self.query_one("#period-history", DataTable),
                    [_("Field"), _("Value"), _("From"), _("Reason"), _("By")], period_rows, max_width=70)

    def action_classify(self) -> None:
        if self.view is None:
            return
        from scrivio_tui.screens.classification import ClassificationDialog

        name = self.summary.client.full_name if self.summary else None
        self.app.push_screen(ClassificationDialog(self.client_id, self.view.trajectory, client_name=name),
                             lambda _saved: self.load())

    def action_new_trajectory(self) -> None:
        self.app.push_screen(TrajectoryFormScreen(self.client_id))
