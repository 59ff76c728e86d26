"""The administrator commands, run in-process through the real entry point."""

from __future__ import annotations

import io
import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from scrivio_tui.cli import main

STANDIN = "zvt_ggz_standin_1"


def run(argv: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_staff_add_then_export_a_client(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(["--demo", "export", "1", "--user", "receptie"], monkeypatch, capsys, "demo-password\n")
    assert code == 0
    record = json.loads(out)
    assert record["client"]["last_name"] == "Vries" and record["client"]["bsn"] == "999990019"
    trajectory = record["care_trajectories"][0]
    assert {p["field"] for p in trajectory["periods"]} >= {"setting", "lead_practitioner"}
    assert trajectory["classifications"][0]["chosen_type"]
    assert trajectory["referral"]["referrer_agb"] == "01012345"
    assert record["insurance_policies"][0]["uzovi"] == "3311"
    assert record["own_contribution"]["iban"] == "NL91ABNA0417164300"
    assert record["portal"]["sign_in_links"][0]["status"] == "queued"
    assert "idempotency_key" not in record["portal"]["sign_in_links"][0]
    assert any(e["action"] == "client.create" for e in record["access_log"])

    code, _out, err = run(["--demo", "staff", "add", "nieuw", "--role", "Reception"], monkeypatch, capsys,
                          "short\n")
    assert code == 1 and "at least 10" in err
    code, out, _err = run(["--demo", "staff", "add", "nieuw", "--role", "Reception"], monkeypatch, capsys,
                          "a-long-password\n")
    assert code == 0 and "created" in out
    code, out, _err = run(["--demo", "export", "999990019", "--user", "nieuw"], monkeypatch, capsys,
                          "a-long-password\n")
    assert code == 0 and json.loads(out)["client"]["id"] == 1  # by BSN, by the new account


def test_export_refuses_a_wrong_password(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["--demo", "export", "1", "--user", "receptie"], monkeypatch, capsys, "wrong\n")
    assert code == 1 and out == "" and "not right" in err


def test_zvt_advise_prints_percentages(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(["zvt", "advise", "--group", "X", "--scores", "0120000001200000000"], monkeypatch, capsys)
    advice = json.loads(out)
    assert code == 0 and advice["main_group"] == "X"
    assert abs(sum(advice["percentages"].values()) - 100) < 0.1
    code, _out, err = run(["zvt", "advise", "--group", "Q", "--scores", "012"], monkeypatch, capsys)
    assert code == 2 and err


def test_imported_official_tables_change_the_advice(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """An administrator drops in a table set; the next advice uses it, without any code change."""
    scores = ["zvt", "advise", "--group", "X", "--scores", "0120000001200000000", "--date", "2026-12-01"]
    _code, before, _err = run(scores, monkeypatch, capsys)
    official = tmp_path / "nza-2026"
    shutil.copytree(Path(str(resources.files("scrivio_tui.zorgvraag") / "data" / "models" / STANDIN)), official)
    (official / "profiles.csv").unlink()
    (official / "meta.toml").write_text('version = "nza-2026-test"\nvalid_from = 2026-01-01\nofficial = true\n'
                                        'source = "test"\n')
    constants = official / "constants.csv"
    constants.write_text(constants.read_text().replace("\n3;0\n", "\n3;9\n"))  # favour type 3 strongly

    code, out, _err = run(["zvt", "import-tables", str(official)], monkeypatch, capsys)
    assert code == 0 and "nza-2026-test" in out
    _code, after, _err = run(scores, monkeypatch, capsys)
    before_advice, after_advice = json.loads(before), json.loads(after)
    assert after_advice != before_advice
    assert "nza-2026-test" in json.dumps(after_advice)
    assert max(after_advice["percentages"], key=after_advice["percentages"].get) == "3"

    broken = tmp_path / "broken"
    shutil.copytree(official, broken)
    (broken / "coefficients.csv").write_text("honosvraag_code;ernst;honos_antwoord;zorgvraagtype;coefficient\n")
    code, _out, err = run(["zvt", "import-tables", str(broken), "--replace"], monkeypatch, capsys)
    assert code == 1 and "NOT installed" in err


def test_cov_check_in_demo_mode(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run(["--demo", "cov", "check", "--bsn", "999990044", "--birth-date", "1962-03-15"],
                          monkeypatch, capsys)
    answer = json.loads(out)
    assert code == 0 and answer["kind"] == "not_insured" and answer["verified"] is True


def test_secrets_without_a_keyring_backend_says_what_to_install(monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    import keyring
    from keyring.backends import fail

    keyring.set_keyring(fail.Keyring())  # the autouse fixture puts the isolated one back afterwards
    code, _out, err = run(["secrets", "set", "cov-token"], monkeypatch, capsys, "secret-value\n")
    assert code == 1 and "keyrings.alt" in err and "secret-value" not in err


def test_secrets_round_trip_in_an_isolated_file_keyring(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    from scrivio_tui import secrets

    code, out, _err = run(["secrets", "set", "portal-token"], monkeypatch, capsys, "tok-123\n")
    assert code == 0 and "tok-123" not in out
    assert secrets.get_secret("portal-token") == "tok-123"
    code, out, _err = run(["secrets", "delete", "portal-token"], monkeypatch, capsys)
    assert code == 0 and secrets.get_secret("portal-token") is None
