"""Create, edit, find and read clients (step 1). Every read of client data is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from scrivio_tui.i18n import _
from scrivio_tui.services.base import (
    CLIENTS_CREATE,
    CLIENTS_READ,
    CLIENTS_READ_ALL,
    CLIENTS_UPDATE,
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
from scrivio_tui.store.models import Client, ClientAssignment, utcnow
from scrivio_tui.store.schemas import ClientInput, today, validate

CLIENT_FIELDS = tuple(ClientInput.model_fields)


def _duplicates(session: Session, data: ClientInput, exclude_id: int | None) -> tuple[int | None, int | None]:
    """(client id with the same BSN, client id with the same last name + date of birth)."""
    same_bsn = None
    if data.bsn:
        row = session.exec(select(Client.id).where(Client.bsn == data.bsn, Client.id != exclude_id)).first()
        same_bsn = row
    similar = session.exec(select(Client.id).where(
        func.lower(Client.last_name) == (data.last_name or "").lower(),
        Client.date_of_birth == data.date_of_birth, Client.id != exclude_id)).first()
    return same_bsn, similar


def create_client(db: Database, actor: Actor, raw: dict[str, Any], *,
                  confirm_similar: bool = False) -> Result[Client]:
    """Step 1. Same BSN blocks (with a link to that client); same last name + date of birth asks once."""
    if not actor.can(CLIENTS_CREATE):
        return refuse(db, actor, CLIENTS_CREATE, "client.create", "C")
    data, errors = validate(ClientInput, raw)
    if errors:
        return invalid(errors)
    assert isinstance(data, ClientInput)
    with db.transaction() as session:
        same_bsn, similar = _duplicates(session, data, None)
        if same_bsn is not None:
            return Result(duplicate_of=same_bsn, errors={"bsn": _("A client with this BSN already exists")},
                          message=_("A client with this BSN already exists."))
        if similar is not None and not confirm_similar:
            return Result(needs_confirmation=True, duplicate_of=None,
                          warnings={"last_name": _("A client with this last name and date of birth exists")},
                          message=_("A client with the same last name and date of birth already exists. "
                                    "Save anyway only if this is a different person."),
                          value=None, errors={})
        client = Client(**data.model_dump(), created_by=actor.user_id)
        session.add(client)
        session.flush()
        assert client.id is not None
        if actor.user_id is not None:
            session.add(ClientAssignment(client_id=client.id, user_id=actor.user_id))
        filled = [k for k, v in data.model_dump().items() if v is not None]
        audit(session, actor, "client.create", "C", client_id=client.id, object_type="client",
              object_id=client.id, fields=filled,
              detail="similar client confirmed" if similar is not None else None)
    return Result(value=client, message=_("Client {name} saved.").format(name=client.full_name))


def similar_client_id(db: Database, raw: dict[str, Any]) -> int | None:
    """The id of a client with the same last name and date of birth (for the 'open it' offer)."""
    data, errors = validate(ClientInput, raw)
    if errors or data is None:
        return None
    with db.read() as session:
        return _duplicates(session, data, None)[1]


def update_client(db: Database, actor: Actor, client_id: int, raw: dict[str, Any], *,
                  confirm_similar: bool = False) -> Result[Client]:
    """Edit personal details; audits the names of the fields that changed, never their values."""
    if not actor.can(CLIENTS_UPDATE):
        return refuse(db, actor, CLIENTS_UPDATE, "client.update", "U", client_id)
    data, errors = validate(ClientInput, raw)
    if errors:
        return invalid(errors)
    assert isinstance(data, ClientInput)
    with db.transaction() as session:
        client = visible_client(session, actor, client_id)
        if client is None:
            return not_visible()
        same_bsn, similar = _duplicates(session, data, client_id)
        if same_bsn is not None:
            return Result(duplicate_of=same_bsn, errors={"bsn": _("Another client has this BSN")},
                          message=_("Another client has this BSN."))
        changed = [k for k, v in data.model_dump().items() if getattr(client, k) != v]
        if similar is not None and not confirm_similar and ({"last_name", "date_of_birth"} & set(changed)):
            return Result(needs_confirmation=True,
                          message=_("A client with the same last name and date of birth already exists. "
                                    "Save anyway only if this is a different person."))
        for key in changed:
            setattr(client, key, getattr(data, key))
        if changed:
            client.updated_at = utcnow()
            session.add(client)
            audit(session, actor, "client.update", "U", client_id=client_id, object_type="client",
                  object_id=client_id, fields=changed)
    return Result(value=client, message=_("Personal details saved.") if changed else _("Nothing changed."))


def search(db: Database, actor: Actor, term: str = "", *, archived: bool = False,
           limit: int = 500) -> Result[list[queries.OverviewRow]]:
    """The clients overview; the search term is never logged (it may be a BSN)."""
    if not actor.can(CLIENTS_READ):
        return refuse(db, actor, CLIENTS_READ, "client.search", "R")
    with db.transaction() as session:
        rows = queries.search_clients(session, term, archived=archived, user_id=actor.user_id,
                                      read_all=actor.can(CLIENTS_READ_ALL), today=today(), limit=limit)
        audit(session, actor, "client.search", "R", object_type="client_list",
              detail=f"{len(rows)} rows{' (archived)' if archived else ''}")
    return Result(value=rows)


def get_summary(db: Database, actor: Actor, client_id: int) -> Result[queries.Summary]:
    """Open a client (the hub): details, stepper, signals and cards, audited as a read."""
    if not actor.can(CLIENTS_READ):
        return refuse(db, actor, CLIENTS_READ, "client.read", "R", client_id)
    with db.transaction() as session:
        client = visible_client(session, actor, client_id)
        if client is None:
            audit(session, actor, "client.read", "R", client_id=client_id, outcome="not_found")
            return not_visible()
        result = queries.summary(session, client, today())
        audit(session, actor, "client.read", "R", client_id=client_id, object_type="client",
              object_id=client_id)
    return Result(value=result)


def get_client(db: Database, actor: Actor, client_id: int) -> Result[Client]:
    """The personal details of one client (for the edit form), audited as a read."""
    if not actor.can(CLIENTS_READ):
        return refuse(db, actor, CLIENTS_READ, "client.read", "R", client_id)
    with db.transaction() as session:
        client = visible_client(session, actor, client_id)
        if client is None:
            return not_visible()
        audit(session, actor, "client.read", "R", client_id=client_id, object_type="client", object_id=client_id)
    return Result(value=client)


def reveal(db: Database, actor: Actor, client_id: int, what: str) -> Result[str]:
    """Show a masked value (bsn or iban) in full; the reveal itself is audited (UX principle 6)."""
    from scrivio_tui.store.models import OwnContribution

    if not actor.can(CLIENTS_READ):
        return refuse(db, actor, CLIENTS_READ, f"{what}.reveal", "R", client_id)
    with db.transaction() as session:
        client = visible_client(session, actor, client_id)
        if client is None:
            return not_visible()
        if what == "bsn":
            value = client.bsn or ""
        else:
            oc = session.get(OwnContribution, client_id)
            value = oc.iban if oc and oc.iban else ""
        audit(session, actor, f"{what}.reveal", "R", client_id=client_id, object_type="client",
              object_id=client_id, fields=(what,))
    return Result(value=value)


def masked_bsn(bsn: str | None) -> str:
    return f"••••• {bsn[-4:]}" if bsn else "—"
