"""Table sets: validation messages, stand-in contents, version selection by date, import_tables."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from scrivio_tui.zorgvraag import (
    ModelRegistry,
    NoModelError,
    TableError,
    import_tables,
    load_models,
    load_standin,
    parse_table_set,
)


def problems_of(directory: Path) -> str:
    with pytest.raises(TableError) as info:
        parse_table_set(directory)
    return "\n".join(info.value.problems)


def test_valid_set_loads_with_decimal_comma(tables):
    model = parse_table_set(tables(constants={3: -1.25}, coefs={("HV07", 4, 2): 0.5}))
    assert model.constant(3) == -1.25
    assert model.coefficient("HV07", 4, 2) == 0.5
    assert model.coefficient("HV07", 3, 2) == 0.0
    assert model.official and not model.is_stand_in and model.valid_to is None


def test_plain_comma_dialect_is_accepted(tables):
    model = parse_table_set(tables(sep=",", coefs={("HV02", 1, 5): -0.75}))
    assert model.coefficient(2, 1, 5) == -0.75


def test_missing_coefficient_rows_count_as_zero_when_one_group_is_complete(tables):
    model = parse_table_set(tables(groups=["X"], coefs={("HV01", 1, 1): 2.0}))
    assert model.coefficient("HV01", 1, 14) == 0.0


def test_incomplete_coefficients_are_refused(tables):
    directory = tables()
    text = (directory / "coefficients.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in text
            if not (line.startswith("HV03;2;") and line.split(";")[3] in ("4", "12", "20"))]
    (directory / "coefficients.csv").write_text("\n".join(kept) + "\n", encoding="utf-8")
    found = problems_of(directory)
    assert "HV03 ernst 2 has no complete set of coefficients for any main group" in found
    assert "X lacks 4; Y lacks 12; Z lacks 20" in found


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("HV20;0;96;1;0", "honosvraag_code 'HV20' is not HV01–HV19"),
        ("HV01;5;6;1;0", "ernst '5' is not 0–4"),
        ("HV01;9;10;1;0", "ernst '9' is not 0–4"),
        ("HV01;0;1;9;0", "zorgvraagtype '9' is not a type (1–8, 10–21)"),
        ("HV01;0;1;0;0", "zorgvraagtype '0' is not a type"),
        ("HV01;0;1;22;0", "zorgvraagtype '22' is not a type"),
        ("HV01;0;1;1;abc", "coefficient 'abc' is not a number"),
        ("HV01;0;1;1;nan", "coefficient 'nan' is not a number"),
        ("HV02;3;10;1;0", "honos_antwoord '10' does not match HV02 ernst 3 (expected 9)"),
        ("HV01;0;1;1;0,5", "duplicate row for HV01 ernst 0 type 1"),
    ],
)
def test_malformed_coefficient_rows(tables, line, message):
    found = problems_of(tables(extra_coef_lines=[line]))
    assert message in found
    assert "coefficients.csv line 1902" in found  # 1 header + 19 × 5 × 20 rows, then the bad one


def test_constants_must_cover_every_type(tables):
    directory = tables()
    lines = (directory / "constants.csv").read_text(encoding="utf-8").splitlines()
    (directory / "constants.csv").write_text(
        "\n".join([ln for ln in lines if ln.split(";")[0] not in ("7", "21")] + ["9;0", "3;1"]) + "\n",
        encoding="utf-8")
    found = problems_of(directory)
    assert "no constant for type(s) 7, 21" in found
    assert "zorgvraagtype '9' is not a type" in found
    assert "second constant for type 3" in found


def test_missing_files_and_columns(tables):
    directory = tables()
    (directory / "red_rules.csv").unlink()
    (directory / "constants.csv").write_text("type;constant\n1;0\n", encoding="utf-8")
    found = problems_of(directory)
    assert "red_rules.csv: file missing (if the model has no red rules" in found
    assert "constants.csv: missing column(s) zorgvraagtype, constante" in found


def test_meta_errors(tables):
    directory = tables()
    (directory / "meta.toml").write_text(
        'version = ""\nvalid_from = 2025-02-01\nvalid_to = 2025-01-01\nofficial = "yes"\n', encoding="utf-8")
    found = problems_of(directory)
    assert "'version' must be a non-empty string" in found
    assert "valid_to 2025-01-01 is before valid_from 2025-02-01" in found
    assert "'official' must be true or false" in found
    (directory / "meta.toml").write_text('version = "a"\nvalid_from = "2025-01-01"\nofficial = true\n')
    assert "'valid_from' must be a TOML date" in problems_of(directory)


def test_red_rule_rows_are_checked(tables):
    found = problems_of(tables(red_rules=[("HV07", 4, "HV01", "", 2), ("HV99", 1, "", "", 2),
                                          ("HV01", 1, "HV02", 7, 9)]))
    assert "red_rules.csv line 2: vraag_2 and ernst_2 must both be filled or both be empty" in found
    assert "red_rules.csv line 3: vraag 'HV99' is not HV01–HV19" in found
    assert "red_rules.csv line 4: zorgvraagtype '9' is not a type" in found
    assert "red_rules.csv line 4: ernst_2 '7' is not 0–4" in found


def test_red_rules_file_may_hold_only_its_header(tables):
    assert parse_table_set(tables()).red_rules == ()


def test_shipped_standin_is_flagged_and_matches_section_10(standin_profiles, standin_weights):
    model = load_standin()
    assert model.is_stand_in and not model.official
    assert model.version == "standin-1" and model.valid_from == date(2022, 1, 1) and model.valid_to is None
    assert model.red_rules == () and all(model.constant(t) == 0.0 for t in standin_profiles)
    for t, (_group, profile) in standin_profiles.items():
        for item in range(1, 20):
            for sev in range(5):
                want = -standin_weights[item - 1] * (sev - profile[item - 1]) ** 2 / 4
                assert model.coefficient(item, sev, t) == pytest.approx(want, abs=1e-12), (t, item, sev)


# --- versions -------------------------------------------------------------------------------------------


def test_model_for_picks_the_version_in_force(tables, tmp_path: Path):
    tables("inst/a", version="nza-2024", valid_from=date(2024, 1, 1), valid_to=date(2024, 12, 31))
    tables("inst/b", version="nza-2025", valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31))
    tables("inst/c", version="nza-2025-fix", valid_from=date(2025, 7, 1), valid_to=date(2025, 12, 31))
    tables("inst/d", version="other-standin", valid_from=date(2025, 3, 1), official=False)
    registry = load_models([tmp_path / "inst"])
    assert registry.skipped == ()
    assert registry.model_for(date(2023, 6, 1)).version == "standin-1"
    assert registry.model_for(date(2024, 1, 1)).version == "nza-2024"
    assert registry.model_for(date(2024, 12, 31)).version == "nza-2024"  # valid_to is inclusive
    assert registry.model_for(date(2025, 1, 1)).version == "nza-2025"
    assert registry.model_for(date(2025, 6, 30)).version == "nza-2025"  # official beats a newer stand-in
    assert registry.model_for(date(2025, 7, 1)).version == "nza-2025-fix"  # latest valid_from wins
    assert registry.model_for(date(2025, 2, 1)).version == "nza-2025"
    assert registry.model_for(date(2026, 2, 1)).version == "other-standin"  # both stand-ins: latest start
    assert registry.version("nza-2024").valid_to == date(2024, 12, 31)
    with pytest.raises(NoModelError, match="2021-12-31"):
        registry.model_for(date(2021, 12, 31))


def test_ambiguous_overlap_and_duplicates_are_refused(tables):
    a = parse_table_set(tables("a", version="v1", valid_from=date(2025, 1, 1)))
    b = parse_table_set(tables("b", version="v2", valid_from=date(2025, 1, 1), valid_to=date(2025, 3, 1)))
    with pytest.raises(TableError, match="'v1' and 'v2' overlap with the same valid_from 2025-01-01"):
        ModelRegistry((a, b))
    with pytest.raises(TableError, match="version 'v1' is present twice"):
        ModelRegistry((a, parse_table_set(tables("c", version="v1", valid_from=date(2026, 1, 1)))))
    later = parse_table_set(tables("d", version="v3", valid_from=date(2025, 3, 2)))
    assert ModelRegistry((b, later)).model_for(date(2025, 3, 2)).version == "v3"


def test_broken_installed_set_is_skipped(tables, tmp_path: Path):
    tables("inst/good", version="nza-2025", valid_from=date(2025, 1, 1))
    broken = tables("inst/bad", version="nza-bad", valid_from=date(2025, 1, 1))
    (broken / "constants.csv").write_text("zorgvraagtype;constante\n", encoding="utf-8")
    registry = load_models([tmp_path / "inst"])
    assert [m.version for m in registry.models] == ["standin-1", "nza-2025"]
    assert registry.skipped[0].path == broken
    assert any("no constant for type(s) 1, 2" in p for p in registry.skipped[0].problems)


# --- import ---------------------------------------------------------------------------------------------


def test_import_tables_installs_a_valid_set(tables, tmp_path: Path):
    src = tables("download", version="nza-2025", valid_from=date(2025, 1, 1), valid_to=date(2025, 12, 31),
                 red_rules=[("HV06", 0, "", "", 14)])
    (src / "readme.txt").write_text("not copied")
    dest = tmp_path / "userdata" / "zvt"
    report = import_tables(src, dest)
    assert report.version == "nza-2025" and report.official
    assert report.destination == dest / "zvt-ggz-nza-2025"
    assert set(report.files) == {"meta.toml", "coefficients.csv", "constants.csv", "red_rules.csv"}
    assert report.coefficient_rows == 1900 and report.red_rules == 1 and report.warnings == ()
    assert sorted(p.name for p in report.destination.iterdir()) == sorted(report.files)
    assert [p.name for p in dest.iterdir()] == ["zvt-ggz-nza-2025"]  # no staging left behind
    registry = load_models([dest])
    assert registry.model_for(date(2025, 5, 1)).version == "nza-2025"
    assert not registry.model_for(date(2025, 5, 1)).is_stand_in


def test_import_tables_refuses_malformed_sets_and_copies_nothing(tables, tmp_path: Path):
    src = tables("download", extra_coef_lines=["HV01;7;8;1;0"])
    (src / "constants.csv").unlink()
    dest = tmp_path / "dest"
    with pytest.raises(TableError) as info:
        import_tables(src, dest)
    text = str(info.value)
    assert "constants.csv: file missing" in text
    assert "coefficients.csv line 1902: ernst '7' is not 0–4" in text
    assert not dest.exists()
    with pytest.raises(TableError, match="is not a directory"):
        import_tables(tmp_path / "nowhere", dest)


def test_import_tables_refuses_duplicates_and_ambiguous_overlap(tables, tmp_path: Path):
    dest = tmp_path / "dest"
    import_tables(tables("one", version="nza-2025", valid_from=date(2025, 1, 1)), dest)
    with pytest.raises(TableError, match="'nza-2025' is already installed"):
        import_tables(tables("one-again", version="nza-2025", valid_from=date(2025, 1, 1)), dest)
    report = import_tables(tables("one-fixed", version="nza-2025", valid_from=date(2025, 1, 1),
                                  constants={1: 1.0}), dest, replace=True)
    assert parse_table_set(report.destination).constant(1) == 1.0
    with pytest.raises(TableError, match="'nza-2025' and 'nza-2025b' overlap with the same valid_from"):
        import_tables(tables("two", version="nza-2025b", valid_from=date(2025, 1, 1)), dest)
    with pytest.raises(TableError, match="'standin-1' is already loaded from package"):
        import_tables(tables("fake", version="standin-1", valid_from=date(2030, 1, 1)), dest)


def test_import_of_a_non_official_set_warns(tables, tmp_path: Path):
    report = import_tables(tables("trial", version="trial", official=False), tmp_path / "dest")
    assert report.warnings[0].startswith("meta.toml says official = false")
