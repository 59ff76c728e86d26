"""Step 3: funding sources, insurance policies (saved at once) and own-contribution payment details
(saved with ctrl+s). The two save moments are shown on screen (spec §7.3)."""

from __future__ import annotations

import threading
from functools import partial
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Button, Checkbox, DataTable, Footer, Input, LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from scrivio_tui import refdata
from scrivio_tui.i18n import _
from scrivio_tui.screens.base import FormModal
from scrivio_tui.screens.client_step import ClientStepScreen
from scrivio_tui.screens.dialogs import ConfirmDialog
from scrivio_tui.store.schemas import format_date, normalise_iban, parse_date
from scrivio_tui.widgets import tables
from scrivio_tui.widgets.fields import checkbox_field, select_field, text_field

VERIFICATION_LABEL = {
    "not_verified": "○ " + _("not verified"),
    "insured": "✓ " + _("insured (COV)"),
    "not_insured": "✗ " + _("not insured (COV)"),
    "could_not_verify": "! " + _("could not verify"),
    "double_insured": "! " + _("double insured — check"),
    "details_differ": "! " + _("insured; details differ"),
    "error": "! " + _("error — try again"),
}


class PolicyDialog(FormModal):
    """Add or edit one policy; saved immediately on ctrl+s."""

    draft_kind = "policy"

    def __init__(self, client_id: int, policy: Any = None, proposed: dict[str, Any] | None = None) -> None:
        super().__init__(id="policy-dialog")
        self.client_id = self.draft_client = client_id
        self.policy = policy
        self.draft_object = policy.id if policy else 0
        self.proposed = proposed

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("[b]Edit policy[/b]") if self.policy else _("[b]Add policy[/b]"),
                         classes="dialog-title")
            yield Static(_("Policies are stored immediately when you press ctrl+s."), classes="hint")
            with Grid(classes="form-grid"):
                yield select_field("insurer", _("Insurer (UZOVI)"),
                                   [(f"{c.code} {c.label}", c.code) for c in refdata.insurers()], required=True)
                yield text_field("policy_number", _("Policy number"), required=True)
                yield select_field("insurance_type", _("Insurance type"),
                                   [(_("basic"), "basic"), (_("supplementary"), "supplementary")],
                                   value="basic", required=True)
                yield text_field("valid_from", _("Valid from"), required=True, placeholder="DD-MM-YYYY",
                                 normalise=parse_date)
                yield text_field("valid_until", _("Valid until"), placeholder="DD-MM-YYYY", normalise=parse_date)
            yield Static(_("ctrl+s save · esc cancel"), classes="hint")

    def on_mount(self) -> None:
        p = self.policy
        if p is not None:
            self.load_values({"insurer": p.uzovi, "policy_number": p.policy_number,
                              "insurance_type": p.insurance_type, "valid_from": format_date(p.valid_from),
                              "valid_until": format_date(p.valid_until)})
        if self.proposed:
            self.load_values(self.proposed)
            self.dirty = True
        self.query_one("#insurer").focus()

    def action_save(self) -> None:
        from scrivio_tui.services import financing

        result = self.call(financing.save_policy, self.db, self.actor, self.client_id, self.form_values(),
                           self.policy.id if self.policy else None)
        if not result.ok:
            self.report(result)
            self.show_errors(result.errors)
            return
        self.discard_draft()
        self.report(result)
        self.dismiss(result.value)


