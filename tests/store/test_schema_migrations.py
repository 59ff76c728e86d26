"""The Alembic migrations and the SQLModel tables describe the same schema: a model change without a
migration fails here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

from scrivio_tui.store import models  # noqa: F401  (registers the tables)
from scrivio_tui.store.db import Database, upgrade


def differences(database: Database) -> list[Any]:
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True,
                                                               "compare_server_default": False})
        return list(compare_metadata(context, SQLModel.metadata))


def test_migrated_sqlite_schema_matches_the_models(db: Database) -> None:
    assert differences(db) == []


@pytest.mark.postgres
def test_migrated_postgres_schema_matches_the_models(pg_db: Database) -> None:
    assert differences(pg_db) == []


def test_every_model_table_is_created_and_versioned(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'again.sqlite3'}")
    try:
        upgrade(database.engine)
        upgrade(database.engine)
        assert differences(database) == []
    finally:
        database.dispose()


def test_the_check_detects_a_model_without_migration(db: Database) -> None:
    """Guard against a vacuous comparison: an extra model table must show up as a difference."""
    from sqlalchemy import Column, Integer, MetaData, Table

    extra = MetaData()
    for table in SQLModel.metadata.tables.values():
        table.to_metadata(extra)
    Table("not_migrated", extra, Column("id", Integer, primary_key=True))
    with db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), extra)
    assert [d[0] for d in diff] == ["add_table"] and diff[0][1].name == "not_migrated"


def test_sqlite_pragmas_are_on(db: Database) -> None:
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
