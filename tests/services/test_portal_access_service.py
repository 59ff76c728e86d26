"""Portal access (spec §8): sign-in link requests, form assignments and document exposure."""

from __future__ import annotations

import pytest

from scrivio_tui.services import portal_access, trajectories
from scrivio_tui.services.base import Actor
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import AuditEvent, Document, Form, FormAssignment, SignInLinkRequest

from .conftest import audit_events, count, days_from_today, ddmmyyyy, last_event, new_client


def add_form(db: Database, status: str = "active", title: str = "PHQ-9") -> int:
    with db.transaction() as session:
        form = Form(title=title, status=status, question_count=9)
        session.add(form)
        session.flush()
        assert form.id is not None
        return form.id


def add_document(db: Database, client_id: int, name: str = "intake.pdf") -> int:
    with db.transaction() as session:
        doc = Document(client_id=client_id, file_name=name, file_type="pdf", size_bytes=2048)
        session.add(doc)
        session.flush()
        assert doc.id is not None
        return doc.id


# ---------------------------------------------------------------- sign-in link


def test_sign_in_link_is_queued_for_the_clients_email(db: Database, reception: Actor) -> None:
    client = new_client(db, reception, email="jan.jansen@example.nl")
    first = portal_access.request_sign_in_link(db, reception, client.id)
    second = portal_access.request_sign_in_link(db, reception, client.id)
    assert first.ok and second.ok and first.value is not None and second.value is not None
    assert first.message == "Sign-in link queued for j•••@example.nl."
    assert (first.value.email, first.value.status, first.value.requested_by) == (
        "jan.jansen@example.nl", "queued", reception.user_id)
    assert first.value.idempotency_key != second.value.idempotency_key  # resending is a new request
    view = portal_access.get_portal(db, reception, client.id).unwrap()
    assert [link.id for link in view.links] == [second.value.id, first.value.id]
    assert view.last_link is not None and view.last_link.id == second.value.id


def test_no_email_no_link(db: Database, reception: Actor) -> None:
    client = new_client(db, reception)
    before = count(db, AuditEvent)
    result = portal_access.request_sign_in_link(db, reception, client.id)
    assert set(result.errors) == {"email"}
    assert count(db, SignInLinkRequest) == 0 and count(db, AuditEvent) == before


@pytest.mark.parametrize(("email", "masked"), [("a@b.nl", "a•••@b.nl"), (None, "—"), ("broken", "—")])
def test_mask_email(email: str | None, masked: str) -> None:
    assert portal_access.mask_email(email) == masked


# ---------------------------------------------------------------- forms


def test_assign_an_active_form(db: Database, reception: Actor, lead: Actor) -> None:
    client = new_client(db, reception)
    traj = trajectories.start_trajectory(db, reception, client.id, {
        "setting": "1", "start_date": ddmmyyyy(days_from_today(-1)), "lead_practitioner": lead.user_id}).unwrap()
    form_id = add_form(db)
    due = days_from_today(0)
    result = portal_access.assign_form(db, reception, client.id, {"form_id": str(form_id),
                                                                  "due_date": ddmmyyyy(due),
                                                                  "trajectory_id": traj.id})
    assert result.ok and result.value is not None and result.message == "PHQ-9 assigned."
    a = result.value
    assert (a.client_id, a.form_id, a.due_date, a.trajectory_id, a.status, a.assigned_by) == (
        client.id, form_id, due, traj.id, "pending", reception.user_id)
    view = portal_access.get_portal(db, reception, client.id).unwrap()
    assert [(x.id, f.title) for x, f in view.assignments] == [(a.id, "PHQ-9")]
    assert [f.id for f in view.active_forms] == [form_id]


@pytest.mark.parametrize("status", ["draft", "deprecated", None])
def test_only_active_forms_can_be_assigned(db: Database, reception: Actor, status: str | None) -> None:
    client = new_client(db, reception)
    form_id = add_form(db, status) if status else 777
    result = portal_access.assign_form(db, reception, client.id, {"form_id": form_id})
    assert result.errors == {"form_id": "Only Active forms can be assigned"}
    assert count(db, FormAssignment) == 0


