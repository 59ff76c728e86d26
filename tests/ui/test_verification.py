"""COV verification and sign-in-link states in the UI, against the simulators as real servers."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot

from scrivio_tui import clock
from scrivio_tui.screens.cov_result import CovResultDialog
from scrivio_tui.screens.financing import FinancingScreen
from scrivio_tui.screens.portal import PortalScreen
from scrivio_tui.services.cov import CovClient
from scrivio_tui.services.integrations import Integrations
from scrivio_tui.simulators import RunningServer, start_cov_simulator
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import InsurancePolicy, SignInLinkRequest
from tests.ui.conftest import make_app, sign_in

TOKEN = "ui-cov-token"


@pytest.fixture
def cov_server() -> Iterator[RunningServer]:
    with start_cov_simulator(token=TOKEN, today=clock.today, timeout_delay=2.0) as server:
        yield server


def wire(app: Any, server: RunningServer) -> None:
    integrations = Integrations(app.settings, app.db)
    integrations.cov_url = server.url
    integrations._tokens = {"cov-token": TOKEN}
    app.integrations = integrations


async def test_financing_takes_keys_while_a_slow_cov_check_runs(demo_db: Database, tmp_path: Path,
                                                                cov_server: RunningServer) -> None:
    cov_server.set_fault("timeout", times=1)  # the first answer takes 2 s
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        wire(app, cov_server)
        app.actor = sign_in(demo_db, "receptie")
        await app.push_screen(FinancingScreen(1))
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FinancingScreen)
        await pilot.press("f4")
        await pilot.pause()
        assert screen.verifying is not None
        screen.query_one("#account-holder").focus()
        await pilot.press("end", *" en partner")
        assert screen.query_one("#account-holder").value == "rekeninghouder demo en partner"  # type: ignore[attr-defined]
        assert screen.verifying is not None and screen.verifying.is_running  # still in flight
        assert "Checking with VECOZO COV" in str(screen.query_one("#verify-state").render())
        for _ in range(100):
            await pilot.pause(0.1)
            if app.screen.id == "cov-result":
                break
        assert app.screen.id == "cov-result"
    with demo_db.read() as s:
        policy = s.exec(select(InsurancePolicy).where(InsurancePolicy.client_id == 1)).one()
    # COV knows Anna's basic policy as 123456789 at 3311; the demo policy says 40001000: insured, but flagged
    assert policy.verification_status == "details_differ" and policy.verification_request_id
    assert "123456789" in (policy.verification_message or "")


async def test_verified_policy_with_matching_details_is_insured(demo_db: Database, tmp_path: Path,
                                                                cov_server: RunningServer) -> None:
    from scrivio_tui.services import financing, verification

    actor = sign_in(demo_db, "receptie")
    with demo_db.read() as s:
        policy = s.exec(select(InsurancePolicy).where(InsurancePolicy.client_id == 1)).one()
    financing.save_policy(demo_db, actor, 1, {"insurer": "3311", "policy_number": "123456789",
                                              "valid_from": "01-01-2026"}, policy.id).unwrap()
    with CovClient(cov_server.url, TOKEN, "94123456", today=clock.today) as client:
        verification.verify_policy(demo_db, actor, 1, policy.id or 0, client).unwrap()
    with demo_db.read() as s:
        assert s.get(InsurancePolicy, policy.id).verification_status == "insured"  # type: ignore[union-attr]


async def test_cancel_leaves_the_policy_unverified(demo_db: Database, tmp_path: Path,
                                                   cov_server: RunningServer) -> None:
    cov_server.set_fault("503")
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        wire(app, cov_server)
        app.actor = sign_in(demo_db, "receptie")
        await app.push_screen(FinancingScreen(1))
        await pilot.pause()
        await pilot.press("f4")
        await pilot.pause()
        await pilot.press("escape")  # escape cancels a running check first
        for _ in range(50):
            await pilot.pause(0.1)
            if app.screen.verifying is None:  # type: ignore[attr-defined]
                break
        assert "cancelled" in str(app.screen.query_one("#verify-state").render()).lower()
    with demo_db.read() as s:
        policy = s.exec(select(InsurancePolicy).where(InsurancePolicy.client_id == 1)).one()
    assert policy.verification_status == "not_verified"


async def test_verify_disabled_without_bsn(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.actor = sign_in(demo_db, "receptie")
        from scrivio_tui.services import financing

        financing.save_policy(demo_db, app.actor, 8, {"insurer": "3311", "policy_number": "1",
                                                     "valid_from": "01-01-2026"}).unwrap()
        financing.set_funding(demo_db, app.actor, 8, {"funded_by_insurance": True}).unwrap()
        await app.push_screen(FinancingScreen(8))  # Hanna Mulder has no BSN
        await pilot.pause()
        assert app.screen.query_one("#verify").disabled
        assert "BSN needed" in str(app.screen.query_one("#verify-state").render())


# one snapshot per COV outcome (dutch-standards §5.5), each from the simulator over HTTP
OUTCOMES = {
    "insured": ("999990019", "1962-03-15", None),
    "multiple_coverages": ("999990020", "1962-03-15", None),
    "double_insured": ("999990032", "1962-03-15", None),
    "not_insured": ("999990044", "1962-03-15", None),
    "not_insured_inactive": ("999990056", "1962-03-15", None),
    "not_authorised_for_insurer": ("999990068", "1962-03-15", None),
    "deceased": ("999990081", "1962-03-15", None),
    "birthdate_mismatch": ("999990019", "1970-01-01", None),
    "bsn_unknown": ("999991012", "1962-03-15", None),
    "technical_failure": ("999990019", "1962-03-15", "500"),
    "credentials_invalid": ("999990019", "1962-03-15", "token"),
}


@pytest.mark.parametrize("case", list(OUTCOMES))
def test_cov_outcome_dialog(case: str, snap_compare: Any, demo_db: Database, tmp_path: Path,
                            cov_server: RunningServer) -> None:
    bsn, born, fault = OUTCOMES[case]
    if fault and fault != "token":
        cov_server.set_fault(fault)
    token = "wrong" if fault == "token" else TOKEN
    with CovClient(cov_server.url, token, "94123456", sleep=lambda s: None, today=clock.today) as client:
        outcome = client.check(bsn, born, None, "client-1")
    with demo_db.read() as s:
        policy = s.exec(select(InsurancePolicy).where(InsurancePolicy.client_id == 1)).one()

    async def run_before(pilot: Pilot[None]) -> None:
        app: Any = pilot.app
        await pilot.pause()
        app.signed_in(sign_in(demo_db, "receptie"))
        await app.push_screen(FinancingScreen(1))
        await pilot.pause()
        await app.push_screen(CovResultDialog(outcome, policy))
        await pilot.pause()

    assert snap_compare(make_app(demo_db, tmp_path), terminal_size=(120, 36), run_before=run_before)


@pytest.mark.parametrize("state", ["queued", "sent", "failed"])
def test_sign_in_link_state(state: str, snap_compare: Any, demo_db: Database, tmp_path: Path) -> None:
    with demo_db.transaction() as s:
        row = s.exec(select(SignInLinkRequest).where(SignInLinkRequest.client_id == 1)).one()
        row.status = state
        if state == "sent":
            row.sent_at, row.link_id = clock.now(), "link-1"
        elif state == "failed":
            row.last_error = "The portal refused the token (401): ask an administrator"
        else:
            row.last_error = "The portal is not reachable (503): it will be retried"
        s.add(row)

    async def run_before(pilot: Pilot[None]) -> None:
        app: Any = pilot.app
        await pilot.pause()
        app.signed_in(sign_in(demo_db, "receptie"))
        await app.push_screen(PortalScreen(1))
        await pilot.pause()

    assert snap_compare(make_app(demo_db, tmp_path), terminal_size=(120, 36), run_before=run_before)