class FinancingScreen(ClientStepScreen):
    step = "financing"
    draft_kind = "financing"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", _("Save funding"), id="save", priority=True),
        Binding("f2", "save", _("Save"), show=False, id="save_alt", priority=True),
        Binding("ctrl+a", "add_policy", _("Add policy"), id="add_policy", key_display="^a"),
        Binding("ctrl+e", "edit_policy", _("Edit policy"), id="edit_policy", key_display="^e", show=False),
        Binding("ctrl+d", "delete_policy", _("Delete policy"), id="delete_policy", key_display="^d", show=False),
        Binding("ctrl+r", "reveal_iban", _("IBAN"), id="reveal_iban", key_display="^r"),
        Binding("f4", "verify", _("Verify (COV)"), id="verify_policy"),
        Binding("escape", "back", _("Back"), id="back"),
        Binding("f1", "help", _("Help"), id="help"),
    ]
    HELP = _("Tick how the care is paid: ZPM/insurance and/or own contribution (both may be ticked). "
             "Policies are saved immediately when added, edited or deleted. The funding choice and the "
             "payment details (IBAN, account holder) are saved together with ctrl+s. Unticking a source "
             "hides its section but keeps what was entered.")

    def __init__(self, client_id: int, initial: dict[str, Any] | None = None) -> None:
        super().__init__(client_id, classes="financing")
        self.initial = initial
        self.saved_values: dict[str, Any] = {}
        self.view: Any = None
        self.verifying: Worker[Any] | None = None
        self._cancel = threading.Event()

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with VerticalScroll(id="form-scroll"):
            yield Static(_("[b]Funded by[/b] — step 3 of 4"), classes="section-title")
            with Horizontal(id="funded-by"):
                yield checkbox_field("funded_by_insurance", _("ZPM / insurance"))
                yield checkbox_field("funded_by_own_contribution", _("Own contribution"))
            with Vertical(id="insurance-section", classes="section"):
                yield Static(_("[b]Health insurance[/b] · policies are saved immediately"),
                             classes="section-title")
                yield DataTable(id="policies", cursor_type="row")
                with Horizontal(classes="button-row"):
                    yield Button(_("Verify with COV \\[F4]"), id="verify", compact=True)
                    yield Button(_("Cancel check"), id="cancel-verify", compact=True, variant="warning")
                    yield LoadingIndicator(id="cov-progress")
                    yield Static("", id="verify-state")
                yield Static(_("^a add · ^e edit · ^d delete · F4 verify the selected policy"), id="policy-keys",
                             classes="hint")
            with Vertical(id="payment-section", classes="section"):
                yield Static(_("[b]Payment details[/b] (own contribution) · saved with ctrl+s"),
                             classes="section-title")
                with Grid(classes="form-grid"):
                    yield text_field("iban", _("IBAN"), placeholder=_("e.g. NL00 BANK 0123 4567 89"),
                                     normalise=normalise_iban)
                    yield text_field("account_holder", _("Account holder"))
            yield Static("", id="save-state")
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        if self.initial:
            self.load_values(self.initial)
            self.dirty = True
        self._sections()
        self._save_state()
        self.query_one("#funded-by-insurance").focus()

    def on_screen_resume(self) -> None:
        self.load(policies_only=True)

    def load(self, policies_only: bool = False) -> None:
        from scrivio_tui.services import financing

        self.refresh_header()
        result = self.call(financing.get_financing, self.db, self.actor, self.client_id)
        if result.value is None:
            return
        self.view = v = result.value
        rows: list[tuple[list[object], str | None]] = [
            ([f"{p.uzovi} {refdata.insurer_name(p.uzovi)}"[:30],
              VERIFICATION_LABEL.get(p.verification_status, p.verification_status), p.policy_number,
              _(p.insurance_type), format_date(p.valid_from), format_date(p.valid_until) or "—"], str(p.id))
            for p in v.policies]
        if not v.policies:
            rows.append(([_("— no policies yet: ^a adds one —"), "", "", "", "", ""], None))
        tables.fill(self.query_one("#policies", DataTable),
                    [_("Insurer"), _("Verification"), _("Policy number"), _("Type"), _("From"), _("Until")], rows)
        self._verify_state()
        if policies_only:
            return
        oc = v.own_contribution
        saved = {
            "funded_by_insurance": bool(v.funding and v.funding.by_insurance),
            "funded_by_own_contribution": bool(v.funding and v.funding.by_own_contribution),
            "iban": "",
            "account_holder": (oc.account_holder if oc else "") or "",
        }
        self.load_values(saved)
        self.saved_values = self.form_values()
        iban_input = self.query_one("#iban", Input)
        if oc and oc.iban:
            iban_input.placeholder = _("{masked} — type to replace").format(
                masked=financing.masked_iban(oc.iban))

    def _sections(self) -> None:
        values = self.form_values()
        self.query_one("#insurance-section").display = bool(values["funded_by_insurance"])
        self.query_one("#payment-section").display = bool(values["funded_by_own_contribution"])

    def _changed_names(self) -> list[str]:
        values = self.form_values()
        return [k for k, v in values.items() if (v or "") != (self.saved_values.get(k) or "")]

    def _save_state(self) -> None:
        changed = self._changed_names()
        state = self.query_one("#save-state", Static)
        if changed:
            names = ", ".join(k.replace("_", " ") for k in changed)
            state.update("[$warning]●[/] " + _("Unsaved: {names} — ctrl+s saves funding & payment details")
                         .format(names=names))
        elif self.view is not None and self.view.funding is None:
            state.update("[dim]○[/] " + _("Not recorded yet: tick how the care is paid, then ctrl+s"))
        else:
            state.update("[$success]✓[/] " + _("Funding choice and payment details are saved"))

    @on(Checkbox.Changed)
    def _toggle(self) -> None:
        self._sections()
        self._save_state()

    @on(Input.Changed)
    def _typed(self) -> None:
        self._save_state()

    def action_save(self) -> None:
        from scrivio_tui.services import financing

        if not self._changed_names():
            self.scrivio.notify(_("Nothing to save: funding and payment details are unchanged."))
            return
        result = self.call(financing.set_funding, self.db, self.actor, self.client_id, self.form_values())
        if not result.ok:
            self.report(result)
            self.show_errors(result.errors)
            return
        self.clear_errors()
        self.discard_draft()
        self.report(result)
        self.load()
        self._save_state()

    def _selected_policy(self) -> Any:
        table = self.query_one("#policies", DataTable)
        if not self.view or not self.view.policies or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((p for p in self.view.policies if str(p.id) == key), None)

    def action_add_policy(self) -> None:
        self.app.push_screen(PolicyDialog(self.client_id), lambda _p: self.load(policies_only=True))

    def action_edit_policy(self) -> None:
        policy = self._selected_policy()
        if policy is None:
            self.scrivio.notify(_("Choose a policy in the list first (tab to the list, arrows to choose)."))
            return
        self.app.push_screen(PolicyDialog(self.client_id, policy), lambda _p: self.load(policies_only=True))

    @on(DataTable.RowSelected, "#policies")
    def _row_selected(self) -> None:
        self.action_edit_policy()

    def action_delete_policy(self) -> None:
        from scrivio_tui.services import financing

        policy = self._selected_policy()
        if policy is None:
            self.scrivio.notify(_("Choose a policy in the list first."))
            return

        def answer(choice: str | None) -> None:
            if choice == "delete":
                result = self.call(financing.delete_policy, self.db, self.actor, self.client_id, policy.id)
                self.report(result)
                self.load(policies_only=True)

        self.app.push_screen(ConfirmDialog(
            _("Delete policy?"), _("Policy {n} of {insurer} is deleted at once.").format(
                n=policy.policy_number, insurer=refdata.insurer_name(policy.uzovi)),
            [("keep", _("Keep it"), "k"), ("delete", _("Delete"), "d")]), answer)

    # -- COV verification (a worker: the screen keeps taking keys while COV answers)
    def _verify_block_reason(self) -> str | None:
        from scrivio_tui.services.verification import missing_for_cov

        if self.view is None:
            return _("Loading…")
        if not self.view.policies:
            return _("Add a policy first")
        return missing_for_cov(self.view.client)

    def _verify_state(self, message: str | None = None) -> None:
        busy = self.verifying is not None and self.verifying.state in (WorkerState.PENDING, WorkerState.RUNNING)
        reason = self._verify_block_reason()
        self.query_one("#verify", Button).disabled = busy or reason is not None
        self.query_one("#cancel-verify", Button).display = busy
        self.query_one("#cov-progress", LoadingIndicator).display = busy
        state = self.query_one("#verify-state", Static)
        if message is not None:
            state.update(message)
        elif busy:
            state.update(_("Checking with VECOZO COV… you can keep typing; esc or the button cancels"))
        elif reason:
            state.update("[$warning]![/] " + escape(reason))
        else:
            state.update("")

    def action_verify(self) -> None:
        if self.verifying is not None and self.verifying.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        reason = self._verify_block_reason()
        if reason:
            self.scrivio.notify(reason, severity="warning")
            return
        policy = self._selected_policy() or self.view.policies[0]
        self._cancel.clear()
        self.verifying = self.run_worker(lambda: self._verify(policy), thread=True, group="cov", name="cov-check")
        self._verify_state()

    def _verify(self, policy: Any) -> tuple[Any, Any]:
        from scrivio_tui.services import verification

        integrations = self.scrivio.integrations
        return self.call(verification.verify_policy, self.db, self.actor, self.client_id, policy.id,
                         partial(integrations.cov, sleep=self._cancel.wait), cancel=self._cancel.is_set), policy

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker is not self.verifying or event.state not in (WorkerState.SUCCESS, WorkerState.ERROR):
            return
        self.verifying = None
        self.load(policies_only=True)
        if event.state is WorkerState.ERROR or self._cancel.is_set():
            self._verify_state(_("Check cancelled: nothing was marked verified.") if self._cancel.is_set()
                               else _("The check failed unexpectedly: nothing was marked verified."))
            return
        outcome: Any = event.worker.result
        result, policy = outcome
        if result.value is None:
            self._verify_state()
            self.report(result)
            if result.errors:
                self.scrivio.notify(next(iter(result.errors.values())), severity="error")
            return
        self._verify_state()
        from scrivio_tui.screens.cov_result import CovResultDialog

        def apply(values: dict[str, Any] | None) -> None:
            if values:
                self.app.push_screen(PolicyDialog(self.client_id, policy, proposed=values),
                                     lambda _p: self.load(policies_only=True))

        self.app.push_screen(CovResultDialog(result.value, policy), apply)

    def action_cancel_verify(self) -> None:
        if self.verifying is not None:
            self._cancel.set()
            self._verify_state(_("Cancelling… the current attempt is abandoned."))

    @on(Button.Pressed, "#verify")
    def _verify_pressed(self) -> None:
        self.action_verify()

    @on(Button.Pressed, "#cancel-verify")
    def _cancel_pressed(self) -> None:
        self.action_cancel_verify()

    def action_reveal_iban(self) -> None:
        from scrivio_tui.services import clients

        result = self.call(clients.reveal, self.db, self.actor, self.client_id, "iban")
        if result.value:
            self.query_one("#iban", Input).value = result.value

    def action_back(self) -> None:
        if self.verifying is not None:
            self.action_cancel_verify()
            return
        if not self._changed_names():
            self.discard_draft()
            self.app.pop_screen()
            return

        def answer(choice: str | None) -> None:
            if choice == "save":
                self.action_save()
                if not self._changed_names():
                    self.app.pop_screen()
            elif choice == "leave":
                self.keep_draft()
                self.scrivio.notify(_("Your input is kept as a draft."), title=_("Draft kept"))
                self.app.pop_screen()

        self.app.push_screen(ConfirmDialog(
            _("Unsaved funding or payment details"),
            _("Save them now, or leave and keep them as a draft?"),
            [("save", _("Save"), "s"), ("leave", _("Keep as draft and leave"), "l"), ("stay", _("Stay"), "escape")],
            id="unsaved-dialog"), answer)


