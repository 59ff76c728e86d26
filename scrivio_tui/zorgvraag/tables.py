"""Versioned model tables (spec §4.2): load, validate, choose the version in force, install official sets.

A table set is one directory holding ``meta.toml``, ``coefficients.csv``, ``constants.csv``,
``red_rules.csv`` and optionally ``dynamic_tree.csv``. The shipped set is the stand-in of spec §10;
official NZa sets are installed into a user data directory with :func:`import_tables`.
"""

from __future__ import annotations

import math
import shutil
import tempfile
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from .catalogue import (
    ITEM_COUNT,
    MAIN_GROUPS,
    SEVERITIES,
    TYPE_CODES,
    data_dir,
    group_type_codes,
    item_code,
    item_number,
    read_csv_rows,
)

META_FILE = "meta.toml"
COEFFICIENTS_FILE = "coefficients.csv"
CONSTANTS_FILE = "constants.csv"
RED_RULES_FILE = "red_rules.csv"
DYNAMIC_TREE_FILE = "dynamic_tree.csv"
REQUIRED_FILES = (META_FILE, COEFFICIENTS_FILE, CONSTANTS_FILE, RED_RULES_FILE)
TABLE_FILES = (*REQUIRED_FILES, DYNAMIC_TREE_FILE)
FULL_ROUTE_LEAF = "VOLLEDIG"


class TableError(ValueError):
    """A table set is incomplete or malformed; ``problems`` lists every finding, one readable line each."""

    def __init__(self, problems: Sequence[str], origin: str = "") -> None:
        self.problems = tuple(problems)
        self.origin = origin
        head = f"invalid model tables in {origin}" if origin else "invalid model tables"
        super().__init__(head + ":\n" + "\n".join(f"- {p}" for p in self.problems))


class NoModelError(LookupError):
    """No model version is in force on the requested date."""


@dataclass(frozen=True)
class RedRule:
    """Excludes ``type_code`` when ``item`` = ``severity`` (and, if given, ``item_2`` = ``severity_2``)."""

    item: str
    severity: int
    type_code: int
    item_2: str | None = None
    severity_2: int | None = None

    def conditions(self) -> tuple[tuple[int, int], ...]:
        """(item number, severity) pairs that must all hold."""
        first = (item_number(self.item), self.severity)
        if self.item_2 is None or self.severity_2 is None:
            return (first,)
        return first, (item_number(self.item_2), self.severity_2)

    def matches(self, answers: Mapping[int, int]) -> bool:
        """True when every condition is answered and holds; unanswered conditions never fire (spec §5.2)."""
        return all(answers.get(item) == severity for item, severity in self.conditions())


@dataclass(frozen=True)
class TreeBranch:
    """One row of ``dynamic_tree.csv``: for answers in [low, high] go to ``next_node`` or stop at ``leaf``."""

    low: int
    high: int
    next_node: str | None
    leaf: str | None


@dataclass(frozen=True)
class TreeNode:
    """A question node of the official dynamic tree."""

    node_id: str
    item: str
    branches: tuple[TreeBranch, ...]


@dataclass(frozen=True)
class DynamicTree:
    """Official dynamic-route trees per main group (spec §5.3); a group's first listed node is its root."""

    roots: Mapping[str, str]
    nodes: Mapping[tuple[str, str], TreeNode]


@dataclass(frozen=True, eq=False)
class Model:
    """One version of the full-route tables; ``is_stand_in`` tells the UI to call the advice indicative."""

    version: str
    valid_from: date
    valid_to: date | None
    source: str
    official: bool
    constants: Mapping[int, float] = field(repr=False)
    coefficients: Mapping[int, tuple[tuple[float, ...], ...]] = field(repr=False)
    red_rules: tuple[RedRule, ...] = field(repr=False)
    dynamic_tree: DynamicTree | None = field(default=None, repr=False)
    origin: str = ""

    @property
    def is_stand_in(self) -> bool:
        """True for the non-official stand-in: its advice must be shown as indicative."""
        return not self.official

    def in_force(self, on: date) -> bool:
        """True when ``valid_from <= on <= valid_to`` (``valid_to`` is the last day; absent = open-ended)."""
        return self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)

    def coefficient(self, item: str | int, severity: int, type_code: int) -> float:
        """coef[item, severity, type]; a row missing from the table counts as 0."""
        return self.coefficients[type_code][item_number(item) - 1][severity]

    def constant(self, type_code: int) -> float:
        """const[type]."""
        return self.constants[type_code]


