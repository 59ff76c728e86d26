"""Step 4: client portal access — send the sign-in link, assign forms, make documents visible, and a
preview of what the client will see in the portal."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.markup import escape
from textual.widgets import Button, DataTable, Footer, Static

from scrivio_tui.i18n import _
from scrivio_tui.screens.base import FormModal
from scrivio_tui.screens.client_step import ClientViewScreen
from scrivio_tui.store.schemas import format_date, parse_date, today
from scrivio_tui.widgets import tables
from scrivio_tui.widgets.fields import checkbox_field, select_field, text_field


def _when(at: datetime | None) -> str:
    return f"{at.astimezone():%d-%m-%Y %H:%M}" if at else "—"


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


class AssignFormDialog(FormModal):
    """Choose an Active form and an optional due date."""

    def __init__(self, client_id: int, forms: list[Any], trajectory_id: int | None) -> None:
        super().__init__(id="assign-form-dialog")
        self.client_id, self.forms, self.trajectory_id = client_id, forms, trajectory_id

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("[b]Assign a form[/b]"), classes="dialog-title")
            yield Static(_("Only Active forms can be filled in by the client."), classes="hint")
            yield select_field("form_id", _("Form"), [(f"{f.title} ({f.question_count} questions)", f.id)
                                                       for f in self.forms], required=True)
            yield text_field("due_date", _("Due date (optional)"), placeholder="DD-MM-YYYY", normalise=parse_date)
            yield Static(_("ctrl+s assign · esc cancel"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#form-id").focus()

    def action_save(self) -> None:
        from scrivio_tui.services import portal_access

        values = {**self.form_values(), "trajectory_id": self.trajectory_id}
        result = self.call(portal_access.assign_form, self.db, self.actor, self.client_id, values)
        if not result.ok:
            self.report(result)
            self.show_errors(result.errors)
            return
        self.report(result)
        self.dismiss(result.value)


class ExposeDialog(FormModal):
    """Share one document in the portal, optionally asking the client to acknowledge receipt."""

    def __init__(self, client_id: int, document: Any) -> None:
        super().__init__(id="expose-dialog")
        self.client_id, self.document = client_id, document

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(_("[b]Make visible in the portal[/b]"), classes="dialog-title")
            yield Static(escape(f"{self.document.file_name} · {self.document.file_type.upper()} · "
                                f"{_size(self.document.size_bytes)}"))
            yield checkbox_field("requires_acknowledgement", _("Ask the client to acknowledge receipt"),
                                 value=self.document.requires_acknowledgement)
            yield Static(_("ctrl+s share · esc cancel"), classes="hint")

    def on_mount(self) -> None:
        self.query_one("#requires-acknowledgement").focus()

    def action_save(self) -> None:
        from scrivio_tui.services import portal_access

        result = self.call(portal_access.set_document_exposure, self.db, self.actor, self.client_id,
                           self.document.id, exposed=True,
                           requires_acknowledgement=bool(self.form_values()["requires_acknowledgement"]))
        self.report(result)
        if result.ok:
            self.dismiss(result.value)


class PortalScreen(ClientViewScreen):
    step = "portal"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "send_link", _("Send sign-in link"), id="send_sign_in_link"),
        Binding("f", "assign_form", _("Assign form"), id="assign_form"),
        Binding("x", "expose", _("Show in portal"), id="expose_document"),
        Binding("u", "unexpose", _("Hide document"), id="unexpose_document", show=False),
        Binding("a", "add_document", _("Add document"), id="add_document"),
        Binding("e", "edit_email", _("Edit email"), id="edit_email", show=False),
        Binding("escape", "back", _("Back"), id="back"),
        Binding("f1", "help", _("Help"), id="help"),
    ]
    HELP = _("The client signs in to the portal with a link sent by email — no password. s sends (or resends) "
             "the link to the client's email address; e edits the address. f assigns an Active form, with an "
             "optional due date. In the documents list, x makes the selected document visible in the portal "
             "(optionally asking for acknowledgement) and u hides it again. The right column previews what "
             "the client will see.")

    def __init__(self, client_id: int) -> None:
        super().__init__(client_id, classes="portal")
        self.view: Any = None

    def compose(self) -> ComposeResult:
        yield from self.compose_header()
        with VerticalScroll(id="portal-scroll"), Horizontal(id="portal-columns"):
            with Vertical(id="portal-left"):
                yield Static(id="link-card", classes="card")
                with Horizontal(classes="button-row"):
                    yield Button(_("Send sign-in link \\[s]"), id="send-sign-in-link", variant="primary", compact=True)
                    yield Button(_("Assign form \\[f]"), id="assign-form", compact=True)
                    yield Button(_("Show document \\[x]"), id="expose-document", compact=True)
                yield Static(_("[b]Assigned forms[/b]"), classes="section-title")
                yield DataTable(id="assigned-forms", cursor_type="row")
                yield Static(_("[b]Documents[/b] · x show in portal · u hide · a add a standard document"),
                             classes="section-title")
                yield DataTable(id="documents", cursor_type="row")
            with Vertical(id="portal-right"):
                yield Static(id="portal-preview", classes="card")
        yield Footer()

    def on_mount(self) -> None:
        self.load()
        self.query_one("#documents", DataTable).focus()

    def on_screen_resume(self) -> None:
        self.load()

    def load(self) -> None:
        from scrivio_tui.services import portal_access

        self.refresh_header()
        result = self.call(portal_access.get_portal, self.db, self.actor, self.client_id)
        if result.value is None:
            return
        self.view = v = result.value
        self._link_card(v)
        form_rows: list[tuple[list[object], str | None]] = []
        for a, f in v.assignments:
            overdue = a.status == "pending" and a.due_date and a.due_date < today()
            form_rows.append(([f.title, format_date(a.due_date) or "—",
                               ("! " + _("overdue")) if overdue else
                               ("○ " if a.status == "pending" else "✓ ") + _(a.status),
                               _when(a.assigned_at)], str(a.id)))
        if not v.assignments:
            form_rows.append(([_("— none: f assigns a form —"), "", "", ""], None))
        tables.fill(self.query_one("#assigned-forms", DataTable),
                    [_("Form"), _("Due"), _("Status"), _("Assigned")], form_rows)
        doc_rows: list[tuple[list[object], str | None]] = []
        for d in v.documents:
            ack = (_("acknowledged {d}").format(d=_when(d.acknowledged_at)) if d.acknowledged_at else
                   _("needs acknowledgement") if d.exposed and d.requires_acknowledgement else "—")
            doc_rows.append(([d.file_name, d.file_type.upper(), _size(d.size_bytes),
                              ("✓ " + _("visible")) if d.exposed else ("○ " + _("hidden")), ack], str(d.id)))
        if not v.documents:
            doc_rows.append(([_("— no documents in the record: a adds a standard document —"), "", "", "", ""],
                             None))
        tables.fill(self.query_one("#documents", DataTable),
                    [_("Document"), _("Type"), _("Size"), _("In portal"), _("Acknowledgement")], doc_rows,
                    max_width=60)
        self._preview(v)
        has_email = bool(v.client.email)
        self.query_one("#send-sign-in-link", Button).disabled = not has_email
        self.query_one("#send-sign-in-link", Button).tooltip = None if has_email else _("No email address")

    def _link_card(self, v: Any) -> None:
        from scrivio_tui.services.portal_access import mask_email

        card = self.query_one("#link-card", Static)
        card.border_title = _("Portal sign-in")
        if not v.client.email:
            card.update("[$warning]![/] " + _("No email address: the portal is unavailable. Press e to add one."))
            return
        lines = [_("The sign-in link goes to {email}").format(email=escape(v.client.email))]
        link = v.last_link
        if link is None:
            lines.append("○ " + _("No link sent yet — press s"))
        elif link.status == "sent":
            lines.append("[$success]✓[/] " + _("Sent at {at} to {email}").format(
                at=_when(link.sent_at), email=mask_email(link.email)))
        elif link.status == "failed":
            lines.append("[$error]✗[/] " + _("Failed: {why} — press s to try again").format(
                why=escape(link.last_error or "")))
        else:
            lines.append("[$warning]…[/] " + _("Queued at {at}; goes out as soon as the portal answers").format(
                at=_when(link.requested_at)) + (f" ({escape(link.last_error)})" if link.last_error else ""))
        mail_dir = getattr(self.scrivio.integrations, "mail_dir", None)
        if mail_dir is not None:
            lines.append("[dim]" + _("Demo: the portal simulator writes each mail to {folder}").format(
                folder=escape(str(mail_dir))) + "[/]")
        card.update("\n".join(lines))

    def _preview(self, v: Any) -> None:
        card = self.query_one("#portal-preview", Static)
        card.border_title = _("What the client sees")
        pending = [(a, f) for a, f in v.assignments if a.status == "pending"]
        pending.sort(key=lambda af: (not (af[0].due_date and af[0].due_date < today()), af[0].due_date or today()))
        lines = ["[b]" + _("Questionnaires") + "[/b]"]
        if not pending:
            lines.append("[dim]" + _("Nothing is waiting for you.") + "[/]")
        for a, f in pending:
            due = ""
            if a.due_date:
                late = a.due_date < today()
                due = (" · [$error]⚠ " + _("overdue") + f" {format_date(a.due_date)}[/]") if late else \
                    f" · {_('due')} {format_date(a.due_date)}"
            lines.append(f"▸ {escape(f.title)}{due}  [dim]{_('Fill in')}[/]")
        shared = sorted((d for d in v.documents if d.exposed), key=lambda d: d.exposed_at or d.created_at,
                        reverse=True)
        lines += ["", "[b]" + _("Documents") + "[/b]"]
        if not shared:
            lines.append("[dim]" + _("There are no documents yet.") + "[/]")
        for d in shared:
            mark = "  [$warning]" + _("Needs acknowledgement") + "[/]" if d.requires_acknowledgement and \
                not d.acknowledged_at else ""
            lines.append(f"▸ {escape(d.file_name)} · {_size(d.size_bytes)} · "
                         f"{format_date(d.exposed_at.date()) if d.exposed_at else ''}{mark}")
        card.update("\n".join(lines))

    def _selected_document(self) -> Any:
        table = self.query_one("#documents", DataTable)
        if not self.view or not self.view.documents or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((d for d in self.view.documents if str(d.id) == key), None)

    def action_send_link(self) -> None:
        from scrivio_tui.services import portal_access

        result = self.call(portal_access.request_sign_in_link, self.db, self.actor, self.client_id)
        if result.ok:
            self.report(result)
            self.scrivio.deliver_outbox()
        else:
            self.scrivio.notify(result.message, severity="error")
        self.load()

    def action_assign_form(self) -> None:
        if self.view is None:
            return
        if not self.view.active_forms:
            self.scrivio.notify(_("There are no Active forms to assign."), severity="warning")
            return
        trajectory = self.summary.trajectory if self.summary else None
        self.app.push_screen(AssignFormDialog(self.client_id, self.view.active_forms,
                                              trajectory.id if trajectory else None), lambda _r: self.load())

    def action_expose(self) -> None:
        doc = self._selected_document()
        if doc is None:
            self.scrivio.notify(_("Choose a document in the list first."))
            self.query_one("#documents", DataTable).focus()
            return
        self.app.push_screen(ExposeDialog(self.client_id, doc), lambda _r: self.load())

    def action_add_document(self) -> None:
        from scrivio_tui import refdata
        from scrivio_tui.screens.dialogs import ConfirmDialog
        from scrivio_tui.services import portal_access

        templates = refdata.document_templates()

        def chosen(code: str | None) -> None:
            if code:
                result = self.call(portal_access.add_standard_document, self.db, self.actor, self.client_id, code)
                self.report(result)
                self.load()

        self.app.push_screen(ConfirmDialog(
            _("Add a standard document"), _("Which document goes into the record? (it is not yet visible in the "
                                            "portal: x shows it there)"),
            [(t.code, t.get("file_name").removesuffix(".pdf"), str(i + 1)) for i, t in enumerate(templates)],
            id="add-document-dialog"), chosen)

    def action_unexpose(self) -> None:
        from scrivio_tui.services import portal_access

        doc = self._selected_document()
        if doc is None or not doc.exposed:
            self.scrivio.notify(_("Choose a document that is visible in the portal."))
            return
        result = self.call(portal_access.set_document_exposure, self.db, self.actor, self.client_id, doc.id,
                           exposed=False)
        self.report(result)
        self.load()

    def action_edit_email(self) -> None:
        from scrivio_tui.screens.client_form import ClientFormScreen

        self.app.push_screen(ClientFormScreen(self.client_id))

    @on(Button.Pressed, "#send-sign-in-link")
    def _send(self) -> None:
        self.action_send_link()

    @on(Button.Pressed, "#assign-form")
    def _assign(self) -> None:
        self.action_assign_form()

    @on(Button.Pressed, "#expose-document")
    def _expose(self) -> None:
        self.action_expose()

    @on(DataTable.RowSelected, "#documents")
    def _doc_selected(self) -> None:
        self.action_expose()
