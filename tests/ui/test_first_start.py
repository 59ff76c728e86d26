"""A real first start: the store opens in a worker after the sign-in screen painted, the empty database
asks for the administrator account, and that account is signed in."""

from __future__ import annotations

from pathlib import Path

from scrivio_tui.app import ScrivioApp
from scrivio_tui.config import load_settings
from scrivio_tui.screens.clients import ClientsScreen
from scrivio_tui.screens.sign_in import SignInScreen


async def test_first_start_creates_the_administrator(tmp_path: Path) -> None:
    app = ScrivioApp(load_settings(data_dir=tmp_path / "data"))
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press(*"beh")  # typed before the store is open: must not be lost
        for _ in range(50):
            await pilot.pause(0.1)
            if app.db_ready and app.screen.query("#password-again"):
                break
        assert isinstance(app.screen, SignInScreen) and app.screen.first_admin
        app.screen.query_one("#username").focus()
        await pilot.press("end", *"eer", "tab", *"Practice admin", "tab", *"a-long-password", "tab",
                          *"a-long-passwor", "enter")
        await pilot.pause()
        assert "differ" in str(app.screen.query_one("#password-again-error").render())
        app.screen.query_one("#password-again").value = ""  # type: ignore[attr-defined]
        app.screen.query_one("#password-again").focus()
        await pilot.press(*"a-long-password", "enter")
        await pilot.pause(0.5)
        assert isinstance(app.screen, ClientsScreen)
        assert app.actor is not None and app.actor.username == "beheer" and "Administrator" in app.actor.roles
    assert (tmp_path / "data" / "scrivio.sqlite3").is_file()
