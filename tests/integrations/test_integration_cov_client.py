"""CovClient against the real COV simulator: every business outcome of §5.3 and every fault of §5.4."""

from __future__ import annotations

import time
from datetime import UTC, date
from typing import Any

import pytest

from scrivio_tui.services.cov import CovClient, CovKind, normalise_bsn
from scrivio_tui.simulators import RunningServer, start_cov_simulator

from .conftest import AGB, BIRTH, COV_TOKEN, FAST, TODAY, CannedServer, SleepRecorder


def _client(server: RunningServer, sleeps: SleepRecorder, **kwargs: Any) -> CovClient:
    return CovClient(
        server.url,
        kwargs.pop("token", COV_TOKEN),
        kwargs.pop("agb", AGB),
        sleep=sleeps,
        today=lambda: TODAY,
        **kwargs,
    )


# -- business outcomes (§5.3 / §5.5) -------------------------------------------------------------


def test_insured_single_basic(cov_client: CovClient, sleeps: SleepRecorder) -> None:
    out = cov_client.check("999990019", BIRTH, None, "client-6f1c")
    assert out.kind is CovKind.INSURED
    assert out.verified is True
    assert out.message == (
        "Insured: Zilveren Kruis Zorgverzekeringen N.V. (3311), basic policy 123456789 since 01-01-2025"
    )
    assert out.proposed is not None
    assert (out.proposed.uzovi, out.proposed.policy_number, out.proposed.soort) == (
        "3311",
        "123456789",
        "Basis",
    )
    assert out.proposed.start == date(2025, 1, 1) and out.proposed.end is None and out.proposed.active
    assert out.proposed.package == "Basis Restitutie" and out.proposed.package_code == "BR"
    assert out.coverages == (out.proposed,)
    assert out.http_status == 200 and out.peildatum == TODAY
    assert out.person_name == "O.P. de Vries" and not out.deceased and not out.future_peildatum
    assert out.checked_at.tzinfo is UTC
    assert out.raw is not None and out.raw["requestId"] == out.request_id
    assert out.raw["zoekresultaten"][0]["referentieZorgaanbieder"] == "client-6f1c"
    assert len(out.attempts) == 1 and out.attempts[0].http_status == 200
    assert sleeps.delays == []


def test_multiple_coverages_proposes_the_basic_one(cov_client: CovClient) -> None:
    out = cov_client.check("999990020", BIRTH, TODAY, "client-2")
    assert out.kind is CovKind.MULTIPLE_COVERAGES
    assert out.verified is True
    assert [c.soort for c in out.coverages] == ["Basis", "Aanvullend", "Tand"]
    assert out.proposed is not None and out.proposed.soort == "Basis" and out.proposed.uzovi == "7119"
    assert out.message == (
        "Insured: CZ Zorgverzekeringen N.V. (CZ groep) (7119), basic policy 200000123 since 01-01-2025; "
        "also supplementary, dental cover"
    )


def test_double_insured_shows_both_and_proposes_none(cov_client: CovClient) -> None:
    out = cov_client.check("999990032", BIRTH, TODAY, "client-3")
    assert out.kind is CovKind.DOUBLE_INSURED
    assert out.verified is True
    assert out.proposed is None
    assert {c.uzovi for c in out.coverages} == {"3332", "7095"}
    assert out.message.startswith("Double insured — check with the client which policy applies:")
    assert "Menzis Zorgverzekeraar N.V. (3332), basic policy 300000456" in out.message
    assert "VGZ Zorgverzekeraar N.V. (7095), basic policy 400000789" in out.message


def test_not_insured_niet_gevonden(cov_client: CovClient) -> None:
    out = cov_client.check("999990044", BIRTH, TODAY, "client-4")
    assert out.kind is CovKind.NOT_INSURED
    assert out.verified is True
    assert out.coverages == () and out.proposed is None
    assert out.message == "Not insured on 01-06-2025: COV found no coverage"


def test_not_insured_only_inactive_shows_last_policy(cov_client: CovClient) -> None:
    out = cov_client.check("999990056", BIRTH, TODAY, "client-5")
    assert out.kind is CovKind.NOT_INSURED
    assert out.verified is True
    assert out.proposed is None
    (cov,) = out.coverages
    assert not cov.active and cov.end == date(2025, 5, 31)
    assert out.message == (
        "Not insured on 01-06-2025: last basic policy 400000111 at VGZ Zorgverzekeraar N.V. (7095) ended 31-05-2025"
    )


