"""Drafts per (user, kind, client, object), and the AVG export of a whole record (audited)."""

from __future__ import annotations

import json
from datetime import timedelta

from scrivio_tui.services import drafts, export, financing, portal_access, trajectories
from scrivio_tui.services.base import SYSTEM, Actor
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import ClassificationPeriod, Document, Draft, Form
from tests.conftest import make_staff

from .conftest import count, days_from_today, ddmmyyyy, last_event, new_client


def test_draft_save_load_upsert_discard(db: Database, reception: Actor) -> None:
    assert drafts.load_draft(db, reception, "new_client") is None
    drafts.save_draft(db, reception, "new_client", {"first_name": "Ja"}, title="Ja")
    drafts.save_draft(db, reception, "new_client", {"first_name": "Jan", "last_name": "Jans"}, title="Jan Jans")
    assert count(db, Draft) == 1
    assert drafts.load_draft(db, reception, "new_client") == {"first_name": "Jan", "last_name": "Jans"}
    assert [d.title for d in drafts.list_drafts(db, reception)] == ["Jan Jans"]
    drafts.discard_draft(db, reception, "new_client")
    assert drafts.load_draft(db, reception, "new_client") is None and count(db, Draft) == 0


def test_drafts_are_kept_per_user_kind_client_and_object(db: Database, reception: Actor,
                                                         practitioner: Actor) -> None:
    slots = [(reception, "trajectory", 1, 0), (reception, "trajectory", 2, 0), (reception, "financing", 1, 0),
             (reception, "policy", 1, 7), (practitioner, "trajectory", 1, 0)]
    for i, (actor, kind, client_id, object_id) in enumerate(slots):
        drafts.save_draft(db, actor, kind, {"n": f"v{i}"}, client_id=client_id, object_id=object_id)
    assert count(db, Draft) == len(slots)
    for i, (actor, kind, client_id, object_id) in enumerate(slots):
        assert drafts.load_draft(db, actor, kind, client_id=client_id, object_id=object_id) == {"n": f"v{i}"}
    assert len(drafts.list_drafts(db, practitioner)) == 1
    drafts.discard_draft(db, reception, "trajectory", client_id=1)
    assert drafts.load_draft(db, reception, "trajectory", client_id=1) is None
    assert drafts.load_draft(db, reception, "trajectory", client_id=2) == {"n": "v1"}
    assert drafts.load_draft(db, practitioner, "trajectory", client_id=1) == {"n": "v4"}


def test_an_emptied_form_deletes_its_draft(db: Database, reception: Actor) -> None:
    drafts.save_draft(db, reception, "new_client", {"first_name": "Jan"})
    drafts.save_draft(db, reception, "new_client", {"first_name": "", "bsn": None, "consent": False})
    assert count(db, Draft) == 0


def test_a_draft_of_zeros_is_kept(db: Database, reception: Actor) -> None:
    drafts.save_draft(db, reception, "classification", {"item_1": 0, "item_2": 0}, client_id=3)
    assert drafts.load_draft(db, reception, "classification", client_id=3) == {"item_1": 0, "item_2": 0}


def test_no_draft_without_a_signed_in_user(db: Database) -> None:
    drafts.save_draft(db, SYSTEM, "new_client", {"first_name": "Jan"})
    assert count(db, Draft) == 0


def test_draft_data_round_trips_as_json(db: Database, reception: Actor) -> None:
    data = {"first_name": "Jan", "letter_on_file": True, "lead_practitioner": 3, "nested": {"a": [1, 2]}}
    drafts.save_draft(db, reception, "trajectory", data, client_id=5)
    assert drafts.load_draft(db, reception, "trajectory", client_id=5) == data


# ---------------------------------------------------------------- export (AVG art. 15)


def test_export_contains_the_whole_record_and_is_audited(db: Database, reception: Actor, lead: Actor) -> None:
    client = new_client(db, reception, bsn="111222333", email="jan@example.nl")
    start = days_from_today(-10)
    traj = trajectories.start_trajectory(db, reception, client.id, {
        "setting": "1", "start_date": ddmmyyyy(start), "lead_practitioner": lead.user_id, "dsm5_diagnosis": "05",
        "referrer_type": "01", "referrer_name": "Dr. Huisman", "referrer_agb": "01123456",
        "referral_date": ddmmyyyy(start - timedelta(days=2))}).unwrap()
    with db.transaction() as session:
        session.add(ClassificationPeriod(trajectory_id=traj.id, main_group="A", model_version="t", chosen_type="3",
                                         valid_from=start, answers={"1": 2}))
        form, doc = Form(title="PHQ-9", status="active"), Document(client_id=client.id, file_name="brief.pdf",
                                                                   file_type="pdf")
        session.add_all([form, doc])
        session.flush()
        form_id, doc_id = form.id, doc.id
    financing.save_policy(db, reception, client.id, {"insurer": "3311", "policy_number": "ZK1",
                                                     "valid_from": "01-01-2025"}).unwrap()
    financing.set_funding(db, reception, client.id, {"funded_by_insurance": True, "funded_by_own_contribution": True,
                                                     "iban": "NL91ABNA0417164300", "account_holder": "J. Jansen"})
    portal_access.request_sign_in_link(db, reception, client.id).unwrap()
    portal_access.assign_form(db, reception, client.id, {"form_id": form_id}).unwrap()
    portal_access.set_document_exposure(db, reception, client.id, doc_id, exposed=True).unwrap()

    auditor = make_staff(db, "privacy", "Administrator")
    record = export.export_client(db, auditor, client.id).unwrap()
    json.dumps(record)  # plain JSON, no dates or models left

    assert record["client"]["bsn"] == "111222333" and record["client"]["date_of_birth"] == "1985-03-12"
    [t] = record["care_trajectories"]
    assert t["id"] == traj.id and t["start_date"] == start.isoformat()
    assert {p["field"] for p in t["periods"]} == {"setting", "lead_practitioner", "dsm5_diagnosis"}
    assert t["referral"]["referrer_agb"] == "01123456"
    assert [c["chosen_type"] for c in t["classifications"]] == ["3"]
    assert record["funding"]["by_own_contribution"] is True
    assert [p["policy_number"] for p in record["insurance_policies"]] == ["ZK1"]
    assert record["own_contribution"]["iban"] == "NL91ABNA0417164300"
    [link] = record["portal"]["sign_in_links"]
    assert link["email"] == "jan@example.nl" and "idempotency_key" not in link
    assert [a["form_title"] for a in record["portal"]["form_assignments"]] == ["PHQ-9"]
    assert [d["exposed"] for d in record["portal"]["documents"]] == [True]
    actions = [e["action"] for e in record["access_log"]]
    assert actions[0] == "client.create" and "own_contribution.set" in actions and "form.assign" in actions
    assert {e["user"] for e in record["access_log"]} == {"receptie"}

    event = last_event(db)
    assert (event.action, event.action_code, event.client_id, event.username) == (
        "client.export", "E", client.id, "privacy")
    again = export.export_client(db, auditor, client.id).unwrap()
    assert again["access_log"][-1]["action"] == "client.export" and again["access_log"][-1]["user"] == "privacy"


def test_find_client_id_by_id_or_exact_bsn(db: Database, reception: Actor) -> None:
    client = new_client(db, reception, bsn="012345672")
    assert export.find_client_id(db, "012345672") == client.id
    assert export.find_client_id(db, f" {client.id} ") == client.id
    assert export.find_client_id(db, "12345672") is None
    assert export.find_client_id(db, "999990019") is None
    assert export.find_client_id(db, "Jansen") is None
