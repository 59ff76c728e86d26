"""SQLModel tables: storage only. Validation lives in the input schemas (store/schemas.py).

All timestamps are timezone-aware UTC. Versioned clinical fields are period rows, never overwritten.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from scrivio_tui import clock


def utcnow() -> datetime:
    """Aware UTC 'now' (the one clock every table uses)."""
    return clock.now()


# ---------------------------------------------------------------- staff, roles, permissions


class StaffUser(SQLModel, table=True):
    __tablename__ = "staff_user"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=64)
    display_name: str = Field(max_length=120)
    password_hash: str
    active: bool = True
    is_practitioner: bool = False
    profession: str | None = None
    agb: str | None = Field(default=None, max_length=8)
    created_at: datetime = Field(default_factory=utcnow)


class Role(SQLModel, table=True):
    __tablename__ = "role"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    system: bool = False


class RolePermission(SQLModel, table=True):
    __tablename__ = "role_permission"
    role_id: int = Field(foreign_key="role.id", primary_key=True)
    permission: str = Field(primary_key=True, max_length=64)


class UserRole(SQLModel, table=True):
    __tablename__ = "user_role"
    user_id: int = Field(foreign_key="staff_user.id", primary_key=True)
    role_id: int = Field(foreign_key="role.id", primary_key=True)


# ---------------------------------------------------------------- clients


class Client(SQLModel, table=True):
    __tablename__ = "client"
    __table_args__ = (Index("ix_client_name_dob", "last_name", "date_of_birth"),)
    id: int | None = Field(default=None, primary_key=True)
    first_name: str = Field(max_length=80)
    last_name_prefix: str | None = Field(default=None, max_length=20)
    last_name: str = Field(max_length=120)
    date_of_birth: date
    bsn: str | None = Field(default=None, max_length=9, unique=True)
    gender: str | None = Field(default=None, max_length=16)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    street: str | None = Field(default=None, max_length=120)
    house_number: str | None = Field(default=None, max_length=16)
    postcode: str | None = Field(default=None, max_length=7)
    city: str | None = Field(default=None, max_length=80)
    status: str = Field(default="active", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    updated_at: datetime = Field(default_factory=utcnow)

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name_prefix, self.last_name) if p)


class ClientAssignment(SQLModel, table=True):
    """Treatment relationship: who sees a client without clients.read.all."""

    __tablename__ = "client_assignment"
    client_id: int = Field(foreign_key="client.id", primary_key=True)
    user_id: int = Field(foreign_key="staff_user.id", primary_key=True)


# ---------------------------------------------------------------- care trajectories


class CareTrajectory(SQLModel, table=True):
    __tablename__ = "care_trajectory"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    name: str = Field(max_length=120)
    start_date: date
    status: str = Field(default="active", max_length=16)
    end_date: date | None = None
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")


class TrajectoryPeriod(SQLModel, table=True):
    """One period of a versioned trajectory field (setting, lead_practitioner, dsm5_diagnosis,
    basic_ggz_profile); the next period's valid_from closes it."""

    __tablename__ = "trajectory_period"
    __table_args__ = (Index("ix_period_traj_field", "trajectory_id", "field", "valid_from"),)
    id: int | None = Field(default=None, primary_key=True)
    trajectory_id: int = Field(foreign_key="care_trajectory.id")
    field: str = Field(max_length=32)
    value: str | None = Field(default=None, max_length=64)
    valid_from: date
    reason: str | None = None
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by: int | None = Field(default=None, foreign_key="staff_user.id")


class ClassificationPeriod(SQLModel, table=True):
    """One care-demand classification (zorgvraagtypering) of a trajectory; recalibration adds a row."""

    __tablename__ = "classification_period"
    id: int | None = Field(default=None, primary_key=True)
    trajectory_id: int = Field(foreign_key="care_trajectory.id", index=True)
    main_group: str = Field(max_length=1)
    route: str = Field(default="full", max_length=8)
    answers: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON))
    asked: list[str] | None = Field(default=None, sa_column=Column(JSON))
    fallback_reason: str | None = Field(default=None, max_length=10)
    model_version: str = Field(max_length=40)
    advice: list[dict[str, object]] = Field(default_factory=list, sa_column=Column(JSON))
    advised_type: str | None = Field(default=None, max_length=8)
    chosen_type: str = Field(max_length=8)
    deviation_reason: str | None = None
    valid_from: date
    reason: str | None = None
    review_due: date | None = None
    recorded_at: datetime = Field(default_factory=utcnow)
    recorded_by: int | None = Field(default=None, foreign_key="staff_user.id")