# --- parsing --------------------------------------------------------------------------------------------


def _parse_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def _parse_decimal(text: str) -> float | None:
    """Accepts decimal comma (NZa dialect) or point; rejects NaN/inf and thousands separators."""
    candidate = text.replace(",", ".") if text.count(",") == 1 and "." not in text else text
    try:
        value = float(candidate)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _item(text: str) -> int | None:
    if len(text) != 4 or not text.upper().startswith("HV"):
        return None
    try:
        return item_number(text)
    except ValueError:
        return None


def _check_header(name: str, header: list[str], required: Iterable[str], problems: list[str]) -> bool:
    missing = [c for c in required if c not in header]
    if missing:
        problems.append(f"{name}: missing column(s) {', '.join(missing)} (header is: {';'.join(header)})")
        return False
    return True


def _parse_meta(text: str, problems: list[str]) -> dict[str, Any]:
    try:
        meta = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(f"{META_FILE}: not valid TOML ({exc})")
        return {}
    out: dict[str, Any] = {}
    version = meta.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append(f"{META_FILE}: 'version' must be a non-empty string")
    else:
        out["version"] = version.strip()
    valid_from = meta.get("valid_from")
    if not isinstance(valid_from, date):
        problems.append(f"{META_FILE}: 'valid_from' must be a TOML date (e.g. valid_from = 2025-01-01)")
    else:
        out["valid_from"] = valid_from
    valid_to = meta.get("valid_to")
    if valid_to is not None and not isinstance(valid_to, date):
        problems.append(f"{META_FILE}: 'valid_to' must be a TOML date or left out (open-ended)")
    elif isinstance(valid_from, date) and isinstance(valid_to, date) and valid_to < valid_from:
        problems.append(f"{META_FILE}: valid_to {valid_to} is before valid_from {valid_from}")
    else:
        out["valid_to"] = valid_to
    official = meta.get("official")
    if not isinstance(official, bool):
        problems.append(f"{META_FILE}: 'official' must be true or false")
    else:
        out["official"] = official
    source = meta.get("source", "")
    if not isinstance(source, str):
        problems.append(f"{META_FILE}: 'source' must be a string")
    out["source"] = str(source)
    return out


def _parse_constants(text: str, problems: list[str]) -> dict[int, float]:
    header, rows = read_csv_rows(text)
    constants: dict[int, float] = {}
    if not _check_header(CONSTANTS_FILE, header, ("zorgvraagtype", "constante"), problems):
        return constants
    for line, row in rows:
        code, value = _parse_int(row["zorgvraagtype"]), _parse_decimal(row["constante"])
        if code not in TYPE_CODES:
            problems.append(f"{CONSTANTS_FILE} line {line}: zorgvraagtype {row['zorgvraagtype']!r} "
                            "is not a type (1–8, 10–21)")
        elif value is None:
            problems.append(f"{CONSTANTS_FILE} line {line}: constante {row['constante']!r} is not a number")
        elif code in constants:
            problems.append(f"{CONSTANTS_FILE} line {line}: second constant for type {code}")
        else:
            constants[code] = value
    missing = [t for t in TYPE_CODES if t not in constants]
    if missing:
        problems.append(f"{CONSTANTS_FILE}: no constant for type(s) {', '.join(map(str, missing))}")
    return constants


