"""The doors open downward only (DESIGN): the store, the services and the engine never load Textual,
and the first screen paints before the heavy libraries are imported."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

CORE = [
    "scrivio_tui.store.models", "scrivio_tui.store.schemas", "scrivio_tui.store.queries", "scrivio_tui.store.db",
    "scrivio_tui.services.base", "scrivio_tui.services.clients", "scrivio_tui.services.trajectories",
    "scrivio_tui.services.financing", "scrivio_tui.services.portal_access", "scrivio_tui.services.drafts",
    "scrivio_tui.services.export", "scrivio_tui.services.staff", "scrivio_tui.services.demo",
    "scrivio_tui.services.classification", "scrivio_tui.services.verification", "scrivio_tui.services.outbox",
    "scrivio_tui.services.integrations", "scrivio_tui.services.cov", "scrivio_tui.services.portal",
    "scrivio_tui.zorgvraag", "scrivio_tui.simulators", "scrivio_tui.secrets", "scrivio_tui.cli",
]


def loaded_after(imports: list[str]) -> set[str]:
    code = ("import importlib, json, sys\n"
            f"for name in {imports!r}: importlib.import_module(name)\n"
            "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_store_services_and_engine_never_import_textual() -> None:
    assert "textual" not in loaded_after(CORE)


@pytest.mark.parametrize("heavy", ["sqlmodel", "sqlalchemy", "alembic", "httpx", "keyring"])
def test_first_screen_loads_without_heavy_libraries(heavy: str) -> None:
    """The app and its sign-in screen import none of these: they load after the first paint."""
    assert heavy not in loaded_after(["scrivio_tui.app", "scrivio_tui.screens.sign_in"])
