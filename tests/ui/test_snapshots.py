"""A snapshot of every screen and dialog at 120×36 (overview and new client also at 80×24).

Each snapshot was rendered to PNG and looked at before it was accepted (README: snapshots)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from scrivio_tui.services import drafts
from scrivio_tui.store.db import Database
from tests.ui.conftest import make_app, sign_in

Step = Callable[[Any, Pilot[None]], Awaitable[None]]
ANNA = 1  # demo client: fully onboarded except classification
LOTTE = 12  # demo client: created only


def signed_in(username: str = "receptie", then: Step | None = None) -> Callable[[Pilot[None]], Awaitable[None]]:
    async def run_before(pilot: Pilot[None]) -> None:
        app: Any = pilot.app
        await pilot.pause()
        app.signed_in(sign_in(app.db, username))
        await pilot.pause()
        if then is not None:
            await then(app, pilot)
        await pilot.pause()

    return run_before


def press(*keys: str) -> Step:
    async def step(app: Any, pilot: Pilot[None]) -> None:
        for key in keys:
            await pilot.press(key)
            await pilot.pause()

    return step


def open_client(client_id: int, *keys: str) -> Step:
    async def step(app: Any, pilot: Pilot[None]) -> None:
        app.open_client(client_id)
        await pilot.pause()
        await press(*keys)(app, pilot)

    return step


CASES: dict[str, tuple[Callable[[Pilot[None]], Awaitable[None]] | None, tuple[int, int]]] = {
    "sign_in": (None, (120, 36)),
    "overview": (signed_in(), (120, 36)),
    "overview_80x24": (signed_in(), (80, 24)),
    "overview_search": (signed_in(then=press(*"van")), (120, 36)),
    "new_client": (signed_in(then=press("ctrl+n")), (120, 36)),
    "new_client_80x24": (signed_in(then=press("ctrl+n")), (80, 24)),
    "new_client_errors": (signed_in(then=press("ctrl+n", *"Jan", "tab", "tab", "tab", *"31-02-1990", "tab",
                                               *"123456789", "ctrl+s")), (120, 36)),
    "duplicate_bsn": (signed_in(then=press("ctrl+n", *"Jan", "tab", "tab", *"Vries", "tab", *"01-01-1990",
                                           "tab", *"999990019", "ctrl+s")), (120, 36)),
    "client_hub": (signed_in(then=open_client(ANNA)), (120, 36)),
    "client_hub_80x24": (signed_in(then=open_client(LOTTE)), (80, 24)),
    "trajectory_form": (signed_in(then=open_client(LOTTE, "2")), (120, 36)),
    "financing": (signed_in(then=open_client(ANNA, "3")), (120, 36)),
    "financing_unsaved": (signed_in(then=open_client(LOTTE, "3", "space", "tab", "space")), (120, 36)),
    "policy_dialog": (signed_in(then=open_client(ANNA, "3", "ctrl+a")), (120, 36)),
    "portal": (signed_in(then=open_client(ANNA, "4")), (120, 36)),
    "assign_form_dialog": (signed_in(then=open_client(ANNA, "4", "f")), (120, 36)),
    "expose_dialog": (signed_in(then=open_client(ANNA, "4", "x")), (120, 36)),
    "help": (signed_in(then=open_client(ANNA, "f1")), (120, 36)),
    "add_document_dialog": (signed_in(then=open_client(LOTTE, "4", "a")), (120, 36)),
    "similar_client_dialog": (signed_in(then=press("ctrl+n", *"Bo", "tab", "tab", *"Vries", "tab", *"15-03-1962",
                                                   "ctrl+s")), (120, 36)),
    "unsaved_financing_dialog": (signed_in(then=open_client(LOTTE, "3", "space", "escape")), (120, 36)),
    "delete_policy_dialog": (signed_in(then=open_client(ANNA, "3", "ctrl+d")), (120, 36)),
    "lock_screen": (signed_in(then=open_client(ANNA, "ctrl+l")), (120, 36)),
}


@pytest.mark.parametrize("case", list(CASES))
def test_screen(case: str, snap_compare: Any, demo_db: Database, tmp_path: Path) -> None:
    run_before, size = CASES[case]
    assert snap_compare(make_app(demo_db, tmp_path), terminal_size=size, run_before=run_before)


def test_resume_drafts_dialog(snap_compare: Any, demo_db: Database, tmp_path: Path) -> None:
    actor = sign_in(demo_db, "receptie")
    drafts.save_draft(demo_db, actor, "new_client", {"first_name": "Sanne", "last_name": "Wijk"},
                      title="Sanne Wijk")
    drafts.save_draft(demo_db, actor, "financing", {"iban": "NL91"}, client_id=ANNA, title="Anna de Vries")
    assert snap_compare(make_app(demo_db, tmp_path), terminal_size=(120, 36), run_before=signed_in())


def test_first_start_asks_for_administrator(snap_compare: Any, db: Database, tmp_path: Path) -> None:
    async def administrator_form(pilot: Pilot[None]) -> None:
        for _ in range(100):
            await pilot.pause(0.05)
            button = pilot.app.screen.query("#sign-in-button")
            if pilot.app.screen.query("#password-again") and button and "Create" in str(button.first().label):
                break
        await pilot.pause()

    assert snap_compare(make_app(db, tmp_path), terminal_size=(120, 36), run_before=administrator_form)
