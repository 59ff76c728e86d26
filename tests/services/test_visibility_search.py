"""Who sees which client (spec §1, §2.1): the overview search never discovers clients outside one's
treatment relationships, and a BSN only matches as the exact nine digits."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from scrivio_tui.services import clients, export, financing, portal_access, trajectories
from scrivio_tui.services.base import Actor
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import AuditEvent, ClassificationPeriod, ClientAssignment, TrajectoryPeriod
from tests.conftest import make_staff

from .conftest import audit_events, count, days_from_today, ddmmyyyy, new_client, restricted_practitioner


def names(db: Database, actor: Actor, term: str = "", **kw: bool) -> list[str]:
    result = clients.search(db, actor, term, **kw)
    assert result.ok and result.value is not None
    return [row.name for row in result.value]


@pytest.fixture
def people(db: Database, reception: Actor, lead: Actor) -> dict[str, object]:
    """Three clients: one assigned to `smit`, one whose trajectory `devries` leads, one of nobody's."""
    smit = make_staff(db, "smit", "Practitioner", practitioner=True, profession="gz_psychologist")
    assigned = new_client(db, reception, first_name="Anna", last_name="Assen", date_of_birth="01-02-1970",
                          bsn="111222333", email="anna@voorbeeld.nl")
    led = new_client(db, reception, first_name="Bert", last_name="Leiden", date_of_birth="02-03-1980",
                     bsn="123456782", last_name_prefix="van")
    other = new_client(db, reception, first_name="Carla", last_name="Vreemd", date_of_birth="03-04-1990",
                       bsn="999990019", email="carla@elders.nl")
    with db.transaction() as session:
        session.add(ClientAssignment(client_id=assigned.id, user_id=smit.user_id))
    trajectories.start_trajectory(db, reception, led.id, {
        "setting": "1", "start_date": ddmmyyyy(days_from_today(-30)), "lead_practitioner": lead.user_id}).unwrap()
    with db.transaction() as session:  # visibility through the lead period alone, not the assignment
        session.execute(text("DELETE FROM client_assignment WHERE client_id = :c"), {"c": led.id})
    return {"smit": restricted_practitioner(smit), "lead": restricted_practitioner(lead),
            "assigned": assigned, "led": led, "other": other}


def test_reception_with_read_all_sees_everyone_sorted_by_last_name(db: Database, reception: Actor,
                                                                   people: dict[str, object]) -> None:
    assert names(db, reception) == ["Anna Assen", "Bert van Leiden", "Carla Vreemd"]


def test_practitioner_sees_only_assigned_clients(db: Database, people: dict[str, object]) -> None:
    assert names(db, people["smit"]) == ["Anna Assen"]


def test_practitioner_sees_clients_whose_active_trajectory_they_lead(db: Database,
                                                                     people: dict[str, object]) -> None:
    assert names(db, people["lead"]) == ["Bert van Leiden"]


def test_closed_trajectory_no_longer_gives_visibility(db: Database, people: dict[str, object]) -> None:
    with db.transaction() as session:
        session.execute(text("UPDATE care_trajectory SET status = 'closed'"))
    assert names(db, people["lead"]) == []


def test_former_lead_loses_visibility(db: Database, people: dict[str, object], practitioner: Actor) -> None:
    led = people["led"]
    with db.transaction() as session:
        traj_id = session.execute(text("SELECT id FROM care_trajectory WHERE client_id = :c"),
                                  {"c": led.id}).scalar_one()  # type: ignore[attr-defined]
        session.add(TrajectoryPeriod(trajectory_id=traj_id, field="lead_practitioner",
                                     value=str(practitioner.user_id), valid_from=days_from_today(-1)))
    assert names(db, restricted_practitioner(practitioner)) == ["Bert van Leiden"]
    assert names(db, people["lead"]) == []


@pytest.mark.parametrize("term", ["Vreemd", "carla", "999990019", "03-04-1990", "elders.nl"])
def test_search_never_discovers_invisible_clients(db: Database, people: dict[str, object], term: str) -> None:
    assert names(db, people["smit"], term) == []
    assert names(db, people["lead"], term) == []


