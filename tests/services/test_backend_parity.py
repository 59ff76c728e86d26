"""The main service cases on both stores: the embedded SQLite file and a shared PostgreSQL server.

The PostgreSQL half skips (with the reason) when SCRIVIO_TEST_POSTGRES_URL is unset.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from scrivio_tui.services import base, clients, export, financing, trajectories
from scrivio_tui.services.base import Actor, verify_chain
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import AuditEvent, CareTrajectory, Client, InsurancePolicy, TrajectoryPeriod
from tests.conftest import make_staff

from .conftest import JAN, audit_events, count, days_from_today, ddmmyyyy, restricted_practitioner, without


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest) -> Database:
    database: Database = request.getfixturevalue("db" if request.param == "sqlite" else "pg_db")
    assert database.is_postgres is (request.param == "postgres")
    return database


@pytest.fixture
def people(store: Database) -> dict[str, Actor]:
    return {"reception": make_staff(store, "receptie", "Reception"),
            "lead": make_staff(store, "devries", "Practitioner", practitioner=True, profession="psychiatrist"),
            "other": make_staff(store, "bakker", "Practitioner", practitioner=True, profession="gz_psychologist")}


def test_create_client_and_duplicates(store: Database, people: dict[str, Actor]) -> None:
    rec = people["reception"]
    first = clients.create_client(store, rec, {**JAN, "bsn": "012345672", "email": "Jan@Example.NL"}).unwrap()
    assert (first.bsn, first.email) == ("012345672", "Jan@example.nl")
    dup = clients.create_client(store, rec, {"first_name": "Piet", "last_name": "Anders",
                                             "date_of_birth": "01-01-1990", "bsn": "0123 45 672"})
    assert dup.duplicate_of == first.id and "bsn" in dup.errors
    similar = clients.create_client(store, rec, {**JAN, "first_name": "Johanna", "last_name": "JANSEN"})
    assert similar.needs_confirmation and count(store, Client) == 1
    assert clients.create_client(store, rec, {**JAN, "first_name": "Johanna"}, confirm_similar=True).ok
    assert count(store, Client) == 2


def test_trajectory_first_periods(store: Database, people: dict[str, Actor]) -> None:
    rec, lead = people["reception"], people["lead"]
    client = clients.create_client(store, rec, JAN).unwrap()
    start = days_from_today(-7)
    traj = trajectories.start_trajectory(store, rec, client.id, {
        "setting": "5", "start_date": ddmmyyyy(start), "lead_practitioner": lead.user_id,
        "basic_ggz_profile": "GBG02"}).unwrap()
    assert (traj.client_id, traj.start_date, traj.status) == (client.id, start, "active")
    with store.read() as session:
        rows = session.execute(text("SELECT field, value, valid_from FROM trajectory_period ORDER BY field")).all()
    assert [(f, v, str(d)[:10]) for f, v, d in rows] == [
        ("basic_ggz_profile", "GBG02", start.isoformat()), ("lead_practitioner", str(lead.user_id), start.isoformat()),
        ("setting", "5", start.isoformat())]
    refused = trajectories.start_trajectory(store, rec, client.id, {
        "setting": "5", "start_date": ddmmyyyy(start), "lead_practitioner": rec.user_id})
    assert set(refused.errors) == {"lead_practitioner"}
    assert count(store, CareTrajectory) == 1 and count(store, TrajectoryPeriod) == 3


def test_policy_overlap(store: Database, people: dict[str, Actor]) -> None:
    rec = people["reception"]
    client = clients.create_client(store, rec, JAN).unwrap()
    base_policy = {"insurer": "3311", "policy_number": "ZK1", "valid_from": "01-01-2025", "valid_until": "31-12-2025"}
    financing.save_policy(store, rec, client.id, base_policy).unwrap()
    clash = financing.save_policy(store, rec, client.id, {**base_policy, "policy_number": "ZK2",
                                                          "valid_from": "31-12-2025", "valid_until": ""})
    assert set(clash.errors) == {"valid_from"}
    assert financing.save_policy(store, rec, client.id, {**base_policy, "policy_number": "ZK2",
                                                         "valid_from": "01-01-2026", "valid_until": ""}).ok
    assert financing.save_policy(store, rec, client.id, {**base_policy, "policy_number": "AV1",
                                                         "insurance_type": "supplementary"}).ok
    assert count(store, InsurancePolicy) == 3


def test_search_and_visibility(store: Database, people: dict[str, Actor]) -> None:
    rec, lead = people["reception"], people["lead"]
    led = clients.create_client(store, rec, {**JAN, "bsn": "111222333", "email": "jan@voorbeeld.nl"}).unwrap()
    clients.create_client(store, rec, {"first_name": "Carla", "last_name": "Vreemd", "date_of_birth": "03-04-1990",
                                       "bsn": "999990019"}).unwrap()
    trajectories.start_trajectory(store, rec, led.id, {"setting": "1", "start_date": ddmmyyyy(days_from_today(-1)),
                                                       "lead_practitioner": lead.user_id}).unwrap()

    def found(actor: Actor, term: str) -> list[str]:
        return [r.name for r in clients.search(store, actor, term).unwrap()]

    assert found(rec, "") == ["Jan Jansen", "Carla Vreemd"]
    assert found(rec, "JANS") == ["Jan Jansen"] and found(rec, "VOORBEELD") == ["Jan Jansen"]
    assert found(rec, "03-04-1990") == ["Carla Vreemd"]
    assert found(rec, "999990019") == ["Carla Vreemd"] and found(rec, "99999001") == []
    assert found(restricted_practitioner(lead), "") == ["Jan Jansen"]
    assert found(restricted_practitioner(lead), "999990019") == []
    assert found(restricted_practitioner(people["other"]), "") == []


def test_audit_chain_and_tampering(store: Database, people: dict[str, Actor]) -> None:
    rec = people["reception"]
    client = clients.create_client(store, rec, {**JAN, "bsn": "111222333"}).unwrap()
    clients.get_summary(store, rec, client.id).unwrap()
    export.export_client(store, rec, client.id).unwrap()
    assert clients.create_client(store, without(rec, "clients.create"), JAN).denied == "clients.create"
    events = audit_events(store)
    assert [e.action for e in events][-4:] == ["client.create", "client.read", "client.export", "client.create"]
    assert events[-1].outcome == "denied" and all(e.at.tzinfo is not None for e in events)
    assert verify_chain(store) is None
    target = next(e.id for e in events if e.action == "client.read")
    with store.transaction() as session:
        session.execute(text("UPDATE audit_event SET client_id = 4242 WHERE id = :i"), {"i": target})
    assert verify_chain(store) == target


def test_data_and_audit_line_commit_together(store: Database, people: dict[str, Actor],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    rec = people["reception"]
    before = (count(store, Client), count(store, AuditEvent))

    def failing(*args: Any, **kwargs: Any) -> AuditEvent:
        event = base.audit(*args, **kwargs)
        event.action_code = None  # type: ignore[assignment]
        return event

    monkeypatch.setattr(clients, "audit", failing)
    with pytest.raises(Exception, match=r"(?i)not null|null value"):
        clients.create_client(store, rec, JAN)
    assert (count(store, Client), count(store, AuditEvent)) == before
    monkeypatch.undo()
    assert clients.create_client(store, rec, JAN).ok
    assert verify_chain(store) is None
