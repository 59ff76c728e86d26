"""Staff accounts and sign-in: scrypt hashes, one message for a wrong name or password, the first admin."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from scrivio_tui.services import staff
from scrivio_tui.services.base import ADMINISTRATOR, PRACTITIONER, RECEPTION, SYSTEM, Actor
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import Role, StaffUser, UserRole
from tests.conftest import FAST_HASH, make_staff

from .conftest import audit_events, count


def test_first_admin_with_the_real_scrypt_cost(db: Database) -> None:
    """The only test that pays the production hash cost."""
    assert not staff.has_staff(db)
    result = staff.create_first_admin(db, username=" Beheer ", display_name="Beheerder",
                                      password="correct horse battery")
    assert result.ok and result.value is not None
    user = result.value
    assert user.username == "beheer"
    scheme, cost, salt, digest = user.password_hash.split("$")
    assert (scheme, cost) == ("scrypt", str(2**14))
    assert "correct horse" not in user.password_hash and len(salt) > 16 and len(digest) > 80
    actor = staff.authenticate(db, "BEHEER", "correct horse battery").unwrap()
    assert actor.roles == ("Administrator",) and actor.permissions == ADMINISTRATOR
    assert staff.has_staff(db)


def test_first_admin_only_once(db: Database) -> None:
    make_staff(db, "beheer", "Administrator")
    again = staff.create_first_admin(db, username="tweede", display_name="Tweede", password="a-long-password")
    assert not again.ok and set(again.errors) == {"username"}
    assert count(db, StaffUser) == 1


def test_hash_is_salted_and_checked(db: Database) -> None:
    a, b = staff.hash_password("a-long-password", n=FAST_HASH), staff.hash_password("a-long-password", n=FAST_HASH)
    assert a != b
    assert staff.check_password("a-long-password", a) and not staff.check_password("a-long-passwore", a)
    for stored in ("", "plain", "md5$1$2$3", "scrypt$16$only-three"):
        assert not staff.check_password("a-long-password", stored)


@pytest.mark.parametrize(("username", "password"), [("receptie", "wrong-password"), ("nobody", "a-long-password"),
                                                    ("receptie", "")])
def test_wrong_name_or_password_gets_one_message_and_is_audited(db: Database, reception: Actor, username: str,
                                                                password: str) -> None:
    result = staff.authenticate(db, username, password)
    assert result.errors == {"password": "Username or password is not right"} and result.value is None
    event = audit_events(db)[-1]
    assert (event.action, event.action_code, event.outcome, event.username) == (
        "session.sign_in", "E", "failed", username)
    assert event.user_id == (reception.user_id if username == "receptie" else None)
    assert event.detail is None and event.fields is None  # never the typed password


def test_successful_sign_in_is_audited(db: Database) -> None:
    actor = make_staff(db, "bakker", "Practitioner", practitioner=True, profession="gz_psychologist")
    event = audit_events(db)[-1]
    assert (event.action, event.action_code, event.outcome, event.user_id, event.roles) == (
        "session.sign_in", "E", "success", actor.user_id, "Practitioner")
    assert actor.is_practitioner and actor.permissions == PRACTITIONER


def test_deactivated_account_cannot_sign_in(db: Database, reception: Actor) -> None:
    with db.transaction() as session:
        session.execute(text("UPDATE staff_user SET active = :f"), {"f": False})
    assert staff.authenticate(db, "receptie", "a-long-password").errors == {
        "password": "Username or password is not right"}


def test_add_staff_assigns_one_role_and_audits(db: Database) -> None:
    admin = make_staff(db, "beheer", "Administrator")
    user = staff.add_staff(db, admin, username="Receptie.2", display_name="  ", password="a-long-password",
                           role="Reception", agb="94123456", password_cost=FAST_HASH).unwrap()
    assert (user.username, user.display_name, user.agb, user.active) == ("receptie.2", "receptie.2", "94123456",
                                                                         True)
    with db.read() as session:
        role_ids = session.exec(select(UserRole.role_id).where(UserRole.user_id == user.id)).all()
        assert [session.get(Role, rid).name for rid in role_ids] == ["Reception"]  # type: ignore[union-attr]
    event = audit_events(db)[-1]
    assert (event.action, event.action_code, event.object_type, event.object_id, event.fields, event.user_id) == (
        "staff.create", "C", "staff_user", str(user.id), "display_name,role,username", admin.user_id)
    assert staff.authenticate(db, "receptie.2", "a-long-password").unwrap().permissions == RECEPTION
    assert staff.role_names(db) == ["Administrator", "Practitioner", "Reception"]


@pytest.mark.parametrize(("field", "kwargs"), [
    ("username", {"username": "a"}), ("username", {"username": "jan jansen"}), ("username", {"username": "x" * 65}),
    ("username", {"username": "receptie"}), ("password", {"password": "short"}),
    ("profession", {"profession": "astrologer"}), ("agb", {"agb": "1234"}), ("role", {"role": "Janitor"}),
])
def test_add_staff_validation(db: Database, reception: Actor, field: str, kwargs: dict[str, str]) -> None:
    args = {"username": "nieuw", "display_name": "Nieuw", "password": "a-long-password", "role": "Reception",
            "password_cost": FAST_HASH, **kwargs}
    before = count(db, StaffUser)
    result = staff.add_staff(db, SYSTEM, **args)  # type: ignore[arg-type]
    assert field in result.errors, result.errors
    assert count(db, StaffUser) == before


def test_seed_roles_are_created_once(db: Database) -> None:
    make_staff(db, "een", "Reception")
    make_staff(db, "twee", "Reception")
    assert count(db, Role) == 3


def test_seeded_practitioner_sees_only_their_own_clients(db: Database, practitioner: Actor) -> None:
    assert not practitioner.can("clients.read.all")