def _parse_coefficients(text: str, problems: list[str]) -> dict[tuple[int, int, int], float]:
    header, rows = read_csv_rows(text)
    columns = ("honosvraag_code", "ernst", "honos_antwoord", "zorgvraagtype", "coefficient")
    coefs: dict[tuple[int, int, int], float] = {}
    if not _check_header(COEFFICIENTS_FILE, header, columns, problems):
        return coefs
    if not rows:
        problems.append(f"{COEFFICIENTS_FILE}: no rows")
        return coefs
    for line, row in rows:
        where = f"{COEFFICIENTS_FILE} line {line}"
        item, severity = _item(row["honosvraag_code"]), _parse_int(row["ernst"])
        answer, code = _parse_int(row["honos_antwoord"]), _parse_int(row["zorgvraagtype"])
        value = _parse_decimal(row["coefficient"])
        bad = []
        if item is None:
            bad.append(f"honosvraag_code {row['honosvraag_code']!r} is not HV01–HV19")
        if severity not in SEVERITIES:
            bad.append(f"ernst {row['ernst']!r} is not 0–4")
        if code not in TYPE_CODES:
            bad.append(f"zorgvraagtype {row['zorgvraagtype']!r} is not a type (1–8, 10–21)")
        if value is None:
            bad.append(f"coefficient {row['coefficient']!r} is not a number")
        if item is not None and severity in SEVERITIES and severity is not None:
            expected = 5 * (item - 1) + severity + 1
            if answer != expected:
                bad.append(f"honos_antwoord {row['honos_antwoord']!r} does not match "
                           f"{item_code(item)} ernst {severity} (expected {expected})")
        if bad:
            problems.extend(f"{where}: {b}" for b in bad)
            continue
        assert item is not None and severity is not None and code is not None and value is not None
        key = (item, severity, code)
        if key in coefs:
            problems.append(f"{where}: duplicate row for {item_code(item)} ernst {severity} type {code}")
        coefs[key] = value
    if any(p.startswith(COEFFICIENTS_FILE) for p in problems):
        return coefs
    for item in range(1, ITEM_COUNT + 1):
        for severity in SEVERITIES:
            gaps = {g: [t for t in group_type_codes(g) if (item, severity, t) not in coefs]
                    for g in MAIN_GROUPS}
            if all(gaps.values()):
                detail = "; ".join(f"{g} lacks {', '.join(map(str, ts))}" for g, ts in gaps.items())
                problems.append(f"{COEFFICIENTS_FILE}: {item_code(item)} ernst {severity} has no complete "
                                f"set of coefficients for any main group ({detail})")
    return coefs


def _parse_red_rules(text: str, problems: list[str]) -> tuple[RedRule, ...]:
    header, rows = read_csv_rows(text)
    rules: list[RedRule] = []
    if not _check_header(RED_RULES_FILE, header, ("vraag", "ernst", "vraag_2", "ernst_2", "zorgvraagtype"),
                         problems):
        return ()
    for line, row in rows:
        where = f"{RED_RULES_FILE} line {line}"
        item, severity, code = _item(row["vraag"]), _parse_int(row["ernst"]), _parse_int(row["zorgvraagtype"])
        item_2 = _item(row["vraag_2"]) if row["vraag_2"] else None
        severity_2 = _parse_int(row["ernst_2"]) if row["ernst_2"] else None
        bad = []
        if item is None:
            bad.append(f"vraag {row['vraag']!r} is not HV01–HV19")
        if severity not in SEVERITIES:
            bad.append(f"ernst {row['ernst']!r} is not 0–4")
        if code not in TYPE_CODES:
            bad.append(f"zorgvraagtype {row['zorgvraagtype']!r} is not a type (1–8, 10–21)")
        if bool(row["vraag_2"]) != bool(row["ernst_2"]):
            bad.append("vraag_2 and ernst_2 must both be filled or both be empty")
        elif row["vraag_2"]:
            if item_2 is None:
                bad.append(f"vraag_2 {row['vraag_2']!r} is not HV01–HV19")
            if severity_2 not in SEVERITIES:
                bad.append(f"ernst_2 {row['ernst_2']!r} is not 0–4")
        if bad:
            problems.extend(f"{where}: {b}" for b in bad)
            continue
        assert item is not None and severity is not None and code is not None
        rules.append(RedRule(item_code(item), severity, code,
                             item_code(item_2) if item_2 is not None else None, severity_2))
    return tuple(rules)


