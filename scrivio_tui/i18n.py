"""One translation function for every user-facing string, so a Dutch catalogue can be added later."""

from __future__ import annotations

import gettext
from pathlib import Path

_translation = gettext.translation(
    "scrivio_tui", localedir=str(Path(__file__).parent / "locale"), fallback=True
)


def _(message: str) -> str:
    """Translate a user-facing message (English is the source language)."""
    return _translation.gettext(message)
