"""The dynamic route (spec §5): ask few items, stop at a clear suggestion or fall back to the full route.

Until official trees are loaded this is the stand-in of spec §5.2, on the same tables as the full route:
start with HV06 and HV07, stop when P(top) ≥ 0.70 and leads by ≥ 0.20, else ask the item with the lowest
expected posterior entropy; fall back after 7 items or when no item gains ≥ 0.05 bit. An official
``dynamic_tree.csv`` (spec §5.3) replaces the stand-in when the model is official.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from .advice import probabilities
from .catalogue import ITEM_COUNT, SEVERITIES, Scores, check_severity, item_code, item_number, main_group
from .catalogue import normalise_scores as _normalise
from .tables import FULL_ROUTE_LEAF, Model

START_ITEMS: tuple[str, ...] = ("HV06", "HV07")
STOP_PROBABILITY = 0.70
STOP_MARGIN = 0.20
MAX_ITEMS = 7
MIN_GAIN_BITS = 0.05
SAMPLE_RATE = 0.05

FallbackReason = Literal["no_advice", "sample"]


@dataclass(frozen=True)
class DynamicStep:
    """What the dialog does next: ``ask`` an item, show the ``advice`` type or ``fallback`` to the full route.

    On a ``sample`` fallback ``type_code`` still holds the dynamic suggestion that was reached (for the NZa
    comparison); the advice to show is then the full-route result.
    """

    kind: Literal["ask", "advice", "fallback"]
    item: str | None = None
    type_code: int | None = None
    reason: FallbackReason | None = None

    @property
    def done(self) -> bool:
        """True when no further dynamic question is asked."""
        return self.kind != "ask"


def _ask(item: int | str) -> DynamicStep:
    return DynamicStep("ask", item=item_code(item))


_NO_ADVICE = DynamicStep("fallback", reason="no_advice")


def entropy_bits(probs: Mapping[int, float]) -> float:
    """Shannon entropy in bits."""
    return -math.fsum(p * math.log2(p) for p in probs.values() if p > 0.0)


def answer_distribution(model: Model, item: int, type_code: int) -> tuple[float, ...]:
    """q(s | t, i) ∝ exp(coef[i, s, t]) over s = 0..4."""
    row = model.coefficients[type_code][item - 1]
    top = max(row)
    weights = [math.exp(c - top) for c in row]
    total = math.fsum(weights)
    return tuple(w / total for w in weights)


def expected_entropy(model: Model, group: str, answers: Mapping[int, int], item: int) -> float:
    """Expected posterior entropy (bits) after asking ``item``, with answers drawn from Σ_t P(t)·q(s|t,i)."""
    prior = probabilities(model, group, answers)
    q = {t: answer_distribution(model, item, t) for t in prior}
    expected = 0.0
    for s in SEVERITIES:
        m = math.fsum(prior[t] * q[t][s] for t in prior)
        if m > 0.0:
            expected += m * entropy_bits(probabilities(model, group, {**answers, item: s}))
    return expected


def _stand_in_step(model: Model, group: str, answers: Mapping[int, int]) -> DynamicStep:
    for start in START_ITEMS:
        if item_number(start) not in answers:
            return _ask(start)
    probs = probabilities(model, group, answers)
    ranked = sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))
    if ranked[0][1] == 0.0:
        return _NO_ADVICE
    (top, p_top), p_second = ranked[0], ranked[1][1] if len(ranked) > 1 else 0.0
    if p_top >= STOP_PROBABILITY and p_top - p_second >= STOP_MARGIN:
        return DynamicStep("advice", type_code=top)
    if len(answers) >= MAX_ITEMS:
        return _NO_ADVICE
    current = entropy_bits(probs)
    best_item, best_entropy = 0, math.inf
    for item in range(1, ITEM_COUNT + 1):
        if item in answers:
            continue
        value = expected_entropy(model, group, answers, item)
        if value < best_entropy - 1e-12:
            best_item, best_entropy = item, value
    if best_item == 0 or current - best_entropy < MIN_GAIN_BITS:
        return _NO_ADVICE
    return _ask(best_item)


def _tree_step(model: Model, group: str, answers: Mapping[int, int]) -> DynamicStep:
    tree = model.dynamic_tree
    assert tree is not None
    node_id: str | None = tree.roots.get(group)
    while node_id is not None:
        node = tree.nodes[(group, node_id)]
        severity = answers.get(item_number(node.item))
        if severity is None:
            return _ask(node.item)
        branch = next(b for b in node.branches if b.low <= severity <= b.high)
        if branch.leaf == FULL_ROUTE_LEAF:
            return _NO_ADVICE
        if branch.leaf is not None:
            return DynamicStep("advice", type_code=int(branch.leaf))
        node_id = branch.next_node
    return _NO_ADVICE


def uses_official_tree(model: Model, group: str) -> bool:
    """True when an official tree for ``group`` replaces the stand-in procedure (spec §5.3)."""
    return model.official and model.dynamic_tree is not None and group in model.dynamic_tree.roots


def next_dynamic_step(model: Model, main_group_code: str, answers: Scores) -> DynamicStep:
    """Pure decision from the answers so far: next item to ask, the suggestion, or a ``no_advice`` fallback.

    The 5 % sample is not drawn here; :class:`DynamicRoute` adds it.
    """
    group = main_group(main_group_code).code
    given = _normalise(answers)
    if uses_official_tree(model, group):
        return _tree_step(model, group, given)
    return _stand_in_step(model, group, given)


@dataclass(frozen=True)
class DynamicRecord:
    """What is stored for audit / NZa delivery (spec §5.2 step 7)."""

    route: Literal["dynamic"]
    asked: tuple[str, ...]
    answers: Mapping[str, int]
    suggested_type: int | None
    fallback: bool
    fallback_reason: FallbackReason | None
    model_version: str


class DynamicRoute:
    """Stateful driver for the dialog: call :meth:`answer` with each rating and follow the returned step.

    The random sample is drawn once, the first time the route reaches a suggestion; pass a seeded
    ``random.Random`` in tests. After a fallback, :attr:`answers` pre-fills the full route.
    """

    def __init__(self, model: Model, main_group_code: str, *, rng: random.Random | None = None,
                 sample_rate: float = SAMPLE_RATE) -> None:
        self.model = model
        self.main_group = main_group(main_group_code).code
        self._rng = rng if rng is not None else random.Random()
        self._sample_rate = sample_rate
        self._answers: dict[int, int] = {}
        self._asked: list[str] = []
        self._sampled: bool | None = None
        self._step = self._decide()

    @property
    def step(self) -> DynamicStep:
        """The current step (what to ask, or the outcome)."""
        return self._step

    @property
    def answers(self) -> dict[str, int]:
        """Answers given so far as {HVnn: severity}; kept when falling back to the full route."""
        return {item_code(i): s for i, s in sorted(self._answers.items())}

    @property
    def asked(self) -> tuple[str, ...]:
        """Items in the order they were asked and answered."""
        return tuple(self._asked)

    def answer(self, item: str | int, severity: int) -> DynamicStep:
        """Record a rating for the item being asked (or re-rate one asked before) and return the next step."""
        code = item_code(item)
        check_severity(severity)
        if code not in self._asked and (self._step.kind != "ask" or self._step.item != code):
            expected = self._step.item if self._step.kind == "ask" else "nothing (the route is done)"
            raise ValueError(f"the dynamic route asks {expected}, not {code}")
        if code not in self._asked:
            self._asked.append(code)
        self._answers[item_number(code)] = severity
        self._step = self._decide()
        return self._step

    def _decide(self) -> DynamicStep:
        step = next_dynamic_step(self.model, self.main_group, self._answers)
        if step.kind != "advice":
            return step
        if self._sampled is None:
            self._sampled = self._rng.random() < self._sample_rate
        if self._sampled:
            return DynamicStep("fallback", type_code=step.type_code, reason="sample")
        return step

    def record(self) -> DynamicRecord:
        """The audit record of this dynamic route as it stands."""
        step = self._step
        return DynamicRecord(
            route="dynamic",
            asked=self.asked,
            answers=self.answers,
            suggested_type=step.type_code,
            fallback=step.kind == "fallback",
            fallback_reason=step.reason,
            model_version=self.model.version,
        )
