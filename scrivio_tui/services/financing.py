"""Record policy and financing (step 3). Policies save at once; the funding choice and the
own-contribution payment details save together (spec §7.3: two save moments)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from scrivio_tui.i18n import _
from scrivio_tui.services.base import (
    CLIENTS_READ,
    CLIENTS_UPDATE,
    Actor,
    Result,
    audit,
    invalid,
    not_visible,
    refuse,
    visible_client,
)
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import Client, Funding, InsurancePolicy, OwnContribution, utcnow
from scrivio_tui.store.schemas import FundingInput, PolicyInput, format_date, validate


@dataclass
class FinancingView:
    client: Client
    funding: Funding | None
    policies: list[InsurancePolicy] = field(default_factory=list)
    own_contribution: OwnContribution | None = None


def get_financing(db: Database, actor: Actor, client_id: int) -> Result[FinancingView]:
    if not actor.can(CLIENTS_READ):
        return refuse(db, actor, CLIENTS_READ, "financing.read", "R", client_id)
    with db.transaction() as session:
        client = visible_client(session, actor, client_id)
        if client is None:
            return not_visible()
        view = FinancingView(
            client, session.get(Funding, client_id),
            list(session.exec(select(InsurancePolicy).where(InsurancePolicy.client_id == client_id)
                              .order_by(col(InsurancePolicy.valid_from).desc())).all()),
            session.get(OwnContribution, client_id))
        audit(session, actor, "financing.read", "R", client_id=client_id, object_type="funding")
    return Result(value=view)


def set_funding(db: Database, actor: Actor, client_id: int, raw: dict[str, Any]) -> Result[Funding]:
    """Save the funding choice and payment details. Unticking a source keeps its data (spec §7.2)."""
    if not actor.can(CLIENTS_UPDATE):
        return refuse(db, actor, CLIENTS_UPDATE, "own_contribution.set", "U", client_id)
    data, errors = validate(FundingInput, raw)
    if errors:
        return invalid(errors)
    assert isinstance(data, FundingInput)
    with db.transaction() as session:
        if visible_client(session, actor, client_id) is None:
            return not_visible()
        stored = session.get(OwnContribution, client_id)
        if data.funded_by_own_contribution and not data.iban and not (stored and stored.iban):
            return invalid({"iban": _("IBAN is required for an own contribution")})
        funding = session.get(Funding, client_id) or Funding(client_id=client_id)
        changed = [name for name, old, new in (
            ("funded_by_insurance", funding.by_insurance, data.funded_by_insurance),
            ("funded_by_own_contribution", funding.by_own_contribution, data.funded_by_own_contribution),
        ) if old != new or funding.updated_by is None]
        funding.by_insurance = data.funded_by_insurance
        funding.by_own_contribution = data.funded_by_own_contribution
        funding.updated_at, funding.updated_by = utcnow(), actor.user_id
        session.add(funding)
        if data.iban or data.account_holder:
            oc = stored or OwnContribution(client_id=client_id)
            for name in ("iban", "account_holder"):
                new = getattr(data, name)
                if new is not None and getattr(oc, name) != new:
                    setattr(oc, name, new)
                    changed.append(name)
            oc.updated_at = utcnow()
            session.add(oc)
        audit(session, actor, "own_contribution.set", "U", client_id=client_id, object_type="funding",
              object_id=client_id, fields=changed)
    return Result(value=funding, message=_("Funding and payment details saved."))


def _overlap(session: Session, client_id: int, data: PolicyInput, exclude: int | None) -> InsurancePolicy | None:
    """Policies of one insurance type may not overlap in time (spec §7.4)."""
    for other in session.exec(select(InsurancePolicy).where(
            InsurancePolicy.client_id == client_id, InsurancePolicy.insurance_type == data.insurance_type)).all():
        if other.id == exclude:
            continue
        assert data.valid_from is not None
        starts_before_other_ends = other.valid_until is None or data.valid_from <= other.valid_until
        ends_after_other_starts = data.valid_until is None or data.valid_until >= other.valid_from
        if starts_before_other_ends and ends_after_other_starts:
            return other
    return None


def _policy_values(data: PolicyInput) -> dict[str, Any]:
    return {"uzovi": data.insurer, "policy_number": data.policy_number, "insurance_type": data.insurance_type,
            "valid_from": data.valid_from, "valid_until": data.valid_until}


def save_policy(db: Database, actor: Actor, client_id: int, raw: dict[str, Any],
                policy_id: int | None = None) -> Result[InsurancePolicy]:
    """Add (policy_id None) or edit a policy; stored immediately. Editing clears an earlier verification."""
    action = "policy.add" if policy_id is None else "policy.edit"
    if not actor.can(CLIENTS_UPDATE):
        return refuse(db, actor, CLIENTS_UPDATE, action, "C" if policy_id is None else "U", client_id)
    data, errors = validate(PolicyInput, raw)
    if errors:
        return invalid(errors)
    assert isinstance(data, PolicyInput)
    with db.transaction() as session:
        if visible_client(session, actor, client_id) is None:
            return not_visible()
        clash = _overlap(session, client_id, data, policy_id)
        if clash:
            return invalid({"valid_from": _("Overlaps the {kind} policy {number} from {start}").format(
                kind=_(clash.insurance_type), number=clash.policy_number, start=format_date(clash.valid_from))})
        values = _policy_values(data)
        if policy_id is None:
            policy = InsurancePolicy(client_id=client_id, **values)
            changed = [k for k, v in values.items() if v is not None]
        else:
            found = session.get(InsurancePolicy, policy_id)
            if found is None or found.client_id != client_id:
                return invalid({"__all__": _("This policy no longer exists")})
            policy = found
            changed = [k for k, v in values.items() if getattr(policy, k) != v]
            for key in changed:
                setattr(policy, key, values[key])
            if changed and policy.verification_status != "not_verified":
                policy.verification_status = "not_verified"
                policy.verification_message = _("Changed after verification — verify again")
            policy.updated_at = utcnow()
        session.add(policy)
        session.flush()
        audit(session, actor, action, "C" if policy_id is None else "U", client_id=client_id,
              object_type="insurance_policy", object_id=policy.id, fields=changed)
    return Result(value=policy, warnings=data.warnings(),
                  message=_("Policy {number} saved.").format(number=policy.policy_number))


def delete_policy(db: Database, actor: Actor, client_id: int, policy_id: int) -> Result[int]:
    if not actor.can(CLIENTS_UPDATE):
        return refuse(db, actor, CLIENTS_UPDATE, "policy.delete", "D", client_id)
    with db.transaction() as session:
        policy = session.get(InsurancePolicy, policy_id)
        if policy is None or policy.client_id != client_id or visible_client(session, actor, client_id) is None:
            return invalid({"__all__": _("This policy no longer exists")})
        session.delete(policy)
        audit(session, actor, "policy.delete", "D", client_id=client_id, object_type="insurance_policy",
              object_id=policy_id)
    return Result(value=policy_id, message=_("Policy deleted."))


def masked_iban(iban: str | None) -> str:
    """NL•• •••• •••• ••12 34: country and last four only (UX principle 6)."""
    if not iban:
        return "—"
    masked = iban[:2] + "•" * (len(iban) - 6) + iban[-4:]
    return " ".join(masked[i : i + 4] for i in range(0, len(masked), 4))
