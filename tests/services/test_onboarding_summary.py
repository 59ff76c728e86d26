"""The client hub: stepper states, signals and next step for clients at different onboarding stages."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from scrivio_tui.services import clients, financing, portal_access, trajectories
from scrivio_tui.services.base import Actor
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import ClassificationPeriod, SignInLinkRequest
from scrivio_tui.store.queries import ATTENTION, DONE, OPEN, Summary

from .conftest import days_from_today, ddmmyyyy, new_client


def hub(db: Database, actor: Actor, client_id: int) -> Summary:
    result = clients.get_summary(db, actor, client_id)
    assert result.ok and result.value is not None
    return result.value


def steps(s: Summary) -> tuple[str, ...]:
    return tuple(s.steps[k] for k in ("client", "care_trajectory", "classification", "financing", "portal"))


def signals(s: Summary) -> set[tuple[str, str]]:
    return set(s.signals)


def start(db: Database, actor: Actor, lead: Actor, client_id: int, **extra: Any) -> int:
    traj = trajectories.start_trajectory(db, actor, client_id, {
        "setting": "1", "start_date": ddmmyyyy(days_from_today(-30)), "lead_practitioner": lead.user_id,
        **extra}).unwrap()
    assert traj.id is not None
    return traj.id


def classify(db: Database, trajectory_id: int, review_due_in: int) -> None:
    with db.transaction() as session:
        session.add(ClassificationPeriod(trajectory_id=trajectory_id, main_group="A", model_version="t",
                                         chosen_type="3", valid_from=days_from_today(-29),
                                         review_due=days_from_today(review_due_in)))


REFERRAL = {"referrer_type": "01", "referrer_name": "Dr. Huisman", "referrer_agb": "01123456",
            "referral_date": ddmmyyyy(days_from_today(-40))}


def test_new_client_without_bsn_or_email(db: Database, reception: Actor) -> None:
    client = new_client(db, reception)
    s = hub(db, reception, client.id)
    assert steps(s) == (ATTENTION, OPEN, OPEN, OPEN, ATTENTION)
    assert signals(s) == {(ATTENTION, "missing_bsn"), (ATTENTION, "no_email")}
    assert s.next_step == "care_trajectory"  # open steps first, in journey order
    assert s.trajectory is None and s.funding is None and s.policies == [] and s.last_link is None


def test_trajectory_without_classification_or_referral(db: Database, reception: Actor, lead: Actor) -> None:
    client = new_client(db, reception, bsn="111222333", email="jan@example.nl")
    traj_id = start(db, reception, lead, client.id, dsm5_diagnosis="04")
    s = hub(db, reception, client.id)
    assert steps(s) == (DONE, DONE, ATTENTION, OPEN, OPEN)
    assert signals(s) == {(ATTENTION, "classification_missing"), (OPEN, "missing_referral")}
    assert s.trajectory is not None and s.trajectory.id == traj_id
    assert {k: p.value for k, p in s.periods.items()} == {"setting": "1", "lead_practitioner": str(lead.user_id),
                                                          "dsm5_diagnosis": "04"}
    assert s.next_step == "financing"


def test_overdue_review_needs_attention(db: Database, reception: Actor, lead: Actor) -> None:
    client = new_client(db, reception, bsn="111222333", email="jan@example.nl")
    classify(db, start(db, reception, lead, client.id, **REFERRAL), review_due_in=-1)
    s = hub(db, reception, client.id)
    assert s.steps["classification"] == ATTENTION
    assert (ATTENTION, "review_overdue") in signals(s)
    assert s.referral is not None and s.referral.referrer_agb == "01123456"


def test_insurance_without_policy_then_unverified_then_insured(db: Database, reception: Actor) -> None:
    client = new_client(db, reception, bsn="111222333", email="jan@example.nl")
    financing.set_funding(db, reception, client.id, {"funded_by_insurance": True}).unwrap()
    s = hub(db, reception, client.id)
    assert s.steps["financing"] == ATTENTION and (ATTENTION, "unverified_policy") in signals(s)

    policy = financing.save_policy(db, reception, client.id, {"insurer": "3311", "policy_number": "ZK1",
                                                              "valid_from": "01-01-2025"}).unwrap()
    s = hub(db, reception, client.id)
    assert s.steps["financing"] == DONE and (ATTENTION, "unverified_policy") in signals(s)
    assert [p.id for p in s.policies] == [policy.id]

    with db.transaction() as session:
        session.execute(text("UPDATE insurance_policy SET verification_status = 'insured'"))
    assert (ATTENTION, "unverified_policy") not in signals(hub(db, reception, client.id))


def test_own_contribution_alone_completes_financing(db: Database, reception: Actor) -> None:
    client = new_client(db, reception)
    financing.set_funding(db, reception, client.id, {"funded_by_own_contribution": True,
                                                     "iban": "NL91ABNA0417164300", "account_holder": "J. Jansen"})
    s = hub(db, reception, client.id)
    assert s.steps["financing"] == DONE
    assert s.own_contribution is not None and s.own_contribution.iban == "NL91ABNA0417164300"
    assert not any(sig == "unverified_policy" for _, sig in s.signals)


@pytest.mark.parametrize(("status", "state"), [("queued", DONE), ("sent", DONE), ("failed", OPEN)])
def test_portal_step_follows_the_last_sign_in_link(db: Database, reception: Actor, status: str,
                                                   state: str) -> None:
    client = new_client(db, reception, email="jan@example.nl")
    assert hub(db, reception, client.id).steps["portal"] == OPEN
    link = portal_access.request_sign_in_link(db, reception, client.id).unwrap()
    with db.transaction() as session:
        session.execute(text("UPDATE sign_in_link_request SET status = :s WHERE id = :i"),
                        {"s": status, "i": link.id})
    s = hub(db, reception, client.id)
    assert s.steps["portal"] == state
    assert isinstance(s.last_link, SignInLinkRequest) and s.last_link.id == link.id


def test_fully_onboarded_client(db: Database, reception: Actor, lead: Actor) -> None:
    client = new_client(db, reception, bsn="111222333", email="jan@example.nl")
    classify(db, start(db, reception, lead, client.id, **REFERRAL), review_due_in=90)
    financing.set_funding(db, reception, client.id, {"funded_by_insurance": True}).unwrap()
    financing.save_policy(db, reception, client.id, {"insurer": "3311", "policy_number": "ZK1",
                                                     "valid_from": "01-01-2025"}).unwrap()
    with db.transaction() as session:
        session.execute(text("UPDATE insurance_policy SET verification_status = 'insured'"))
    portal_access.request_sign_in_link(db, reception, client.id).unwrap()
    s = hub(db, reception, client.id)
    assert steps(s) == (DONE,) * 5
    assert s.signals == []
    assert s.next_step is None
    assert s.classification is not None and s.classification.chosen_type == "3"


def test_attention_step_is_next_when_nothing_is_open(db: Database, reception: Actor, lead: Actor) -> None:
    client = new_client(db, reception, email="jan@example.nl")  # no BSN: client step needs attention
    classify(db, start(db, reception, lead, client.id, **REFERRAL), review_due_in=90)
    financing.set_funding(db, reception, client.id, {"funded_by_insurance": True}).unwrap()
    financing.save_policy(db, reception, client.id, {"insurer": "3311", "policy_number": "ZK1",
                                                     "valid_from": "01-01-2025"}).unwrap()
    portal_access.request_sign_in_link(db, reception, client.id).unwrap()
    s = hub(db, reception, client.id)
    assert steps(s) == (ATTENTION, DONE, DONE, DONE, DONE)
    assert s.next_step == "client"


def test_pending_forms_and_exposed_documents_are_counted(db: Database, reception: Actor) -> None:
    from scrivio_tui.store.models import Document, Form

    client = new_client(db, reception)
    with db.transaction() as session:
        forms = [Form(title=f"F{i}", status="active") for i in range(2)]
        docs = [Document(client_id=client.id, file_name=f"d{i}.pdf", file_type="pdf") for i in range(3)]
        session.add_all([*forms, *docs])
        session.flush()
        form_ids, doc_ids = [f.id for f in forms], [d.id for d in docs]
    for form_id in form_ids:
        portal_access.assign_form(db, reception, client.id, {"form_id": form_id}).unwrap()
    portal_access.set_document_exposure(db, reception, client.id, doc_ids[0], exposed=True).unwrap()
    s = hub(db, reception, client.id)
    assert (s.pending_forms, s.exposed_documents) == (2, 1)
