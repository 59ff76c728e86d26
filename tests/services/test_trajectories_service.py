"""Starting a care trajectory (spec §5): versioned first periods, referral, lead practitioner rules."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from scrivio_tui.services import staff, trajectories
from scrivio_tui.services.base import Actor
from scrivio_tui.store import queries
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import CareTrajectory, ClientAssignment, Referral, TrajectoryPeriod
from scrivio_tui.store.schemas import format_date
from tests.conftest import make_staff

from .conftest import count, days_from_today, ddmmyyyy, new_client


def raw(lead: Actor | int | None, **fields: Any) -> dict[str, Any]:
    lead_id = lead.user_id if isinstance(lead, Actor) else lead
    return {"setting": "1", "start_date": ddmmyyyy(days_from_today(-14)), "lead_practitioner": lead_id, **fields}


def periods(db: Database, trajectory_id: int) -> dict[str, tuple[str | None, str]]:
    with db.read() as session:
        rows = session.exec(select(TrajectoryPeriod).where(TrajectoryPeriod.trajectory_id == trajectory_id)
                            .order_by(col(TrajectoryPeriod.id))).all()
        return {r.field: (r.value, r.valid_from.isoformat()) for r in rows}


def test_each_given_versioned_field_opens_its_first_period_at_the_start_date(
        db: Database, reception: Actor, lead: Actor) -> None:
    client = new_client(db, reception)
    start = days_from_today(-14)
    result = trajectories.start_trajectory(db, reception, client.id, raw(
        lead, dsm5_diagnosis="05", basic_ggz_profile="GBG03", referrer_type="06"))
    assert result.ok and result.value is not None and not result.warnings
    traj = result.value
    assert (traj.client_id, traj.start_date, traj.status, traj.end_date, traj.created_by) == (
        client.id, start, "active", None, reception.user_id)
    assert traj.name == f"Outpatient {format_date(start)}"
    assert periods(db, traj.id) == {
        "setting": ("1", start.isoformat()), "lead_practitioner": (str(lead.user_id), start.isoformat()),
        "dsm5_diagnosis": ("05", start.isoformat()), "basic_ggz_profile": ("GBG03", start.isoformat())}
    with db.read() as session:
        rows = session.exec(select(TrajectoryPeriod).where(TrajectoryPeriod.trajectory_id == traj.id)).all()
        assert {r.recorded_by for r in rows} == {reception.user_id}


def test_fields_left_for_later_open_no_period(db: Database, reception: Actor, lead: Actor) -> None:
    client = new_client(db, reception)
    traj = trajectories.start_trajectory(db, reception, client.id, raw(lead, name="Angst 2025")).unwrap()
    assert traj.name == "Angst 2025"
    assert set(periods(db, traj.id)) == {"setting", "lead_practitioner"}
    assert count(db, Referral) == 0


def test_referral_is_stored_with_the_trajectory(db: Database, reception: Actor, lead: Actor) -> None:
    client = new_client(db, reception)
    referral_date = days_from_today(-20)
    traj = trajectories.start_trajectory(db, reception, client.id, raw(
        lead, referrer_type="01", referrer_name="Dr. Huisman", referrer_agb="01123456",
        referral_date=ddmmyyyy(referral_date), letter_on_file=True)).unwrap()
    with db.read() as session:
        ref = session.get(Referral, traj.id)
        assert ref is not None
        assert (ref.referrer_type, ref.referrer_name, ref.referrer_agb, ref.referral_date, ref.letter_on_file) == (
            "01", "Dr. Huisman", "01123456", referral_date, True)


def test_referral_on_the_start_date_is_accepted(db: Database, reception: Actor, lead: Actor) -> None:
    client = new_client(db, reception)
    start = days_from_today(-14)
    assert trajectories.start_trajectory(db, reception, client.id, raw(
        lead, referrer_type="01", referrer_name="Dr. Huisman", referrer_agb="01123456",
        referral_date=ddmmyyyy(start))).ok


def test_lead_practitioner_sees_the_client_through_the_trajectory(db: Database, reception: Actor,
                                                                   lead: Actor) -> None:
    """Visibility follows the lead period in force (spec §1), not a permanent assignment row."""
    client = new_client(db, reception)
    trajectories.start_trajectory(db, reception, client.id, raw(lead)).unwrap()
    with db.read() as session:
        assert session.get(ClientAssignment, (client.id, lead.user_id)) is None
        assert queries.is_visible(session, client.id, lead.user_id, lead.can("clients.read.all"))


@pytest.mark.parametrize(("kind", "fragment"), [
    ("missing", "active practitioner"), ("inactive", "active practitioner"),
    ("not_practitioner", "active practitioner"), ("may_not_lead", "may not be lead"),
    ("no_profession", "may not be lead"),
])
def test_lead_must_be_an_active_practitioner_whose_profession_may_lead(
        db: Database, reception: Actor, lead: Actor, kind: str, fragment: str) -> None:
    client = new_client(db, reception)
    candidate: Actor | int
    if kind == "missing":
        candidate = 9999
    elif kind == "inactive":
        candidate = lead
        with db.transaction() as session:
            session.execute(text("UPDATE staff_user SET active = :f WHERE id = :i"),
                            {"f": False, "i": lead.user_id})
    elif kind == "not_practitioner":
        candidate = reception
    elif kind == "may_not_lead":
        candidate = make_staff(db, "wopsy", "Practitioner", practitioner=True, profession="psychologist")
    else:
        candidate = make_staff(db, "zonder", "Practitioner", practitioner=True)
    before = (count(db, CareTrajectory), count(db, TrajectoryPeriod), count(db, ClientAssignment))
    result = trajectories.start_trajectory(db, reception, client.id, raw(candidate))
    assert set(result.errors) == {"lead_practitioner"} and fragment in result.errors["lead_practitioner"]
    assert (count(db, CareTrajectory), count(db, TrajectoryPeriod), count(db, ClientAssignment)) == before


def test_lead_choice_list_matches_the_rule(db: Database, reception: Actor, lead: Actor,
                                           practitioner: Actor) -> None:
    make_staff(db, "wopsy", "Practitioner", practitioner=True, profession="psychologist")
    assert [u.username for u in staff.practitioners(db)] == ["bakker", "devries"]
    assert [u.username for u in staff.practitioners(db, lead_only=False)] == ["bakker", "devries", "wopsy"]


def test_unknown_client(db: Database, reception: Actor, lead: Actor) -> None:
    result = trajectories.start_trajectory(db, reception, 4242, raw(lead))
    assert "__all__" in result.errors and count(db, CareTrajectory) == 0


def test_list_trajectories_gives_the_value_in_force_on_a_date(db: Database, reception: Actor, lead: Actor,
                                                              practitioner: Actor) -> None:
    client = new_client(db, reception)
    traj = trajectories.start_trajectory(db, reception, client.id, raw(lead, dsm5_diagnosis="05")).unwrap()
    change = days_from_today(-3)
    with db.transaction() as session:  # a later lead period, as the (future) change service would add
        session.add(TrajectoryPeriod(trajectory_id=traj.id, field="lead_practitioner",
                                     value=str(practitioner.user_id), valid_from=change, reason="leave"))
    now = trajectories.list_trajectories(db, reception, client.id).unwrap()
    assert len(now) == 1
    view = now[0]
    assert view.current["lead_practitioner"].value == str(practitioner.user_id)
    assert view.label("lead_practitioner") == "Bakker"
    assert view.label("dsm5_diagnosis") == "05 Angststoornissen"
    assert view.label("basic_ggz_profile") == "— (later)"
    assert [p.field for p in view.periods].count("lead_practitioner") == 2  # history kept
    before = trajectories.list_trajectories(db, reception, client.id, on=change - timedelta(days=1)).unwrap()
    assert before[0].current["lead_practitioner"].value == str(lead.user_id)
    assert before[0].label("lead_practitioner") == "Devries"
