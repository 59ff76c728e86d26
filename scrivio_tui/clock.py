"""The one clock: every 'now' and 'today' in the store and services comes from here, so tests and
snapshots can freeze time in one place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

_now: Callable[[], datetime] = lambda: datetime.now(UTC)  # noqa: E731


def now() -> datetime:
    """Aware UTC now."""
    return _now()


def today() -> date:
    """The local calendar date (what staff see as 'today')."""
    return _now().astimezone().date()


def freeze(at: datetime | None) -> None:
    """Tests: pin the clock to `at` (aware), or back to real time with None."""
    global _now
    _now = (lambda: at) if at is not None else (lambda: datetime.now(UTC))
