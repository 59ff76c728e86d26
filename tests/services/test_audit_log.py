"""The NEN 7513 audit line: one per action, ids and field names only, hash-chained, same transaction."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from scrivio_tui.services import (
    base,
    clients,
    export,
    financing,
    portal_access,
    trajectories,
)
from scrivio_tui.services.base import Actor, Result, verify_chain
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import (
    AuditEvent,
    CareTrajectory,
    Client,
    ClientAssignment,
    Document,
    Form,
    FormAssignment,
    Funding,
    InsurancePolicy,
    OwnContribution,
    Referral,
    SignInLinkRequest,
    TrajectoryPeriod,
)

from .conftest import audit_events, count, days_from_today, ddmmyyyy, new_client

SECRET = {"bsn": "111222333", "email": "j.jansen@voorbeeld.nl", "phone": "06-12345678",
          "first_name": "Hendrikus", "last_name": "Wolkenveld", "street": "Kerkstraat", "city": "Zwolle"}
IBAN = "NL91ABNA0417164300"
HOLDER = "H. Wolkenveld-Brouwer"
REFERRER = "Dokter Zonnebloem"
POLICY_NUMBER = "ZK98765432"


def one_event(db: Database, call: Callable[[], Result[Any]]) -> tuple[Result[Any], AuditEvent]:
    before = len(audit_events(db))
    result = call()
    assert result.ok, (result.errors, result.denied)
    new = audit_events(db)[before:]
    assert len(new) == 1, [(e.action, e.outcome) for e in new]
    assert new[0].outcome == "success"
    return result, new[0]


def shape(event: AuditEvent) -> tuple[Any, ...]:
    return (event.action, event.action_code, event.client_id, event.object_type, event.object_id, event.fields)


@pytest.fixture
def onboarded(db: Database, reception: Actor, lead: Actor) -> dict[str, Any]:
    """A client taken through every step, checking each step's single audit line on the way."""
    db_ = db
    r, e = one_event(db_, lambda: clients.create_client(db_, reception, {
        **SECRET, "date_of_birth": "12-03-1985", "house_number": "7", "postcode": "8011 AB"}))
    cid = r.value.id
    assert shape(e) == ("client.create", "C", cid, "client", str(cid),
                        "bsn,city,date_of_birth,email,first_name,house_number,last_name,phone,postcode,street")
    assert (e.user_id, e.username, e.roles, e.source) == (reception.user_id, "receptie", "Reception",
                                                          "scrivio-tui")

    start = days_from_today(-20)
    r, e = one_event(db_, lambda: trajectories.start_trajectory(db_, reception, cid, {
        "setting": "1", "start_date": ddmmyyyy(start), "lead_practitioner": lead.user_id, "dsm5_diagnosis": "05",
        "referrer_type": "01", "referrer_name": REFERRER, "referrer_agb": "01123456",
        "referral_date": ddmmyyyy(start - timedelta(days=3)), "letter_on_file": True}))
    tid = r.value.id
    assert shape(e) == ("trajectory.create", "C", cid, "care_trajectory", str(tid),
                        "dsm5_diagnosis,lead_practitioner,letter_on_file,referral_date,referrer_agb,"
                        "referrer_name,referrer_type,setting,start_date")

    r, e = one_event(db_, lambda: financing.save_policy(db_, reception, cid, {
        "insurer": "3311", "policy_number": POLICY_NUMBER, "valid_from": "01-01-2025"}))
    pid = r.value.id
    assert shape(e) == ("policy.add", "C", cid, "insurance_policy", str(pid),
                        "insurance_type,policy_number,uzovi,valid_from")

    r, e = one_event(db_, lambda: financing.save_policy(db_, reception, cid, {
        "insurer": "3311", "policy_number": POLICY_NUMBER + "9", "valid_from": "01-01-2025"}, pid))
    assert shape(e) == ("policy.edit", "U", cid, "insurance_policy", str(pid), "policy_number")

    r, e = one_event(db_, lambda: financing.set_funding(db_, reception, cid, {
        "funded_by_insurance": True, "funded_by_own_contribution": True, "iban": IBAN, "account_holder": HOLDER}))
    assert shape(e) == ("own_contribution.set", "U", cid, "funding", str(cid),
                        "account_holder,funded_by_insurance,funded_by_own_contribution,iban")

    r, e = one_event(db_, lambda: portal_access.request_sign_in_link(db_, reception, cid))
    assert shape(e) == ("portal.send_link", "E", cid, "sign_in_link", str(r.value.id), None)

    with db_.transaction() as session:
        form, doc = Form(title="PHQ-9", status="active"), Document(client_id=cid, file_name="brief.pdf",
                                                                   file_type="pdf")
        session.add(form)
        session.add(doc)
        session.flush()
        form_id, doc_id = form.id, doc.id
    r, e = one_event(db_, lambda: portal_access.assign_form(db_, reception, cid, {
        "form_id": form_id, "due_date": ddmmyyyy(days_from_today(7))}))
    assert shape(e) == ("form.assign", "C", cid, "form_assignment", str(r.value.id), "due_date,form_id")

    r, e = one_event(db_, lambda: portal_access.set_document_exposure(db_, reception, cid, doc_id, exposed=True,
                                                                       requires_acknowledgement=True))
    assert shape(e) == ("document.expose", "U", cid, "document", str(doc_id), "exposed,requires_acknowledgement")
    r, e = one_event(db_, lambda: portal_access.set_document_exposure(db_, reception, cid, doc_id, exposed=False))
    assert shape(e) == ("document.unexpose", "U", cid, "document", str(doc_id), "exposed")

    r, e = one_event(db_, lambda: clients.update_client(db_, reception, cid, {
        **SECRET, "date_of_birth": "12-03-1985", "house_number": "7", "postcode": "8011 AB",
        "email": "hw@voorbeeld.nl"}))
    assert shape(e) == ("client.update", "U", cid, "client", str(cid), "email")

    for term in ("Wolkenveld", SECRET["bsn"], "voorbeeld", "12-03-1985"):
        r, e = one_event(db_, lambda term=term: clients.search(db_, reception, term))
        assert shape(e) == ("client.search", "R", None, "client_list", None, None)
        assert e.detail == "1 rows"
    r, e = one_event(db_, lambda: clients.get_summary(db_, reception, cid))
    assert shape(e) == ("client.read", "R", cid, "client", str(cid), None)
    r, e = one_event(db_, lambda: clients.reveal(db_, reception, cid, "iban"))
    assert r.value == IBAN and shape(e) == ("iban.reveal", "R", cid, "client", str(cid), "iban")
    r, e = one_event(db_, lambda: financing.get_financing(db_, reception, cid))
    assert shape(e) == ("financing.read", "R", cid, "funding", None, None)
    r, e = one_event(db_, lambda: portal_access.get_portal(db_, reception, cid))
    assert shape(e) == ("portal.read", "R", cid, "portal", None, None)
    r, e = one_event(db_, lambda: trajectories.list_trajectories(db_, reception, cid))
    assert shape(e) == ("trajectory.read", "R", cid, "care_trajectory", None, None)
    r, e = one_event(db_, lambda: export.export_client(db_, reception, cid))
    assert shape(e) == ("client.export", "E", cid, "client", str(cid), None)
    r, e = one_event(db_, lambda: financing.delete_policy(db_, reception, cid, pid))
    assert shape(e) == ("policy.delete", "D", cid, "insurance_policy", str(pid), None)
    return {"client_id": cid, "trajectory_id": tid}


