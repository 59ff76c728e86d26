"""Creating and editing clients: duplicates, the assignment of the creator, and nothing half-written."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from scrivio_tui.services import clients
from scrivio_tui.services.base import Actor
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import AuditEvent, Client, ClientAssignment

from .conftest import JAN, audit_events, count, last_event, new_client


def test_create_client_stores_every_field(db: Database, reception: Actor) -> None:
    raw = {**JAN, "last_name_prefix": "van", "bsn": "111222333", "gender": "male", "email": "jan@example.nl",
           "phone": "06-12345678", "street": "Dorpsstraat", "house_number": "12-A", "postcode": "1234ab",
           "city": "Utrecht"}
    result = clients.create_client(db, reception, raw)
    assert result.ok and result.value is not None
    assert "Jan van Jansen" in result.message
    with db.read() as session:
        stored = session.get(Client, result.value.id)
        assert stored is not None
        assert (stored.first_name, stored.last_name_prefix, stored.last_name) == ("Jan", "van", "Jansen")
        assert stored.date_of_birth.isoformat() == "1985-03-12"
        assert (stored.bsn, stored.gender, stored.email, stored.phone) == (
            "111222333", "male", "jan@example.nl", "+31612345678")
        assert (stored.street, stored.house_number, stored.postcode, stored.city) == (
            "Dorpsstraat", "12-A", "1234 AB", "Utrecht")
        assert stored.status == "active"
        assert stored.created_by == reception.user_id
        assert stored.created_at.tzinfo is not None


def test_creator_is_assigned_so_the_client_stays_visible(db: Database, practitioner: Actor) -> None:
    client = new_client(db, practitioner)
    with db.read() as session:
        assert session.get(ClientAssignment, (client.id, practitioner.user_id)) is not None


# ---------------------------------------------------------------- duplicates (spec §2.2)


@pytest.mark.parametrize("typed", ["111222333", "111 222 333", "1112.22.333"])
def test_same_bsn_blocks_and_links_to_the_existing_client(db: Database, reception: Actor, typed: str) -> None:
    first = new_client(db, reception, bsn="111222333")
    before_clients, before_audit = count(db, Client), count(db, AuditEvent)
    result = clients.create_client(db, reception, {"first_name": "Piet", "last_name": "Pietersen",
                                                   "date_of_birth": "01-01-1990", "bsn": typed},
                                   confirm_similar=True)
    assert not result.ok
    assert result.duplicate_of == first.id
    assert "bsn" in result.errors and "already exists" in result.errors["bsn"]
    assert result.value is None
    assert (count(db, Client), count(db, AuditEvent)) == (before_clients, before_audit)


def test_same_last_name_and_birth_date_asks_for_confirmation(db: Database, reception: Actor) -> None:
    first = new_client(db, reception)
    twin = {"first_name": "Johanna", "last_name": "JANSEN", "date_of_birth": "12-03-1985"}
    result = clients.create_client(db, reception, twin)
    assert result.needs_confirmation and not result.ok
    assert result.duplicate_of is None and not result.errors
    assert "last_name" in result.warnings
    assert count(db, Client) == 1
    assert clients.similar_client_id(db, twin) == first.id

    confirmed = clients.create_client(db, reception, twin, confirm_similar=True)
    assert confirmed.ok and confirmed.value is not None and confirmed.value.id != first.id
    assert count(db, Client) == 2
    event = last_event(db)
    assert (event.action, event.client_id, event.detail) == ("client.create", confirmed.value.id,
                                                              "similar client confirmed")


def test_same_last_name_other_birth_date_is_no_duplicate(db: Database, reception: Actor) -> None:
    new_client(db, reception)
    assert clients.similar_client_id(db, {**JAN, "date_of_birth": "13-03-1985"}) is None
    result = clients.create_client(db, reception, {**JAN, "date_of_birth": "13-03-1985"})
    assert result.ok and not result.needs_confirmation


def test_similar_client_id_on_invalid_input_is_none(db: Database, reception: Actor) -> None:
    new_client(db, reception)
    assert clients.similar_client_id(db, {**JAN, "bsn": "123456789"}) is None


def test_several_clients_without_bsn_are_allowed(db: Database, reception: Actor) -> None:
    new_client(db, reception, first_name="A", last_name="Aa")
    new_client(db, reception, first_name="B", last_name="Bb")
    assert count(db, Client) == 2


# ---------------------------------------------------------------- update_client


def full(client: Client, **changes: Any) -> dict[str, Any]:
    """The edit form hands in every field, as typed."""
    raw = {k: getattr(client, k) for k in clients.CLIENT_FIELDS}
    raw["date_of_birth"] = client.date_of_birth.strftime("%d-%m-%Y")
    return {**raw, **changes}


def test_update_audits_only_the_changed_field_names(db: Database, reception: Actor) -> None:
    client = new_client(db, reception, email="jan@example.nl")
    result = clients.update_client(db, reception, client.id, full(client, email="jan.jansen@example.nl",
                                                                  phone="0612345678"))
    assert result.ok and result.message == "Personal details saved."
    event = last_event(db)
    assert (event.action, event.action_code, event.client_id, event.object_id, event.fields) == (
        "client.update", "U", client.id, str(client.id), "email,phone")
    with db.read() as session:
        stored = session.get(Client, client.id)
        assert stored is not None and stored.email == "jan.jansen@example.nl" and stored.phone == "+31612345678"
        assert stored.updated_at >= stored.created_at


def test_update_without_changes_writes_no_audit_line(db: Database, reception: Actor) -> None:
    client = new_client(db, reception, bsn="111222333")
    before = count(db, AuditEvent)
    result = clients.update_client(db, reception, client.id, full(client))
    assert result.ok and result.message == "Nothing changed."
    assert count(db, AuditEvent) == before


def test_update_to_another_clients_bsn_is_blocked(db: Database, reception: Actor) -> None:
    other = new_client(db, reception, first_name="Piet", last_name="Pietersen", bsn="111222333")
    client = new_client(db, reception, bsn="123456782")
    result = clients.update_client(db, reception, client.id, full(client, bsn="111222333"))
    assert result.duplicate_of == other.id and "bsn" in result.errors and not result.ok
    with db.read() as session:
        stored = session.get(Client, client.id)
        assert stored is not None and stored.bsn == "123456782"


def test_update_keeping_own_bsn_is_no_duplicate(db: Database, reception: Actor) -> None:
    client = new_client(db, reception, bsn="111222333")
    assert clients.update_client(db, reception, client.id, full(client, city=None, first_name="Johannes")).ok


def test_update_into_a_similar_client_asks_then_saves(db: Database, reception: Actor) -> None:
    new_client(db, reception)
    client = new_client(db, reception, first_name="Piet", last_name="Pietersen")
    result = clients.update_client(db, reception, client.id, full(client, last_name="Jansen"))
    assert result.needs_confirmation and not result.ok
    with db.read() as session:
        stored = session.get(Client, client.id)
        assert stored is not None and stored.last_name == "Pietersen"
    confirmed = clients.update_client(db, reception, client.id, full(client, last_name="Jansen"),
                                      confirm_similar=True)
    assert confirmed.ok
    assert last_event(db).fields == "last_name"


def test_update_of_an_already_confirmed_twin_does_not_ask_again(db: Database, reception: Actor) -> None:
    new_client(db, reception)
    twin = new_client(db, reception, first_name="Johanna")
    result = clients.update_client(db, reception, twin.id, full(twin, email="johanna@example.nl"))
    assert result.ok and not result.needs_confirmation


def test_update_of_unknown_client(db: Database, reception: Actor) -> None:
    result = clients.update_client(db, reception, 4242, JAN)
    assert "__all__" in result.errors and not result.ok


def test_update_validation_error_changes_nothing(db: Database, reception: Actor) -> None:
    client = new_client(db, reception, bsn="111222333")
    before = count(db, AuditEvent)
    result = clients.update_client(db, reception, client.id, full(client, bsn="111222334", first_name="X"))
    assert set(result.errors) == {"bsn"}
    assert count(db, AuditEvent) == before
    with db.read() as session:
        stored = session.get(Client, client.id)
        assert stored is not None and (stored.first_name, stored.bsn) == ("Jan", "111222333")


def test_get_client_and_reveal_are_audited_reads(db: Database, reception: Actor) -> None:
    client = new_client(db, reception, bsn="111222333")
    assert clients.get_client(db, reception, client.id).unwrap().id == client.id
    assert clients.reveal(db, reception, client.id, "bsn").unwrap() == "111222333"
    assert clients.reveal(db, reception, client.id, "iban").value == ""
    events = audit_events(db, client_id=client.id)
    assert [(e.action, e.action_code, e.fields) for e in events[-3:]] == [
        ("client.read", "R", None), ("bsn.reveal", "R", "bsn"), ("iban.reveal", "R", "iban")]
    assert clients.masked_bsn("111222333") == "••••• 2333"
    assert clients.masked_bsn(None) == "—"


# ---------------------------------------------------------------- a failing Result keeps nothing


MISSING_KEY_BUG = ("BUG: _Input does not validate defaults, so a required field that is absent from the raw dict "
                   "(not typed blank) skips its 'Required' validator; the service then hits the NOT NULL "
                   "constraint and raises IntegrityError instead of returning errors. Fix: "
                   "model_config = ConfigDict(..., validate_default=True) in store/schemas._Input")


def test_create_without_first_name_key_says_required(db: Database, reception: Actor) -> None:
    result = clients.create_client(db, reception, {"last_name": "Jansen", "date_of_birth": "12-03-1985"})
    assert result.errors == {"first_name": "Required"}
    assert count(db, Client) == 0


def test_partial_update_says_required_instead_of_crashing(db: Database, reception: Actor) -> None:
    client = new_client(db, reception)
    result = clients.update_client(db, reception, client.id, {"email": "jan@example.nl"})
    assert {"first_name", "last_name", "date_of_birth"} <= set(result.errors)


def test_failed_create_leaves_no_client_and_no_assignment(db: Database, reception: Actor,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """An error after the client row is flushed (here: the audit line) rolls the whole unit back."""
    before = (count(db, Client), count(db, ClientAssignment), count(db, AuditEvent))

    def broken_audit(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(clients, "audit", broken_audit)
    with pytest.raises(RuntimeError, match="disk full"):
        clients.create_client(db, reception, {**JAN, "bsn": "111222333"})
    assert (count(db, Client), count(db, ClientAssignment), count(db, AuditEvent)) == before
    with db.read() as session:
        assert session.exec(select(Client).where(Client.bsn == "111222333")).first() is None
