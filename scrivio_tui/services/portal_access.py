"""Client portal access (step 4): sign-in link requests, form assignments, document exposure.

A sign-in link request is written to the store with its audit line (the outbox); delivery over HTTP
is services/outbox.py's job, so pressing the key never waits on the portal.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import col, select

from scrivio_tui import refdata
from scrivio_tui.i18n import _
from scrivio_tui.services.base import (
    CLIENTS_READ,
    CLIENTS_UPDATE,
    DOCUMENTS_EXPOSE,
    FORMS_ASSIGN,
    Actor,
    Result,
    audit,
    invalid,
    not_visible,
    refuse,
    visible_client,
)
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import (
    CareTrajectory,
    Client,
    Document,
    Form,
    FormAssignment,
    SignInLinkRequest,
    utcnow,
)
from scrivio_tui.store.schemas import AssignFormInput, validate


@dataclass
class PortalView:
    client: Client
    links: list[SignInLinkRequest] = field(default_factory=list)
    assignments: list[tuple[FormAssignment, Form]] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    active_forms: list[Form] = field(default_factory=list)

    @property
    def last_link(self) -> SignInLinkRequest | None:
        return self.links[0] if self.links else None


def get_portal(db: Database, actor: Actor, client_id: int) -> Result[PortalView]:
    if not actor.can(CLIENTS_READ):
        return refuse(db, actor, CLIENTS_READ, "portal.read", "R", client_id)
    with db.transaction() as session:
        client = visible_client(session, actor, client_id)
        if client is None:
            return not_visible()
        view = PortalView(client)
        view.links = list(session.exec(select(SignInLinkRequest).where(SignInLinkRequest.client_id == client_id)
                                       .order_by(col(SignInLinkRequest.id).desc())).all())
        view.assignments = [(a, f) for a, f in session.exec(
            select(FormAssignment, Form).join(Form, col(Form.id) == col(FormAssignment.form_id))
            .where(FormAssignment.client_id == client_id).order_by(col(FormAssignment.assigned_at).desc())).all()]
        view.documents = list(session.exec(select(Document).where(Document.client_id == client_id)
                                           .order_by(col(Document.created_at).desc(), col(Document.id).desc())).all())
        view.active_forms = list(session.exec(select(Form).where(Form.status == "active")
                                              .order_by(Form.title)).all())
        audit(session, actor, "portal.read", "R", client_id=client_id, object_type="portal")
    return Result(value=view)


def request_sign_in_link(db: Database, actor: Actor, client_id: int) -> Result[SignInLinkRequest]:
    """Queue a sign-in link to the client's email; gated on clients.update (spec §8.1)."""
    if not actor.can(CLIENTS_UPDATE):
        return refuse(db, actor, CLIENTS_UPDATE, "portal.send_link", "E", client_id)
    with db.transaction() as session:
        client = visible_client(session, actor, client_id)
        if client is None:
            return not_visible()
        if not client.email:
            return invalid({"email": _("No email address: add one to the personal details first")})
        request = SignInLinkRequest(client_id=client_id, email=client.email,
                                    idempotency_key=uuid.uuid4().hex, requested_by=actor.user_id)
        session.add(request)
        session.flush()
        audit(session, actor, "portal.send_link", "E", client_id=client_id, object_type="sign_in_link",
              object_id=request.id)
    return Result(value=request, message=_("Sign-in link queued for {email}.").format(email=mask_email(client.email)))


