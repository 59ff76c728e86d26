"""Typed settings: platformdirs locations, database URL, service URLs; TOML file overridden by SCRIVIO_* env."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

APP_NAME = "scrivio-tui"


def config_file_path() -> Path:
    """Where the settings file lives; SCRIVIO_CONFIG_FILE moves it (tests use this to stay isolated)."""
    override = os.environ.get("SCRIVIO_CONFIG_FILE")
    if override:
        return Path(override)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


class Settings(BaseSettings):
    """Everything a practice may configure. Each field can be set in config.toml or as SCRIVIO_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="SCRIVIO_", extra="ignore")

    data_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_data_dir(APP_NAME)),
        description="Folder for the embedded database, drafts and installed classification tables.",
    )
    log_dir: Path = Field(
        default_factory=lambda: Path(platformdirs.user_log_dir(APP_NAME)),
        description="Folder for the application log (never contains BSN, IBAN or tokens).",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; empty means the embedded SQLite file in data_dir. "
        "For a shared practice database: postgresql+psycopg://user@host/db.",
    )
    practice_agb: str = Field(
        default="94123456", description="The practice's AGB code (8 digits), sent with COV checks."
    )
    cov_url: str | None = Field(default=None, description="Base URL of the VECOZO COV service.")
    portal_url: str | None = Field(default=None, description="Base URL of the client portal's API.")
    keymap: dict[str, str] = Field(
        default_factory=dict, description="Remap keys by binding id, e.g. {save = 'f2'}."
    )
    demo: bool = Field(default=False, description="Demo mode: separate demo database and simulators.")

    @property
    def sqlite_path(self) -> Path:
        """The embedded database file (demo mode keeps its own file so real data is never mixed in)."""
        return self.data_dir / ("scrivio-demo.sqlite3" if self.demo else "scrivio.sqlite3")

    @property
    def effective_database_url(self) -> str:
        """The URL actually used: the configured one, or the embedded SQLite file."""
        if self.database_url and not self.demo:
            return self.database_url
        return f"sqlite:///{self.sqlite_path}"

    @property
    def tables_dir(self) -> Path:
        """Where `zvt import-tables` installs official classification tables."""
        return self.data_dir / "zvt-tables"


def load_settings(**overrides: Any) -> Settings:
    """Read the TOML file (if any), then let environment variables and explicit overrides win."""
    file_values: dict[str, Any] = {}
    path = config_file_path()
    if path.is_file():
        with path.open("rb") as fh:
            file_values = tomllib.load(fh)
    env_keys = {k[len("SCRIVIO_"):].lower() for k in os.environ if k.startswith("SCRIVIO_")}
    merged = {k: v for k, v in file_values.items() if k not in env_keys}
    merged.update(overrides)
    return Settings(**merged)
