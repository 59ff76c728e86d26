"""What every use case shares: the acting user, results, permission checks and the audit line."""

from __future__ import annotations

import hashlib
import logging
import os
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC
from typing import Generic, TypeVar

from sqlalchemy import text
from sqlmodel import Session, col, select

from scrivio_tui.i18n import _
from scrivio_tui.store import queries
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import AuditEvent, Client, utcnow

log = logging.getLogger("scrivio_tui.services")
T = TypeVar("T")

CLIENTS_READ = "clients.read"
CLIENTS_READ_ALL = "clients.read.all"
CLIENTS_CREATE = "clients.create"
CLIENTS_UPDATE = "clients.update"
CLIENTS_ASSIGN = "clients.assign"
TRAJECTORIES_READ = "care_trajectories.read"
TRAJECTORIES_CREATE = "care_trajectories.create"
TRAJECTORIES_UPDATE = "care_trajectories.update"
FORMS_ASSIGN = "forms.assign"
FORMS_EDIT = "forms.edit"
DOCUMENTS_EXPOSE = "documents.expose"
STAFF_MANAGE = "staff.manage"
INTEGRATIONS_MANAGE = "integrations.manage"

_DESK = frozenset({CLIENTS_READ, CLIENTS_CREATE, CLIENTS_UPDATE, TRAJECTORIES_READ, TRAJECTORIES_CREATE,
                   FORMS_ASSIGN, DOCUMENTS_EXPOSE})
# Deviation from spec §1: Reception also gets clients.read.all — the desk must find any client who walks in.
RECEPTION = _DESK | {CLIENTS_READ_ALL}
PRACTITIONER = _DESK | {TRAJECTORIES_UPDATE, CLIENTS_ASSIGN, FORMS_EDIT}
ADMINISTRATOR = PRACTITIONER | {CLIENTS_READ_ALL, STAFF_MANAGE, INTEGRATIONS_MANAGE}
SEED_ROLES: dict[str, frozenset[str]] = {
    "Reception": RECEPTION, "Practitioner": PRACTITIONER, "Administrator": ADMINISTRATOR,
}


def workstation() -> str:
    """The access point NEN 7513 asks for: host and terminal."""
    tty = os.environ.get("SSH_TTY") or os.environ.get("TMUX_PANE") or ""
    return f"{socket.gethostname()}{':' + tty if tty else ''}"[:120]


@dataclass(frozen=True)
class Actor:
    """The signed-in staff member on whose behalf a service acts."""

    user_id: int | None
    username: str
    display_name: str
    roles: tuple[str, ...]
    permissions: frozenset[str]
    is_practitioner: bool = False
    workstation: str = field(default_factory=workstation)

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def role_label(self) -> str:
        return ", ".join(self.roles)


SYSTEM = Actor(None, "system", "scrivio-tui", ("system",), ADMINISTRATOR)


@dataclass
class Result(Generic[T]):
    """An expected outcome crossing into the UI: a value, or per-field messages, or a refusal."""

    value: T | None = None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)
    denied: str | None = None
    duplicate_of: int | None = None
    needs_confirmation: bool = False
    message: str = ""

    @property
    def ok(self) -> bool:
        return (not self.errors and self.denied is None and self.duplicate_of is None
                and not self.needs_confirmation)

    def unwrap(self) -> T:
        """The value; for CLI and tests where a failure is a bug."""
        if not self.ok or self.value is None:
            raise RuntimeError(self.message or str(self.errors) or f"denied: {self.denied}")
        return self.value


def denied_result(permission: str) -> Result[T]:
    return Result(denied=permission, message=_("You do not have permission for this ({perm}).").format(
        perm=permission))


def invalid(errors: dict[str, str], warnings: dict[str, str] | None = None) -> Result[T]:
    first = next(iter(errors.values()), "")
    return Result(errors=errors, warnings=warnings or {}, message=first)


def _chain_hash(prev: str, event: AuditEvent) -> str:
    """Every column but id and hash itself, so no part of a line can be rewritten unnoticed."""
    values = event.model_dump(exclude={"id", "hash", "prev_hash", "at"})
    line = "|".join([prev, event.at.astimezone(UTC).isoformat()] + [f"{k}={values[k]}" for k in sorted(values)])
    return hashlib.sha256(line.encode()).hexdigest()


def audit(session: Session, actor: Actor, action: str, code: str, *, client_id: int | None = None,
          object_type: str | None = None, object_id: object = None, fields: Iterable[str] = (),
          outcome: str = "success", permission: str | None = None, detail: str | None = None) -> AuditEvent:
    """Append one NEN 7513 line in the caller's transaction. Never pass values: ids and field names only."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(7513)"))
    prev = session.exec(select(AuditEvent.hash).order_by(col(AuditEvent.id).desc()).limit(1)).first() or ""
    event = AuditEvent(at=utcnow(), user_id=actor.user_id, username=actor.username, roles=actor.role_label,
                       workstation=actor.workstation, action=action, action_code=code, outcome=outcome,
                       permission=permission, client_id=client_id, object_type=object_type,
                       object_id=None if object_id is None else str(object_id),
                       fields=",".join(sorted(fields)) or None, detail=detail, prev_hash=prev)
    event.hash = _chain_hash(prev, event)
    session.add(event)
    return event


def refuse(db: Database, actor: Actor, permission: str, action: str, code: str,
           client_id: int | None = None) -> Result[T]:
    """Refuse for a missing permission: nothing changes, but the failed attempt is logged (NEN 7513)."""
    with db.transaction() as session:
        audit(session, actor, action, code, client_id=client_id, outcome="denied", permission=permission)
    log.info("refused %s for user %s: missing %s", action, actor.user_id, permission)
    return denied_result(permission)


NOT_VISIBLE = _("This client does not exist or is not visible to you")


def visible_client(session: Session, actor: Actor, client_id: int) -> Client | None:
    """The client, when it exists and the actor has a treatment relationship with it (spec §1)."""
    client = session.get(Client, client_id)
    if client and queries.is_visible(session, client_id, actor.user_id, actor.can(CLIENTS_READ_ALL)):
        return client
    return None


def not_visible() -> Result[T]:
    return invalid({"__all__": NOT_VISIBLE})


def verify_chain(db: Database) -> int | None:
    """Check the audit hash chain; returns the id of the first broken line, or None when intact."""
    prev = ""
    with db.read() as session:
        for event in session.exec(select(AuditEvent).order_by(col(AuditEvent.id))):
            if event.prev_hash != prev or _chain_hash(prev, event) != event.hash:
                return event.id
            prev = event.hash
    return None
