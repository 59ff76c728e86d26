"""Staff accounts, roles and sign-in. Passwords are stored as salted scrypt hashes (slow by design)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re

from sqlmodel import Session, col, select

from scrivio_tui import refdata
from scrivio_tui.i18n import _
from scrivio_tui.services.base import (
    SEED_ROLES,
    STAFF_MANAGE,
    SYSTEM,
    Actor,
    Result,
    audit,
    invalid,
    refuse,
)
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import Role, RolePermission, StaffUser, UserRole

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
MIN_PASSWORD = 10


def hash_password(password: str, *, n: int | None = None) -> str:
    salt = os.urandom(16)
    cost = n or _SCRYPT["n"]
    digest = hashlib.scrypt(password.encode(), salt=salt, n=cost, r=_SCRYPT["r"], p=_SCRYPT["p"])
    return f"scrypt${cost}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, cost, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt_b64), n=int(cost),
                            r=_SCRYPT["r"], p=_SCRYPT["p"])
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def seed_roles(session: Session) -> None:
    """Create the system roles once; their permission set may later be changed by an administrator."""
    for name, perms in SEED_ROLES.items():
        if session.exec(select(Role).where(Role.name == name)).first():
            continue
        role = Role(name=name, system=True)
        session.add(role)
        session.flush()
        assert role.id is not None
        for perm in sorted(perms):
            session.add(RolePermission(role_id=role.id, permission=perm))


def has_staff(db: Database) -> bool:
    with db.read() as session:
        return session.exec(select(StaffUser.id).limit(1)).first() is not None


def role_names(db: Database) -> list[str]:
    with db.transaction() as session:
        seed_roles(session)
    with db.read() as session:
        return list(session.exec(select(Role.name).order_by(Role.name)))


def add_staff(db: Database, actor: Actor, *, username: str, display_name: str, password: str, role: str,
              is_practitioner: bool = False, profession: str | None = None,
              agb: str | None = None, password_cost: int | None = None) -> Result[StaffUser]:
    """Create a staff account with one role. Needs staff.manage (the first account is made by SYSTEM)."""
    if not actor.can(STAFF_MANAGE):
        return refuse(db, actor, STAFF_MANAGE, "staff.create", "C")
    errors: dict[str, str] = {}
    username = username.strip().lower()
    if not re.fullmatch(r"[a-z0-9._-]{2,64}", username):
        errors["username"] = _("Use 2–64 letters, digits, dots, dashes or underscores")
    if len(password) < MIN_PASSWORD:
        errors["password"] = _("Password needs at least {n} characters").format(n=MIN_PASSWORD)
    if profession and profession not in {p.code for p in refdata.professions()}:
        errors["profession"] = _("Unknown profession")
    if agb and not re.fullmatch(r"\d{8}", agb):
        errors["agb"] = _("AGB code has 8 digits")
    with db.transaction() as session:
        seed_roles(session)
        role_row = session.exec(select(Role).where(Role.name == role)).first()
        if role_row is None:
            errors["role"] = _("Unknown role {role}").format(role=role)
        if session.exec(select(StaffUser).where(StaffUser.username == username)).first():
            errors["username"] = _("That username is taken")
        if errors:
            return invalid(errors)
        assert role_row is not None and role_row.id is not None
        user = StaffUser(username=username, display_name=display_name.strip() or username,
                         password_hash=hash_password(password, n=password_cost),
                         is_practitioner=is_practitioner, profession=profession, agb=agb)
        session.add(user)
        session.flush()
        assert user.id is not None
        session.add(UserRole(user_id=user.id, role_id=role_row.id))
        audit(session, actor, "staff.create", "C", object_type="staff_user", object_id=user.id,
              fields=("username", "display_name", "role"))
    return Result(value=user)


def create_first_admin(db: Database, *, username: str, display_name: str, password: str,
                       is_practitioner: bool = False, profession: str | None = None) -> Result[StaffUser]:
    """The very first account on an empty database; refused once any account exists."""
    if has_staff(db):
        return invalid({"username": _("An administrator already exists: sign in instead")})
    return add_staff(db, SYSTEM, username=username, display_name=display_name, password=password,
                     role="Administrator", is_practitioner=is_practitioner, profession=profession)


def actor_for(session: Session, user: StaffUser) -> Actor:
    rows = session.exec(
        select(Role.name, RolePermission.permission)
        .join(UserRole, col(UserRole.role_id) == col(Role.id))
        .join(RolePermission, col(RolePermission.role_id) == col(Role.id), isouter=True)
        .where(UserRole.user_id == user.id)
    ).all()
    roles = tuple(sorted({r for r, _p in rows}))
    perms = frozenset(p for _r, p in rows if p)
    return Actor(user.id, user.username, user.display_name, roles, perms, user.is_practitioner)


def authenticate(db: Database, username: str, password: str) -> Result[Actor]:
    """Sign in; a wrong name or password gets one message that does not say which was wrong."""
    with db.transaction() as session:
        user = session.exec(select(StaffUser).where(StaffUser.username == username.strip().lower())).first()
        if user is None or not user.active or not check_password(password, user.password_hash):
            probe = Actor(user.id if user else None, username.strip().lower()[:64], "", (), frozenset())
            audit(session, probe, "session.sign_in", "E", outcome="failed")
            return invalid({"password": _("Username or password is not right")})
        actor = actor_for(session, user)
        audit(session, actor, "session.sign_in", "E")
    return Result(value=actor)


def practitioners(db: Database, *, lead_only: bool = True) -> list[StaffUser]:
    """Active staff flagged as practitioner; with lead_only, only professions that may lead (ZPM)."""
    leads = {p.code for p in refdata.professions() if p.get("may_lead") == "yes"}
    with db.read() as session:
        users = session.exec(select(StaffUser).where(StaffUser.active, StaffUser.is_practitioner)
                             .order_by(StaffUser.display_name)).all()
    return [u for u in users if not lead_only or (u.profession in leads)]
