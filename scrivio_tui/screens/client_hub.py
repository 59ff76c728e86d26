"""The client hub (client detail): where you are, what is done, what is missing, the next step one key away."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Footer, Header, Static

from scrivio_tui import refdata
from scrivio_tui.i18n import _
from scrivio_tui.screens.base import BaseScreen
from scrivio_tui.screens.trajectory import type_label
from scrivio_tui.store.schemas import today
from scrivio_tui.widgets.stepper import Stepper

SIGNALS = {
    "missing_bsn": _("BSN missing: billing blocked"),
    "classification_missing": _("Classification missing"),
    "review_overdue": _("Classification review overdue"),
    "missing_referral": _("No referral recorded: billing blocked"),
    "unverified_policy": _("No verified policy: billing blocked"),
    "no_email": _("No email: portal unavailable"),
}


CLIENT_STEP_BINDINGS: list[BindingType] = [
    Binding("n", "next_step", _("Next step"), id="next_step"),
    Binding("1", "step('client')", _("1 Client"), show=False, id="step_1"),
    Binding("2", "step('care_trajectory')", _("2 Trajectory"), show=False, id="step_2"),
    Binding("3", "step('financing')", _("3 Financing"), show=False, id="step_3"),
    Binding("4", "step('portal')", _("4 Portal"), show=False, id="step_4"),
]


class ClientHubScreen(BaseScreen):
    BINDINGS: ClassVar[list[BindingType]] = [
        *CLIENT_STEP_BINDINGS,
        Binding("e", "step('client')", _("Edit details"), id="edit_client"),
        Binding("r", "reveal", _("Reveal BSN"), id="reveal_bsn"),
        Binding("c", "step('classification')", _("Classification"), show=False, id="classify"),
        Binding("escape", "back", _("Back"), id="back"),
        Binding("f1", "help", _("Help"), id="help"),
    ]
    HELP = _("The client's hub. The line under the header shows the five parts of onboarding: ✓ done, "
             "! needs attention, ○ open. Press n for the next open step, or 1 client, 2 care trajectory, "
             "3 financing, 4 portal. e edits the personal details; r reveals the full BSN (logged).")

    def __init__(self, client_id: int) -> None:
        super().__init__(classes="client-hub")
        self.client_id = client_id
        self.summary: Any = None
        self.revealed: str | None = None

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="≡")
        yield Stepper()
        with VerticalScroll(id="hub-scroll"), Horizontal(id="hub-columns"):
            with Vertical(id="hub-left"):
                yield Static(id="card-details", classes="card")
            with Vertical(id="hub-right"):
                yield Static(id="card-signals", classes="card")
                yield Static(id="card-trajectory", classes="card")
                yield Static(id="card-financing", classes="card")
                yield Static(id="card-portal", classes="card")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        from scrivio_tui.services import clients

        result = self.call(clients.get_summary, self.db, self.actor, self.client_id)
        if result.value is None:
            self.scrivio.notify(result.message, severity="error")
            return
        self.summary = s = result.value
        c = s.client
        self.title = f"{c.full_name} · {c.date_of_birth:%d-%m-%Y}"
        self.sub_title = f"{self.actor.role_label} · {self.actor.display_name}"
        self.query_one(Stepper).show(s.steps)
        self._details(c)
        self._signals(s)
        self._trajectory(s)
        self._financing(s)
        self._portal(s)

    def _card(self, card_id: str, title: str, key_hint: str, lines: list[str]) -> None:
        card = self.query_one(f"#{card_id}", Static)
        card.border_title = title
        card.border_subtitle = key_hint
        card.update("\n".join(lines))

    def _details(self, c: Any) -> None:
        from scrivio_tui.services.clients import masked_bsn
        from scrivio_tui.store.schemas import format_phone

        bsn = self.revealed or masked_bsn(c.bsn)
        address = ", ".join(p for p in (" ".join(x for x in (c.street, c.house_number) if x),
                                        " ".join(x for x in (c.postcode, c.city) if x)) if p)
        rows = [
            (_("BSN"), bsn + ("" if self.revealed or not c.bsn else "   " + _("r reveal"))),
            (_("Born"), f"{c.date_of_birth:%d-%m-%Y}"),
            (_("Gender"), refdata.label(refdata.genders(), c.gender)),
            (_("Email"), c.email or _("— none: portal unavailable")),
            (_("Phone"), format_phone(c.phone) or "—"),
            (_("Address"), address or "—"),
            (_("Status"), _(c.status)),
        ]
        self._card("card-details", _("Personal details"), _("e edit"),
                   [f"[dim]{k:<9}[/] {escape(v)}" for k, v in rows])

    def _signals(self, s: Any) -> None:
        if not s.signals:
            lines = ["[$success]✓[/] " + _("No warnings")]
        else:
            lines = [("[$warning]![/] " if level == "attention" else "[dim]○[/] ") + SIGNALS[key]
                     for level, key in s.signals]
        self._card("card-signals", _("Signals"), "", lines)

    def _trajectory(self, s: Any) -> None:
        if not s.trajectory:
            self._card("card-trajectory", _("Care trajectory"), _("2 start"),
                       [_("— none yet: press 2 to start one —")])
            return
        t = s.trajectory
        setting = s.periods.get("setting")
        cls = s.classification
        lines = [f"{escape(refdata.label(refdata.settings(), setting.value if setting else None))}",
                 _("since {date}").format(date=f"{t.start_date:%d-%m-%Y}")]
        if cls is None:
            lines.append(_("Type: — (open: press c)"))
        else:
            lines.append(_("Type: {type}").format(type=escape(type_label(cls.chosen_type))))
            if cls.review_due:
                overdue = cls.review_due < today()
                lines.append(("[$warning]! " if overdue else "") + _("Review by {d}").format(
                    d=f"{cls.review_due:%d-%m-%Y}") + (" — " + _("overdue") + "[/]" if overdue else ""))
        self._card("card-trajectory", _("Care trajectory"), _("2 open"), lines)

    def _financing(self, s: Any) -> None:
        from scrivio_tui.services.financing import masked_iban

        f = s.funding
        if not f or not (f.by_insurance or f.by_own_contribution):
            self._card("card-financing", _("Financing"), _("3 record"), [_("— not recorded —")])
            return
        lines = []
        if f.by_insurance:
            verified = sum(1 for p in s.policies if p.verification_status == "insured")
            lines.append(_("Insurance (ZPM): policies {n}, verified {v}").format(n=len(s.policies), v=verified))
        if f.by_own_contribution:
            iban = s.own_contribution.iban if s.own_contribution else None
            lines.append(_("Own contribution: {iban}").format(iban=masked_iban(iban)))
        self._card("card-financing", _("Financing"), _("3 open"), lines)

    def _portal(self, s: Any) -> None:
        link = s.last_link
        if link is None:
            state = _("link not sent")
        elif link.status == "sent" and link.sent_at:
            state = _("link sent {at}").format(at=f"{link.sent_at.astimezone():%d-%m %H:%M}")
        else:
            state = _("link {status}").format(status=_(link.status))
        lines = [_("{state} · {f} forms pending · {d} documents visible").format(
            state=state, f=s.pending_forms, d=s.exposed_documents)]
        self._card("card-portal", _("Portal"), _("4 open"), lines)

    # -- actions
    def action_next_step(self) -> None:
        step = self.summary.next_step if self.summary else None
        if step is None:
            self.scrivio.notify(_("Onboarding complete: nothing open."), title=_("All done"))
            return
        self.open_step(step)

    def action_step(self, step: str) -> None:
        self.open_step(step)

    def open_step(self, step: str) -> None:
        if step == "client":
            from scrivio_tui.screens.client_form import ClientFormScreen

            self.app.push_screen(ClientFormScreen(self.client_id))
        elif step in ("care_trajectory", "classification"):
            from scrivio_tui.screens.trajectory import TrajectoryScreen

            self.app.push_screen(TrajectoryScreen(self.client_id, classify=(step == "classification")))
        elif step == "financing":
            from scrivio_tui.screens.financing import FinancingScreen

            self.app.push_screen(FinancingScreen(self.client_id))
        elif step == "portal":
            from scrivio_tui.screens.portal import PortalScreen

            self.app.push_screen(PortalScreen(self.client_id))

    def action_reveal(self) -> None:
        if self.revealed:
            self.revealed = None
        else:
            from scrivio_tui.services import clients

            result = self.call(clients.reveal, self.db, self.actor, self.client_id, "bsn")
            self.revealed = result.value or None
        if self.summary:
            self._details(self.summary.client)
