"""The whole onboarding journey with key presses only, then the store is checked."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import select

from scrivio_tui.screens.client_hub import ClientHubScreen
from scrivio_tui.screens.clients import ClientsScreen
from scrivio_tui.screens.financing import FinancingScreen
from scrivio_tui.screens.portal import PortalScreen
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import (
    AuditEvent,
    CareTrajectory,
    Client,
    Document,
    FormAssignment,
    Funding,
    InsurancePolicy,
    OwnContribution,
    Referral,
    SignInLinkRequest,
    TrajectoryPeriod,
)
from tests.ui.conftest import make_app


async def choose(pilot, option_index: int = 1) -> None:  # type: ignore[no-untyped-def]
    """Open the focused Select and pick the n-th option (0 is the blank prompt)."""
    await pilot.press("enter")
    await pilot.press(*(["down"] * option_index), "enter")


async def test_onboarding_journey_by_keyboard(demo_db: Database, tmp_path: Path) -> None:
    app = make_app(demo_db, tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press(*"receptie", "tab", *"demo-password", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ClientsScreen)

        # step 1: new client
        await pilot.press("ctrl+n")
        await pilot.pause()
        await pilot.press(*"Sanne", "tab", *"van", "tab", *"Wijk", "tab", *"07-04-1990", "tab",
                          *"111222333", "tab", "tab", *"sanne@example.nl", "tab", *"0612345678", "tab",
                          *"Kerkstraat", "tab", *"12", "tab", *"2611ab", "tab", *"Delft")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ClientHubScreen)
        with demo_db.read() as s:
            client = s.exec(select(Client).where(Client.bsn == "111222333")).one()
        assert (client.first_name, client.last_name_prefix, client.last_name) == ("Sanne", "van", "Wijk")
        assert client.postcode == "2611 AB" and client.phone == "+31612345678"

        # step 2: care trajectory (setting, start date defaulted, lead practitioner, referral)
        await pilot.press("2")
        await pilot.pause()
        await choose(pilot, 1)  # setting 1
        await pilot.press("tab", "tab")  # start date keeps today
        await choose(pilot, 1)  # lead practitioner
        await pilot.press("tab", "tab", "tab", "tab")  # name, DSM-5, profile → referrer type
        await choose(pilot, 1)  # 01 GP
        await pilot.press("tab", *"huisarts De Wit", "tab", *"01012345", "tab", *"01-11-2026")
        await pilot.press("ctrl+s")
        await pilot.pause()
        if app.screen.id == "classification-dialog":
            await pilot.press("escape")
            await pilot.pause()
            if app.screen.id == "confirm-dialog":
                await pilot.press("escape")
        with demo_db.read() as s:
            trajectory = s.exec(select(CareTrajectory).where(CareTrajectory.client_id == client.id)).one()
            periods = {p.field: p.value for p in s.exec(select(TrajectoryPeriod).where(
                TrajectoryPeriod.trajectory_id == trajectory.id))}
            referral = s.get(Referral, trajectory.id)
        assert periods["setting"] == "1" and periods["lead_practitioner"]
        assert referral is not None and referral.referrer_agb == "01012345"

        # step 3: financing — a policy (saved at once) and an own contribution (saved with ctrl+s)
        await app.pop_screen()
        await pilot.pause()
        await pilot.press("3")
        await pilot.pause()
        assert isinstance(app.screen, FinancingScreen)
        await pilot.press("space")  # ZPM / insurance
        await pilot.press("ctrl+a")
        await pilot.pause()
        await choose(pilot, 1)  # first insurer in the UZOVI table
        await pilot.press("tab", *"123456789", "tab", "tab", *"01-01-2026", "ctrl+s")
        await pilot.pause()
        with demo_db.read() as s:
            policy = s.exec(select(InsurancePolicy).where(InsurancePolicy.client_id == client.id)).one()
        assert policy.policy_number == "123456789"
        await pilot.press("shift+tab")  # back from insurance to own contribution? focus the checkbox directly:
        app.screen.query_one("#funded-by-own-contribution").focus()
        await pilot.press("space")
        app.screen.query_one("#iban").focus()
        await pilot.press(*"NL91ABNA0417164300", "tab", *"S. van Wijk", "ctrl+s")
        await pilot.pause()
        with demo_db.read() as s:
            funding = s.get(Funding, client.id)
            oc = s.get(OwnContribution, client.id)
        assert funding is not None and funding.by_insurance and funding.by_own_contribution
        assert oc is not None and oc.iban == "NL91ABNA0417164300" and oc.account_holder == "S. van Wijk"

        # step 4: portal — sign-in link, a form, a document
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        assert isinstance(app.screen, PortalScreen)
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("f")
        await pilot.pause()
        await choose(pilot, 1)
        await pilot.press("ctrl+s")
        await pilot.pause()
        with demo_db.transaction() as s:
            s.add(Document(client_id=client.id or 0, file_name="Welcome.pdf", file_type="pdf", size_bytes=2048))
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("4")
        await pilot.pause()
        await pilot.press("x")
        await pilot.pause()
        await pilot.press("space", "ctrl+s")
        await pilot.pause()

    with demo_db.read() as s:
        assert s.exec(select(SignInLinkRequest).where(SignInLinkRequest.client_id == client.id)).one().email == \
            "sanne@example.nl"
        assert len(s.exec(select(FormAssignment).where(FormAssignment.client_id == client.id)).all()) == 1
        doc = s.exec(select(Document).where(Document.client_id == client.id)).one()
        assert doc.exposed and doc.requires_acknowledgement
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.client_id == client.id))]
    for action in ("client.create", "trajectory.create", "policy.add", "own_contribution.set",
                   "portal.send_link", "form.assign", "document.expose", "client.read"):
        assert action in actions
