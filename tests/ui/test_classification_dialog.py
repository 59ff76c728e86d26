"""The classification dialog through the keyboard (Pilot) and as pictures (snapshots).

The clock is frozen so the snapshots never flicker: every module that imported `today` gets the fixed date,
and the stored recorded_at is pinned before the trajectory history is drawn.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from scrivio_tui.app import ScrivioApp
from scrivio_tui.config import load_settings
from scrivio_tui.screens.classification import ClassificationDialog
from scrivio_tui.screens.dialogs import ConfirmDialog
from scrivio_tui.services import classification, clients, drafts, trajectories
from scrivio_tui.services.base import Actor
from scrivio_tui.store import schemas
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import CareTrajectory, ClassificationPeriod
from scrivio_tui.widgets.honos import HonosItemInput
from scrivio_tui.zorgvraag import ITEM_CODES

FROZEN_TODAY = date(2026, 12, 3)
SIZE = (120, 36)
# NZA-B6 worked example (spec zorgvraagtypering §11): stand-in top advice 4 in group X
NZA_EXAMPLE = "0311014000000141111"


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch: pytest.MonkeyPatch) -> date:
    """Freeze `today()` in schemas and in every scrivio module that imported it by name."""
    original = schemas.today

    def fixed() -> date:
        return FROZEN_TODAY

    monkeypatch.setattr(schemas, "today", fixed)
    for name, module in list(sys.modules.items()):
        if name.startswith("scrivio_tui") and getattr(module, "today", None) is original:
            monkeypatch.setattr(module, "today", fixed)
    return FROZEN_TODAY


@dataclass
class Env:
    db: Database
    actor: Actor
    client_id: int
    trajectory: CareTrajectory
    tmp_path: Path

    def app(self) -> ScrivioApp:
        return ScrivioApp(load_settings(data_dir=self.tmp_path / "data"), db=self.db)

    def periods(self) -> list[ClassificationPeriod]:
        with self.db.read() as session:
            return list(session.exec(select(ClassificationPeriod)).all())


@pytest.fixture
def env(db: Database, reception: Actor, practitioner: Actor, tmp_path: Path, frozen_today: date) -> Env:
    client = clients.create_client(db, reception, {"first_name": "Anna", "last_name_prefix": "de",
                                                   "last_name": "Vries", "date_of_birth": "12-03-1985"},
                                   confirm_similar=True).unwrap()
    assert client.id is not None
    trajectory = trajectories.start_trajectory(db, reception, client.id, {
        "setting": "1", "start_date": "01-12-2026", "lead_practitioner": practitioner.user_id}).unwrap()
    return Env(db, practitioner, client.id, trajectory, tmp_path)


async def open_dialog(app: ScrivioApp, env: Env, pilot: Any) -> ClassificationDialog:
    app.actor = env.actor  # signed in
    dialog = ClassificationDialog(env.client_id, env.trajectory)
    await app.push_screen(dialog)
    await pilot.pause()
    return dialog


def item(dialog: ClassificationDialog, code: str) -> HonosItemInput:
    return dialog.query_one(f"#{code.lower()}", HonosItemInput)


async def test_full_classification_by_keyboard(env: Env) -> None:
    app = env.app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, env, pilot)
        assert app.focused is dialog.query_one("#main-group")
        assert "0 of 19 answered" in str(dialog.query_one("#answered-count").render())
        keys = ["x", *NZA_EXAMPLE, "ctrl+s"]
        started = time.perf_counter()
        await pilot.press(*keys[:-1])
        await pilot.pause()
        assert dialog.group == "X" and len(dialog.scores) == 19
        assert app.focused is dialog.query_one("#chosen-type")  # after the 19th digit
        assert dialog.advice is not None and dialog.advice.top is not None and dialog.advice.top.code == 4
        assert dialog.query_one("#chosen-type").value == "4"  # follows the top advice
        assert "19 of 19 answered" in str(dialog.query_one("#answered-count").render())
        await pilot.press(keys[-1])
        await pilot.pause()
        elapsed = time.perf_counter() - started
        assert app.screen is not dialog  # dismissed
    print(f"\nfull classification: {len(keys)} key presses in {elapsed * 1000:.0f} ms")
    [period] = env.periods()
    assert period.answers == dict(zip(ITEM_CODES, (int(c) for c in NZA_EXAMPLE), strict=True))
    assert period.main_group == "X" and period.route == "full"
    assert period.advised_type == "4" and period.chosen_type == "4"
    assert period.advice[0]["type"] == "4"
    assert period.advice[0]["percentage"] == pytest.approx(47.35, abs=0.01)
    assert period.valid_from == FROZEN_TODAY and period.recorded_by == env.actor.user_id
    assert drafts.load_draft(env.db, env.actor, "classification", client_id=env.client_id,
                             object_id=env.trajectory.id or 0) is None


async def test_items_clear_and_stay_open(env: Env) -> None:
    app = env.app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, env, pilot)
        await pilot.press("x", "3")
        hv01 = item(dialog, "HV01")
        assert hv01.score == 3 and app.focused is item(dialog, "HV02")
        hv01.focus()
        await pilot.press("backspace")
        assert hv01.score is None and "HV01" not in dialog.scores
        assert "_  _  _  _  _" in str(hv01.render()) and "(type 0–4)" in str(hv01.render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and env.periods() == []
        assert hv01.has_class("-invalid") and item(dialog, "HV19").has_class("-invalid")
        assert "19 still open" in str(dialog.query_one("#answers-error").render())
        assert app.focused is hv01  # the first open item


async def test_deviation_reason_through_the_ui(env: Env) -> None:
    app = env.app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, env, pilot)
        await pilot.press("x", *NZA_EXAMPLE)
        await pilot.pause()
        assert not dialog.query_one("#deviation-reason-field").display
        dialog.query_one("#chosen-type").value = "3"  # the person picks another type
        await pilot.pause()
        assert dialog.query_one("#deviation-reason-field").display
        assert not dialog.chosen_follows
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is dialog and env.periods() == []
        error = str(dialog.query_one("#deviation-reason-error").render())
        assert "differs from the advice (4)" in error
        assert app.focused is dialog.query_one("#deviation-reason")
        await pilot.press(*"Client improving")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is not dialog
    [period] = env.periods()
    assert period.chosen_type == "3" and period.advised_type == "4"
    assert period.deviation_reason == "Client improving"


async def test_chosen_type_follows_advice_until_changed(env: Env) -> None:
    app = env.app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, env, pilot)
        await pilot.press("x")
        await pilot.pause()
        select = dialog.query_one("#chosen-type")
        assert select.is_blank()  # nothing rated: no advice yet
        await pilot.press("4", "4", "4", "4")
        await pilot.pause()
        first = select.value
        assert first == str(dialog.advised_type()) and dialog.chosen_follows


async def test_escape_with_answers_asks(env: Env) -> None:
    app = env.app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, env, pilot)
        await pilot.press("x", "1", "2")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("s")  # stay
        await pilot.pause()
        assert app.screen is dialog and dialog.scores == {"HV01": 1, "HV02": 2}
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("k")  # keep as draft
        await pilot.pause()
        assert app.screen is not dialog
        kept = drafts.load_draft(env.db, env.actor, "classification", client_id=env.client_id,
                                 object_id=env.trajectory.id or 0)
        assert kept is not None and kept["answers"] == {"HV01": 1, "HV02": 2} and kept["main_group"] == "X"

        again = await open_dialog(app, env, pilot)  # the draft comes back
        assert again.group == "X" and again.scores == {"HV01": 1, "HV02": 2}
        assert item(again, "HV02").score == 2
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("d")  # discard
        await pilot.pause()
        assert app.screen is not again
    assert drafts.load_draft(env.db, env.actor, "classification", client_id=env.client_id,
                             object_id=env.trajectory.id or 0) is None
    assert env.periods() == []


async def test_escape_without_answers_closes_at_once(env: Env) -> None:
    app = env.app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, env, pilot)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not dialog and not isinstance(app.screen, ConfirmDialog)


async def test_dynamic_route_asks_items_in_order_and_saves(env: Env) -> None:
    # the stand-in prototype of type 6: the route asks HV06, HV07, HV13, HV01 and suggests 6
    profile = dict(zip(ITEM_CODES, [1, 1, 0, 0, 1, 0, 2, 3, 2, 1, 1, 2, 3, 0, 0, 0, 1, 1, 0], strict=True))
    app = env.app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, env, pilot)
        dialog.sample_rate = 0.0  # no 5 % sample in this test
        await pilot.press("x")
        await pilot.pause()
        dialog.query_one("#route").focus()
        await pilot.press("d")
        await pilot.pause()
        asked: list[str] = []
        for _ in range(7):
            focused = app.focused
            if not isinstance(focused, HonosItemInput):
                break
            asked.append(focused.item.code)
            shown = [w.item.code for w in dialog.query(HonosItemInput) if w.display]
            assert shown == asked  # only what the route asks, in the order asked
            await pilot.press(str(profile[focused.item.code]))
            await pilot.pause()
        assert asked == ["HV06", "HV07", "HV13", "HV01"]
        assert dialog.query_one("#chosen-type").value == "6"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is not dialog
    [period] = env.periods()
    assert period.route == "dynamic" and list(period.answers) == asked and period.chosen_type == "6"


async def test_dynamic_route_falls_back_keeping_answers(env: Env) -> None:
    app = env.app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await open_dialog(app, env, pilot)
        dialog.sample_rate = 1.0  # force the NZa sample
        await pilot.press("x")
        dialog.query_one("#route").focus()
        await pilot.press("d")
        await pilot.pause()
        for score in "0231":  # type 6 reached after four items, then the sample hits
            await pilot.press(score)
            await pilot.pause()
        assert dialog.fallback == "sample"
        assert [w.display for w in dialog.query(HonosItemInput)] == [True] * 19
        assert {c: dialog.scores[c] for c in ("HV06", "HV07", "HV13", "HV01")} == {
            "HV06": 0, "HV07": 2, "HV13": 3, "HV01": 1}
        assert app.focused is item(dialog, "HV02")  # the first open item of the full route


def _snapshot_env(env: Env, monkeypatch: pytest.MonkeyPatch) -> None:
    """No blinking cursor in snapshots."""
    from textual.widgets import Input

    monkeypatch.setattr(Input, "cursor_blink", False)


def test_snapshot_empty_dialog(env: Env, snap_compare: Callable[..., bool],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    _snapshot_env(env, monkeypatch)

    async def run_before(pilot: Any) -> None:
        await open_dialog(pilot.app, env, pilot)

    assert snap_compare(env.app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_live_advice(env: Env, snap_compare: Callable[..., bool],
                              monkeypatch: pytest.MonkeyPatch) -> None:
    _snapshot_env(env, monkeypatch)

    async def run_before(pilot: Any) -> None:
        await open_dialog(pilot.app, env, pilot)
        await pilot.press("x", *NZA_EXAMPLE[:16])
        await pilot.pause()

    assert snap_compare(env.app(), terminal_size=SIZE, run_before=run_before)


def test_snapshot_small_terminal(env: Env, snap_compare: Callable[..., bool],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    _snapshot_env(env, monkeypatch)

    async def run_before(pilot: Any) -> None:
        await open_dialog(pilot.app, env, pilot)
        await pilot.press("x", *NZA_EXAMPLE[:5])
        await pilot.pause()

    assert snap_compare(env.app(), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_trajectory_history(env: Env, snap_compare: Callable[..., bool],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    _snapshot_env(env, monkeypatch)
    assert env.trajectory.id is not None
    raw = {"main_group": "X", "route": "full", "chosen_type": "4", "effective_date": "03-12-2026",
           "answers": dict(zip(ITEM_CODES, (int(c) for c in NZA_EXAMPLE), strict=True))}
    period = classification.record_classification(env.db, env.actor, env.trajectory.id, raw).unwrap()
    with env.db.transaction() as session:  # pin the wall-clock stamp shown in the history
        row = session.get(ClassificationPeriod, period.id)
        assert row is not None
        row.recorded_at = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)
        session.add(row)
    monkeypatch.setenv("TZ", "UTC")  # the history shows recorded_at in local time
    time.tzset()

    async def run_before(pilot: Any) -> None:
        from scrivio_tui.screens.trajectory import TrajectoryScreen

        pilot.app.actor = env.actor
        await pilot.app.push_screen(TrajectoryScreen(env.client_id, trajectory_id=env.trajectory.id))
        await pilot.pause()

    try:
        assert snap_compare(env.app(), terminal_size=SIZE, run_before=run_before)
    finally:
        monkeypatch.undo()
        time.tzset()
