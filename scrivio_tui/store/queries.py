"""Read-side queries: the clients overview search and the onboarding summary of one client.

Visibility (spec §1): with clients.read.all every client; otherwise only clients assigned to the user
or where the user leads an active trajectory. Queries take plain values so they stay UI-free.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import exists, func, or_
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col, select

from scrivio_tui import clock
from scrivio_tui.store.models import (
    CareTrajectory,
    ClassificationPeriod,
    Client,
    ClientAssignment,
    Document,
    FormAssignment,
    Funding,
    InsurancePolicy,
    OwnContribution,
    Referral,
    SignInLinkRequest,
    TrajectoryPeriod,
)


def visible_filter(user_id: int | None, read_all: bool, today: date | None = None) -> ColumnElement[bool] | None:
    """The WHERE clause limiting clients to the user's treatment relationships: assigned to them, or
    they lead an active trajectory (the lead period in force today, or one that starts later)."""
    if read_all:
        return None
    today = today or clock.today()
    assigned = exists().where(col(ClientAssignment.client_id) == col(Client.id),
                              col(ClientAssignment.user_id) == user_id)
    later = aliased(TrajectoryPeriod)
    superseded = exists().where(
        col(later.trajectory_id) == col(TrajectoryPeriod.trajectory_id), col(later.field) == "lead_practitioner",
        col(later.valid_from) > col(TrajectoryPeriod.valid_from), col(later.valid_from) <= today)
    leads = exists().where(
        col(CareTrajectory.client_id) == col(Client.id), col(CareTrajectory.status) == "active",
        col(TrajectoryPeriod.trajectory_id) == col(CareTrajectory.id),
        col(TrajectoryPeriod.field) == "lead_practitioner", col(TrajectoryPeriod.value) == str(user_id),
        ~superseded)
    return or_(assigned, leads)


@dataclass(frozen=True)
class OverviewRow:
    id: int
    name: str
    sort_name: str
    active_trajectory: str
    date_of_birth: date
    email: str | None
    status: str
    review_overdue: bool = False


def _parse_dob(term: str) -> date | None:
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", term)
    if not m:
        return None
    try:
        return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None


def search_clients(session: Session, term: str, *, archived: bool, user_id: int | None, read_all: bool,
                   today: date, limit: int = 500) -> list[OverviewRow]:
    """Search as you type: every word must match part of a name, the email or the date of birth;
    a BSN matches only as the exact 9 digits (never partially, to limit exposure)."""
    stmt = select(Client).where(Client.status == ("archived" if archived else "active"))
    vis = visible_filter(user_id, read_all, today)
    if vis is not None:
        stmt = stmt.where(vis)
    term = term.strip()
    if re.fullmatch(r"\d{9}", term):
        stmt = stmt.where(Client.bsn == term)
    elif term:
        for word in term.lower().split():
            dob = _parse_dob(word)
            if dob:
                stmt = stmt.where(Client.date_of_birth == dob)
                continue
            like = f"%{word}%"
            stmt = stmt.where(or_(func.lower(Client.first_name).like(like),
                                  func.lower(Client.last_name).like(like),
                                  func.lower(func.coalesce(Client.last_name_prefix, "")).like(like),
                                  func.lower(func.coalesce(Client.email, "")).like(like)))
    stmt = stmt.order_by(func.lower(Client.last_name), func.lower(Client.first_name)).limit(limit)
    clients = session.exec(stmt).all()
    ids = [c.id for c in clients]
    trajectories: dict[int, str] = {}
    overdue: set[int] = set()
    if ids:
        rows = session.exec(select(CareTrajectory).where(col(CareTrajectory.client_id).in_(ids),
                                                          CareTrajectory.status == "active")
                            .order_by(col(CareTrajectory.start_date))).all()
        by_traj = {}
        for t in rows:
            trajectories[t.client_id] = t.name
            by_traj[t.id] = t.client_id
        if by_traj:
            latest = (select(ClassificationPeriod.trajectory_id, func.max(ClassificationPeriod.id).label("mid"))
                      .where(col(ClassificationPeriod.trajectory_id).in_(list(by_traj)))
                      .group_by(col(ClassificationPeriod.trajectory_id)).subquery())
            for period in session.exec(select(ClassificationPeriod).join(
                    latest, col(ClassificationPeriod.id) == latest.c.mid)).all():
                if period.review_due and period.review_due < today:
                    overdue.add(by_traj[period.trajectory_id])
    return [OverviewRow(id=c.id or 0, name=c.full_name,
                        sort_name=f"{c.last_name}, {c.first_name} {c.last_name_prefix or ''}".strip(),
                        active_trajectory=trajectories.get(c.id or 0, ""), date_of_birth=c.date_of_birth,
                        email=c.email, status=c.status, review_overdue=(c.id in overdue)) for c in clients]


def is_visible(session: Session, client_id: int, user_id: int | None, read_all: bool) -> bool:
    stmt = select(Client.id).where(Client.id == client_id)
    vis = visible_filter(user_id, read_all)
    if vis is not None:
        stmt = stmt.where(vis)
    return session.exec(stmt).first() is not None


# ---------------------------------------------------------------- trajectory periods


def current_periods(session: Session, trajectory_id: int, on: date) -> dict[str, TrajectoryPeriod]:
    """The value of each versioned field in force on `on` (latest valid_from ≤ on, latest recorded wins)."""
    rows = session.exec(select(TrajectoryPeriod).where(TrajectoryPeriod.trajectory_id == trajectory_id)
                        .order_by(col(TrajectoryPeriod.valid_from), col(TrajectoryPeriod.id))).all()
    out: dict[str, TrajectoryPeriod] = {}
    for row in rows:
        if row.valid_from <= on or row.field not in out:
            out[row.field] = row
    return out


def classification_history(session: Session, trajectory_id: int) -> list[ClassificationPeriod]:
    return list(session.exec(select(ClassificationPeriod)
                             .where(ClassificationPeriod.trajectory_id == trajectory_id)
                             .order_by(col(ClassificationPeriod.valid_from), col(ClassificationPeriod.id))).all())


# ---------------------------------------------------------------- onboarding summary


DONE, ATTENTION, OPEN = "done", "attention", "open"
STEPS = ("client", "care_trajectory", "classification", "financing", "portal")


@dataclass
class Summary:
    """Everything the client hub shows: stepper states, signals and the summary cards."""

    client: Client
    steps: dict[str, str] = field(default_factory=dict)
    signals: list[tuple[str, str]] = field(default_factory=list)
    trajectory: CareTrajectory | None = None
    periods: dict[str, TrajectoryPeriod] = field(default_factory=dict)
    referral: Referral | None = None
    classification: ClassificationPeriod | None = None
    funding: Funding | None = None
    policies: list[InsurancePolicy] = field(default_factory=list)
    own_contribution: OwnContribution | None = None
    last_link: SignInLinkRequest | None = None
    pending_forms: int = 0
    exposed_documents: int = 0

    @property
    def next_step(self) -> str | None:
        """The first step that is not done (attention before open, in journey order)."""
        for state in (OPEN, ATTENTION):
            for step in STEPS:
                if self.steps.get(step) == state:
                    return step
        return None


def summary(session: Session, client: Client, today: date) -> Summary:
    assert client.id is not None
    s = Summary(client=client)
    s.trajectory = session.exec(select(CareTrajectory).where(CareTrajectory.client_id == client.id,
                                                             CareTrajectory.status == "active")
                                .order_by(col(CareTrajectory.start_date).desc())).first()
    if s.trajectory and s.trajectory.id:
        s.periods = current_periods(session, s.trajectory.id, today)
        s.referral = session.get(Referral, s.trajectory.id)
        history = classification_history(session, s.trajectory.id)
        s.classification = history[-1] if history else None
    s.funding = session.get(Funding, client.id)
    s.policies = list(session.exec(select(InsurancePolicy).where(InsurancePolicy.client_id == client.id)
                                   .order_by(col(InsurancePolicy.valid_from).desc())).all())
    s.own_contribution = session.get(OwnContribution, client.id)
    s.last_link = session.exec(select(SignInLinkRequest).where(SignInLinkRequest.client_id == client.id)
                               .order_by(col(SignInLinkRequest.id).desc())).first()
    s.pending_forms = len(session.exec(select(FormAssignment.id).where(
        FormAssignment.client_id == client.id, FormAssignment.status == "pending")).all())
    s.exposed_documents = len(session.exec(select(Document.id).where(
        Document.client_id == client.id, Document.exposed)).all())

    s.steps["client"] = DONE if client.bsn else ATTENTION
    s.steps["care_trajectory"] = DONE if s.trajectory else OPEN
    if not s.trajectory:
        s.steps["classification"] = OPEN
    elif not s.classification or (s.classification.review_due and s.classification.review_due < today):
        s.steps["classification"] = ATTENTION
    else:
        s.steps["classification"] = DONE
    funded = s.funding and (s.funding.by_insurance or s.funding.by_own_contribution)
    if not funded:
        s.steps["financing"] = OPEN
    elif s.funding and s.funding.by_insurance and not s.policies:
        s.steps["financing"] = ATTENTION
    else:
        s.steps["financing"] = DONE
    if not client.email:
        s.steps["portal"] = ATTENTION
    elif s.last_link and s.last_link.status in ("sent", "queued"):
        s.steps["portal"] = DONE
    else:
        s.steps["portal"] = OPEN

    if not client.bsn:
        s.signals.append((ATTENTION, "missing_bsn"))
    if s.trajectory and not s.classification:
        s.signals.append((ATTENTION, "classification_missing"))
    if s.classification and s.classification.review_due and s.classification.review_due < today:
        s.signals.append((ATTENTION, "review_overdue"))
    if s.trajectory and not s.referral:
        s.signals.append((OPEN, "missing_referral"))
    if s.funding and s.funding.by_insurance and not any(
            p.verification_status == "insured" for p in s.policies):
        s.signals.append((ATTENTION, "unverified_policy"))
    if not client.email:
        s.signals.append((ATTENTION, "no_email"))
    return s