def _parse_tree(text: str, problems: list[str]) -> DynamicTree | None:
    header, rows = read_csv_rows(text)
    columns = ("groep", "node_id", "honosvraag_code", "ernst_van", "ernst_tot", "next_node_id", "leaf")
    if not _check_header(DYNAMIC_TREE_FILE, header, columns, problems):
        return None
    start = len(problems)
    roots: dict[str, str] = {}
    items: dict[tuple[str, str], str] = {}
    branches: dict[tuple[str, str], list[TreeBranch]] = {}
    for line, row in rows:
        where = f"{DYNAMIC_TREE_FILE} line {line}"
        group, node = row["groep"].upper(), row["node_id"]
        item = _item(row["honosvraag_code"])
        low, high = _parse_int(row["ernst_van"]), _parse_int(row["ernst_tot"])
        nxt, leaf = row["next_node_id"] or None, row["leaf"].upper() or None
        if group not in MAIN_GROUPS:
            problems.append(f"{where}: groep {row['groep']!r} is not X, Y or Z")
            continue
        if not node or item is None or low not in SEVERITIES or high not in SEVERITIES:
            problems.append(f"{where}: needs node_id, honosvraag_code HV01–HV19 and ernst_van/ernst_tot 0–4")
            continue
        assert low is not None and high is not None
        if low > high:
            problems.append(f"{where}: ernst_van {low} > ernst_tot {high}")
        if (nxt is None) == (leaf is None):
            problems.append(f"{where}: give either next_node_id or leaf, not both or neither")
        if leaf is not None and leaf != FULL_ROUTE_LEAF and _parse_int(leaf) not in group_type_codes(group):
            problems.append(f"{where}: leaf {leaf!r} is not a type of group {group} or {FULL_ROUTE_LEAF}")
        key = (group, node)
        roots.setdefault(group, node)
        if items.setdefault(key, item_code(item)) != item_code(item):
            problems.append(f"{where}: node {node} asks two different items")
        if leaf is not None and leaf != FULL_ROUTE_LEAF:
            leaf = str(_parse_int(leaf))
        branches.setdefault(key, []).append(TreeBranch(low, high, nxt, leaf))
    for (group, node), found in branches.items():
        covered = sorted(s for b in found for s in range(b.low, b.high + 1))
        if covered != list(SEVERITIES):
            problems.append(f"{DYNAMIC_TREE_FILE}: node {group}/{node} must cover ernst 0–4 exactly once")
        for b in found:
            if b.next_node is not None and (group, b.next_node) not in items:
                problems.append(f"{DYNAMIC_TREE_FILE}: node {group}/{node} points to unknown node "
                                f"{b.next_node}")
    if len(problems) == start:
        for group, root in roots.items():
            if _has_cycle(group, root, branches):
                problems.append(f"{DYNAMIC_TREE_FILE}: the tree of group {group} has a cycle")
    if len(problems) > start:
        return None
    nodes = {k: TreeNode(k[1], items[k], tuple(v)) for k, v in branches.items()}
    return DynamicTree(roots=roots, nodes=nodes)


def _has_cycle(group: str, node: str, branches: Mapping[tuple[str, str], list[TreeBranch]],
               path: frozenset[str] = frozenset()) -> bool:
    if node in path:
        return True
    return any(
        _has_cycle(group, b.next_node, branches, path | {node})
        for b in branches[(group, node)] if b.next_node is not None
    )


