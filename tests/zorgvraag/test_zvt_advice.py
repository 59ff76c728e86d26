"""Full-route advice: the formula on hand-made tables, red rules, group restriction, partial/live advice."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pytest

from scrivio_tui.zorgvraag import (
    advice_as_json,
    advise,
    advise_partial,
    cli_advise,
    load_models,
    parse_table_set,
)

ZERO = [0] * 19


def answers(**given: int) -> list[int]:
    values = list(ZERO)
    for code, sev in given.items():
        values[int(code[2:]) - 1] = sev
    return values


def expected(scores: dict[int, float]) -> dict[int, float]:
    """Softmax computed naively, independently of the engine."""
    total = sum(math.exp(s) for s in scores.values())
    return {t: 100 * math.exp(s) / total for t, s in scores.items()}


@pytest.fixture
def small_model(tables):
    return parse_table_set(tables(
        "small",
        constants={1: 0.5, 2: -0.2, 10: 3.0},
        coefs={("HV01", 2, 1): 1.1, ("HV01", 2, 3): 0.4, ("HV07", 4, 2): 2.0, ("HV19", 1, 4): -0.7,
               ("HV01", 2, 10): 5.0, ("HV07", 0, 1): 9.0},
    ))


def test_formula_matches_hand_computed_softmax(small_model):
    advice = advise(small_model, "X", answers(HV01=2, HV07=4, HV19=1))
    want = expected({1: 1.6, 2: 1.8, 3: 0.4, 4: -0.7, 5: 0, 6: 0, 7: 0, 8: 0})
    assert [r.code for r in advice.ranked] == [2, 1, 3, 5, 6, 7, 8, 4]  # ties 5–8: lower number first
    for r in advice.ranked:
        assert r.percentage == pytest.approx(want[r.code], abs=1e-9)
    assert advice.top is not None and advice.top.code == 2
    assert sum(r.percentage for r in advice.ranked) == pytest.approx(100.0)
    assert advice.model_version == "test-1" and advice.is_stand_in is False
    assert advice.complete and advice.answered == 19


def test_only_the_chosen_group_is_normalised(small_model):
    advice_y = advise(small_model, "y", answers(HV01=2))
    assert {r.code for r in advice_y.ranked} == set(range(10, 18))
    want = expected({10: 8.0, **{t: 0.0 for t in range(11, 18)}})
    assert advice_y.percentage_of(10) == pytest.approx(want[10])
    advice_x = advise(small_model, "X", answers(HV01=2))
    assert {r.code for r in advice_x.ranked} == set(range(1, 9))
    # HV07 answered 0 adds 9 to type 1 in the full route
    assert advice_x.percentage_of(1) == pytest.approx(expected(
        {1: 10.6, 2: -0.2, 3: 0.4, **{t: 0.0 for t in range(4, 9)}})[1])
    with pytest.raises(ValueError, match="main group"):
        advise(small_model, "Q", ZERO)


def test_scores_by_mapping_and_sequence_agree(small_model):
    by_seq = advise(small_model, "X", answers(HV01=2, HV07=4))
    by_map = advise(small_model, "X", {f"HV{i:02d}": v for i, v in enumerate(answers(HV01=2, HV07=4), 1)})
    assert [(r.code, r.probability) for r in by_seq.ranked] == \
        [(r.code, r.probability) for r in by_map.ranked]
    assert by_seq.answer_codes[0] == "HA03" and by_seq.answer_codes[6] == "HA35"


def test_full_route_requires_all_items_and_valid_scores(small_model):
    with pytest.raises(ValueError, match="HV05, HV19"):
        advise(small_model, "X", {f"HV{i:02d}": 0 for i in range(1, 20) if i not in (5, 19)})
    with pytest.raises(ValueError, match="0–4"):
        advise(small_model, "X", answers(HV03=9))
    with pytest.raises(ValueError, match="19 scores"):
        advise(small_model, "X", [0] * 18)
    with pytest.raises(ValueError, match="HoNOS"):
        advise(small_model, "X", {"HV20": 1})


def test_partial_advice_ignores_unanswered_items(small_model):
    live = advise_partial(small_model, "X", {"HV01": 2})
    assert not live.complete and live.answered == 1
    # HV07 unanswered adds nothing, although HV07 = 0 would add 9 to type 1
    want = expected({1: 1.6, 2: -0.2, 3: 0.4, **{t: 0.0 for t in range(4, 9)}})
    assert live.percentage_of(1) == pytest.approx(want[1])
    nothing = advise_partial(small_model, "X", {})
    want_empty = expected({1: 0.5, 2: -0.2, **{t: 0.0 for t in range(3, 9)}})
    assert nothing.percentage_of(1) == pytest.approx(want_empty[1])


def test_red_rules_exclude_types(tables):
    model = parse_table_set(tables(
        "red", coefs={("HV07", 4, 2): 2.0},
        red_rules=[("HV07", 4, "", "", 2), ("HV01", 3, "HV02", 1, 3), ("HV01", 0, "", "", 12)],
    ))
    advice = advise(model, "X", answers(HV07=4))
    excluded = [r for r in advice.ranked if r.excluded]
    assert [r.code for r in excluded] == [2] and advice.ranked[-1].code == 2
    assert advice.percentage_of(2) == 0.0
    assert all(r.percentage == pytest.approx(100 / 7) for r in advice.ranked if r.code != 2)
    assert [(r.item, r.type_code) for r in advice.red_rules_fired] == [("HV07", 2)]  # rule for 12 is in Y
    both = advise(model, "X", answers(HV01=3, HV02=1))
    assert [r.code for r in both.ranked if r.excluded] == [3]
    only_one = advise(model, "X", answers(HV01=3, HV02=2))
    assert not any(r.excluded for r in only_one.ranked)
    # live advice: a two-condition rule waits until both items are answered
    assert not any(r.excluded for r in advise_partial(model, "X", {"HV01": 3}).ranked)
    assert [r.code for r in advise_partial(model, "X", {"HV01": 3, "HV02": 1}).ranked if r.excluded] == [3]


def test_no_advice_when_every_type_is_excluded(tables):
    rules = [("HV04", 4, "", "", t) for t in (18, 19, 20, 21)]
    model = parse_table_set(tables("allred", red_rules=rules))
    advice = advise(model, "Z", answers(HV04=4))
    assert advice.top is None and advice.highlighted == ()
    assert all(r.excluded and r.probability == 0.0 for r in advice.ranked)
    assert advice_as_json(advice)["top_advice"] is None


def test_highlight_and_rounding(small_model):
    advice = advise(small_model, "X", answers(HV01=2, HV07=4, HV19=1))
    # exp(1.6, 1.8, 0.4, -0.7, 0 ×4) → 2 ≈ 35.6 %, 1 ≈ 29.2 %, 3 ≈ 8.8 %, rest < 20 %
    assert [r.code for r in advice.highlighted] == [2, 1]
    assert [r.rounded_percentage for r in advice.ranked[:3]] == [36, 29, 9]


def test_advice_as_json_shape(small_model):
    data = advice_as_json(advise(small_model, "X", answers(HV01=2, HV07=4, HV19=1)))
    assert list(data["percentages"]) == ["2", "1", "3", "5", "6", "7", "8", "4"]
    assert data["percentages"]["2"] == pytest.approx(35.60, abs=0.01)
    assert data["model_version"] == "test-1" and data["stand_in"] is False and data["top_advice"] == 2


# --- the shipped stand-in (spec §10/§11) ----------------------------------------------------------------

NZA_B6 = [0, 3, 1, 1, 0, 1, 4, 0, 0, 0, 0, 0, 0, 1, 4, 1, 1, 1, 1]
ROQUA = [0, 0, 0, 4, 2, 3, 0, 4, 3, 1, 3, 1, 0, 1, 0, 0, 2, 3, 1]


def test_standin_reference_values(standin):
    cases = [
        ("X", NZA_B6, {4: 47.35, 2: 41.78, 3: 9.32, 1: 1.26, 5: 0.22, 6: 0.03, 7: 0.02, 8: 0.01}),
        ("Z", ROQUA, {19: 63.86, 21: 23.49, 20: 12.58, 18: 0.07}),
        ("Y", ROQUA, {13: 61.45, 12: 29.03, 10: 6.48, 16: 1.64, 14: 0.99, 17: 0.25, 11: 0.13, 15: 0.02}),
    ]
    for group, scores, want in cases:
        advice = advise(standin, group, scores)
        assert [r.code for r in advice.ranked] == list(want)
        for r in advice.ranked:
            assert r.percentage == pytest.approx(want[r.code], abs=0.005)
        assert advice.is_stand_in


def test_each_standin_profile_classifies_as_its_own_type(standin, standin_profiles):
    for type_code, (group, profile) in standin_profiles.items():
        advice = advise(standin, group, profile)
        assert advice.top is not None and advice.top.code == type_code, (type_code, advice.ranked[:2])
        assert 66.9 <= advice.top.percentage <= 99.95


def test_cli_advise(tmp_path: Path):
    data = cli_advise("x", "0311014000000141111", date(2025, 3, 1))
    assert data["top_advice"] == 4 and data["percentages"]["4"] == 47.35 and data["percentages"]["8"] == 0.01
    assert data["model_version"] == "standin-1" and data["stand_in"] is True and data["date"] == "2025-03-01"
    assert cli_advise("Z", "000 42 3 04 3 1 3 1 0 1 0 0 2 3 1", date(2025, 3, 1))["top_advice"] == 19
    for group, scores, message in [
        ("W", "0" * 19, "main group"),
        ("X", "0" * 18, "19 digits"),
        ("X", "0" * 18 + "5", "digits 0–4"),
        ("X", "0" * 18 + "a", "digits 0–4"),
    ]:
        with pytest.raises(ValueError, match=message):
            cli_advise(group, scores, date(2025, 3, 1))
    with pytest.raises(ValueError, match="no zorgvraagtypering model is in force on 2021-06-01"):
        cli_advise("X", "0" * 19, date(2021, 6, 1))


def test_cli_advise_uses_installed_official_tables(tables, tmp_path: Path):
    tables("installed/zvt-ggz-2025", version="nza-2025", valid_from=date(2025, 1, 1),
           valid_to=date(2025, 12, 31), coefs={("HV07", 4, 3): 10.0})
    data = cli_advise("X", "0" * 6 + "4" + "0" * 12, date(2025, 6, 1), [tmp_path / "installed"])
    assert data["model_version"] == "nza-2025" and data["stand_in"] is False and data["top_advice"] == 3
    assert load_models([tmp_path / "installed"]).model_for(date(2026, 1, 1)).version == "standin-1"
