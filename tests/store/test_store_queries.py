"""Read-side helpers that the services lean on: the period in force on a date, the summary next step."""

from __future__ import annotations

from datetime import date

from scrivio_tui.store.db import Database
from scrivio_tui.store.models import CareTrajectory, Client, TrajectoryPeriod
from scrivio_tui.store.queries import ATTENTION, DONE, OPEN, Summary, current_periods


def test_current_periods_picks_the_latest_start_on_or_before_the_date(db: Database) -> None:
    with db.transaction() as session:
        client = Client(first_name="Jan", last_name="Jansen", date_of_birth=date(1985, 3, 12))
        session.add(client)
        session.flush()
        traj = CareTrajectory(client_id=client.id or 0, name="t", start_date=date(2025, 1, 1))
        session.add(traj)
        session.flush()
        tid = traj.id or 0
        for value, start in (("1", date(2025, 1, 1)), ("2", date(2025, 6, 1)), ("3", date(2025, 9, 1))):
            session.add(TrajectoryPeriod(trajectory_id=tid, field="setting", value=value, valid_from=start))
        session.add(TrajectoryPeriod(trajectory_id=tid, field="dsm5_diagnosis", value="05",
                                     valid_from=date(2025, 3, 1)))
    with db.read() as session:
        def on(day: date) -> dict[str, str | None]:
            return {k: p.value for k, p in current_periods(session, tid, day).items()}

        assert on(date(2025, 1, 1)) == {"setting": "1", "dsm5_diagnosis": "05"}  # earliest known if none yet
        assert on(date(2025, 5, 31)) == {"setting": "1", "dsm5_diagnosis": "05"}
        assert on(date(2025, 6, 1)) == {"setting": "2", "dsm5_diagnosis": "05"}
        assert on(date(2026, 1, 1)) == {"setting": "3", "dsm5_diagnosis": "05"}


def test_next_step_prefers_open_then_attention_in_journey_order() -> None:
    client = Client(first_name="a", last_name="b", date_of_birth=date(2000, 1, 1))
    s = Summary(client=client, steps={"client": ATTENTION, "care_trajectory": DONE, "classification": OPEN,
                                      "financing": OPEN, "portal": DONE})
    assert s.next_step == "classification"
    s.steps.update(classification=DONE, financing=DONE)
    assert s.next_step == "client"
    s.steps["client"] = DONE
    assert s.next_step is None
