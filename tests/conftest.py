"""Isolation for every test: config, data and log dirs under tmp; no real keyring; fixed clock hooks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from scrivio_tui.services import staff
from scrivio_tui.services.base import Actor
from scrivio_tui.store.db import Database

POSTGRES_ENV = "SCRIVIO_TEST_POSTGRES_URL"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRIVIO_CONFIG_FILE", str(tmp_path / "config.toml"))
    monkeypatch.setenv("SCRIVIO_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SCRIVIO_LOG_DIR", str(tmp_path / "log"))
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.alt.file.PlaintextKeyring")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    for key in ("SCRIVIO_DATABASE_URL", "SCRIVIO_COV_URL", "SCRIVIO_PORTAL_URL"):
        monkeypatch.delenv(key, raising=False)


@pytest.fixture(autouse=True)
def _isolated_keyring(tmp_path: Path) -> Iterator[None]:
    """Every test gets its own file keyring: never the developer's real one, never another test's."""
    import keyring
    from keyrings.alt.file import PlaintextKeyring

    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(tmp_path / "keyring.cfg")
    keyring.set_keyring(backend)
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """A real SQLite file, migrated with Alembic like the app does on start."""
    database = Database(f"sqlite:///{tmp_path / 'scrivio.sqlite3'}")
    yield database
    database.dispose()


@pytest.fixture
def pg_db() -> Iterator[Database]:
    """A real PostgreSQL database (fresh schema per test); skipped when SCRIVIO_TEST_POSTGRES_URL is unset."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set: no PostgreSQL server to test against")
    import uuid

    from sqlalchemy import create_engine, text

    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in url else "?"
    database = Database(f"{url}{sep}options=-csearch_path%3D{schema}")
    yield database
    database.dispose()
    with admin.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


FAST_HASH = 2**4  # scrypt cost for test accounts: the real cost is exercised in test_staff only


def make_staff(db: Database, username: str, role: str, *, practitioner: bool = False,
               profession: str | None = None) -> Actor:
    """Create a staff account directly (as the administrator would) and sign it in."""
    from scrivio_tui.services.base import SYSTEM

    staff.add_staff(db, SYSTEM, username=username, display_name=username.title(), password="a-long-password",
                    role=role, is_practitioner=practitioner, profession=profession,
                    password_cost=FAST_HASH).unwrap()
    return staff.authenticate(db, username, "a-long-password").unwrap()


@pytest.fixture
def reception(db: Database) -> Actor:
    return make_staff(db, "receptie", "Reception")


@pytest.fixture
def practitioner(db: Database) -> Actor:
    return make_staff(db, "bakker", "Practitioner", practitioner=True, profession="gz_psychologist")