def test_not_authorised_for_insurer(cov_client: CovClient) -> None:
    out = cov_client.check("999990068", BIRTH, TODAY, "client-6")
    assert out.kind is CovKind.NOT_AUTHORISED_FOR_INSURER
    assert out.verified is False
    assert out.proposed is None
    (cov,) = out.coverages
    assert cov.uzovi == "3358" and not cov.authorised and cov.policy_number is None
    # The answer leaves the name empty; the client fills it from the shipped UZOVI table.
    assert out.message == (
        "Coverage found at De Friesland Zorgverzekeraar N.V. (3358), but this practice may not see its "
        "details — not verified; ask the client for the policy"
    )


def test_deceased_is_not_verified(cov_client: CovClient) -> None:
    out = cov_client.check("999990081", BIRTH, TODAY, "client-7")
    assert out.kind is CovKind.DECEASED
    assert out.verified is False
    assert out.deceased is True
    assert out.proposed is None
    assert [c.uzovi for c in out.coverages] == ["3313"]
    assert out.message == "COV reports this person as deceased — check BSN and date of birth; not verified"


def test_bsn_birthdate_mismatch(cov_client: CovClient) -> None:
    out = cov_client.check("999990019", "1962-03-16", TODAY, "client-8")
    assert out.kind is CovKind.BSN_BIRTHDATE_MISMATCH
    assert out.verified is False and out.http_status == 200
    assert out.message == ("BSN and date of birth do not match in COV — check both with the client's ID document")


def test_bsn_unknown(cov_client: CovClient) -> None:
    out = cov_client.check("999993653", BIRTH, TODAY, "client-9")
    assert out.kind is CovKind.BSN_UNKNOWN
    assert out.verified is False
    assert out.message == "BSN not known to COV — check the BSN with the client's ID document"


def test_future_peildatum_is_flagged(cov_client: CovClient) -> None:
    out = cov_client.check("999990019", BIRTH, date(2025, 9, 1), "client-10")
    assert out.kind is CovKind.INSURED
    assert out.verified is True and out.future_peildatum is True
    assert out.raw is not None and out.raw["zoekresultaten"][0]["resultaat"] == "GevondenPeildatumInToekomst"
    assert out.message.endswith("(reference date 01-09-2025 is in the future — the answer may change by then)")


def test_peildatum_too_old_reported_by_server(cov_server: RunningServer, sleeps: SleepRecorder) -> None:
    # The client's clock is a year behind the server's: the client lets it through, COV refuses.
    with CovClient(cov_server.url, COV_TOKEN, AGB, sleep=sleeps, today=lambda: date(2024, 6, 1)) as client:
        out = client.check("999990019", BIRTH, date(2023, 6, 1), "client-11")
    assert out.kind is CovKind.PEILDATUM_TOO_OLD and out.http_status == 200 and not out.verified
    assert out.message == "Reference date 01-06-2023 is 2 years or more in the past; COV cannot check it"


def test_default_peildatum_is_today(cov_client: CovClient) -> None:
    out = cov_client.check("999990019", date(1962, 3, 15), None, "client-12")
    assert out.peildatum == TODAY
    assert out.raw is not None


# -- local validation (nothing sent) ---------------------------------------------------------------


@pytest.mark.parametrize("bsn", ["123456789", "99999001", "12345678A", "000000000", "9999900190", ""])
def test_bad_bsn_is_refused_locally(cov_client: CovClient, bsn: str) -> None:
    out = cov_client.check(bsn, BIRTH, TODAY, "client-13")
    assert out.kind is CovKind.BSN_INVALID
    assert not out.verified and not out.sent and out.http_status is None and out.request_id is None
    assert out.message == "BSN must be 9 digits that pass the 11-test — check the number"


def test_bsn_with_separators_is_accepted(cov_client: CovClient) -> None:
    assert normalise_bsn("9999.90.019") == "999990019"
    assert normalise_bsn("99999001") is None  # no silent zero-fill
    assert cov_client.check("9999 90 019", BIRTH, TODAY, "client-14").kind is CovKind.INSURED