def test_every_step_writes_exactly_one_line(onboarded: dict[str, Any], db: Database) -> None:
    actions = [e.action for e in audit_events(db, client_id=onboarded["client_id"])]
    assert actions[0] == "client.create" and actions[-1] == "policy.delete"
    assert verify_chain(db) is None


def test_no_audit_line_contains_personal_values(onboarded: dict[str, Any], db: Database) -> None:
    forbidden = [SECRET["bsn"], "2333", IBAN, "0417164300", HOLDER, "Wolkenveld", "Hendrikus", REFERRER,
                 "voorbeeld.nl", "+31612345678", "12345678", "Kerkstraat", "Zwolle", "8011", POLICY_NUMBER,
                 "01123456", "1985-03-12", "12-03-1985"]
    with db.read() as session:
        rows = session.execute(text("SELECT * FROM audit_event")).all()
    assert len(rows) > 20
    for row in rows:
        line = " | ".join("" if v is None else str(v) for v in row)
        for value in forbidden:
            assert value.lower() not in line.lower(), f"{value!r} leaked into audit line {row}"


def test_every_line_carries_the_nen7513_minimum(onboarded: dict[str, Any], db: Database) -> None:
    for event in audit_events(db):
        assert event.at.tzinfo is not None
        assert event.username and event.action and event.action_code in "CRUDE" and event.outcome
        assert event.workstation and event.source == "scrivio-tui"
        assert len(event.hash) == 64