class Referral(SQLModel, table=True):
    __tablename__ = "referral"
    trajectory_id: int = Field(foreign_key="care_trajectory.id", primary_key=True)
    referrer_type: str = Field(max_length=2)
    referrer_name: str | None = Field(default=None, max_length=120)
    referrer_agb: str | None = Field(default=None, max_length=8)
    referral_date: date | None = None
    letter_on_file: bool = False
    updated_at: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------- financing


class Funding(SQLModel, table=True):
    __tablename__ = "funding"
    client_id: int = Field(foreign_key="client.id", primary_key=True)
    by_insurance: bool = False
    by_own_contribution: bool = False
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="staff_user.id")


class InsurancePolicy(SQLModel, table=True):
    __tablename__ = "insurance_policy"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    uzovi: str = Field(max_length=4)
    policy_number: str = Field(max_length=40)
    insurance_type: str = Field(default="basic", max_length=16)
    valid_from: date
    valid_until: date | None = None
    verification_status: str = Field(default="not_verified", max_length=24)
    verification_message: str | None = None
    verified_at: datetime | None = None
    verification_request_id: str | None = Field(default=None, max_length=64)
    verification_result: dict[str, object] | None = Field(default=None, sa_column=Column(JSON))
    last_attempt_failed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class OwnContribution(SQLModel, table=True):
    __tablename__ = "own_contribution"
    client_id: int = Field(foreign_key="client.id", primary_key=True)
    iban: str | None = Field(default=None, max_length=34)
    account_holder: str | None = Field(default=None, max_length=70)
    updated_at: datetime = Field(default_factory=utcnow)


# ---------------------------------------------------------------- portal: forms, documents, sign-in links


class Form(SQLModel, table=True):
    __tablename__ = "form"
    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=120)
    description: str | None = None
    question_count: int = 0
    status: str = Field(default="draft", max_length=16)


class FormAssignment(SQLModel, table=True):
    __tablename__ = "form_assignment"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    form_id: int = Field(foreign_key="form.id")
    trajectory_id: int | None = Field(default=None, foreign_key="care_trajectory.id")
    due_date: date | None = None
    status: str = Field(default="pending", max_length=16)
    assigned_at: datetime = Field(default_factory=utcnow)
    assigned_by: int | None = Field(default=None, foreign_key="staff_user.id")
    completed_at: datetime | None = None


class Document(SQLModel, table=True):
    __tablename__ = "document"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    file_name: str = Field(max_length=200)
    file_type: str = Field(max_length=16)
    size_bytes: int = 0
    created_at: datetime = Field(default_factory=utcnow)
    exposed: bool = False
    requires_acknowledgement: bool = False
    exposed_at: datetime | None = None
    exposed_by: int | None = Field(default=None, foreign_key="staff_user.id")
    acknowledged_at: datetime | None = None


class SignInLinkRequest(SQLModel, table=True):
    """A portal sign-in link to send: written with its audit event, then delivered (outbox)."""

    __tablename__ = "sign_in_link_request"
    id: int | None = Field(default=None, primary_key=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    email: str = Field(max_length=254)
    idempotency_key: str = Field(max_length=64, unique=True)
    status: str = Field(default="queued", max_length=16)
    requested_at: datetime = Field(default_factory=utcnow)
    requested_by: int | None = Field(default=None, foreign_key="staff_user.id")
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    last_error: str | None = None
    link_id: str | None = Field(default=None, max_length=64)


# ---------------------------------------------------------------- audit and drafts


class AuditEvent(SQLModel, table=True):
    """NEN 7513 log line: who, when, what, on which client; ids and field names only, never values."""

    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    user_id: int | None = Field(default=None, foreign_key="staff_user.id")
    username: str = Field(max_length=64)
    roles: str = Field(default="", max_length=200)
    workstation: str = Field(default="", max_length=120)
    action: str = Field(max_length=48)
    action_code: str = Field(max_length=1)
    outcome: str = Field(default="success", max_length=16)
    permission: str | None = Field(default=None, max_length=64)
    client_id: int | None = Field(default=None, index=True)
    object_type: str | None = Field(default=None, max_length=32)
    object_id: str | None = Field(default=None, max_length=64)
    fields: str | None = None
    detail: str | None = None
    source: str = Field(default="scrivio-tui", max_length=32)
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)


class Draft(SQLModel, table=True):
    """A half-filled form, kept as the user types so nothing is lost on a crash."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("user_id", "kind", "client_id", "object_id", name="uq_draft_slot"),)
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    kind: str = Field(max_length=32)
    client_id: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    object_id: int = Field(default=0, sa_column_kwargs={"server_default": text("0")})
    title: str = Field(default="", max_length=200)
    data: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON))
    updated_at: datetime = Field(default_factory=utcnow)