def test_peildatum_two_years_back_is_refused_locally(cov_client: CovClient) -> None:
    out = cov_client.check("999990019", BIRTH, date(2023, 6, 1), "client-15")
    assert out.kind is CovKind.PEILDATUM_TOO_OLD and not out.sent
    assert cov_client.check("999990019", BIRTH, date(2023, 6, 2), "client-15").kind is CovKind.INSURED


@pytest.mark.parametrize(
    ("birth", "peildatum", "reference", "message"),
    [
        ("15-03-1962", TODAY, "client-16", "Date of birth is missing or not a valid date"),
        ("2030-01-01", TODAY, "client-16", "Date of birth lies in the future"),
        (BIRTH, "2025-13-01", "client-16", "Reference date (peildatum) is not a valid date"),
        (
            "2025-05-01",
            date(2025, 4, 1),
            "client-16",
            "Reference date (peildatum) lies before the date of birth",
        ),
        (BIRTH, TODAY, "", "Client reference must be 1 to 64 characters"),
        (BIRTH, TODAY, "999990019", "The client reference must not be the BSN"),
    ],
)
def test_invalid_input_is_refused_locally(
    cov_client: CovClient, birth: str, peildatum: date | str, reference: str, message: str
) -> None:
    out = cov_client.check("999990019", birth, peildatum, reference)
    assert out.kind is CovKind.REQUEST_INVALID and not out.sent
    assert out.message == message


def test_agb_must_have_eight_digits() -> None:
    with pytest.raises(ValueError, match="8 digits"):
        CovClient("http://127.0.0.1:1", COV_TOKEN, "9412345")


def test_request_body_matches_contract(canned: CannedServer, sleeps: SleepRecorder) -> None:
    canned.play(
        (
            200,
            {},
            {
                "resultaat": "VerzoekAkkoord",
                "zoekresultaten": [{"volgnummer": 1, "resultaat": "NietGevonden", "verzekerde": None}],
            },
        )
    )
    with CovClient(canned.url, COV_TOKEN, AGB, sleep=sleeps, today=lambda: TODAY) as client:
        client.check("999990019", BIRTH, TODAY, "client-6f1c")
    (request,) = canned.requests
    assert request["headers"]["Authorization"] == f"Bearer {COV_TOKEN}"
    assert len(request["headers"]["X-Request-ID"]) == 36
    assert request["body"] == {
        "zorgaanbieder": {"agbZorgverlenersoort": "94", "agbNummer": "123456"},
        "zoekopdrachten": [
            {
                "volgnummer": 1,
                "geboortedatum": BIRTH,
                "peildatum": "2025-06-01",
                "bsn": "999990019",
                "verzekerdennummer": None,
                "postcode": None,
                "huisnummer": None,
                "huisnummertoevoeging": None,
                "referentieZorgaanbieder": "client-6f1c",
            }
        ],
    }


# -- search results only a real COV (or a canned answer) produces ---------------------------------


def _search_answer(resultaat: str, verzekerde: Any = None, message: str = "VerzoekAkkoord") -> Any:
    results = (
        []
        if message != "VerzoekAkkoord"
        else [
            {
                "volgnummer": 1,
                "resultaat": resultaat,
                "referentieZorgaanbieder": "c",
                "verzekerde": verzekerde,
            }
        ]
    )
    return (200, {}, {"resultaat": message, "requestId": "x", "zoekresultaten": results})


@pytest.mark.parametrize(
    ("resultaat", "message_result", "kind", "fragment"),
    [
        ("BsnVoldoetNietAanElfProef", "VerzoekAkkoord", CovKind.BSN_INVALID, "fails the 11-test"),
        ("GeenGeldigZoekpad", "VerzoekAkkoord", CovKind.INVALID_SEARCH, "no valid search path"),
        ("MeerdereZoekpadenOpgegeven", "VerzoekAkkoord", CovKind.INVALID_SEARCH, "more than one search path"),
        ("MeerderePersonenGevonden", "VerzoekAkkoord", CovKind.INVALID_SEARCH, "more than one person"),
        ("", "GeenZoekopdrachten", CovKind.INVALID_SEARCH, "GeenZoekopdrachten"),
        ("", "MeerDan20Zoekopdrachten", CovKind.INVALID_SEARCH, "MeerDan20Zoekopdrachten"),
        ("SomethingNew", "VerzoekAkkoord", CovKind.TECHNICAL_FAILURE, "unknown result"),
        ("Gevonden", "VerzoekAkkoord", CovKind.TECHNICAL_FAILURE, "without the insured person"),
    ],
)
def test_other_search_results(
    canned: CannedServer,
    sleeps: SleepRecorder,
    resultaat: str,
    message_result: str,
    kind: CovKind,
    fragment: str,
) -> None:
    canned.play(_search_answer(resultaat, message=message_result))
    with CovClient(canned.url, COV_TOKEN, AGB, sleep=sleeps, today=lambda: TODAY) as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is kind and not out.verified and out.http_status == 200
    assert fragment in out.message


