"""What VECOZO COV answered, in plain words, and the offer to fill or correct the policy from it."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.markup import escape
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Static

from scrivio_tui.i18n import _
from scrivio_tui.services.cov import CovKind, CovOutcome
from scrivio_tui.store.schemas import format_date

HEADLINE = {
    CovKind.INSURED: ("$success", "✓", _("Insured")),
    CovKind.MULTIPLE_COVERAGES: ("$success", "✓", _("Insured (several coverages)")),
    CovKind.DOUBLE_INSURED: ("$warning", "!", _("Double insured — check with the client")),
    CovKind.NOT_INSURED: ("$error", "✗", _("Not insured on this date")),
    CovKind.BSN_UNKNOWN: ("$warning", "!", _("BSN not known to COV")),
    CovKind.BSN_INVALID: ("$warning", "!", _("BSN fails the 11-test")),
    CovKind.BSN_BIRTHDATE_MISMATCH: ("$warning", "!", _("BSN and date of birth do not match")),
    CovKind.DECEASED: ("$error", "✗", _("Registered as deceased")),
    CovKind.NOT_AUTHORISED_FOR_INSURER: ("$warning", "!", _("Not authorised for this insurer")),
    CovKind.PEILDATUM_TOO_OLD: ("$warning", "!", _("Reference date too far back")),
    CovKind.INVALID_SEARCH: ("$warning", "!", _("The search was not valid")),
    CovKind.CREDENTIALS_INVALID: ("$error", "✗", _("COV credentials invalid — ask an administrator")),
    CovKind.NOT_AUTHORISED: ("$error", "✗", _("Practice not authorised for COV — ask an administrator")),
    CovKind.RATE_LIMITED: ("$warning", "!", _("COV is busy — try again later")),
    CovKind.TECHNICAL_FAILURE: ("$error", "✗", _("COV could not be reached — not verified")),
    CovKind.REQUEST_INVALID: ("$error", "✗", _("Request invalid — not verified")),
    CovKind.CANCELLED: ("$text-muted", "○", _("Cancelled — not verified")),
}


def policy_values(coverage: Any) -> dict[str, Any]:
    """A COV coverage as the policy form's values."""
    return {"insurer": coverage.uzovi, "policy_number": coverage.policy_number,
            "insurance_type": "basic" if coverage.is_basic else "supplementary",
            "valid_from": format_date(coverage.start), "valid_until": format_date(coverage.end)}


def differs(policy: Any, coverage: Any) -> bool:
    return bool(coverage) and (policy.uzovi != coverage.uzovi or policy.policy_number != coverage.policy_number
                               or policy.valid_from != coverage.start or policy.valid_until != coverage.end)


class CovResultDialog(ModalScreen[dict[str, Any] | None]):
    """Dismisses with policy values to apply, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", _("Close"), id="close"),
        Binding("f", "apply", _("Fill policy from answer"), id="apply_cov"),
    ]

    def __init__(self, outcome: CovOutcome, policy: Any) -> None:
        super().__init__(id="cov-result")
        self.outcome, self.policy = outcome, policy

    def compose(self) -> ComposeResult:
        o = self.outcome
        colour, symbol, headline = HEADLINE.get(o.kind, ("$warning", "!", str(o.kind)))
        with Vertical(classes="dialog"):
            yield Static(f"[b {colour}]{symbol} {headline}[/]", classes="dialog-title", id="cov-headline")
            yield Static(escape(o.message), classes="dialog-message", id="cov-message")
            if o.future_peildatum:
                yield Static("! " + _("The reference date is in the future: the answer may still change."),
                             classes="hint")
            if o.coverages:
                yield DataTable(id="cov-coverages", cursor_type="row")
            with Horizontal(classes="dialog-buttons"):
                if self._applicable():
                    yield Button(_("Fill policy from answer \\[f]"), id="apply", variant="primary")
                yield Button(_("Close \\[esc]"), id="close")

    def _applicable(self) -> bool:
        o = self.outcome
        if o.kind is CovKind.DOUBLE_INSURED:
            return any(c.active and c.is_basic for c in o.coverages)
        return o.proposed is not None and differs(self.policy, o.proposed)

    def on_mount(self) -> None:
        if self.outcome.coverages:
            table = self.query_one("#cov-coverages", DataTable)
            for label in (_("Insurer"), _("Policy number"), _("Kind"), _("Package"), _("From"), _("Until"),
                          _("State")):
                table.add_column(label)
            for i, c in enumerate(self.outcome.coverages):
                table.add_row(c.insurer_display[:24], c.policy_number or "—", c.soort or "—",
                              (c.package or "—")[:14], format_date(c.start) or "—", format_date(c.end) or "—",
                              ("✓ " + _("active")) if c.active else ("○ " + _("inactive")) if c.authorised
                              else ("! " + _("not authorised")), key=str(i))
            table.focus()
        else:
            self.query_one(Button).focus()

    def action_apply(self) -> None:
        o = self.outcome
        if not self._applicable():
            return
        coverage = o.proposed
        if o.kind is CovKind.DOUBLE_INSURED:
            table = self.query_one("#cov-coverages", DataTable)
            coverage = o.coverages[table.cursor_row]
            if not (coverage.active and coverage.is_basic):
                self.app.notify(_("Choose one of the active basic coverages in the list."), severity="warning")
                return
        self.dismiss(policy_values(coverage))

    def action_close(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.action_apply()
        else:
            self.dismiss(None)