# ---------------------------------------------------------------- hash chain


@pytest.fixture
def few(db: Database, reception: Actor) -> list[AuditEvent]:
    """A short log: sign-in, create, update, search, read (the chain tests need no whole journey)."""
    client = new_client(db, reception, bsn="111222333")
    clients.update_client(db, reception, client.id, {"first_name": "Johannes", "last_name": "Jansen",
                                                     "date_of_birth": "12-03-1985", "bsn": "111222333"}).unwrap()
    clients.search(db, reception, "jan").unwrap()
    clients.get_summary(db, reception, client.id).unwrap()
    events = audit_events(db)
    assert len(events) >= 6 and verify_chain(db) is None
    return events


def test_chain_links_each_line_to_the_previous(onboarded: dict[str, Any], db: Database) -> None:
    events = audit_events(db)
    assert events[0].prev_hash == ""
    for prev, event in itertools.pairwise(events):
        assert event.prev_hash == prev.hash
    assert len({e.hash for e in events}) == len(events)


@pytest.mark.parametrize(("column", "value"), [("action", "'client.read'"), ("outcome", "'failed'"),
                                              ("client_id", "999"), ("fields", "NULL"), ("user_id", "NULL"),
                                              ("username", "'someone'"), ("detail", "'edited'"),
                                              ("object_id", "'77'"), ("at", "'2020-01-01 00:00:00.000000'")])
def test_editing_a_line_with_raw_sql_breaks_the_chain_there(few: list[AuditEvent], db: Database,
                                                            column: str, value: str) -> None:
    target = audit_events(db, action="client.create")[0].id
    with db.transaction() as session:
        session.execute(text(f"UPDATE audit_event SET {column} = {value} WHERE id = :id"), {"id": target})
    assert verify_chain(db) == target


def test_deleting_a_line_breaks_the_chain_at_the_next(few: list[AuditEvent], db: Database) -> None:
    events = few
    victim = events[3]
    with db.transaction() as session:
        session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": victim.id})
    assert verify_chain(db) == events[4].id


def test_rehashing_an_edited_line_still_breaks_the_chain_at_the_next(few: list[AuditEvent],
                                                                     db: Database) -> None:
    events = few
    target = events[3]
    with db.transaction() as session:
        row = session.get(AuditEvent, target.id)
        assert row is not None
        row.detail = "forged"
        row.hash = base._chain_hash(row.prev_hash, row)
        session.add(row)
    assert verify_chain(db) == events[4].id


@pytest.mark.parametrize(("column", "value"), [("roles", "'Administrator'"), ("workstation", "'elsewhere'"),
                                              ("permission", "NULL"), ("source", "'other'")])
def test_editing_role_workstation_or_permission_breaks_the_chain(db: Database, reception: Actor,
                                                                column: str, value: str) -> None:
    refused = clients.create_client(db, Actor(reception.user_id, "receptie", "R", ("Reception",), frozenset()), {})
    assert refused.denied == "clients.create"
    target = audit_events(db, outcome="denied")[0].id
    with db.transaction() as session:
        session.execute(text(f"UPDATE audit_event SET {column} = {value} WHERE id = :id"), {"id": target})
    assert verify_chain(db) == target