def test_only_supplementary_cover_is_not_insured(canned: CannedServer, sleeps: SleepRecorder) -> None:
    verzekerde = {
        "resultaat": "ActieveVerzekeringen",
        "overleden": False,
        "verzekeringen": [
            {
                "resultaat": "Actief",
                "uzovi": "3311",
                "verzekeraarNaam": None,
                "verzekerdennummer": "1",
                "soortVerzekering": "Aanvullend",
                "ingangsdatum": "2025-01-01",
                "einddatum": None,
            }
        ],
    }
    canned.play(_search_answer("Gevonden", verzekerde))
    with CovClient(canned.url, COV_TOKEN, AGB, sleep=sleeps, today=lambda: TODAY) as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.NOT_INSURED and out.verified and out.proposed is None
    assert out.message == "Not insured on 01-06-2025: no active basic cover, only supplementary"


def test_unreadable_200_is_a_technical_failure(canned: CannedServer, sleeps: SleepRecorder) -> None:
    canned.play((200, {}, b"<html>gateway</html>"))
    with CovClient(canned.url, COV_TOKEN, AGB, sleep=sleeps, today=lambda: TODAY) as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.TECHNICAL_FAILURE and not out.verified and len(out.attempts) == 1


# -- faults (§5.4) ---------------------------------------------------------------------------------


def test_401_credentials_invalid_no_retry(cov_server: RunningServer, sleeps: SleepRecorder) -> None:
    with _client(cov_server, sleeps, token="wrong") as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.CREDENTIALS_INVALID and not out.verified
    assert out.http_status == 401 and len(out.attempts) == 1 and sleeps.delays == []
    assert out.attempts[0].error == "NIET_GEAUTHENTICEERD"
    assert out.message == "COV credentials invalid — ask an administrator"


def test_403_forbidden_token(cov_server: RunningServer, sleeps: SleepRecorder) -> None:
    with _client(cov_server, sleeps, token="forbidden-agb") as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.NOT_AUTHORISED and out.http_status == 403 and sleeps.delays == []
    assert out.message == "This practice (AGB 94123456) is not authorised for COV — ask an administrator"


def test_403_denied_agb(cov_server: RunningServer, sleeps: SleepRecorder) -> None:
    with _client(cov_server, sleeps, agb="94999999") as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.NOT_AUTHORISED and len(out.attempts) == 1


def test_400_request_invalid_no_retry(canned: CannedServer, sleeps: SleepRecorder) -> None:
    canned.play((400, {}, {"error": {"code": "VALIDATIE", "message": "bad", "requestId": "r", "details": []}}))
    with CovClient(canned.url, COV_TOKEN, AGB, sleep=sleeps, today=lambda: TODAY) as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.REQUEST_INVALID and out.http_status == 400
    assert len(canned.requests) == 1 and sleeps.delays == []
    assert out.raw is not None and out.raw["error"]["code"] == "VALIDATIE"


def test_429_then_success(cov_server: RunningServer, cov_client: CovClient, sleeps: SleepRecorder) -> None:
    cov_server.set_fault("429", times=1)
    out = cov_client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.INSURED and out.verified
    assert sleeps.delays == [1.0]  # the simulator's Retry-After
    assert [a.http_status for a in out.attempts] == [429, 200]
    assert out.attempts[0].request_id != out.attempts[1].request_id
    assert out.request_id == out.attempts[1].request_id


def test_429_twice_gives_up(cov_server: RunningServer, sleeps: SleepRecorder) -> None:
    with _client(cov_server, sleeps, extra_headers={"X-Simulate": "429"}) as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.RATE_LIMITED and not out.verified and out.http_status == 429
    assert sleeps.delays == [1.0] and len(out.attempts) == 2
    assert out.message == "COV is busy (too many requests) — not verified; try again later"


