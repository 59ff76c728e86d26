"""The AVG access request: a client's whole record as JSON, audited like any read."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from sqlmodel import SQLModel, col, select

from scrivio_tui import clock
from scrivio_tui.services.base import CLIENTS_READ, Actor, Result, audit, not_visible, refuse, visible_client
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import (
    AuditEvent,
    CareTrajectory,
    ClassificationPeriod,
    Client,
    Document,
    Form,
    FormAssignment,
    Funding,
    InsurancePolicy,
    OwnContribution,
    Referral,
    SignInLinkRequest,
    TrajectoryPeriod,
)


def _plain(value: Any) -> Any:
    if isinstance(value, SQLModel):
        return {k: _plain(v) for k, v in value.model_dump().items()}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def find_client_id(db: Database, ident: str) -> int | None:
    """A client id, or a BSN (exact 9 digits)."""
    ident = ident.strip()
    with db.read() as session:
        if re.fullmatch(r"\d{9}", ident):
            return session.exec(select(Client.id).where(Client.bsn == ident)).first()
        if ident.isdigit():
            return int(ident) if session.get(Client, int(ident)) else None
    return None


def export_client(db: Database, actor: Actor, client_id: int) -> Result[dict[str, Any]]:
    """Personal details, trajectories with every period, funding, policies, payment details, portal state,
    assignments, exposures and who accessed the record (AVG art. 15)."""
    if not actor.can(CLIENTS_READ):
        return refuse(db, actor, CLIENTS_READ, "client.export", "E", client_id)
    with db.transaction() as session:
        client = visible_client(session, actor, client_id)
        if client is None:
            return not_visible()
        trajectories = []
        for t in session.exec(select(CareTrajectory).where(CareTrajectory.client_id == client_id)
                              .order_by(col(CareTrajectory.start_date))).all():
            trajectories.append({
                **_plain(t),
                "periods": _plain(list(session.exec(select(TrajectoryPeriod).where(
                    TrajectoryPeriod.trajectory_id == t.id).order_by(col(TrajectoryPeriod.valid_from))).all())),
                "referral": _plain(session.get(Referral, t.id)),
                "classifications": _plain(list(session.exec(select(ClassificationPeriod).where(
                    ClassificationPeriod.trajectory_id == t.id).order_by(col(ClassificationPeriod.id))).all())),
            })
        record: dict[str, Any] = {
            "exported_at": _plain(clock.now()),
            "client": _plain(client),
            "care_trajectories": trajectories,
            "funding": _plain(session.get(Funding, client_id)),
            "insurance_policies": _plain(list(session.exec(select(InsurancePolicy).where(
                InsurancePolicy.client_id == client_id)).all())),
            "own_contribution": _plain(session.get(OwnContribution, client_id)),
            "portal": {
                "sign_in_links": [
                    {k: v for k, v in _plain(link).items() if k != "idempotency_key"}
                    for link in session.exec(select(SignInLinkRequest).where(
                        SignInLinkRequest.client_id == client_id)).all()],
                "form_assignments": [
                    {**_plain(a), "form_title": f.title} for a, f in session.exec(
                        select(FormAssignment, Form).join(Form, col(Form.id) == col(FormAssignment.form_id))
                        .where(FormAssignment.client_id == client_id)).all()],
                "documents": _plain(list(session.exec(select(Document).where(
                    Document.client_id == client_id)).all())),
            },
            "access_log": [
                {"at": _plain(e.at), "user": e.username, "roles": e.roles, "action": e.action,
                 "action_code": e.action_code, "outcome": e.outcome, "fields": e.fields}
                for e in session.exec(select(AuditEvent).where(AuditEvent.client_id == client_id)
                                      .order_by(col(AuditEvent.id))).all()],
        }
        audit(session, actor, "client.export", "E", client_id=client_id, object_type="client", object_id=client_id)
    return Result(value=record)
