"""Helpers that write small, hand-made table sets in the spec §4.2 format."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path

import pytest

GROUP_TYPES = {"X": list(range(1, 9)), "Y": list(range(10, 18)), "Z": list(range(18, 22))}
ALL_TYPES = [t for ts in GROUP_TYPES.values() for t in ts]

TableWriter = Callable[..., Path]


def _num(value: float, sep: str) -> str:
    text = repr(float(value))
    return text.replace(".", ",") if sep == ";" else text


def write_table_set(
    directory: Path,
    *,
    version: str = "test-1",
    valid_from: date = date(2024, 1, 1),
    valid_to: date | None = None,
    official: bool = True,
    coefs: Mapping[tuple[str, int, int], float] | None = None,
    constants: Mapping[int, float] | None = None,
    red_rules: Iterable[tuple[object, ...]] = (),
    groups: Iterable[str] = ("X", "Y", "Z"),
    sep: str = ";",
    tree: Iterable[str] | None = None,
    extra_coef_lines: Iterable[str] = (),
) -> Path:
    """One table-set directory; every (item, severity) row exists for the types of ``groups`` (default 0)."""
    directory.mkdir(parents=True, exist_ok=True)
    coefs = coefs or {}
    constants = constants or {}
    meta = [f'version = "{version}"', f"valid_from = {valid_from.isoformat()}",
            'source = "hand-made test tables"', f"official = {'true' if official else 'false'}"]
    if valid_to is not None:
        meta.append(f"valid_to = {valid_to.isoformat()}")
    (directory / "meta.toml").write_text("\n".join(meta) + "\n", encoding="utf-8")
    types = [t for g in groups for t in GROUP_TYPES[g]]
    lines = [sep.join(["honosvraag_code", "ernst", "honos_antwoord", "zorgvraagtype", "coefficient"])]
    for item in range(1, 20):
        for sev in range(5):
            for t in types:
                value = coefs.get((f"HV{item:02d}", sev, t), 0.0)
                lines.append(sep.join([f"HV{item:02d}", str(sev), str(5 * (item - 1) + sev + 1), str(t),
                                       _num(value, sep)]))
    lines.extend(extra_coef_lines)
    (directory / "coefficients.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    const_lines = [sep.join(["zorgvraagtype", "constante"])]
    const_lines += [sep.join([str(t), _num(constants.get(t, 0.0), sep)]) for t in ALL_TYPES]
    (directory / "constants.csv").write_text("\n".join(const_lines) + "\n", encoding="utf-8")
    rule_lines = [sep.join(["vraag", "ernst", "vraag_2", "ernst_2", "zorgvraagtype"])]
    rule_lines += [sep.join(str(v) for v in rule) for rule in red_rules]
    (directory / "red_rules.csv").write_text("\n".join(rule_lines) + "\n", encoding="utf-8")
    if tree is not None:
        columns = ["groep", "node_id", "honosvraag_code", "ernst_van", "ernst_tot", "next_node_id", "leaf"]
        header = sep.join(columns)
        (directory / "dynamic_tree.csv").write_text("\n".join([header, *tree]) + "\n", encoding="utf-8")
    return directory


@pytest.fixture
def tables(tmp_path: Path) -> TableWriter:
    """Factory: ``tables("name", **options)`` writes a table set under tmp_path and returns its directory."""
    def make(name: str = "set", **options: object) -> Path:
        return write_table_set(tmp_path / name, **options)  # type: ignore[arg-type]
    return make


SECTION_10_PROFILES = """
1  | 0 | 0 | 0 | 0 | 0 | 0 | 1 | 2 | 1 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0
2  | 0 | 1 | 0 | 0 | 0 | 0 | 2 | 2 | 1 | 1 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 0 | 0
3  | 0 | 1 | 1 | 0 | 1 | 0 | 2 | 3 | 2 | 1 | 1 | 2 | 0 | 0 | 1 | 0 | 0 | 1 | 0
4  | 1 | 2 | 1 | 0 | 1 | 0 | 3 | 3 | 2 | 2 | 1 | 2 | 0 | 1 | 1 | 0 | 1 | 1 | 0
5  | 1 | 3 | 1 | 0 | 1 | 0 | 4 | 4 | 3 | 3 | 2 | 3 | 0 | 1 | 2 | 0 | 1 | 2 | 0
6  | 1 | 1 | 0 | 0 | 1 | 0 | 2 | 3 | 2 | 1 | 1 | 2 | 3 | 0 | 0 | 0 | 1 | 1 | 0
7  | 1 | 1 | 1 | 0 | 1 | 0 | 2 | 3 | 3 | 3 | 2 | 3 | 1 | 1 | 1 | 0 | 2 | 2 | 0
8  | 3 | 3 | 3 | 0 | 1 | 0 | 2 | 3 | 3 | 2 | 2 | 2 | 1 | 3 | 3 | 1 | 3 | 3 | 0
10 | 1 | 1 | 1 | 0 | 0 | 3 | 2 | 2 | 2 | 2 | 1 | 2 | 0 | 1 | 0 | 0 | 1 | 1 | 0
11 | 0 | 0 | 0 | 0 | 1 | 1 | 1 | 1 | 1 | 1 | 0 | 1 | 0 | 1 | 0 | 0 | 0 | 0 | 0
12 | 1 | 1 | 1 | 0 | 1 | 2 | 1 | 2 | 3 | 3 | 2 | 3 | 0 | 1 | 1 | 0 | 1 | 2 | 0
13 | 2 | 1 | 1 | 1 | 1 | 3 | 2 | 2 | 3 | 3 | 2 | 3 | 0 | 2 | 1 | 0 | 2 | 2 | 0
14 | 3 | 2 | 1 | 1 | 1 | 4 | 2 | 2 | 3 | 3 | 2 | 3 | 0 | 3 | 1 | 1 | 2 | 3 | 0
15 | 1 | 3 | 1 | 1 | 1 | 3 | 4 | 2 | 3 | 3 | 1 | 3 | 0 | 1 | 2 | 0 | 1 | 2 | 0
16 | 2 | 1 | 3 | 0 | 1 | 2 | 1 | 2 | 3 | 2 | 2 | 2 | 0 | 2 | 1 | 1 | 3 | 3 | 0
17 | 3 | 1 | 1 | 0 | 1 | 3 | 1 | 1 | 3 | 2 | 2 | 2 | 0 | 3 | 1 | 1 | 4 | 3 | 0
18 | 0 | 0 | 0 | 2 | 1 | 0 | 1 | 1 | 1 | 1 | 0 | 1 | 0 | 0 | 0 | 0 | 0 | 1 | 0
19 | 1 | 0 | 0 | 3 | 2 | 1 | 2 | 2 | 2 | 2 | 1 | 2 | 0 | 1 | 0 | 0 | 1 | 2 | 0
20 | 3 | 1 | 0 | 3 | 2 | 2 | 2 | 3 | 3 | 3 | 2 | 3 | 0 | 2 | 0 | 1 | 2 | 3 | 0
21 | 1 | 0 | 0 | 4 | 4 | 1 | 1 | 2 | 3 | 4 | 2 | 3 | 0 | 1 | 0 | 0 | 2 | 4 | 0
"""
"""Prototype profiles copied from spec §10 (items 1–12, 13, A–E, Q)."""

SECTION_10_WEIGHTS = [1.5, 1.5, 1.5, 1.5, 1.0, 1.5, 1.5, 1.5, 1.0, 1.0, 1.0, 1.0, 1.5, 1, 1, 1, 1, 1, 0]


@pytest.fixture
def standin_weights() -> list[float]:
    """Item weights from spec §10: 1.5 for 1–4, 6–8, 13; 1.0 for 5, 9–12, A–E; 0 for Q."""
    return list(SECTION_10_WEIGHTS)


@pytest.fixture
def standin_profiles() -> dict[int, tuple[str, list[int]]]:
    """{type: (group, profile)} from spec §10."""
    result = {}
    for line in SECTION_10_PROFILES.strip().splitlines():
        code, *values = (int(v) for v in line.split("|"))
        group = next(g for g, ts in GROUP_TYPES.items() if code in ts)
        result[code] = (group, values)
    return result


@pytest.fixture
def standin():  # type: ignore[no-untyped-def]
    """The shipped stand-in model."""
    from scrivio_tui.zorgvraag import load_standin
    return load_standin()