def assign_form(db: Database, actor: Actor, client_id: int, raw: dict[str, Any]) -> Result[FormAssignment]:
    """Only Active forms; no second pending assignment of the same form (spec §8.2)."""
    if not actor.can(FORMS_ASSIGN):
        return refuse(db, actor, FORMS_ASSIGN, "form.assign", "C", client_id)
    data, errors = validate(AssignFormInput, raw)
    if errors:
        return invalid(errors)
    assert isinstance(data, AssignFormInput)
    with db.transaction() as session:
        if visible_client(session, actor, client_id) is None:
            return not_visible()
        if data.trajectory_id is not None:
            trajectory = session.get(CareTrajectory, data.trajectory_id)
            if trajectory is None or trajectory.client_id != client_id:
                return invalid({"trajectory_id": _("That care trajectory is not this client's")})
        form = session.get(Form, data.form_id)
        if form is None or form.status != "active":
            return invalid({"form_id": _("Only Active forms can be assigned")})
        pending = session.exec(select(FormAssignment.id).where(
            FormAssignment.client_id == client_id, FormAssignment.form_id == form.id,
            FormAssignment.status == "pending")).first()
        if pending:
            return invalid({"form_id": _("{title} is already waiting for this client").format(title=form.title)})
        assignment = FormAssignment(client_id=client_id, form_id=form.id or 0, due_date=data.due_date,
                                    trajectory_id=data.trajectory_id, assigned_by=actor.user_id)
        session.add(assignment)
        session.flush()
        audit(session, actor, "form.assign", "C", client_id=client_id, object_type="form_assignment",
              object_id=assignment.id, fields=[k for k, v in data.model_dump().items() if v is not None])
    return Result(value=assignment, message=_("{title} assigned.").format(title=form.title))


def set_document_exposure(db: Database, actor: Actor, client_id: int, document_id: int, *, exposed: bool,
                          requires_acknowledgement: bool = False) -> Result[Document]:
    """Make a document visible in the portal (optionally asking for acknowledgement) or hide it again."""
    action = "document.expose" if exposed else "document.unexpose"
    if not actor.can(DOCUMENTS_EXPOSE):
        return refuse(db, actor, DOCUMENTS_EXPOSE, action, "U", client_id)
    with db.transaction() as session:
        doc = session.get(Document, document_id)
        if doc is None or doc.client_id != client_id or visible_client(session, actor, client_id) is None:
            return invalid({"__all__": _("This document no longer exists")})
        if doc.exposed == exposed and (not exposed or doc.requires_acknowledgement == requires_acknowledgement):
            return Result(value=doc, message=_("Nothing changed."))
        doc.exposed = exposed
        if exposed:
            doc.requires_acknowledgement = requires_acknowledgement
            doc.exposed_at, doc.exposed_by = utcnow(), actor.user_id
        session.add(doc)
        audit(session, actor, action, "U", client_id=client_id, object_type="document", object_id=document_id,
              fields=("exposed", "requires_acknowledgement") if exposed else ("exposed",))
    msg = _("{name} is now visible in the portal.") if exposed else _("{name} is no longer visible in the portal.")
    return Result(value=doc, message=msg.format(name=doc.file_name))


def add_standard_document(db: Database, actor: Actor, client_id: int, template: str) -> Result[Document]:
    """Put one of the practice's standard documents (treatment agreement, welcome letter…) in the record,
    so it can be made visible in the portal. Needs clients.update."""
    if not actor.can(CLIENTS_UPDATE):
        return refuse(db, actor, CLIENTS_UPDATE, "document.add", "C", client_id)
    found = next((t for t in refdata.document_templates() if t.code == template), None)
    if found is None:
        return invalid({"template": _("Choose a document from the list")})
    with db.transaction() as session:
        if visible_client(session, actor, client_id) is None:
            return not_visible()
        doc = Document(client_id=client_id, file_name=found.get("file_name"), file_type=found.get("file_type"),
                       size_bytes=int(found.get("size_bytes") or 0))
        session.add(doc)
        session.flush()
        audit(session, actor, "document.add", "C", client_id=client_id, object_type="document", object_id=doc.id,
              fields=("file_name", "file_type"))
    return Result(value=doc, message=_("{name} added to the record.").format(name=doc.file_name))


def mask_email(email: str | None) -> str:
    """a•••@example.nl — enough for staff to recognise it on a shared screen."""
    if not email or "@" not in email:
        return "—"
    local, domain = email.split("@", 1)
    return f"{local[0]}•••@{domain}"
