"""Dynamic route (spec §5.2/5.3): start items, stop rule, next-item choice, fallbacks, seeded 5 % sample."""

from __future__ import annotations

import random

import pytest

from scrivio_tui.zorgvraag import (
    DynamicRoute,
    DynamicStep,
    TableError,
    advise,
    next_dynamic_step,
    parse_table_set,
    uses_official_tree,
)

NEVER = 0.0


def seed_where(hit: bool) -> int:
    """A seed whose first random() falls inside (hit) or outside the 5 % sample."""
    return next(s for s in range(10_000) if (random.Random(s).random() < 0.05) == hit)


class CountingRandom(random.Random):
    calls = 0

    def random(self) -> float:
        self.calls += 1
        return super().random()


@pytest.fixture
def clear_model(tables):
    """HV06 = 4 makes type 3 very likely: P = e^5 / (e^5 + 7) ≈ 0.955."""
    return parse_table_set(tables("clear", coefs={("HV06", 4, 3): 5.0}))


def test_starts_with_items_6_and_7_then_stops(clear_model):
    route = DynamicRoute(clear_model, "X", sample_rate=NEVER)
    assert route.step == DynamicStep("ask", item="HV06")
    with pytest.raises(ValueError, match="asks HV06, not HV01"):
        route.answer("HV01", 2)
    assert route.answer("HV06", 4) == DynamicStep("ask", item="HV07")
    step = route.answer(7, 0)
    assert step == DynamicStep("advice", type_code=3) and step.done
    assert route.asked == ("HV06", "HV07")
    record = route.record()
    assert (record.route, record.suggested_type, record.fallback, record.fallback_reason) == \
        ("dynamic", 3, False, None)
    assert record.answers == {"HV06": 4, "HV07": 0} and record.model_version == "test-1"


def test_pure_function_agrees(clear_model):
    assert next_dynamic_step(clear_model, "X", {}) == DynamicStep("ask", item="HV06")
    assert next_dynamic_step(clear_model, "X", {"HV07": 1}) == DynamicStep("ask", item="HV06")
    assert next_dynamic_step(clear_model, "X", {"HV06": 4, "HV07": 0}).type_code == 3


@pytest.fixture
def two_way_model(tables):
    """Types 1 and 2 tie after HV06 = 4; HV12 and HV15 tell them apart equally well; other types ruled out."""
    coefs = {("HV06", 4, 1): 3.0, ("HV06", 4, 2): 3.0,
             ("HV12", 0, 1): 3.0, ("HV12", 4, 2): 3.0, ("HV15", 0, 1): 3.0, ("HV15", 4, 2): 3.0}
    return parse_table_set(tables("two", coefs=coefs, constants={t: -20.0 for t in range(3, 9)}))


def test_no_stop_without_margin_and_most_informative_item_is_asked(two_way_model):
    route = DynamicRoute(two_way_model, "X", sample_rate=NEVER)
    route.answer("HV06", 4)
    step = route.answer("HV07", 0)
    assert step == DynamicStep("ask", item="HV12")  # HV12 and HV15 tie: lowest item number
    assert route.answer("HV12", 0) == DynamicStep("advice", type_code=1)  # P(1) = e^3/(e^3+1) ≈ 0.95


def test_fallback_after_seven_items(two_way_model, tables):
    coefs = {("HV06", 4, 1): 3.0, ("HV06", 4, 2): 3.0}
    for item in range(8, 20):
        coefs[(f"HV{item:02d}", 0, 1)] = 2.0
        coefs[(f"HV{item:02d}", 4, 2)] = 2.0
    model = parse_table_set(tables("seven", coefs=coefs, constants={t: -20.0 for t in range(3, 9)}))
    route = DynamicRoute(model, "X", sample_rate=NEVER)
    while route.step.kind == "ask":
        assert route.step.item is not None
        route.answer(route.step.item, 4 if route.step.item == "HV06" else 2)  # 2 tells 1 and 2 nothing apart
    assert route.step == DynamicStep("fallback", reason="no_advice")
    assert route.asked == ("HV06", "HV07", "HV08", "HV09", "HV10", "HV11", "HV12")
    assert route.answers["HV12"] == 2 and len(route.answers) == 7  # kept to pre-fill the full route


