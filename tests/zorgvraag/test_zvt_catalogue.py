"""Items, answer codes, groups, types, review dates and the no-Textual layering rule."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

import pytest

from scrivio_tui.zorgvraag import (
    answer_code,
    care_demand_type,
    care_demand_types,
    group_type_codes,
    honos_item,
    honos_items,
    item_code,
    main_groups,
    parse_answer_code,
    review_due_date,
)
from scrivio_tui.zorgvraag import review as review_module


def test_nineteen_items_with_titles_and_anchors():
    items = honos_items()
    assert [i.code for i in items] == [f"HV{n:02d}" for n in range(1, 20)]
    assert [i.form_label for i in items[12:]] == ["13", "A", "B", "C", "D", "E", "Q"]
    assert [i.period for i in items].count("historical") == 6
    assert items[5].title_en == "Problems with hallucinations and delusions"
    assert items[6].title_nl == "Problemen met depressieve stemming"
    assert all(len(i.anchors_nl) == 5 and len(i.anchors_en) == 5 for i in items)
    assert items[0].anchors_en[0] == "no problem"
    assert items[0].anchors_nl[4] == "ernstig tot zeer ernstig probleem"
    assert not honos_item("Q").wording_confirmed and honos_item(1).wording_confirmed


def test_answer_codes_follow_the_formula():
    assert answer_code("HV02", 3) == "HA09"
    assert answer_code("HV19", 1) == "HA92"
    assert answer_code(1, 0) == "HA01" and answer_code("Q", 4) == "HA95"
    assert honos_item("HV07").answer_code(4) == "HA35"
    codes = [answer_code(i, s) for i in range(1, 20) for s in range(5)]
    assert codes == [f"HA{n:02d}" for n in range(1, 96)]
    assert all(parse_answer_code(c) == (item_code(i), s)
               for c, (i, s) in zip(codes, [(i, s) for i in range(1, 20) for s in range(5)], strict=True))
    with pytest.raises(ValueError):
        answer_code("HV01", 9)
    with pytest.raises(ValueError):
        parse_answer_code("HA96")


def test_item_keys():
    assert item_code("hv7") == "HV07" and item_code("A") == "HV14" and item_code(19) == "HV19"
    for bad in ("HV00", "HV20", "X", 0):
        with pytest.raises(ValueError):
            item_code(bad)


def test_groups_and_types():
    assert [g.code for g in main_groups()] == ["X", "Y", "Z"]
    assert group_type_codes("X") == (1, 2, 3, 4, 5, 6, 7, 8)
    assert group_type_codes("Y") == tuple(range(10, 18))
    assert group_type_codes("z") == (18, 19, 20, 21)
    assert len(care_demand_types()) == 20
    assert care_demand_type("14").name_en == "Psychotic crisis"
    for bad in (0, 9, 22, "x"):
        with pytest.raises(ValueError, match="not a zorgvraagtype"):
            care_demand_type(bad)


@pytest.mark.parametrize(
    ("type_code", "effective", "due"),
    [
        (1, date(2025, 1, 1), date(2025, 3, 26)),  # 12 weeks
        (2, date(2025, 1, 1), date(2025, 4, 16)),  # 15 weeks
        (14, date(2025, 12, 20), date(2026, 1, 17)),  # 4 weeks
        (21, date(2025, 1, 1), date(2025, 1, 29)),
        (3, date(2025, 8, 31), date(2026, 2, 28)),  # 6 months, month end clamped
        (19, date(2025, 3, 15), date(2025, 9, 15)),
        (7, date(2024, 2, 29), date(2025, 2, 28)),  # 12 months from a leap day
        (18, date(2025, 5, 5), date(2026, 5, 5)),
    ],
)
def test_review_due_date(type_code, effective, due):
    assert review_due_date(type_code, effective) == due


def test_review_never_later_than_a_year(monkeypatch):
    periods = dict(review_module.review_periods())
    periods[7] = review_module.parse_interval("P18M")
    periods[1] = review_module.parse_interval("P60W")
    monkeypatch.setattr(review_module, "review_periods", lambda: periods)
    assert review_due_date(7, date(2025, 1, 10)) == date(2026, 1, 10)
    assert review_due_date(1, date(2025, 1, 10)) == date(2026, 1, 10)
    with pytest.raises(ValueError, match="not a zorgvraagtype"):
        review_due_date(9, date(2025, 1, 1))
    with pytest.raises(ValueError, match="review interval"):
        review_module.parse_interval("6 months")


def test_engine_does_not_import_ui_database_or_http():
    code = (
        "import sys, scrivio_tui.zorgvraag as z; z.load_models(); "
        "print(sorted(m for m in ('textual', 'sqlmodel', 'httpx', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
