"""Verify a policy with VECOZO COV: check outside any transaction, then store what was asked and what
came back on the policy (evidence for claims) with one audit line per HTTP attempt (dutch-standards §5.4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlmodel import col, select

from scrivio_tui.i18n import _
from scrivio_tui.services.base import CLIENTS_READ_ALL, CLIENTS_UPDATE, Actor, Result, audit, invalid, refuse
from scrivio_tui.services.cov import CovClient, CovKind, CovOutcome
from scrivio_tui.store import queries
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import CareTrajectory, Client, InsurancePolicy
from scrivio_tui.store.schemas import today

STATUS_FOR = {
    CovKind.INSURED: "insured",
    CovKind.MULTIPLE_COVERAGES: "insured",
    CovKind.DOUBLE_INSURED: "double_insured",
    CovKind.NOT_INSURED: "not_insured",
}
TRANSIENT = {CovKind.TECHNICAL_FAILURE, CovKind.RATE_LIMITED, CovKind.CANCELLED, CovKind.CREDENTIALS_INVALID,
             CovKind.NOT_AUTHORISED, CovKind.REQUEST_INVALID}


def missing_for_cov(client: Client) -> str | None:
    """Why Verify is disabled, or None when it can run."""
    if not client.bsn:
        return _("BSN needed for a COV check (BSN nodig voor COV-controle)")
    if not client.date_of_birth:
        return _("Date of birth needed for a COV check")
    return None


def peildatum_for(session: Any, client_id: int, policy: InsurancePolicy, on: date) -> date:
    """The trajectory start date, else today; inside the policy period; never 2 years back or more."""
    start: date | None = session.exec(select(col(CareTrajectory.start_date)).where(
        CareTrajectory.client_id == client_id, CareTrajectory.status == "active")
        .order_by(col(CareTrajectory.start_date).desc())).first()
    day = start or on
    day = max(day, policy.valid_from)
    if policy.valid_until:
        day = min(day, policy.valid_until)
    return max(day, on - timedelta(days=365 * 2 - 2))


def verify_policy(db: Database, actor: Actor, client_id: int, policy_id: int,
                  cov: CovClient | Callable[[], CovClient], *,
                  cancel: Callable[[], bool] | None = None) -> Result[CovOutcome]:
    """Run COV for one policy. Nothing is marked insured without a 200 answer; a failed attempt keeps
    the previous status and notes when it failed. `cov` is a client, or a factory (Integrations.cov) whose
    client is closed afterwards; a factory that finds COV unconfigured gives a message on `verify`."""
    if not actor.can(CLIENTS_UPDATE):
        return refuse(db, actor, CLIENTS_UPDATE, "policy.verify", "E", client_id)
    with db.read() as session:
        client = session.get(Client, client_id)
        policy = session.get(InsurancePolicy, policy_id)
        if (client is None or policy is None or policy.client_id != client_id
                or not queries.is_visible(session, client_id, actor.user_id, actor.can(CLIENTS_READ_ALL))):
            return invalid({"__all__": _("This policy no longer exists")})
        why = missing_for_cov(client)
        if why:
            return invalid({"verify": why})
        peildatum = peildatum_for(session, client_id, policy, today())
        bsn, born = client.bsn or "", client.date_of_birth
    if isinstance(cov, CovClient):
        outcome = cov.check(bsn, born, peildatum, f"client-{client_id}", cancel=cancel)
    else:
        from scrivio_tui.services.integrations import NotConfigured

        try:
            cov_client = cov()
        except NotConfigured as exc:
            return invalid({"verify": str(exc)})
        with cov_client:
            outcome = cov_client.check(bsn, born, peildatum, f"client-{client_id}", cancel=cancel)
    with db.transaction() as session:
        fresh = session.get(InsurancePolicy, policy_id)
        if fresh is None:
            return invalid({"__all__": _("The policy was deleted while it was being verified")})
        if outcome.kind in TRANSIENT or not outcome.sent:
            fresh.last_attempt_failed_at = outcome.checked_at
            fresh.verification_message = _("Last attempt failed at {at}: {why}").format(
                at=f"{outcome.checked_at.astimezone():%d-%m-%Y %H:%M}", why=outcome.message)
        else:
            fresh.verification_status = STATUS_FOR.get(outcome.kind, "could_not_verify")
            fresh.verification_message = outcome.message
            p = outcome.proposed
            if fresh.verification_status == "insured" and p is not None and (
                    p.uzovi != fresh.uzovi or (p.policy_number or "") != fresh.policy_number):
                fresh.verification_status = "details_differ"
                fresh.verification_message = _("Insured, but COV knows {insurer} ({uzovi}) policy {number}: "
                                               "correct this policy from the answer").format(
                    insurer=p.insurer_display, uzovi=p.uzovi, number=p.policy_number or "—")
            fresh.verified_at = outcome.checked_at
            fresh.verification_request_id = outcome.request_id
            fresh.verification_result = {
                "kind": str(outcome.kind), "verified": outcome.verified, "peildatum": peildatum.isoformat(),
                "future_peildatum": outcome.future_peildatum, "deceased": outcome.deceased,
                "request_id": outcome.request_id, "checked_at": outcome.checked_at.isoformat(),
                "checked_by": actor.username,
                "coverages": [{"uzovi": c.uzovi, "insurer": c.insurer_name, "policy_number": c.policy_number,
                               "soort": c.soort, "package": c.package, "active": c.active,
                               "start": c.start.isoformat() if c.start else None,
                               "end": c.end.isoformat() if c.end else None} for c in outcome.coverages],
            }
        session.add(fresh)
        attempts = outcome.attempts or ()
        for attempt in attempts:
            audit(session, actor, "policy.verify", "E", client_id=client_id, object_type="insurance_policy",
                  object_id=policy_id, outcome="success" if attempt.http_status == 200 else "failed",
                  detail=f"request {attempt.request_id}; http {attempt.http_status}; "
                         f"{str(outcome.kind) if attempt is attempts[-1] else (attempt.error or '')}")
        if not attempts:
            audit(session, actor, "policy.verify", "E", client_id=client_id, object_type="insurance_policy",
                  object_id=policy_id, outcome="not_sent", detail=str(outcome.kind))
    return Result(value=outcome, message=outcome.message)
