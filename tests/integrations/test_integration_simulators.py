"""The simulators themselves, spoken to with plain httpx: contract details the clients never exercise."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from scrivio_tui.simulators import FAULTS, RunningServer, start_cov_simulator, start_portal_simulator
from scrivio_tui.simulators._server import uzovi_names
from scrivio_tui.simulators.cov import load_cov_fixtures
from scrivio_tui.simulators.portal import PortalRunningServer

from .conftest import BIRTH, COV_TOKEN, PORTAL_TOKEN, TODAY

AUTH = {"Authorization": f"Bearer {COV_TOKEN}"}


def _search(**overrides: Any) -> dict[str, Any]:
    search: dict[str, Any] = {
        "volgnummer": 1,
        "geboortedatum": BIRTH,
        "peildatum": TODAY.isoformat(),
        "bsn": "999990019",
        "verzekerdennummer": None,
        "postcode": None,
        "huisnummer": None,
        "huisnummertoevoeging": None,
        "referentieZorgaanbieder": "client-1",
    }
    search.update(overrides)
    return search


def _controleer(server: RunningServer, searches: list[dict[str, Any]], **kwargs: Any) -> httpx.Response:
    body = {
        "zorgaanbieder": {"agbZorgverlenersoort": "94", "agbNummer": "123456"},
        "zoekopdrachten": searches,
    }
    headers = {**AUTH, **kwargs.pop("headers", {})}
    return httpx.post(f"{server.url}/cov/v1/controleer", json=body, headers=headers, **kwargs)


def test_cov_health_and_request_id_echo(cov_server: RunningServer) -> None:
    response = httpx.get(f"{cov_server.url}/cov/v1/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    answer = _controleer(cov_server, [_search()], headers={"X-Request-ID": "abc-123"})
    assert answer.headers["X-Request-ID"] == "abc-123" and answer.json()["requestId"] == "abc-123"


@pytest.mark.parametrize(("count", "resultaat"), [(0, "GeenZoekopdrachten"), (21, "MeerDan20Zoekopdrachten")])
def test_message_level_results(cov_server: RunningServer, count: int, resultaat: str) -> None:
    response = _controleer(cov_server, [_search(volgnummer=i + 1) for i in range(count)])
    assert response.status_code == 200
    assert response.json()["resultaat"] == resultaat and response.json()["zoekresultaten"] == []


def test_twenty_searches_answered_in_order(cov_server: RunningServer) -> None:
    bsns = ["999990019", "999990044"] * 10
    response = _controleer(cov_server, [_search(volgnummer=i + 1, bsn=b) for i, b in enumerate(bsns)])
    results = response.json()["zoekresultaten"]
    assert [r["volgnummer"] for r in results] == list(range(1, 21))
    assert [r["resultaat"] for r in results[:2]] == ["Gevonden", "NietGevonden"]


@pytest.mark.parametrize(
    ("overrides", "resultaat"),
    [
        ({"bsn": None}, "GeenGeldigZoekpad"),
        ({"bsn": None, "postcode": "1234 AB"}, "GeenGeldigZoekpad"),
        ({"verzekerdennummer": "123456789"}, "MeerdereZoekpadenOpgegeven"),
        ({"bsn": "123456789"}, "BsnVoldoetNietAanElfProef"),
        ({"bsn": "999993653"}, "BsnOnbekend"),
        ({"peildatum": "2023-06-01"}, "Peildatum2JaarOfOuder"),
        ({"peildatum": "2025-12-31"}, "GevondenPeildatumInToekomst"),
        ({"bsn": None, "verzekerdennummer": "200000123"}, "Gevonden"),
        ({"bsn": None, "verzekerdennummer": "000"}, "NietGevonden"),
        ({"bsn": None, "postcode": "1234 AB", "huisnummer": "1"}, "NietGevonden"),
    ],
)
def test_search_results(cov_server: RunningServer, overrides: dict[str, Any], resultaat: str) -> None:
    result = _controleer(cov_server, [_search(**overrides)]).json()["zoekresultaten"][0]
    assert result["resultaat"] == resultaat
    assert (result["verzekerde"] is not None) == resultaat.startswith("Gevonden")


def test_found_answer_shape(cov_server: RunningServer) -> None:
    answer = _controleer(cov_server, [_search(bsn="999990020")]).json()
    person = answer["zoekresultaten"][0]["verzekerde"]
    assert person["resultaat"] == "ActieveVerzekeringen" and person["overleden"] is False
    names = uzovi_names()
    for coverage in person["verzekeringen"]:
        assert coverage["verzekeraarNaam"] == names[coverage["uzovi"]]
        assert coverage["ingangsdatum"] == "2025-01-01" and coverage["einddatum"] is None


def test_not_authorised_coverage_discloses_only_uzovi(cov_server: RunningServer) -> None:
    (coverage,) = _controleer(cov_server, [_search(bsn="999990068")]).json()["zoekresultaten"][0]["verzekerde"][
        "verzekeringen"
    ]
    assert coverage["resultaat"] == "NietGeautoriseerdVoorZorgverzekeraar" and coverage["uzovi"] == "3358"
    assert all(value is None for key, value in coverage.items() if key not in ("resultaat", "uzovi"))


def test_inactive_coverage_ends_the_day_before_the_peildatum(cov_server: RunningServer) -> None:
    answer = _controleer(cov_server, [_search(bsn="999990056", peildatum="2025-03-10")]).json()
    person = answer["zoekresultaten"][0]["verzekerde"]
    assert person["resultaat"] == "InactieveVerzekeringen"
    assert person["verzekeringen"][0]["einddatum"] == "2025-03-09"


def test_fixture_uzovi_codes_are_all_in_the_table() -> None:
    names = uzovi_names()
    assert len(names) == 16 and names["0101"] == "N.V. Univé Zorg"
    for person in load_cov_fixtures().values():
        for coverage in person.get("verzekeringen", []):
            assert coverage["uzovi"] in names


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{not json", None),
        (
            {"zorgaanbieder": {"agbZorgverlenersoort": "94", "agbNummer": "12345"}, "zoekopdrachten": []},
            "agbNummer",
        ),
        (
            {
                "zorgaanbieder": {"agbZorgverlenersoort": "94", "agbNummer": "123456"},
                "zoekopdrachten": [_search(peildatum="01-06-2025")],
            },
            "peildatum",
        ),
        (
            {
                "zorgaanbieder": {"agbZorgverlenersoort": "94", "agbNummer": "123456"},
                "zoekopdrachten": [_search(), _search()],
            },
            "not unique",
        ),
        (
            {
                "zorgaanbieder": {"agbZorgverlenersoort": "94", "agbNummer": "123456"},
                "zoekopdrachten": [_search(bsn=999990019)],
            },
            "bsn",
        ),
    ],
)
def test_schema_violations_are_400(cov_server: RunningServer, body: Any, detail: str | None) -> None:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    response = httpx.post(
        f"{cov_server.url}/cov/v1/controleer", content=content, headers={**AUTH, "X-Request-ID": "rid-1"}
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "VALIDATIE" and error["requestId"] == "rid-1" and isinstance(error["details"], list)
    if detail:
        assert any(detail in d for d in error["details"])


def test_auth_rules(cov_server: RunningServer) -> None:
    url = f"{cov_server.url}/cov/v1/controleer"
    assert httpx.post(url, json={}).json()["error"]["code"] == "NIET_GEAUTHENTICEERD"
    assert httpx.post(url, json={}, headers={"Authorization": "Bearer nope"}).status_code == 401
    forbidden = httpx.post(url, json={}, headers={"Authorization": "Bearer forbidden-agb"})
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "NIET_GEAUTORISEERD"


@pytest.mark.parametrize("fault", ["429", "500", "502", "503", "504"])
def test_x_simulate_header(cov_server: RunningServer, fault: str) -> None:
    response = _controleer(cov_server, [_search()], headers={"X-Simulate": fault})
    assert response.status_code == int(fault)
    assert ("Retry-After" in response.headers) == (fault in ("429", "503"))
    assert response.json()["error"]["code"] in {"TE_VEEL_VERZOEKEN", "TECHNISCHE_FOUT", "NIET_BESCHIKBAAR"}


def test_fault_switch_counts_down(cov_server: RunningServer) -> None:
    cov_server.set_fault("500", times=2)
    assert [_controleer(cov_server, [_search()]).status_code for _ in range(3)] == [500, 500, 200]
    cov_server.set_fault("503")
    assert httpx.get(f"{cov_server.url}/cov/v1/health").status_code == 503
    cov_server.set_fault(None)
    assert httpx.get(f"{cov_server.url}/cov/v1/health").status_code == 200
    with pytest.raises(ValueError):
        cov_server.set_fault("418")
    assert "timeout" in FAULTS


def test_extra_fixtures_add_and_override(tmp_path: Path) -> None:
    extra = tmp_path / "extra.json"
    extra.write_text(
        json.dumps(
            {
                "persons": [
                    {
                        "bsn": "999993653",
                        "geboortedatum": "1990-01-01",
                        "verzekeringen": [
                            {
                                "resultaat": "Actief",
                                "uzovi": "0101",
                                "verzekerdennummer": "9",
                                "soortVerzekering": "Basis",
                                "ingangsdatum": "2020-01-01",
                                "einddatum": None,
                            }
                        ],
                    },
                    {"bsn": "999990019", "geboortedatum": "1962-03-15", "found": False},
                ]
            }
        )
    )
    with start_cov_simulator(token=COV_TOKEN, fixtures_path=extra, today=lambda: TODAY) as server:
        added = _controleer(server, [_search(bsn="999993653", geboortedatum="1990-01-01")]).json()
        overridden = _controleer(server, [_search()]).json()
    coverage = added["zoekresultaten"][0]["verzekerde"]["verzekeringen"][0]
    assert coverage["verzekeraarNaam"] == "N.V. Univé Zorg"
    assert overridden["zoekresultaten"][0]["resultaat"] == "NietGevonden"


def test_fixture_with_unknown_uzovi_is_refused(tmp_path: Path) -> None:
    extra = tmp_path / "bad.json"
    extra.write_text(
        json.dumps(
            {"persons": [{"bsn": "999993653", "geboortedatum": "1990-01-01", "verzekeringen": [{"uzovi": "1234"}]}]}
        )
    )
    with pytest.raises(ValueError, match="1234"):
        load_cov_fixtures(extra)


def test_stop_is_idempotent_and_frees_the_port() -> None:
    server = start_cov_simulator(token=COV_TOKEN)
    url = server.url
    server.stop()
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/cov/v1/health")


# -- portal simulator ------------------------------------------------------------------------------


def _link(
    server: RunningServer,
    body: dict[str, Any],
    key: str | None = "k1",
    token: str = PORTAL_TOKEN,
    **headers: str,
) -> httpx.Response:
    all_headers = {"Authorization": f"Bearer {token}", **headers}
    if key is not None:
        all_headers["Idempotency-Key"] = key
    return httpx.post(f"{server.url}/api/v1/sign-in-links", json=body, headers=all_headers)


def test_portal_health_and_answer_shape(portal_server: PortalRunningServer) -> None:
    assert httpx.get(f"{portal_server.url}/api/v1/health").json() == {"status": "ok"}
    response = _link(
        portal_server,
        {"email": "a@example.nl", "clientReference": "c-1", "locale": "en"},
        **{"X-Request-ID": "rid-9"},
    )
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "accepted" and body["requestId"] == "rid-9" and body["expiresAt"].endswith("Z")
    replay = _link(portal_server, {"email": "a@example.nl", "clientReference": "c-1", "locale": "en"})
    assert replay.json() == body and replay.headers["Idempotent-Replayed"] == "true"
    (mail,) = portal_server.outbox_dir.glob("*.eml")
    assert "Your Scrivio sign-in link" in mail.read_text()


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({"email": "a@example.nl", "clientReference": "c-1"}, None),
        ({"email": "a@example", "clientReference": "c-1"}, "k"),
        ({"email": "a@example.nl", "clientReference": ""}, "k"),
        ({"email": "a@example.nl", "clientReference": "c-1", "locale": "de"}, "k"),
    ],
)
def test_portal_validation(portal_server: PortalRunningServer, body: dict[str, Any], key: str | None) -> None:
    response = _link(portal_server, body, key=key)
    assert response.status_code == 400 and response.json()["error"]["code"] == "VALIDATIE"
    assert portal_server.sent_count == 0


def test_portal_auth_and_simulate_header(portal_server: PortalRunningServer) -> None:
    body = {"email": "a@example.nl", "clientReference": "c-1"}
    assert _link(portal_server, body, token="nope").status_code == 401
    assert _link(portal_server, body, token="forbidden-practice").status_code == 403
    assert _link(portal_server, body, **{"X-Simulate": "502"}).status_code == 502
    assert portal_server.sent_count == 0


def test_portal_initial_fail_mode(tmp_path: Path) -> None:
    with start_portal_simulator(token=PORTAL_TOKEN, outbox_dir=tmp_path, fail_mode="503") as server:
        assert httpx.get(f"{server.url}/api/v1/health").status_code == 503


def test_portal_needs_an_outbox() -> None:
    with pytest.raises(ValueError, match="outbox_dir"):
        start_portal_simulator(token=PORTAL_TOKEN)


# -- blocking CLI entries --------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["cov", "portal"])
def test_run_simulator_blocks_until_ctrl_c(kind: str, tmp_path: Path) -> None:
    call = (
        "run_cov_simulator(port=0, token='t')"
        if kind == "cov"
        else f"run_portal_simulator(port=0, token='t', outbox_dir={str(tmp_path)!r})"
    )
    code = f"from scrivio_tui.simulators import *; {call}"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        line = ""
        while "listening on" not in line:
            line = process.stdout.readline()
            assert line, "simulator exited before listening"
        url = line.split("listening on ")[1].split()[0]
        health = "/cov/v1/health" if kind == "cov" else "/api/v1/health"
        assert httpx.get(url + health).status_code == 200
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
        assert "stopped" in process.stdout.read()
    finally:
        if process.poll() is None:
            process.kill()