def parse_table_set(source: Traversable, origin: str | None = None) -> Model:
    """Read and validate one table-set directory; raises :class:`TableError` listing every problem found."""
    origin = origin or str(source)
    problems: list[str] = []
    texts: dict[str, str] = {}
    for name in TABLE_FILES:
        entry = source.joinpath(name)
        if entry.is_file():
            try:
                texts[name] = entry.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                problems.append(f"{name}: not UTF-8 text")
        elif name in REQUIRED_FILES:
            hint = " (if the model has no red rules, give the file with only its header row)" \
                if name == RED_RULES_FILE else ""
            problems.append(f"{name}: file missing{hint}")
    meta = _parse_meta(texts[META_FILE], problems) if META_FILE in texts else {}
    constants = _parse_constants(texts[CONSTANTS_FILE], problems) if CONSTANTS_FILE in texts else {}
    coefs = _parse_coefficients(texts[COEFFICIENTS_FILE], problems) if COEFFICIENTS_FILE in texts else {}
    rules = _parse_red_rules(texts[RED_RULES_FILE], problems) if RED_RULES_FILE in texts else ()
    tree = _parse_tree(texts[DYNAMIC_TREE_FILE], problems) if DYNAMIC_TREE_FILE in texts else None
    if problems:
        raise TableError(problems, origin)
    matrix = {
        t: tuple(tuple(coefs.get((i, s, t), 0.0) for s in SEVERITIES) for i in range(1, ITEM_COUNT + 1))
        for t in TYPE_CODES
    }
    return Model(
        version=meta["version"],
        valid_from=meta["valid_from"],
        valid_to=meta["valid_to"],
        source=meta["source"],
        official=meta["official"],
        constants=constants,
        coefficients=matrix,
        red_rules=rules,
        dynamic_tree=tree,
        origin=origin,
    )


# --- registry -------------------------------------------------------------------------------------------


def _check_versions(models: Sequence[Model]) -> list[str]:
    """Duplicate version names and ambiguous overlaps (same officialness and same valid_from) are errors."""
    problems = []
    for index, a in enumerate(models):
        for b in models[index + 1:]:
            if a.version == b.version:
                problems.append(f"version {a.version!r} is present twice ({a.origin}, {b.origin})")
            elif a.official == b.official and a.valid_from == b.valid_from and _overlap(a, b):
                problems.append(
                    f"versions {a.version!r} and {b.version!r} overlap with the same valid_from "
                    f"{a.valid_from}, so neither wins; give the newer one a later valid_from or end the "
                    "older one with valid_to"
                )
    return problems


def _overlap(a: Model, b: Model) -> bool:
    a_end, b_end = a.valid_to or date.max, b.valid_to or date.max
    return a.valid_from <= b_end and b.valid_from <= a_end


@dataclass(frozen=True)
class SkippedTableSet:
    """An installed table set that failed validation and was left out (the app keeps working)."""

    path: Path
    problems: tuple[str, ...]


@dataclass(frozen=True)
class ModelRegistry:
    """All loaded model versions; :meth:`model_for` applies the precedence rule of spec §4.2."""

    models: tuple[Model, ...]
    skipped: tuple[SkippedTableSet, ...] = ()

    def __post_init__(self) -> None:
        problems = _check_versions(self.models)
        if problems:
            raise TableError(problems)

    def model_for(self, on: date) -> Model:
        """The version in force on ``on``: official before stand-in, then the latest ``valid_from``."""
        candidates = [m for m in self.models if m.in_force(on)]
        if not candidates:
            raise NoModelError(f"no zorgvraagtypering model is in force on {on.isoformat()}")
        return max(candidates, key=lambda m: (m.official, m.valid_from))

    def version(self, version: str) -> Model:
        """A model by version name, e.g. to show the advice stored with an old typing."""
        for m in self.models:
            if m.version == version:
                return m
        raise NoModelError(f"model version {version!r} is not loaded")


@cache
def _shipped_models() -> tuple[Model, ...]:
    return tuple(parse_table_set(d, f"package:{d.name}") for d in _table_dirs(data_dir().joinpath("models")))


