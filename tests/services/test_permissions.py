"""Each service refuses an actor lacking its permission: `denied` names it, no data changes, one 'denied'
audit line is written (NEN 7513: failed attempts are logged too)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from scrivio_tui.services import clients, export, financing, portal_access, staff, trajectories
from scrivio_tui.services.base import (
    CLIENTS_CREATE,
    CLIENTS_READ,
    CLIENTS_UPDATE,
    DOCUMENTS_EXPOSE,
    FORMS_ASSIGN,
    STAFF_MANAGE,
    TRAJECTORIES_CREATE,
    TRAJECTORIES_READ,
    Actor,
    Result,
)
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import Document, Form

from .conftest import JAN, audit_events, days_from_today, ddmmyyyy, new_client, without


@dataclass
class World:
    db: Database
    admin: Actor
    lead: Actor
    client_id: int
    policy_id: int
    document_id: int
    form_id: int


@pytest.fixture
def world(db: Database, admin: Actor, lead: Actor) -> World:
    client = new_client(db, admin, bsn="111222333", email="jan@example.nl")
    policy = financing.save_policy(db, admin, client.id, {"insurer": "3311", "policy_number": "ZK1",
                                                          "valid_from": "01-01-2025"}).unwrap()
    with db.transaction() as session:
        doc = Document(client_id=client.id, file_name="intake.pdf", file_type="pdf", size_bytes=1200)
        form = Form(title="PHQ-9", status="active", question_count=9)
        session.add(doc)
        session.add(form)
        session.flush()
        ids = (doc.id, form.id)
    return World(db, admin, lead, client.id, policy.id, ids[0], ids[1])


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every data table (the audit log excluded)."""
    with db.read() as session:
        return {name: [tuple(r) for r in session.execute(text(f"SELECT * FROM {name} ORDER BY 1")).all()]
                for name in sorted(SQLModel.metadata.tables) if name != "audit_event"}


Call = Callable[[World, Actor], Result[Any]]

CASES: list[tuple[str, str, str, str, bool, Call]] = [
    # id, permission, audited action, action code, client-bound, call
    ("create_client", CLIENTS_CREATE, "client.create", "C", False,
     lambda w, a: clients.create_client(w.db, a, {**JAN, "first_name": "Piet", "last_name": "Nieuw"})),
    ("update_client", CLIENTS_UPDATE, "client.update", "U", True,
     lambda w, a: clients.update_client(w.db, a, w.client_id, {**JAN, "last_name": "Changed"})),
    ("set_funding", CLIENTS_UPDATE, "own_contribution.set", "U", True,
     lambda w, a: financing.set_funding(w.db, a, w.client_id, {"funded_by_insurance": True})),
    ("add_policy", CLIENTS_UPDATE, "policy.add", "C", True,
     lambda w, a: financing.save_policy(w.db, a, w.client_id, {"insurer": "3311", "policy_number": "X2",
                                                               "insurance_type": "supplementary",
                                                               "valid_from": "01-01-2025"})),
    ("edit_policy", CLIENTS_UPDATE, "policy.edit", "U", True,
     lambda w, a: financing.save_policy(w.db, a, w.client_id, {"insurer": "7119", "policy_number": "CZ9",
                                                               "valid_from": "01-01-2025"}, w.policy_id)),
    ("delete_policy", CLIENTS_UPDATE, "policy.delete", "D", True,
     lambda w, a: financing.delete_policy(w.db, a, w.client_id, w.policy_id)),
    ("send_link", CLIENTS_UPDATE, "portal.send_link", "E", True,
     lambda w, a: portal_access.request_sign_in_link(w.db, a, w.client_id)),
    ("start_trajectory", TRAJECTORIES_CREATE, "trajectory.create", "C", True,
     lambda w, a: trajectories.start_trajectory(w.db, a, w.client_id, {
         "setting": "1", "start_date": ddmmyyyy(days_from_today(-1)), "lead_practitioner": w.lead.user_id})),
    ("list_trajectories", TRAJECTORIES_READ, "trajectory.read", "R", True,
     lambda w, a: trajectories.list_trajectories(w.db, a, w.client_id)),
    ("assign_form", FORMS_ASSIGN, "form.assign", "C", True,
     lambda w, a: portal_access.assign_form(w.db, a, w.client_id, {"form_id": w.form_id})),
    ("expose_document", DOCUMENTS_EXPOSE, "document.expose", "U", True,
     lambda w, a: portal_access.set_document_exposure(w.db, a, w.client_id, w.document_id, exposed=True)),
    ("search", CLIENTS_READ, "client.search", "R", False, lambda w, a: clients.search(w.db, a, "jan")),
    ("get_summary", CLIENTS_READ, "client.read", "R", True,
     lambda w, a: clients.get_summary(w.db, a, w.client_id)),
    ("get_client", CLIENTS_READ, "client.read", "R", True, lambda w, a: clients.get_client(w.db, a, w.client_id)),
    ("reveal_bsn", CLIENTS_READ, "bsn.reveal", "R", True, lambda w, a: clients.reveal(w.db, a, w.client_id, "bsn")),
    ("get_financing", CLIENTS_READ, "financing.read", "R", True,
     lambda w, a: financing.get_financing(w.db, a, w.client_id)),
    ("get_portal", CLIENTS_READ, "portal.read", "R", True, lambda w, a: portal_access.get_portal(w.db, a, w.client_id)),
    ("export", CLIENTS_READ, "client.export", "E", True, lambda w, a: export.export_client(w.db, a, w.client_id)),
    ("add_staff", STAFF_MANAGE, "staff.create", "C", False,
     lambda w, a: staff.add_staff(w.db, a, username="nieuw", display_name="Nieuw", password="a-long-password",
                                  role="Reception", password_cost=2**4)),
]


@pytest.mark.parametrize(("perm", "action", "code", "client_bound", "call"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_missing_permission_is_refused_and_audited(world: World, perm: str, action: str, code: str,
                                                   client_bound: bool, call: Call) -> None:
    actor = without(world.admin, perm)
    assert not actor.can(perm)
    before_data = dump(world.db)
    before_audit = len(audit_events(world.db))

    result = call(world, actor)

    assert result.denied == perm
    assert not result.ok and result.value is None
    assert perm in result.message
    with pytest.raises(RuntimeError):
        result.unwrap()
    assert dump(world.db) == before_data
    new = audit_events(world.db)[before_audit:]
    assert len(new) == 1
    event = new[0]
    assert (event.outcome, event.permission, event.action, event.action_code) == ("denied", perm, action, code)
    assert (event.user_id, event.username, event.roles) == (actor.user_id, "beheer", "Administrator")
    assert event.client_id == (world.client_id if client_bound else None)
    assert event.workstation == actor.workstation and event.workstation

    # the counterpart: the refusal was caused by the missing permission, not by the input
    granted = call(world, world.admin)
    assert granted.ok, granted.errors
    latest = audit_events(world.db)[before_audit + 1:]
    assert [(e.outcome, e.action, e.action_code) for e in latest] == [("success", action, code)]
    if client_bound:
        assert latest[0].client_id == world.client_id


def test_an_actor_with_no_permissions_at_all(world: World) -> None:
    nobody = Actor(world.admin.user_id, "beheer", "Beheer", ("Administrator",), frozenset())
    results = [call(world, nobody) for *_rest, call in CASES]
    assert [r.denied for r in results] == [c[1] for c in CASES]
    denied = audit_events(world.db, outcome="denied")
    assert len(denied) == len(CASES)
