"""Shared helpers for the service-layer tests: a few actors, a client factory and row counters.

Everything runs against the real SQLite file of the `db` fixture (tests/conftest.py); the PostgreSQL
parity module builds the same helpers over `pg_db`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from scrivio_tui.services import clients
from scrivio_tui.services.base import PRACTITIONER, Actor
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import AuditEvent, Client
from scrivio_tui.store.schemas import format_date, today
from tests.conftest import make_staff

JAN: dict[str, Any] = {"first_name": "Jan", "last_name": "Jansen", "date_of_birth": "12-03-1985"}


def ddmmyyyy(day: date) -> str:
    return format_date(day)


def days_from_today(n: int) -> date:
    return today() + timedelta(days=n)


def count(db: Database, model: type[SQLModel]) -> int:
    with db.read() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def audit_events(db: Database, **where: Any) -> list[AuditEvent]:
    """All audit lines in id order, optionally filtered on column equality."""
    with db.read() as session:
        stmt = select(AuditEvent).order_by(col(AuditEvent.id))
        for key, value in where.items():
            stmt = stmt.where(getattr(AuditEvent, key) == value)
        return list(session.exec(stmt).all())


def last_event(db: Database) -> AuditEvent:
    events = audit_events(db)
    assert events, "no audit line written"
    return events[-1]


def without(actor: Actor, *permissions: str) -> Actor:
    """The same signed-in user, minus some permissions (a custom role in real life)."""
    return replace(actor, permissions=actor.permissions - set(permissions))


def restricted_practitioner(actor: Actor) -> Actor:
    """A practitioner without clients.read.all: sees only their treatment relationships."""
    return replace(actor, permissions=PRACTITIONER - {"clients.read.all"})


def new_client(db: Database, actor: Actor, **fields: Any) -> Client:
    data = {**JAN, **fields}
    return clients.create_client(db, actor, data, confirm_similar=True).unwrap()


@pytest.fixture
def lead(db: Database) -> Actor:
    """A practitioner whose profession may lead a trajectory (ZPM)."""
    return make_staff(db, "devries", "Practitioner", practitioner=True, profession="psychiatrist")


@pytest.fixture
def admin(db: Database) -> Actor:
    return make_staff(db, "beheer", "Administrator")


@pytest.fixture
def client_factory(db: Database, reception: Actor) -> Callable[..., Client]:
    def make(**fields: Any) -> Client:
        return new_client(db, reception, **fields)

    return make


@pytest.fixture(scope="module")
def shared_db(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One migrated SQLite file for a module of validation cases: they must never write a data row."""
    path: Path = tmp_path_factory.mktemp("validation") / "scrivio.sqlite3"
    database = Database(f"sqlite:///{path}")
    yield database
    database.dispose()
