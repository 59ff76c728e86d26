"""UI tests: a frozen clock, no cursor blink, the demo data set, and an app signed in as a given user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrivio_tui import clock
from scrivio_tui.app import ScrivioApp
from scrivio_tui.config import load_settings
from scrivio_tui.services import demo, staff
from scrivio_tui.services.base import Actor
from scrivio_tui.store.db import Database
from scrivio_tui.widgets import fields

FROZEN = datetime(2026, 12, 3, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    clock.freeze(FROZEN)
    monkeypatch.setattr(fields, "CURSOR_BLINK", False)
    yield
    clock.freeze(None)


@pytest.fixture
def demo_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    demo.seed(database)
    yield database
    database.dispose()


def sign_in(db: Database, username: str) -> Actor:
    return staff.authenticate(db, username, demo.DEMO_PASSWORD).unwrap()


def make_app(db: Database, tmp_path: Path) -> ScrivioApp:
    """An app on an already-open store (no worker, no simulators) — still starting at the sign-in screen."""
    return ScrivioApp(load_settings(data_dir=tmp_path / "data", log_dir=tmp_path / "log"), db=db)
