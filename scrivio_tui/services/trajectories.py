"""Start a care trajectory (step 2) and read its versioned fields and history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import col, select

from scrivio_tui import refdata
from scrivio_tui.i18n import _
from scrivio_tui.services.base import (
    TRAJECTORIES_CREATE,
    TRAJECTORIES_READ,
    Actor,
    Result,
    audit,
    invalid,
    not_visible,
    refuse,
    visible_client,
)
from scrivio_tui.store import queries
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import (
    CareTrajectory,
    ClassificationPeriod,
    Referral,
    StaffUser,
    TrajectoryPeriod,
)
from scrivio_tui.store.schemas import TrajectoryInput, format_date, today, validate

VERSIONED = ("setting", "lead_practitioner", "dsm5_diagnosis", "basic_ggz_profile")


def start_trajectory(db: Database, actor: Actor, client_id: int, raw: dict[str, Any]) -> Result[CareTrajectory]:
    """Setting, start date and lead practitioner required; each versioned field opens its first period."""
    if not actor.can(TRAJECTORIES_CREATE):
        return refuse(db, actor, TRAJECTORIES_CREATE, "trajectory.create", "C", client_id)
    data, errors = validate(TrajectoryInput, raw)
    if errors:
        return invalid(errors)
    assert isinstance(data, TrajectoryInput)
    leads = {p.code for p in refdata.professions() if p.get("may_lead") == "yes"}
    with db.transaction() as session:
        if visible_client(session, actor, client_id) is None:
            return not_visible()
        lead = session.get(StaffUser, data.lead_practitioner)
        if lead is None or not lead.active or not lead.is_practitioner:
            return invalid({"lead_practitioner": _("Choose an active practitioner")})
        if lead.profession not in leads:
            return invalid({"lead_practitioner": _("This profession may not be lead practitioner under ZPM")})
        assert data.start_date is not None and data.setting is not None
        name = data.name or f"{refdata.label(refdata.settings(), data.setting).split(' —')[0].capitalize()}" \
                            f" {format_date(data.start_date)}"
        trajectory = CareTrajectory(client_id=client_id, name=name, start_date=data.start_date,
                                    created_by=actor.user_id)
        session.add(trajectory)
        session.flush()
        assert trajectory.id is not None
        values = {"setting": data.setting, "lead_practitioner": str(data.lead_practitioner),
                  "dsm5_diagnosis": data.dsm5_diagnosis, "basic_ggz_profile": data.basic_ggz_profile}
        for key, value in values.items():
            if value:
                session.add(TrajectoryPeriod(trajectory_id=trajectory.id, field=key, value=value,
                                             valid_from=data.start_date, recorded_by=actor.user_id))
        if data.referrer_type:
            session.add(Referral(trajectory_id=trajectory.id, referrer_type=data.referrer_type,
                                 referrer_name=data.referrer_name, referrer_agb=data.referrer_agb,
                                 referral_date=data.referral_date, letter_on_file=data.letter_on_file))
        filled = [k for k, v in data.model_dump().items() if v not in (None, False)]
        audit(session, actor, "trajectory.create", "C", client_id=client_id, object_type="care_trajectory",
              object_id=trajectory.id, fields=filled)
    return Result(value=trajectory, warnings=data.referral_warnings(),
                  message=_("Care trajectory {name} started.").format(name=trajectory.name))


@dataclass
class TrajectoryView:
    """One trajectory with its current values, full period history and classification history."""

    trajectory: CareTrajectory
    current: dict[str, TrajectoryPeriod]
    periods: list[TrajectoryPeriod]
    referral: Referral | None
    classifications: list[ClassificationPeriod] = field(default_factory=list)
    staff_names: dict[int, str] = field(default_factory=dict)

    def label(self, key: str) -> str:
        period = self.current.get(key)
        value = period.value if period else None
        if key == "setting":
            return refdata.label(refdata.settings(), value)
        if key == "lead_practitioner":
            return self.staff_names.get(int(value), "—") if value else "—"
        if key == "dsm5_diagnosis":
            return f"{value} {refdata.label(refdata.dsm5_groups(), value)}" if value else "— (later)"
        if key == "basic_ggz_profile":
            return f"{value} {refdata.label(refdata.basic_ggz_profiles(), value)}" if value else "— (later)"
        return value or "—"


def list_trajectories(db: Database, actor: Actor, client_id: int,
                      on: date | None = None) -> Result[list[TrajectoryView]]:
    """The client's trajectories, newest first, audited as a read."""
    if not actor.can(TRAJECTORIES_READ):
        return refuse(db, actor, TRAJECTORIES_READ, "trajectory.read", "R", client_id)
    on = on or today()
    with db.transaction() as session:
        if visible_client(session, actor, client_id) is None:
            return not_visible()
        names = {u.id or 0: u.display_name for u in session.exec(select(StaffUser)).all()}
        out = []
        for t in session.exec(select(CareTrajectory).where(CareTrajectory.client_id == client_id)
                              .order_by(col(CareTrajectory.start_date).desc())).all():
            assert t.id is not None
            periods = list(session.exec(select(TrajectoryPeriod).where(TrajectoryPeriod.trajectory_id == t.id)
                                        .order_by(col(TrajectoryPeriod.valid_from))).all())
            out.append(TrajectoryView(t, queries.current_periods(session, t.id, on), periods,
                                      session.get(Referral, t.id), queries.classification_history(session, t.id),
                                      names))
        audit(session, actor, "trajectory.read", "R", client_id=client_id, object_type="care_trajectory")
    return Result(value=out)
