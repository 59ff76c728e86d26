"""Nothing typed is lost (a killed terminal leaves a draft that the next start offers back), the
command palette finds clients and actions, and the terminal locks and unlocks."""

from __future__ import annotations

from pathlib import Path

from scrivio_tui.screens.client_form import ClientFormScreen
from scrivio_tui.screens.client_hub import ClientHubScreen
from scrivio_tui.screens.clients import ClientsScreen
from scrivio_tui.screens.drafts import ResumeDraftsScreen
from scrivio_tui.screens.sign_in import SignInScreen
from scrivio_tui.services import drafts
from scrivio_tui.store.db import Database
from tests.ui.conftest import make_app, sign_in


async def _sign_in(pilot, username: str = "receptie") -> None:  # type: ignore[no-untyped-def]
    await pilot.pause()
    await pilot.press(*username, "tab", *"demo-password", "enter")
    await pilot.pause()


async def test_killed_terminal_leaves_a_draft_that_is_offered_back(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await _sign_in(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press(*"Sanne", "tab", "tab", *"Wijk", "tab", *"07-04-1990", "tab", *"12345678")
        await pilot.pause(0.6)  # the draft is kept within half a second of the last key
    # the app is gone without saving (as when the terminal is killed): the draft is in the store
    kept = drafts.load_draft(demo_db, sign_in(demo_db, "receptie"), "new_client")
    assert kept is not None and kept["first_name"] == "Sanne" and kept["bsn"] == "12345678"

    restarted = make_app(demo_db, tmp_path)
    async with restarted.run_test(size=(120, 36)) as pilot:
        await _sign_in(pilot)
        assert isinstance(restarted.screen, ResumeDraftsScreen)
        await pilot.press("enter")
        await pilot.pause()
        form = restarted.screen
        assert isinstance(form, ClientFormScreen)
        values = form.form_values()
        assert (values["first_name"], values["last_name"], values["date_of_birth"], values["bsn"]) == (
            "Sanne", "Wijk", "07-04-1990", "12345678")
        await pilot.press("ctrl+s")  # the lost 9th digit is caught, the draft stays until saved
        await pilot.pause()
        assert "9 digits" in str(form.query_one("#bsn-error").render())
        assert drafts.load_draft(demo_db, sign_in(demo_db, "receptie"), "new_client") is not None


async def test_a_failed_save_keeps_every_value(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await _sign_in(pilot)
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press(*"Jan", "tab", "tab", *"Jansen", "tab", *"31-02-1990", "tab", *"123456789", "tab", "tab",
                          *"jan@@example", "ctrl+s")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ClientFormScreen)
        assert form.form_values()["email"] == "jan@@example"
        assert form.form_values()["date_of_birth"] == "31-02-1990"
        assert "calendar" in str(form.query_one("#date-of-birth-error").render())
        assert "11-test" in str(form.query_one("#bsn-error").render())
        assert app.focused is form.query_one("#date-of-birth")  # focus on the first field in error


async def test_palette_opens_a_client_by_name_and_finds_actions(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await _sign_in(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"hendriks")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientHubScreen)
        assert app.screen.client_id == 12  # Lotte Hendriks
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"new client")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientFormScreen)


async def test_lock_and_unlock_returns_to_the_same_place(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await _sign_in(pilot)
        app.open_client(1)
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*"wrong-password", "enter")
        await pilot.pause()
        assert isinstance(app.screen, SignInScreen)
        await pilot.press(*"demo-password", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientHubScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)


async def test_locked_terminal_offers_no_palette_and_no_new_client(demo_db: Database, tmp_path: Path) -> None:
    """Walkthrough finding: the palette on the lock screen opened a client and revealed the BSN."""
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await _sign_in(pilot)
        app.open_client(1)
        await pilot.pause()
        await pilot.press("ctrl+l")
        await pilot.pause()
        locked = app.screen
        assert isinstance(locked, SignInScreen)
        for key in ("ctrl+p", "ctrl+n", "escape"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is locked, key
        hits = [hit async for hit in __import__("scrivio_tui.app", fromlist=["ClientCommands"]).ClientCommands(
            locked).search("vries")]
        assert hits == []


async def test_opening_a_second_client_from_deep_screens_does_not_crash(demo_db: Database,
                                                                        tmp_path: Path) -> None:
    """Walkthrough finding: a second client hub (or new-client form) crashed with DuplicateIds."""
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await _sign_in(pilot)
        app.open_client(2)
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        app.open_client(1)
        await pilot.pause()
        assert isinstance(app.screen, ClientHubScreen) and app.screen.client_id == 1
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press("ctrl+n")  # on the form already: says so, no second form
        await pilot.pause()
        assert isinstance(app.screen, ClientFormScreen)
        assert sum(isinstance(s, ClientFormScreen) for s in app.screen_stack) == 1


async def test_a_kept_new_client_draft_is_restored_not_overwritten(demo_db: Database, tmp_path: Path) -> None:
    """Walkthrough finding: escape on the drafts offer, then ctrl+n, silently replaced the kept draft."""
    actor = sign_in(demo_db, "receptie")
    drafts.save_draft(demo_db, actor, "new_client", {"first_name": "Joost", "last_name": "Draftsma"},
                      title="Joost Draftsma")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await _sign_in(pilot)
        await pilot.press("escape")  # decide later
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, ClientFormScreen)
        assert form.form_values()["first_name"] == "Joost"