def test_retry_after_is_capped_at_30_seconds(canned: CannedServer, sleeps: SleepRecorder) -> None:
    canned.play((429, {"Retry-After": "120"}, {"error": {"code": "TE_VEEL_VERZOEKEN"}}))
    with CovClient(canned.url, COV_TOKEN, AGB, sleep=sleeps, today=lambda: TODAY) as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.RATE_LIMITED and sleeps.delays == [30.0]


def test_500_backoff_then_error(cov_server: RunningServer, sleeps: SleepRecorder) -> None:
    with _client(cov_server, sleeps, extra_headers={"X-Simulate": "500"}) as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.TECHNICAL_FAILURE and not out.verified and out.http_status == 500
    assert sleeps.delays == [0.5, 2.0] and [a.http_status for a in out.attempts] == [500, 500, 500]
    assert out.message == "COV reported a technical error (HTTP 500) — not verified; try again later"


def test_500_once_then_success(cov_server: RunningServer, cov_client: CovClient, sleeps: SleepRecorder) -> None:
    cov_server.set_fault("500", times=1)
    out = cov_client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.INSURED and sleeps.delays == [0.5]


def test_503_backoff_honours_retry_after(cov_server: RunningServer, sleeps: SleepRecorder) -> None:
    with _client(cov_server, sleeps, extra_headers={"X-Simulate": "503"}) as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert out.kind is CovKind.TECHNICAL_FAILURE and out.http_status == 503
    assert sleeps.delays == [1.0, 2.0]  # max(backoff, Retry-After: 1)
    assert out.message == "COV is unavailable (HTTP 503) — not verified; try again later"
    assert out.attempts[-1].error == "NIET_BESCHIKBAAR"


def test_timeout_is_retried_then_error(cov_server: RunningServer, sleeps: SleepRecorder) -> None:
    started = time.monotonic()
    with _client(cov_server, sleeps, timeout=FAST, extra_headers={"X-Simulate": "timeout"}) as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
    assert time.monotonic() - started < 5
    assert out.kind is CovKind.TECHNICAL_FAILURE and not out.verified and out.http_status is None
    assert [a.error for a in out.attempts] == ["timeout"] * 3
    assert sleeps.delays == [0.5, 2.0]
    assert out.message == "COV did not answer in time — not verified; try again later"


def test_connection_refused_is_retried_then_error(closed_port_url: str, sleeps: SleepRecorder) -> None:
    with CovClient(closed_port_url, COV_TOKEN, AGB, sleep=sleeps, today=lambda: TODAY) as client:
        out = client.check("999990019", BIRTH, TODAY, "c")
        assert client.health() is False
    assert out.kind is CovKind.TECHNICAL_FAILURE and [a.error for a in out.attempts] == ["connection"] * 3
    assert out.message == "COV could not be reached (network) — not verified; try again later"


def test_cancel_between_attempts(cov_server: RunningServer) -> None:
    cancelled = False

    def sleep(seconds: float) -> None:
        nonlocal cancelled
        cancelled = True  # the user presses Escape while we wait

    with CovClient(
        cov_server.url, COV_TOKEN, AGB, sleep=sleep, today=lambda: TODAY, extra_headers={"X-Simulate": "503"}
    ) as client:
        out = client.check("999990019", BIRTH, TODAY, "c", cancel=lambda: cancelled)
    assert out.kind is CovKind.CANCELLED and not out.verified
    assert len(out.attempts) == 1 and out.attempts[0].http_status == 503
    assert out.message == "COV check cancelled — not verified"


def test_cancel_before_first_attempt_sends_nothing(cov_client: CovClient) -> None:
    out = cov_client.check("999990019", BIRTH, TODAY, "c", cancel=lambda: True)
    assert out.kind is CovKind.CANCELLED and not out.sent


def test_health(cov_client: CovClient) -> None:
    assert cov_client.health() is True


def test_simulator_with_real_clock_answers_today() -> None:
    with start_cov_simulator(token=COV_TOKEN) as server, CovClient(server.url, COV_TOKEN, AGB) as client:
        out = client.check("999990019", BIRTH, None, "c")
    assert out.kind is CovKind.INSURED and out.peildatum == date.today()