def load_standin() -> Model:
    """The shipped stand-in model (spec §10), e.g. for tests and previews without a registry."""
    return max(_shipped_models(), key=lambda m: m.valid_from)


def _table_dirs(root: Traversable) -> list[Traversable]:
    if root.joinpath(META_FILE).is_file():
        return [root]
    if not root.is_dir():
        return []
    return sorted((d for d in root.iterdir()
                   if d.is_dir() and not d.name.startswith(".") and d.joinpath(META_FILE).is_file()),
                  key=lambda d: d.name)


def load_models(extra_dirs: Sequence[Path] = ()) -> ModelRegistry:
    """The shipped stand-in plus installed table sets.

    Each entry of ``extra_dirs`` is a table set itself or a directory of table sets (as written by
    :func:`import_tables`). Installed sets that fail validation are skipped and listed in ``skipped``.
    """
    models = list(_shipped_models())
    skipped = []
    for extra in extra_dirs:
        for directory in _table_dirs(Path(extra)):
            path = Path(str(directory))
            try:
                models.append(parse_table_set(path))
            except TableError as exc:
                skipped.append(SkippedTableSet(path, exc.problems))
    return ModelRegistry(tuple(models), tuple(skipped))


# --- import ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportReport:
    """What :func:`import_tables` installed, for the confirmation message."""

    version: str
    official: bool
    valid_from: date
    valid_to: date | None
    destination: Path
    files: tuple[str, ...]
    coefficient_rows: int
    red_rules: int
    has_dynamic_tree: bool
    warnings: tuple[str, ...] = ()


def _safe_dir_name(version: str) -> str:
    cleaned = "".join(c if c.isalnum() or c in "._-" else "_" for c in version)
    return f"zvt-ggz-{cleaned}"


def import_tables(src_dir: Path, dest_dir: Path, *, replace: bool = False) -> ImportReport:
    """Validate a directory of (official) tables and copy it to ``dest_dir/zvt-ggz-<version>/``.

    Raises :class:`TableError` with one line per problem when the set is incomplete or malformed, when the
    version is already installed (unless ``replace``) or when it would be ambiguous next to installed sets.
    """
    src_dir, dest_dir = Path(src_dir), Path(dest_dir)
    if not src_dir.is_dir():
        raise TableError([f"{src_dir} is not a directory"], str(src_dir))
    model = parse_table_set(src_dir)
    target = dest_dir / _safe_dir_name(model.version)
    problems: list[str] = []
    if target.exists() and not replace:
        problems.append(f"version {model.version!r} is already installed in {target}")
    existing = load_models([dest_dir]) if dest_dir.is_dir() else load_models()
    for m in existing.models:
        if m.version == model.version and m.origin != str(target):
            problems.append(f"version {model.version!r} is already loaded from {m.origin}; "
                            "give the new set another version name")
    others = [m for m in existing.models if m.version != model.version]
    problems += [p for p in _check_versions([*others, model]) if repr(model.version) in p]
    if problems:
        raise TableError(problems, str(src_dir))
    warnings = []
    if not model.official:
        warnings.append("meta.toml says official = false: this set will be treated as a stand-in")
    if not model.red_rules:
        warnings.append("red_rules.csv holds no rules")
    dest_dir.mkdir(parents=True, exist_ok=True)
    copied = tuple(n for n in TABLE_FILES if (src_dir / n).is_file())
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=dest_dir))
    try:
        for name in copied:
            shutil.copyfile(src_dir / name, staging / name)
        parse_table_set(staging)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return ImportReport(
        version=model.version,
        official=model.official,
        valid_from=model.valid_from,
        valid_to=model.valid_to,
        destination=target,
        files=copied,
        coefficient_rows=sum(1 for line in (src_dir / COEFFICIENTS_FILE).read_text("utf-8").splitlines()[1:]
                             if line.strip()),
        red_rules=len(model.red_rules),
        has_dynamic_tree=model.dynamic_tree is not None,
        warnings=tuple(warnings),
    )