def test_fallback_when_no_item_is_informative(tables):
    model = parse_table_set(tables("flat"))
    route = DynamicRoute(model, "Z", sample_rate=NEVER)
    route.answer("HV06", 1)
    assert route.answer("HV07", 1) == DynamicStep("fallback", reason="no_advice")
    full = advise(model, "Z", {**route.answers, **{f"HV{i:02d}": 0 for i in range(1, 20) if i not in (6, 7)}})
    assert full.answers["HV06"] == 1 and full.complete


def test_seeded_sample_switches_to_full_route(clear_model):
    hit = DynamicRoute(clear_model, "X", rng=random.Random(seed_where(True)))
    hit.answer("HV06", 4)
    step = hit.answer("HV07", 0)
    assert step == DynamicStep("fallback", type_code=3, reason="sample")
    assert hit.record().fallback and hit.record().fallback_reason == "sample"
    assert hit.record().suggested_type == 3
    miss = DynamicRoute(clear_model, "X", rng=random.Random(seed_where(False)))
    miss.answer("HV06", 4)
    assert miss.answer("HV07", 0) == DynamicStep("advice", type_code=3)


def test_sample_is_drawn_once_and_rate_is_about_five_percent(clear_model):
    rng = CountingRandom(1)
    route = DynamicRoute(clear_model, "X", rng=rng)
    route.answer("HV06", 4)
    first = route.answer("HV07", 0)
    assert route.answer("HV07", 1).kind == first.kind  # re-rating keeps the same sample outcome
    assert rng.calls == 1
    hits = 0
    for seed in range(2000):
        r = DynamicRoute(clear_model, "X", rng=random.Random(seed))
        r.answer("HV06", 4)
        hits += r.answer("HV07", 0).reason == "sample"
    assert 60 <= hits <= 140


def test_standin_dynamic_route_never_suggests_another_type(standin, standin_profiles):
    reached = 0
    for type_code, (group, profile) in standin_profiles.items():
        route = DynamicRoute(standin, group, sample_rate=NEVER)
        while route.step.kind == "ask":
            assert route.step.item is not None
            route.answer(route.step.item, profile[int(route.step.item[2:]) - 1])
        assert route.asked[:2] == ("HV06", "HV07") and len(route.asked) <= 7
        if route.step.kind == "advice":
            reached += 1
            assert route.step.type_code == type_code
        else:
            assert route.step.reason == "no_advice"
    assert reached >= 10


TREE = [
    "X;root;HV06;0;1;n2;",
    "X;root;HV06;2;4;;VOLLEDIG",
    "X;n2;HV07;0;2;;3",
    "X;n2;HV07;3;4;;4",
]


def test_official_tree_replaces_the_stand_in_procedure(tables):
    model = parse_table_set(tables("tree", tree=TREE))
    assert uses_official_tree(model, "X") and not uses_official_tree(model, "Y")
    assert next_dynamic_step(model, "X", {}) == DynamicStep("ask", item="HV06")
    assert next_dynamic_step(model, "X", {"HV06": 1}) == DynamicStep("ask", item="HV07")
    assert next_dynamic_step(model, "X", {"HV06": 1, "HV07": 3}) == DynamicStep("advice", type_code=4)
    assert next_dynamic_step(model, "X", {"HV06": 3}) == DynamicStep("fallback", reason="no_advice")
    unofficial = parse_table_set(tables("tree2", tree=TREE, official=False))
    assert not uses_official_tree(unofficial, "X")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["X;root;HV06;0;2;;3"], "must cover ernst 0–4 exactly once"),
        (["X;root;HV06;0;4;n9;"], "points to unknown node n9"),
        (["X;root;HV06;0;4;;12"], "leaf '12' is not a type of group X"),
        (["X;a;HV06;0;4;b;", "X;b;HV07;0;4;a;"], "the tree of group X has a cycle"),
        (["X;a;HV06;0;4;b;3"], "give either next_node_id or leaf"),
    ],
)
def test_tree_validation(tables, rows, message):
    with pytest.raises(TableError, match=message):
        parse_table_set(tables("badtree", tree=rows))