def test_overlapping_transactions_keep_one_chain(db: Database, reception: Actor) -> None:
    read_prev = threading.Event()
    other_done = threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with db.transaction() as session:
                base.audit(session, reception, "client.search", "R", detail="first")
                read_prev.set()
                other_done.wait(timeout=2)  # the other commits now, unless it is (rightly) blocked
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def second() -> None:
        try:
            read_prev.wait(timeout=5)
            with db.transaction() as session:
                base.audit(session, reception, "client.search", "R", detail="second")
            other_done.set()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert not errors
    assert {e.detail for e in audit_events(db)} >= {"first", "second"}
    assert verify_chain(db) is None


# ---------------------------------------------------------------- same transaction


def _failing_audit(real: Callable[..., AuditEvent]) -> Callable[..., AuditEvent]:
    """Let audit() build its line, then make the INSERT of that line fail (NOT NULL username)."""

    def wrapper(*args: Any, **kwargs: Any) -> AuditEvent:
        event = real(*args, **kwargs)
        event.username = None  # type: ignore[assignment]
        return event

    return wrapper


WRITE_CASES: list[tuple[str, Any, Callable[..., Result[Any]], tuple[type, ...]]] = [
    ("create_client", clients,
     lambda db, a, w: clients.create_client(db, a, {"first_name": "Piet", "last_name": "Nieuw",
                                                     "date_of_birth": "01-01-1990"}),
     (Client, ClientAssignment)),
    ("update_client", clients,
     lambda db, a, w: clients.update_client(db, a, w["client_id"], {"first_name": "Changed", "last_name": "Jansen",
                                                                    "date_of_birth": "12-03-1985"}),
     (Client,)),
    ("start_trajectory", trajectories,
     lambda db, a, w: trajectories.start_trajectory(db, a, w["client_id"], {
         "setting": "1", "start_date": ddmmyyyy(days_from_today(-1)), "lead_practitioner": w["lead_id"],
         "referrer_type": "06"}),
     (CareTrajectory, TrajectoryPeriod, Referral)),
    ("save_policy", financing,
     lambda db, a, w: financing.save_policy(db, a, w["client_id"], {"insurer": "3311", "policy_number": "A1",
                                                                    "valid_from": "01-01-2025"}),
     (InsurancePolicy,)),
    ("set_funding", financing,
     lambda db, a, w: financing.set_funding(db, a, w["client_id"], {
         "funded_by_own_contribution": True, "iban": IBAN, "account_holder": HOLDER}),
     (Funding, OwnContribution)),
    ("send_link", portal_access, lambda db, a, w: portal_access.request_sign_in_link(db, a, w["client_id"]),
     (SignInLinkRequest,)),
    ("assign_form", portal_access,
     lambda db, a, w: portal_access.assign_form(db, a, w["client_id"], {"form_id": w["form_id"]}),
     (FormAssignment,)),
]


@pytest.mark.parametrize(("module", "call", "tables"), [c[1:] for c in WRITE_CASES], ids=[c[0] for c in WRITE_CASES])
def test_failed_audit_insert_rolls_back_the_data(db: Database, reception: Actor, lead: Actor,
                                                 monkeypatch: pytest.MonkeyPatch, module: Any,
                                                 call: Callable[..., Result[Any]], tables: tuple[type, ...]) -> None:
    client = new_client(db, reception, email="jan@example.nl")
    with db.transaction() as session:
        form = Form(title="PHQ-9", status="active")
        session.add(form)
        session.flush()
        form_id = form.id
    world = {"client_id": client.id, "lead_id": lead.user_id, "form_id": form_id}
    with db.read() as session:
        before_client = session.get(Client, client.id)
    before = {t.__name__: count(db, t) for t in (*tables, AuditEvent)}

    monkeypatch.setattr(module, "audit", _failing_audit(base.audit))
    with pytest.raises(Exception, match=r"(?i)not null|null value"):
        call(db, reception, world)

    assert {t.__name__: count(db, t) for t in (*tables, AuditEvent)} == before
    with db.read() as session:
        assert session.get(Client, client.id) == before_client
        assert session.exec(select(Client).where(Client.first_name == "Changed")).first() is None
    assert verify_chain(db) is None
