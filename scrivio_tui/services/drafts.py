"""Nothing typed is lost: half-filled forms are kept per user as drafts and offered back on start."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from scrivio_tui.services.base import Actor
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import Draft, utcnow


def save_draft(db: Database, actor: Actor, kind: str, data: dict[str, Any], *, client_id: int = 0,
               object_id: int = 0, title: str = "") -> None:
    """Upsert the draft for (user, kind, client, object). Empty forms delete their draft."""
    if actor.user_id is None:
        return
    if all(v is None or v is False or v == "" or v == {} for v in data.values()):
        discard_draft(db, actor, kind, client_id=client_id, object_id=object_id)
        return
    with db.transaction() as session:
        draft = session.exec(select(Draft).where(Draft.user_id == actor.user_id, Draft.kind == kind,
                                                 Draft.client_id == client_id,
                                                 Draft.object_id == object_id)).first()
        if draft is None:
            draft = Draft(user_id=actor.user_id, kind=kind, client_id=client_id, object_id=object_id)
        draft.data, draft.title, draft.updated_at = dict(data), title, utcnow()
        session.add(draft)


def load_draft(db: Database, actor: Actor, kind: str, *, client_id: int = 0,
               object_id: int = 0) -> dict[str, Any] | None:
    with db.read() as session:
        draft = session.exec(select(Draft).where(Draft.user_id == actor.user_id, Draft.kind == kind,
                                                 Draft.client_id == client_id,
                                                 Draft.object_id == object_id)).first()
        return dict(draft.data) if draft else None


def list_drafts(db: Database, actor: Actor) -> list[Draft]:
    with db.read() as session:
        return list(session.exec(select(Draft).where(Draft.user_id == actor.user_id)
                                 .order_by(col(Draft.updated_at).desc())).all())


def discard_draft(db: Database, actor: Actor, kind: str, *, client_id: int = 0, object_id: int = 0) -> None:
    with db.transaction() as session:
        for draft in session.exec(select(Draft).where(Draft.user_id == actor.user_id, Draft.kind == kind,
                                                      Draft.client_id == client_id,
                                                      Draft.object_id == object_id)).all():
            session.delete(draft)
