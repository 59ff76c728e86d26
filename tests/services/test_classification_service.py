"""record_classification against a real SQLite file: server-side advice, validation, history, permissions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from scrivio_tui.services import classification, clients, trajectories
from scrivio_tui.services.base import Actor
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import AuditEvent, CareTrajectory, ClassificationPeriod
from scrivio_tui.store.schemas import format_date, today
from scrivio_tui.zorgvraag import ITEM_CODES, advise, load_standin, next_dynamic_step, review_due_date

# NZA-B6 worked example (spec zorgvraagtypering §11): stand-in top advice 4 in group X
NZA_EXAMPLE = [0, 3, 1, 1, 0, 1, 4, 0, 0, 0, 0, 0, 0, 1, 4, 1, 1, 1, 1]


def answers(scores: list[int] = NZA_EXAMPLE) -> dict[str, int]:
    return dict(zip(ITEM_CODES, scores, strict=True))


def raw(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"main_group": "X", "route": "full", "answers": answers(), "chosen_type": "4",
                            "effective_date": format_date(today())}
    data.update(fields)
    return data


@pytest.fixture
def trajectory(db: Database, reception: Actor, practitioner: Actor) -> CareTrajectory:
    client = clients.create_client(db, reception, {"first_name": "Anna", "last_name": "Vries",
                                                   "last_name_prefix": "de", "date_of_birth": "12-03-1985"},
                                   confirm_similar=True).unwrap()
    assert client.id is not None
    return trajectories.start_trajectory(db, reception, client.id, {
        "setting": "1", "start_date": format_date(today() - timedelta(days=7)),
        "lead_practitioner": practitioner.user_id}).unwrap()


def periods(db: Database, trajectory_id: int) -> list[ClassificationPeriod]:
    with db.read() as session:
        from scrivio_tui.store.queries import classification_history

        return classification_history(session, trajectory_id)


def events(db: Database, action: str) -> list[AuditEvent]:
    from sqlmodel import col, select

    with db.read() as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.action == action)
                                 .order_by(col(AuditEvent.id))).all())


def test_saves_a_period_with_server_computed_advice(db: Database, practitioner: Actor,
                                                    trajectory: CareTrajectory) -> None:
    assert trajectory.id is not None
    # whatever the UI believes the advice is, it is not sent and not trusted: the server recomputes it
    result = classification.record_classification(db, practitioner, trajectory.id, raw())
    assert result.ok, result.errors
    period = result.unwrap()
    expected = advise(load_standin(), "X", NZA_EXAMPLE)
    stored = periods(db, trajectory.id)
    assert [p.id for p in stored] == [period.id]
    p = stored[0]
    assert p.main_group == "X" and p.route == "full"
    assert p.answers == answers()
    assert p.model_version == "standin-1"
    assert p.advised_type == "4" and p.chosen_type == "4" and p.deviation_reason is None
    assert [row["type"] for row in p.advice] == [str(r.code) for r in expected.ranked]
    assert p.advice[0]["percentage"] == pytest.approx(47.35, abs=0.01)
    assert sum(float(str(row["percentage"])) for row in p.advice) == pytest.approx(100.0)
    assert p.valid_from == today()
    assert p.review_due == review_due_date(4, today())
    assert p.recorded_by == practitioner.user_id


def test_the_ui_cannot_smuggle_advice_in(db: Database, practitioner: Actor, trajectory: CareTrajectory) -> None:
    assert trajectory.id is not None
    result = classification.record_classification(db, practitioner, trajectory.id,
                                                  raw(advised_type="1"))
    assert not result.ok  # unknown input is refused, never stored
    assert periods(db, trajectory.id) == []


@pytest.mark.parametrize(("fields", "field", "fragment"), [
    ({"main_group": None}, "main_group", "main group"),
    ({"main_group": "Q"}, "main_group", "X (non-psychotic)"),
    ({"route": "quick"}, "route", "full or dynamic"),
    ({"answers": {**answers(), "HV05": 7}}, "answers", "HV05"),
    ({"chosen_type": None}, "chosen_type", "Choose the care-demand type"),
    ({"chosen_type": "9"}, "chosen_type", "1–8, 10–21"),
    ({"chosen_type": "12"}, "chosen_type", "main group X"),
    ({"effective_date": ""}, "effective_date", "Required"),
    ({"effective_date": "31-02-2025"}, "effective_date", "calendar"),
    ({"effective_date": format_date(today() - timedelta(days=30))}, "effective_date", "trajectory start"),
])
def test_validation_errors_per_field(db: Database, practitioner: Actor, trajectory: CareTrajectory,
                                     fields: dict[str, Any], field: str, fragment: str) -> None:
    assert trajectory.id is not None
    result = classification.record_classification(db, practitioner, trajectory.id, raw(**fields))
    assert not result.ok
    assert field in result.errors, result.errors
    assert fragment.lower() in result.errors[field].lower()
    assert periods(db, trajectory.id) == []


def test_full_route_needs_all_19_items_each_named(db: Database, practitioner: Actor,
                                                  trajectory: CareTrajectory) -> None:
    assert trajectory.id is not None
    partial = {k: v for k, v in answers().items() if k not in ("HV03", "HV19")}
    result = classification.record_classification(db, practitioner, trajectory.id, raw(answers=partial))
    assert set(result.errors) == {"answers", "hv03", "hv19"}
    assert "2 still open" in result.errors["answers"]


def test_dynamic_route_needs_the_asked_items_only(db: Database, practitioner: Actor,
                                                  trajectory: CareTrajectory) -> None:
    assert trajectory.id is not None
    model = load_standin()
    given: dict[str, int] = {}
    step = next_dynamic_step(model, "X", given)
    assert step.item == "HV06"
    result = classification.record_classification(db, practitioner, trajectory.id,
                                                  raw(route="dynamic", answers={}, chosen_type="1"))
    assert "HV06" in result.errors["answers"]
    # the stand-in prototype of type 6 (over-valued ideas): the route stops after four items
    profile = answers([1, 1, 0, 0, 1, 0, 2, 3, 2, 1, 1, 2, 3, 0, 0, 0, 1, 1, 0])
    while step.kind == "ask":
        assert step.item is not None
        given[step.item] = profile[step.item]
        step = next_dynamic_step(model, "X", given)
    assert step.kind == "advice" and step.type_code == 6
    assert list(given) == ["HV06", "HV07", "HV13", "HV01"]
    short = classification.record_classification(
        db, practitioner, trajectory.id, raw(route="dynamic", answers={"HV06": 0, "HV07": 2}, chosen_type="6"))
    assert "HV13" in short.errors["answers"]
    extra = classification.record_classification(
        db, practitioner, trajectory.id, raw(route="dynamic", answers={**given, "HV19": 0}, chosen_type="6"))
    assert "did not ask HV19" in extra.errors["answers"]
    ok = classification.record_classification(
        db, practitioner, trajectory.id,
        raw(route="dynamic", answers=given, asked=list(given), chosen_type=str(step.type_code)))
    assert ok.ok, ok.errors
    p = ok.unwrap()
    assert p.route == "dynamic" and list(p.answers) == list(given)
    assert p.advised_type == str(step.type_code)
    assert p.advice == [{"type": "6", "name": "Non-psychotic disorder of over-valued ideas", "percentage": None,
                         "suggested": True}]


def test_dynamic_route_fallback_needs_all_items(db: Database, practitioner: Actor,
                                                trajectory: CareTrajectory) -> None:
    assert trajectory.id is not None
    # type 1's prototype does not reach a suggestion: the route falls back to the full route
    asked = {"HV06": 0, "HV07": 1, "HV13": 0, "HV01": 0, "HV08": 2, "HV09": 1}
    result = classification.record_classification(
        db, practitioner, trajectory.id, raw(route="dynamic", answers=asked, chosen_type="1"))
    assert "moved to the full route" in result.errors["answers"] and "hv19" in result.errors
    full = answers([0, 0, 0, 0, 0, 0, 1, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    ok = classification.record_classification(
        db, practitioner, trajectory.id, raw(route="dynamic", answers=full, fallback="no_advice", chosen_type="1"))
    period = ok.unwrap()
    assert period.route == "dynamic" and period.advised_type == "1" and len(period.advice) == 8


def test_deviation_reason_required_when_chosen_is_not_the_advice(db: Database, practitioner: Actor,
                                                                 trajectory: CareTrajectory) -> None:
    assert trajectory.id is not None
    result = classification.record_classification(db, practitioner, trajectory.id, raw(chosen_type="3"))
    assert list(result.errors) == ["deviation_reason"]
    assert "(4)" in result.errors["deviation_reason"]
    ok = classification.record_classification(db, practitioner, trajectory.id,
                                              raw(chosen_type="3", deviation_reason="  Sees improvement  "))
    period = ok.unwrap()
    assert period.chosen_type == "3" and period.advised_type == "4"
    assert period.deviation_reason == "Sees improvement"
    assert period.review_due == review_due_date(3, today())


def test_second_save_adds_a_period_and_needs_update(db: Database, reception: Actor, practitioner: Actor,
                                                    trajectory: CareTrajectory) -> None:
    assert trajectory.id is not None
    first = classification.record_classification(db, reception, trajectory.id, raw())
    assert first.ok, first.errors  # part of creating: care_trajectories.create suffices
    again = classification.record_classification(db, reception, trajectory.id, raw(reason="review"))
    assert again.denied == "care_trajectories.update"
    assert len(periods(db, trajectory.id)) == 1
    denied = events(db, "classification.record")[-1]
    assert denied.outcome == "denied" and denied.permission == "care_trajectories.update"

    later = today() + timedelta(days=1)
    scores = list(NZA_EXAMPLE)
    scores[6] = 1  # depressed mood improved
    second = classification.record_classification(
        db, practitioner, trajectory.id,
        raw(answers=answers(scores), effective_date=format_date(later), reason="review after 3 months",
            chosen_type=None))
    assert "chosen_type" in second.errors
    top = classification.advice_for("X", answers(scores)).top
    assert top is not None
    second = classification.record_classification(
        db, practitioner, trajectory.id,
        raw(answers=answers(scores), effective_date=format_date(later), reason="review after 3 months",
            chosen_type=str(top.code)))
    assert second.ok, second.errors
    history = periods(db, trajectory.id)
    assert len(history) == 2
    assert history[0].answers == answers() and history[0].chosen_type == "4"  # never overwritten
    assert history[1].reason == "review after 3 months" and history[1].valid_from == later
    # an effective date before the previous period's is refused; the same date (a correction) is fine
    before = classification.record_classification(db, practitioner, trajectory.id, raw())
    assert "previous classification" in before.errors["effective_date"]
    same = classification.record_classification(
        db, practitioner, trajectory.id, raw(effective_date=format_date(later), reason="correction"))
    assert same.ok and len(periods(db, trajectory.id)) == 3


def test_audit_line_without_values(db: Database, practitioner: Actor, trajectory: CareTrajectory) -> None:
    assert trajectory.id is not None
    period = classification.record_classification(
        db, practitioner, trajectory.id, raw(chosen_type="2", deviation_reason="secret clinical note")).unwrap()
    lines = events(db, "classification.record")
    assert len(lines) == 1
    line = lines[0]
    assert line.action_code == "C" and line.outcome == "success"
    assert line.client_id == trajectory.client_id
    assert line.object_type == "classification_period" and line.object_id == str(period.id)
    assert line.user_id == practitioner.user_id
    assert line.fields is not None
    assert set(line.fields.split(",")) >= {"answers", "chosen_type", "main_group", "deviation_reason"}
    text = " ".join(str(v) for v in line.model_dump().values())
    assert "secret clinical note" not in text
    assert "HV07" not in text and "47.3" not in text


def test_invisible_or_missing_trajectory(db: Database, practitioner: Actor) -> None:
    result = classification.record_classification(db, practitioner, 9999, raw())
    assert "__all__" in result.errors


def test_advice_for_is_pure_and_follows_the_answers() -> None:
    empty = classification.advice_for("Z", {})
    assert empty.answered == 0 and empty.is_stand_in
    assert {r.code for r in empty.ranked} == {18, 19, 20, 21}
    full = classification.advice_for("X", answers())
    assert full.complete and full.top is not None and full.top.code == 4
    assert classification.models() is classification.models()