def test_no_second_pending_assignment_of_the_same_form(db: Database, reception: Actor) -> None:
    client = new_client(db, reception)
    other = new_client(db, reception, first_name="Piet", last_name="Anders")
    form_id, other_form = add_form(db), add_form(db, title="GAD-7")
    portal_access.assign_form(db, reception, client.id, {"form_id": form_id}).unwrap()
    before = count(db, AuditEvent)
    again = portal_access.assign_form(db, reception, client.id, {"form_id": form_id})
    assert again.errors == {"form_id": "PHQ-9 is already waiting for this client"}
    assert count(db, FormAssignment) == 1 and count(db, AuditEvent) == before
    assert portal_access.assign_form(db, reception, client.id, {"form_id": other_form}).ok
    assert portal_access.assign_form(db, reception, other.id, {"form_id": form_id}).ok


def test_completed_assignment_may_be_assigned_again(db: Database, reception: Actor) -> None:
    client = new_client(db, reception)
    form_id = add_form(db)
    first = portal_access.assign_form(db, reception, client.id, {"form_id": form_id}).unwrap()
    with db.transaction() as session:
        row = session.get(FormAssignment, first.id)
        assert row is not None
        row.status = "completed"
        session.add(row)
    assert portal_access.assign_form(db, reception, client.id, {"form_id": form_id}).ok


TRAJECTORY_LINK_BUG = ("BUG: assign_form stores AssignFormInput.trajectory_id without checking it is a trajectory "
                       "of this client: another client's trajectory is accepted, and an unknown id raises "
                       "IntegrityError (FK) instead of a field error. Fix: load CareTrajectory(trajectory_id) and "
                       "return invalid({'trajectory_id': ...}) unless it exists with client_id == client_id")


def test_form_cannot_be_linked_to_another_clients_trajectory(db: Database, reception: Actor, lead: Actor) -> None:
    client = new_client(db, reception)
    other = new_client(db, reception, first_name="Piet", last_name="Anders")
    theirs = trajectories.start_trajectory(db, reception, other.id, {
        "setting": "1", "start_date": ddmmyyyy(days_from_today(-1)), "lead_practitioner": lead.user_id}).unwrap()
    result = portal_access.assign_form(db, reception, client.id, {"form_id": add_form(db),
                                                                  "trajectory_id": theirs.id})
    assert set(result.errors) == {"trajectory_id"}
    assert count(db, FormAssignment) == 0


def test_form_linked_to_an_unknown_trajectory_is_a_field_error(db: Database, reception: Actor) -> None:
    client = new_client(db, reception)
    result = portal_access.assign_form(db, reception, client.id, {"form_id": add_form(db), "trajectory_id": 4242})
    assert set(result.errors) == {"trajectory_id"}


# ---------------------------------------------------------------- documents


def test_expose_with_acknowledgement_then_hide(db: Database, reception: Actor) -> None:
    client = new_client(db, reception)
    doc_id = add_document(db, client.id)
    shown = portal_access.set_document_exposure(db, reception, client.id, doc_id, exposed=True,
                                                requires_acknowledgement=True)
    assert shown.ok and shown.message == "intake.pdf is now visible in the portal."
    with db.read() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None
        assert (doc.exposed, doc.requires_acknowledgement, doc.exposed_by) == (True, True, reception.user_id)
        assert doc.exposed_at is not None

    before = count(db, AuditEvent)
    same = portal_access.set_document_exposure(db, reception, client.id, doc_id, exposed=True,
                                               requires_acknowledgement=True)
    assert same.ok and same.message == "Nothing changed." and count(db, AuditEvent) == before

    portal_access.set_document_exposure(db, reception, client.id, doc_id, exposed=True).unwrap()
    assert last_event(db).action == "document.expose"  # the acknowledgement flag changed

    hidden = portal_access.set_document_exposure(db, reception, client.id, doc_id, exposed=False)
    assert hidden.message == "intake.pdf is no longer visible in the portal."
    with db.read() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and not doc.exposed
    assert [e.action for e in audit_events(db, object_type="document")] == [
        "document.expose", "document.expose", "document.unexpose"]


def test_another_clients_document_cannot_be_exposed(db: Database, reception: Actor) -> None:
    client = new_client(db, reception)
    other = new_client(db, reception, first_name="Piet", last_name="Anders")
    theirs = add_document(db, other.id)
    result = portal_access.set_document_exposure(db, reception, client.id, theirs, exposed=True)
    assert "__all__" in result.errors
    with db.read() as session:
        doc = session.get(Document, theirs)
        assert doc is not None and not doc.exposed
