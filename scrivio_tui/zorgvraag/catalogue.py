"""The fixed vocabulary of the typing: HoNOS+ items, answer codes, main groups and the 20 zorgvraagtypes.

Texts live in data files (``data/*.toml``, ``data/*.csv``) so the official NZa wording can replace our
working text without code changes.
"""

from __future__ import annotations

import csv
import io
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Literal

ITEM_COUNT = 19
SEVERITIES: tuple[int, ...] = (0, 1, 2, 3, 4)
MAIN_GROUPS: tuple[str, ...] = ("X", "Y", "Z")
TYPE_CODES: tuple[int, ...] = (*range(1, 9), *range(10, 22))
ITEM_CODES: tuple[str, ...] = tuple(f"HV{n:02d}" for n in range(1, ITEM_COUNT + 1))

Scores = Mapping[str, int | None] | Mapping[int, int | None] | Sequence[int | None]
"""HoNOS+ answers: a mapping item → 0–4 (keys as accepted by :func:`item_number`) or 19 values in item order.
``None`` (or a missing key) means "not answered yet"."""


def data_dir() -> Traversable:
    """The package's data directory, read through importlib.resources so it works from a wheel too."""
    return files("scrivio_tui.zorgvraag").joinpath("data")


def read_csv_rows(text: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Parse CSV in the NZa dialect (``;``) or plain ``,``; returns the lower-cased header and (line, row).

    The separator is taken from the header line: ``;`` when it holds one, else ``,``.
    """
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header: list[str] = []
    rows: list[tuple[int, dict[str, str]]] = []
    for raw in reader:
        if not header:
            header = [h.strip().lower() for h in raw]
            continue
        if not any(cell.strip() for cell in raw):
            continue
        cells = [c.strip() for c in raw] + [""] * max(0, len(header) - len(raw))
        rows.append((reader.line_num, dict(zip(header, cells, strict=False))))
    return header, rows


# --- items and codes ------------------------------------------------------------------------------------

_FORM_LABELS = {"A": 14, "B": 15, "C": 16, "D": 17, "E": 18, "Q": 19}


def item_number(key: str | int) -> int:
    """Item number 1–19 from ``HV07``/``hv7``/``7`` or a form label ``A``–``E``/``Q``; else ValueError."""
    if isinstance(key, bool):
        raise ValueError(f"not a HoNOS+ item: {key!r}")
    if isinstance(key, int):
        number = key
    else:
        text = key.strip().upper()
        if text in _FORM_LABELS:
            return _FORM_LABELS[text]
        match = re.fullmatch(r"(?:HV)?0*(\d{1,2})", text)
        if not match:
            raise ValueError(f"not a HoNOS+ item: {key!r} (expected HV01–HV19)")
        number = int(match.group(1))
    if not 1 <= number <= ITEM_COUNT:
        raise ValueError(f"not a HoNOS+ item: {key!r} (expected HV01–HV19)")
    return number


def item_code(key: str | int) -> str:
    """Canonical question code ``HVnn`` for any accepted item key."""
    return f"HV{item_number(key):02d}"


def answer_number(item: str | int, severity: int) -> int:
    """The answer number ``nn = 5 × (item − 1) + severity + 1`` (1–95) of the ZPM answer-code list."""
    check_severity(severity)
    return 5 * (item_number(item) - 1) + severity + 1


def answer_code(item: str | int, severity: int) -> str:
    """The ZPM answer code ``HAnn`` (HV02 rated 3 → ``HA09``), as stored and delivered to the NZa."""
    return f"HA{answer_number(item, severity):02d}"


def parse_answer_code(code: str) -> tuple[str, int]:
    """``HAnn`` → (question code, severity); the inverse of :func:`answer_code`, used for imports."""
    match = re.fullmatch(r"HA(\d{2})", code.strip().upper())
    if not match or not 1 <= int(match.group(1)) <= 5 * ITEM_COUNT:
        raise ValueError(f"not a HoNOS+ answer code: {code!r} (expected HA01–HA95)")
    n = int(match.group(1)) - 1
    return f"HV{n // 5 + 1:02d}", n % 5


def check_severity(severity: object) -> int:
    """Return the severity when it is an int 0–4; the ZPM scale has no 9 = unknown (spec §2)."""
    if isinstance(severity, bool) or not isinstance(severity, int) or severity not in SEVERITIES:
        raise ValueError(f"score must be 0–4, got {severity!r}")
    return severity


def normalise_scores(scores: Scores) -> dict[int, int]:
    """Answers as {item number: severity}, unanswered items left out; ValueError on bad keys or values."""
    result: dict[int, int] = {}
    if isinstance(scores, Mapping):
        for key, value in scores.items():
            number = item_number(key)
            if number in result:
                raise ValueError(f"item {item_code(number)} given twice")
            if value is not None:
                try:
                    result[number] = check_severity(value)
                except ValueError as exc:
                    raise ValueError(f"{item_code(number)}: {exc}") from None
        return result
    if isinstance(scores, str | bytes):
        raise ValueError("scores must be a mapping or a sequence of 19 values, not a string")
    values = list(scores)
    if len(values) != ITEM_COUNT:
        raise ValueError(f"expected {ITEM_COUNT} scores (HV01–HV19), got {len(values)}")
    for number, value in enumerate(values, start=1):
        if value is not None:
            try:
                result[number] = check_severity(value)
            except ValueError as exc:
                raise ValueError(f"{item_code(number)}: {exc}") from None
    return result


@dataclass(frozen=True)
class HonosItem:
    """One HoNOS+ question with its titles and per-score anchors, for the dialog and for validation."""

    code: str
    number: int
    form_label: str
    period: Literal["current", "historical"]
    title_nl: str
    title_en: str
    anchors_nl: tuple[str, ...]
    anchors_en: tuple[str, ...]
    wording_confirmed: bool

    def answer_code(self, severity: int) -> str:
        """The ``HAnn`` code of this item at the given severity."""
        return answer_code(self.number, severity)


@cache
def honos_items() -> tuple[HonosItem, ...]:
    """The 19 HoNOS+ items in order, loaded from ``data/honos_items.toml``."""
    raw = tomllib.loads(data_dir().joinpath("honos_items.toml").read_text(encoding="utf-8"))
    items = []
    for entry in raw["item"]:
        period = entry["period"]
        if period not in ("current", "historical"):
            raise ValueError(f"honos_items.toml: bad period {period!r}")
        item = HonosItem(
            code=entry["code"],
            number=int(entry["number"]),
            form_label=entry["form_label"],
            period=period,
            title_nl=entry["title_nl"],
            title_en=entry["title_en"],
            anchors_nl=tuple(entry["anchors_nl"]),
            anchors_en=tuple(entry["anchors_en"]),
            wording_confirmed=bool(entry["wording_confirmed"]),
        )
        if len(item.anchors_nl) != 5 or len(item.anchors_en) != 5:
            raise ValueError(f"honos_items.toml: {item.code} needs 5 anchors per language")
        items.append(item)
    if tuple(i.code for i in items) != ITEM_CODES or [i.number for i in items] != list(range(1, 20)):
        raise ValueError("honos_items.toml must list HV01–HV19 in order")
    return tuple(items)


def honos_item(key: str | int) -> HonosItem:
    """The item for any accepted key (``HV06``, ``6``, ``A``)."""
    return honos_items()[item_number(key) - 1]


# --- groups and types -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class MainGroup:
    """A hoofdgroep (MHCT supercluster) the practitioner picks before the questionnaire."""

    code: str
    name_nl: str
    name_en: str
    description_nl: str
    description_en: str
    type_codes: tuple[int, ...]


@dataclass(frozen=True)
class CareDemandType:
    """A zorgvraagtype: its code (1–8, 10–21), group and working names (to be replaced by NZa CL0007 text)."""

    code: int
    group: str
    name_en: str
    name_nl: str


def _read_data_csv(name: str) -> list[tuple[int, dict[str, str]]]:
    return read_csv_rows(data_dir().joinpath(name).read_text(encoding="utf-8"))[1]


@cache
def care_demand_types() -> tuple[CareDemandType, ...]:
    """All 20 zorgvraagtypes in code order, from ``data/zorgvraagtypes.csv``."""
    types = tuple(
        CareDemandType(int(r["zorgvraagtype"]), r["hoofdgroep"], r["naam_en"], r["naam_nl"])
        for _, r in _read_data_csv("zorgvraagtypes.csv")
    )
    if tuple(t.code for t in types) != TYPE_CODES or any(t.group not in MAIN_GROUPS for t in types):
        raise ValueError("zorgvraagtypes.csv must list types 1–8 and 10–21 with group X, Y or Z")
    return types


def care_demand_type(code: int | str) -> CareDemandType:
    """The type with this code; ValueError for 0, 9 or anything outside 1–21."""
    try:
        number = int(code)
    except (TypeError, ValueError):
        raise ValueError(f"not a zorgvraagtype: {code!r} (valid: 1–8, 10–21)") from None
    for t in care_demand_types():
        if t.code == number:
            return t
    raise ValueError(f"not a zorgvraagtype: {code!r} (valid: 1–8, 10–21)")


@cache
def main_groups() -> tuple[MainGroup, ...]:
    """The three hoofdgroepen X, Y, Z with the codes of their types."""
    groups = tuple(
        MainGroup(
            code=r["hoofdgroep"],
            name_nl=r["naam_nl"],
            name_en=r["naam_en"],
            description_nl=r["omschrijving_nl"],
            description_en=r["omschrijving_en"],
            type_codes=tuple(t.code for t in care_demand_types() if t.group == r["hoofdgroep"]),
        )
        for _, r in _read_data_csv("hoofdgroepen.csv")
    )
    if tuple(g.code for g in groups) != MAIN_GROUPS:
        raise ValueError("hoofdgroepen.csv must list X, Y, Z")
    return groups


def main_group(code: str) -> MainGroup:
    """The group for ``X``/``Y``/``Z`` (case-insensitive); ValueError with the valid choices otherwise."""
    text = code.strip().upper() if isinstance(code, str) else code
    for g in main_groups():
        if g.code == text:
            return g
    raise ValueError(f"not a main group (hoofdgroep): {code!r} (valid: X, Y, Z)")


def group_type_codes(group: str) -> tuple[int, ...]:
    """Type codes of a main group, e.g. X → 1–8."""
    return main_group(group).type_codes