def test_invisible_client_cannot_be_opened_edited_or_exported(db: Database, people: dict[str, object],
                                                              lead: Actor) -> None:
    outsider, other = people["smit"], people["other"]
    before = count(db, AuditEvent)
    summary = clients.get_summary(db, outsider, other.id)
    assert "__all__" in summary.errors and summary.value is None
    events = audit_events(db)[before:]
    assert [(e.action, e.outcome, e.client_id) for e in events] == [("client.read", "not_found", other.id)]
    for result in (clients.get_client(db, outsider, other.id),
                   clients.update_client(db, outsider, other.id, {"first_name": "X", "last_name": "Vreemd",
                                                                  "date_of_birth": "03-04-1990"}),
                   clients.reveal(db, outsider, other.id, "bsn"),
                   financing.get_financing(db, outsider, other.id),
                   financing.set_funding(db, outsider, other.id, {"funded_by_insurance": True}),
                   portal_access.get_portal(db, outsider, other.id),
                   portal_access.request_sign_in_link(db, outsider, other.id),
                   trajectories.list_trajectories(db, outsider, other.id),
                   trajectories.start_trajectory(db, outsider, other.id, {
                       "setting": "1", "start_date": ddmmyyyy(days_from_today(-1)),
                       "lead_practitioner": lead.user_id}),
                   export.export_client(db, outsider, other.id)):
        assert "__all__" in result.errors and result.value is None
    assert clients.get_client(db, outsider, people["assigned"].id).ok


# ---------------------------------------------------------------- the search itself


def test_bsn_matches_only_as_exact_nine_digits(db: Database, reception: Actor, people: dict[str, object]) -> None:
    assert names(db, reception, "111222333") == ["Anna Assen"]
    assert names(db, reception, " 111222333 ") == ["Anna Assen"]
    for partial in ("11122233", "1112223", "111", "22233", "2333", "111222334", "1112223330"):
        assert names(db, reception, partial) == [], partial


@pytest.mark.parametrize(("term", "expected"), [
    ("anna", ["Anna Assen"]), ("ASSEN", ["Anna Assen"]), ("van", ["Bert van Leiden"]),
    ("bert leiden", ["Bert van Leiden"]), ("bert assen", []), ("voorbeeld", ["Anna Assen"]),
    ("01-02-1970", ["Anna Assen"]), ("1-2-1970", ["Anna Assen"]), ("02/03/1980", ["Bert van Leiden"]),
    ("carla 03-04-1990", ["Carla Vreemd"]), ("", ["Anna Assen", "Bert van Leiden", "Carla Vreemd"]),
    ("e", ["Anna Assen", "Bert van Leiden", "Carla Vreemd"]),
])
def test_search_terms(db: Database, reception: Actor, people: dict[str, object], term: str,
                      expected: list[str]) -> None:
    assert names(db, reception, term) == expected


def test_overview_row_columns(db: Database, reception: Actor, people: dict[str, object]) -> None:
    rows = {r.name: r for r in clients.search(db, reception, "").unwrap()}
    anna, bert = rows["Anna Assen"], rows["Bert van Leiden"]
    assert (anna.date_of_birth, anna.email, anna.status, anna.active_trajectory) == (
        date(1970, 2, 1), "anna@voorbeeld.nl", "active", "")
    assert bert.active_trajectory.startswith("Outpatient ") and bert.sort_name == "Leiden, Bert van"
    assert not bert.review_overdue


def test_review_overdue_flag_in_the_overview(db: Database, reception: Actor, people: dict[str, object]) -> None:
    with db.transaction() as session:
        traj_id = session.execute(text("SELECT id FROM care_trajectory")).scalar_one()
        for due in (days_from_today(30), days_from_today(-1)):  # the latest classification counts
            session.add(ClassificationPeriod(trajectory_id=traj_id, main_group="A", model_version="t",
                                             chosen_type="1", valid_from=days_from_today(-30), review_due=due))
    rows = {r.name: r for r in clients.search(db, reception, "").unwrap()}
    assert rows["Bert van Leiden"].review_overdue and not rows["Anna Assen"].review_overdue


def test_archived_clients_only_with_the_toggle(db: Database, reception: Actor, people: dict[str, object]) -> None:
    with db.transaction() as session:
        session.execute(text("UPDATE client SET status = 'archived' WHERE id = :c"), {"c": people["other"].id})
    assert "Carla Vreemd" not in names(db, reception)
    assert names(db, reception, "", archived=True) == ["Carla Vreemd"]
    assert audit_events(db)[-1].detail == "1 rows (archived)"


def test_search_limit(db: Database, reception: Actor, people: dict[str, object]) -> None:
    assert len(clients.search(db, reception, "", limit=2).unwrap()) == 2
