"""The full-route advice (spec §4.1): constant + coefficients per type, softmax within the main group.

Unanswered items (live advice while the dialog is being filled in) add nothing to any score, and a red rule
only fires once all the items it names are answered — the same rule the dynamic route uses (spec §5.2).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .catalogue import (
    ITEM_COUNT,
    Scores,
    answer_code,
    care_demand_type,
    group_type_codes,
    item_code,
    main_group,
    normalise_scores,
)
from .tables import Model, NoModelError, RedRule, load_models

HIGHLIGHT_THRESHOLD = 0.20
"""Stand-in colour rule (spec §4.1 [P]): highlight the top type and every type at or above 20 %."""


def type_scores(model: Model, group: str, answers: Mapping[int, int]) -> dict[int, float]:
    """Linear score per type of ``group``; ``-inf`` for a type excluded by a red rule."""
    scores: dict[int, float] = {}
    for t in group_type_codes(group):
        matrix = model.coefficients[t]
        scores[t] = model.constants[t] + math.fsum(matrix[i - 1][s] for i, s in answers.items())
    for rule in model.red_rules:
        if rule.type_code in scores and rule.matches(answers):
            scores[rule.type_code] = -math.inf
    return scores


def softmax(scores: Mapping[int, float]) -> dict[int, float]:
    """exp(score − max) normalised; all zero when every type is excluded (no advice possible)."""
    top = max(scores.values(), default=-math.inf)
    if top == -math.inf:
        return dict.fromkeys(scores, 0.0)
    weights = {t: math.exp(s - top) for t, s in scores.items()}
    total = math.fsum(weights.values())
    return {t: w / total for t, w in weights.items()}


def probabilities(model: Model, group: str, answers: Mapping[int, int]) -> dict[int, float]:
    """P(type) over the types of ``group`` given the (possibly partial) answers {item number: severity}."""
    return softmax(type_scores(model, main_group(group).code, answers))


@dataclass(frozen=True)
class RankedType:
    """One line of the advice list; ``probability`` keeps full precision, the list shows whole percentages."""

    code: int
    name_en: str
    name_nl: str
    probability: float
    excluded: bool = False

    @property
    def percentage(self) -> float:
        """100 · probability, full precision (stored with the typing)."""
        return 100.0 * self.probability

    @property
    def rounded_percentage(self) -> int:
        """Whole percentage for display (half rounds up)."""
        return math.floor(self.percentage + 0.5)

    @property
    def label(self) -> str:
        """English working name (source language); ``name_nl`` holds the Dutch one."""
        return self.name_en


@dataclass(frozen=True)
class Advice:
    """The computed advice the practitioner chooses from; ``is_stand_in`` means: show it as indicative."""

    main_group: str
    ranked: tuple[RankedType, ...]
    red_rules_fired: tuple[RedRule, ...]
    answers: Mapping[str, int]
    model_version: str
    is_stand_in: bool

    @property
    def complete(self) -> bool:
        """True when all 19 items are answered, i.e. this is a full-route advice and not a live preview."""
        return len(self.answers) == ITEM_COUNT

    @property
    def answered(self) -> int:
        """How many items are answered."""
        return len(self.answers)

    @property
    def top(self) -> RankedType | None:
        """The advised type, or None when every type of the group is excluded ("geen advies mogelijk")."""
        first = self.ranked[0] if self.ranked else None
        return first if first is not None and not first.excluded else None

    @property
    def highlighted(self) -> tuple[RankedType, ...]:
        """Types to emphasise: the top one and every type at or above 20 % (stand-in colour rule)."""
        top = self.top
        return tuple(r for r in self.ranked
                     if not r.excluded and (r is top or r.probability >= HIGHLIGHT_THRESHOLD))

    @property
    def answer_codes(self) -> tuple[str, ...]:
        """The ``HAnn`` codes of the given answers, in item order."""
        return tuple(answer_code(code, severity) for code, severity in self.answers.items())

    def percentage_of(self, type_code: int) -> float:
        """Percentage of one type (0 when excluded)."""
        for r in self.ranked:
            if r.code == type_code:
                return r.percentage
        raise ValueError(f"type {type_code} is not in group {self.main_group}")


def _advice(model: Model, group: str, answers: dict[int, int]) -> Advice:
    code = main_group(group).code
    scores = type_scores(model, code, answers)
    probs = softmax(scores)
    ranked = []
    for t, p in probs.items():
        info = care_demand_type(t)
        ranked.append(RankedType(t, info.name_en, info.name_nl, p, scores[t] == -math.inf))
    ranked.sort(key=lambda r: (r.excluded, -r.probability, r.code))
    fired = tuple(r for r in model.red_rules if r.type_code in scores and r.matches(answers))
    return Advice(
        main_group=code,
        ranked=tuple(ranked),
        red_rules_fired=fired,
        answers={item_code(i): answers[i] for i in sorted(answers)},
        model_version=model.version,
        is_stand_in=model.is_stand_in,
    )


def advise(model: Model, main_group: str, scores: Scores) -> Advice:
    """Full-route advice: all 19 items must be answered 0–4 (ValueError naming the missing items if not)."""
    answers = normalise_scores(scores)
    missing = [item_code(i) for i in range(1, ITEM_COUNT + 1) if i not in answers]
    if missing:
        raise ValueError(f"the full route needs all 19 items; not answered: {', '.join(missing)}")
    return _advice(model, main_group, answers)


def advise_partial(model: Model, main_group: str, scores: Scores) -> Advice:
    """Live advice while items are still open: unanswered items add nothing, red rules wait for their items.

    Equals :func:`advise` once all 19 items are answered; check ``Advice.complete`` before saving.
    """
    return _advice(model, main_group, normalise_scores(scores))


def advice_as_json(advice: Advice, *, decimals: int = 2) -> dict[str, Any]:
    """A JSON-ready dict of the advice (type codes as string keys, highest first) for the CLI and audit."""
    return {
        "main_group": advice.main_group,
        "percentages": {str(r.code): round(r.percentage, decimals) for r in advice.ranked},
        "top_advice": advice.top.code if advice.top else None,
        "red_rules_fired": [
            {"vraag": r.item, "ernst": r.severity, "vraag_2": r.item_2, "ernst_2": r.severity_2,
             "zorgvraagtype": r.type_code}
            for r in advice.red_rules_fired
        ],
        "answers": dict(advice.answers),
        "complete": advice.complete,
        "model_version": advice.model_version,
        "stand_in": advice.is_stand_in,
    }


def parse_score_digits(scores: str) -> list[int]:
    """``"0120…"`` (19 digits 0–4; spaces, commas and dashes ignored) → list of scores; ValueError if bad."""
    digits = "".join(c for c in scores if c not in " ,-_")
    bad = sorted({c for c in digits if c not in "01234"})
    if bad:
        raise ValueError(f"scores may only hold the digits 0–4, found {' '.join(repr(c) for c in bad)}")
    if len(digits) != ITEM_COUNT:
        raise ValueError(f"scores must be {ITEM_COUNT} digits (HV01–HV19), got {len(digits)}")
    return [int(c) for c in digits]


def cli_advise(
    group: str, scores: str, on: date | None = None, extra_dirs: Sequence[Path] = ()
) -> dict[str, Any]:
    """``scrivio-tui zvt advise --group X --scores 0120…``: the advice as a dict; ValueError on bad input."""
    code = main_group(group).code
    values = parse_score_digits(scores)
    when = on or date.today()
    try:
        model = load_models(extra_dirs).model_for(when)
    except NoModelError as exc:
        raise ValueError(str(exc)) from None
    result = advice_as_json(advise(model, code, values))
    result["date"] = when.isoformat()
    return result
