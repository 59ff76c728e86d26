"""Policies (saved at once, no overlap per insurance type) and the funding choice with payment details."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from scrivio_tui.services import financing
from scrivio_tui.services.base import Actor
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import Funding, InsurancePolicy, OwnContribution

from .conftest import count, last_event, new_client

IBAN = "NL91ABNA0417164300"


def policy(**fields: Any) -> dict[str, Any]:
    return {"insurer": "3311", "policy_number": "ZK1", "insurance_type": "basic", "valid_from": "01-01-2025",
            **fields}


@pytest.fixture
def client_id(db: Database, reception: Actor) -> int:
    client = new_client(db, reception)
    assert client.id is not None
    return client.id


def test_policy_is_stored_at_once(db: Database, reception: Actor, client_id: int) -> None:
    result = financing.save_policy(db, reception, client_id, policy(valid_until="31-12-2025"))
    assert result.ok and result.value is not None and "ZK1" in result.message
    with db.read() as session:
        stored = session.get(InsurancePolicy, result.value.id)
        assert stored is not None
        assert (stored.uzovi, stored.policy_number, stored.insurance_type, stored.valid_from.isoformat(),
                stored.valid_until.isoformat() if stored.valid_until else None, stored.verification_status) == (
            "3311", "ZK1", "basic", "2025-01-01", "2025-12-31", "not_verified")


OVERLAP = [
    # existing (from, until), new (from, until), type of the new one, overlaps?
    (("01-01-2025", None), ("01-06-2025", None), "basic", True),
    (("01-01-2025", None), ("01-01-2024", "31-12-2024"), "basic", False),
    (("01-01-2025", None), ("01-01-2024", "01-01-2025"), "basic", True),
    (("01-01-2025", "31-12-2025"), ("01-01-2026", None), "basic", False),
    (("01-01-2025", "31-12-2025"), ("31-12-2025", None), "basic", True),
    (("01-01-2025", "31-12-2025"), ("01-03-2025", "01-04-2025"), "basic", True),
    (("01-03-2025", "01-04-2025"), ("01-01-2025", "31-12-2025"), "basic", True),
    (("01-01-2025", None), ("01-06-2025", None), "supplementary", False),
]


@pytest.mark.parametrize(("existing", "new", "kind", "overlaps"), OVERLAP)
def test_policies_of_one_type_may_not_overlap(db: Database, reception: Actor, client_id: int,
                                              existing: tuple[str, str | None], new: tuple[str, str | None],
                                              kind: str, overlaps: bool) -> None:
    financing.save_policy(db, reception, client_id, policy(valid_from=existing[0], valid_until=existing[1]))
    result = financing.save_policy(db, reception, client_id, policy(
        policy_number="ZK2", insurance_type=kind, valid_from=new[0], valid_until=new[1]))
    if overlaps:
        assert set(result.errors) == {"valid_from"}
        assert "Overlaps the basic policy ZK1 from " + existing[0] == result.errors["valid_from"]
        assert count(db, InsurancePolicy) == 1
    else:
        assert result.ok, result.errors
        assert count(db, InsurancePolicy) == 2


def test_overlap_is_per_client(db: Database, reception: Actor, client_id: int) -> None:
    other = new_client(db, reception, first_name="Piet", last_name="Anders")
    financing.save_policy(db, reception, client_id, policy()).unwrap()
    assert financing.save_policy(db, reception, other.id, policy()).ok


def test_editing_a_policy_does_not_clash_with_itself_and_clears_verification(
        db: Database, reception: Actor, client_id: int) -> None:
    saved = financing.save_policy(db, reception, client_id, policy()).unwrap()
    with db.transaction() as session:
        session.execute(text("UPDATE insurance_policy SET verification_status = 'insured'"))
    result = financing.save_policy(db, reception, client_id, policy(policy_number="ZK9", valid_from="01-02-2025"),
                                   saved.id)
    assert result.ok, result.errors
    with db.read() as session:
        stored = session.get(InsurancePolicy, saved.id)
        assert stored is not None
        assert (stored.policy_number, stored.valid_from.isoformat(), stored.verification_status) == (
            "ZK9", "2025-02-01", "not_verified")
        assert stored.verification_message and "verify again" in stored.verification_message
    event = last_event(db)
    assert (event.action, event.action_code, event.fields) == ("policy.edit", "U", "policy_number,valid_from")
    assert count(db, InsurancePolicy) == 1


def test_editing_without_changes_keeps_the_verification(db: Database, reception: Actor, client_id: int) -> None:
    saved = financing.save_policy(db, reception, client_id, policy()).unwrap()
    with db.transaction() as session:
        session.execute(text("UPDATE insurance_policy SET verification_status = 'insured'"))
    financing.save_policy(db, reception, client_id, policy(), saved.id).unwrap()
    with db.read() as session:
        stored = session.get(InsurancePolicy, saved.id)
        assert stored is not None and stored.verification_status == "insured"


def test_edit_or_delete_of_another_clients_policy_is_refused(db: Database, reception: Actor,
                                                             client_id: int) -> None:
    other = new_client(db, reception, first_name="Piet", last_name="Anders")
    theirs = financing.save_policy(db, reception, other.id, policy()).unwrap()
    edit = financing.save_policy(db, reception, client_id, policy(policy_number="MINE"), theirs.id)
    assert "__all__" in edit.errors
    delete = financing.delete_policy(db, reception, client_id, theirs.id)
    assert "__all__" in delete.errors
    with db.read() as session:
        stored = session.get(InsurancePolicy, theirs.id)
        assert stored is not None and stored.policy_number == "ZK1"


def test_delete_policy(db: Database, reception: Actor, client_id: int) -> None:
    saved = financing.save_policy(db, reception, client_id, policy()).unwrap()
    assert financing.delete_policy(db, reception, client_id, saved.id).value == saved.id
    assert count(db, InsurancePolicy) == 0
    assert "__all__" in financing.delete_policy(db, reception, client_id, saved.id).errors


# ---------------------------------------------------------------- funding and payment details


def test_funding_and_payment_details_save_together(db: Database, reception: Actor, client_id: int) -> None:
    result = financing.set_funding(db, reception, client_id, {
        "funded_by_insurance": True, "funded_by_own_contribution": True, "iban": "nl91 abna 0417 1643 00",
        "account_holder": "J. Jansen"})
    assert result.ok
    with db.read() as session:
        funding, oc = session.get(Funding, client_id), session.get(OwnContribution, client_id)
        assert funding is not None and oc is not None
        assert (funding.by_insurance, funding.by_own_contribution, funding.updated_by) == (
            True, True, reception.user_id)
        assert (oc.iban, oc.account_holder) == (IBAN, "J. Jansen")
    view = financing.get_financing(db, reception, client_id).unwrap()
    assert view.own_contribution is not None and view.own_contribution.iban == IBAN
    assert financing.masked_iban(IBAN) == "NL•• •••• •••• ••43 00"
    assert financing.masked_iban(None) == "—"


def test_unticking_own_contribution_keeps_the_payment_details(db: Database, reception: Actor,
                                                              client_id: int) -> None:
    financing.set_funding(db, reception, client_id, {"funded_by_own_contribution": True, "iban": IBAN,
                                                     "account_holder": "J. Jansen"}).unwrap()
    financing.set_funding(db, reception, client_id, {"funded_by_insurance": True}).unwrap()
    with db.read() as session:
        funding, oc = session.get(Funding, client_id), session.get(OwnContribution, client_id)
        assert funding is not None and (funding.by_insurance, funding.by_own_contribution) == (True, False)
        assert oc is not None and (oc.iban, oc.account_holder) == (IBAN, "J. Jansen")
    assert last_event(db).fields == "funded_by_insurance,funded_by_own_contribution"
    # ticking it again later needs no retyping of the (masked) IBAN
    again = financing.set_funding(db, reception, client_id, {"funded_by_own_contribution": True,
                                                             "account_holder": "J. Jansen"})
    assert again.ok, again.errors
    with db.read() as session:
        oc = session.get(OwnContribution, client_id)
        assert oc is not None and oc.iban == IBAN


def test_second_save_audits_only_what_changed(db: Database, reception: Actor, client_id: int) -> None:
    financing.set_funding(db, reception, client_id, {"funded_by_own_contribution": True, "iban": IBAN,
                                                     "account_holder": "J. Jansen"}).unwrap()
    financing.set_funding(db, reception, client_id, {"funded_by_own_contribution": True, "iban": IBAN,
                                                     "account_holder": "J. Jansen-de Vries"}).unwrap()
    event = last_event(db)
    assert (event.action, event.fields, event.client_id) == ("own_contribution.set", "account_holder", client_id)
    assert count(db, Funding) == 1 and count(db, OwnContribution) == 1


def test_iban_is_required_only_when_none_is_stored(db: Database, reception: Actor, client_id: int) -> None:
    result = financing.set_funding(db, reception, client_id, {"funded_by_own_contribution": True,
                                                              "account_holder": "J. Jansen"})
    assert set(result.errors) == {"iban"}
    assert count(db, Funding) == 0 and count(db, OwnContribution) == 0


def test_unknown_client(db: Database, reception: Actor) -> None:
    assert "__all__" in financing.set_funding(db, reception, 4242, {"funded_by_insurance": True}).errors
    assert "__all__" in financing.save_policy(db, reception, 4242, policy()).errors
    assert count(db, Funding) == 0 and count(db, InsurancePolicy) == 0
