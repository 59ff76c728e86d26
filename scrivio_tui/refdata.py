"""Code lists (settings, profiles, DSM-5 groups, referrers, insurers…) kept as data files, never literals."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Code:
    """One entry of a code list: a stable code and the label staff see."""

    code: str
    label: str
    extra: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str = "") -> str:
        return dict(self.extra).get(key, default)


def _rows(name: str) -> list[dict[str, str]]:
    text = resources.files("scrivio_tui.data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _codes(name: str, label_key: str) -> tuple[Code, ...]:
    out = []
    for row in _rows(name):
        code = next(iter(row.values()))
        extra = tuple((k, v or "") for k, v in row.items())
        out.append(Code(code=code, label=row[label_key], extra=extra))
    return tuple(out)


def _in_force(row: Code, on: date | None) -> bool:
    if on is None:
        return True
    start, end = row.get("valid_from"), row.get("valid_to")
    return (not start or date.fromisoformat(start) <= on) and (not end or on <= date.fromisoformat(end))


@cache
def _settings() -> tuple[Code, ...]:
    return _codes("settings.csv", "label_en")


def settings(on: date | None = None) -> tuple[Code, ...]:
    """NZa treatment settings (dutch-standards §3.1), those valid on `on` when given."""
    return tuple(c for c in _settings() if _in_force(c, on))


@cache
def basic_ggz_profiles() -> tuple[Code, ...]:
    return _codes("basic_ggz_profiles.csv", "label_nl")


@cache
def dsm5_groups() -> tuple[Code, ...]:
    return _codes("dsm5_chapters.csv", "label_nl")


@cache
def referrer_types() -> tuple[Code, ...]:
    return _codes("referrer_types.csv", "label_en")


@cache
def agb_prefixes() -> tuple[Code, ...]:
    return _codes("agb_zorgverlenersoort.csv", "label")


@cache
def professions() -> tuple[Code, ...]:
    return _codes("professions.csv", "label")


@cache
def genders() -> tuple[Code, ...]:
    return _codes("genders.csv", "label_en")


@cache
def document_templates() -> tuple[Code, ...]:
    """The practice's standard documents that can be added to any client's record."""
    return _codes("document_templates.csv", "label")


@cache
def _insurers() -> tuple[Code, ...]:
    return _codes("uzovi.csv", "name")


def insurers(on: date | None = None) -> tuple[Code, ...]:
    """Insurers by UZOVI code (dutch-standards §2.2)."""
    return tuple(c for c in _insurers() if _in_force(c, on))


def label(codes: tuple[Code, ...], code: str | None, default: str = "—") -> str:
    """The label for a code, or the code itself when the list does not know it."""
    if not code:
        return default
    return next((c.label for c in codes if c.code == code), code)


def insurer_name(uzovi: str | None) -> str:
    return label(insurers(), uzovi)
