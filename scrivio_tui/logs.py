"""Application log in the user log dir; a filter blanks anything shaped like a BSN, IBAN or bearer
token, as a safety net behind the rule that such values are never logged."""

from __future__ import annotations

import logging
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

_REDACT = [
    (re.compile(r"(?<!\d)\d{9}(?!\d)"), "[redacted-9-digits]"),
    (re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b"), "[redacted-iban]"),
    (re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _REDACT:
        text = pattern.sub(replacement, text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    """Log to <log_dir>/scrivio-tui.log (rotated at 2 MB, 5 files kept)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / "scrivio-tui.log"
    handler = RotatingFileHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root = logging.getLogger("scrivio_tui")
    root.handlers = [handler]
    root.setLevel(level)
    root.propagate = False
    return path
