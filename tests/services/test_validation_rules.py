"""Every validation rule, through the services, with the exact field each message lands on.

Refused inputs run on one module-wide SQLite file and must leave it untouched; accepted inputs run on a
fresh file and are read back to show what was stored (normalised BSN, E.164 phone, canonical postcode…).
"""

from __future__ import annotations

from typing import Any

import pytest

from scrivio_tui.services import clients, financing, portal_access, trajectories
from scrivio_tui.services.base import Actor, Result
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import (
    AuditEvent,
    CareTrajectory,
    Client,
    FormAssignment,
    Funding,
    InsurancePolicy,
    OwnContribution,
    Referral,
)
from tests.conftest import make_staff

from .conftest import JAN, count, days_from_today, ddmmyyyy, new_client

DATA_TABLES = (Client, CareTrajectory, Referral, InsurancePolicy, Funding, OwnContribution, FormAssignment,
               AuditEvent)


@pytest.fixture(scope="module")
def env(shared_db: Database) -> dict[str, Any]:
    reception = make_staff(shared_db, "receptie", "Reception")
    lead = make_staff(shared_db, "devries", "Practitioner", practitioner=True, profession="psychiatrist")
    client = new_client(shared_db, reception)
    return {"db": shared_db, "actor": reception, "lead": lead, "client_id": client.id}


def snapshot(db: Database) -> dict[str, int]:
    return {model.__name__: count(db, model) for model in DATA_TABLES}


def refused_on(result: Result[Any], field: str, fragment: str) -> None:
    assert not result.ok
    assert result.value is None
    assert field in result.errors, result.errors
    assert fragment.lower() in result.errors[field].lower(), result.errors[field]
    assert result.message == next(iter(result.errors.values()))


# ---------------------------------------------------------------- client (spec §2.2, dutch-standards §2)

CLIENT_CASES = [
    # BSN (dutch-standards §2.1)
    ("bsn", "123456789", "11-test"),
    ("bsn", "111222334", "11-test"),
    ("bsn", "12345678A", "only digits"),
    ("bsn", "1234567820", "this has 10"),
    ("bsn", "000000000", "not valid"),
    ("bsn", "12345672", "this has 8"),  # a lost digit is never zero-filled
    ("bsn", "999999999", "placeholder"),
    # postcode (§2.4)
    ("postcode", "0123 AB", "never starts with 0"),
    ("postcode", "1234 SS", "SA, SD and SS are never used"),
    ("postcode", "1234 SA", "SA, SD and SS are never used"),
    ("postcode", "1234 SD", "SA, SD and SS are never used"),
    ("postcode", "123 AB", "1234 AB"),
    ("postcode", "12345 AB", "1234 AB"),
    ("postcode", "1234 A1", "1234 AB"),
    # phone (§2.6)
    ("phone", "061234567", "wrong number of digits"),
    ("phone", "+3161234567890", "wrong number of digits"),
    ("phone", "0800-1234", "0800/0900"),
    ("phone", "0900-1234567", "0800/0900"),
    ("phone", "bel me maar", "not a number"),
    # email (§2.7)
    ("email", "jan@@example.nl", "not valid"),
    ("email", "jan@example", "not valid"),
    # date of birth
    ("date_of_birth", "nonsense", "DD-MM-YYYY"),
    ("date_of_birth", "31-02-1985", "not a date in the calendar"),
    ("date_of_birth", "1-1-85", "DD-MM-YYYY"),
    # names, gender, house number
    ("gender", "vrouwelijk", "listed values"),
    ("house_number", "A12", "starts with digits"),
]


@pytest.mark.parametrize(("field", "value", "fragment"), CLIENT_CASES,
                         ids=[f"{f}={v}" for f, v, _ in CLIENT_CASES])
def test_client_field_rule(env: dict[str, Any], field: str, value: str, fragment: str) -> None:
    db = env["db"]
    before = snapshot(db)
    result = clients.create_client(db, env["actor"], {**JAN, field: value})
    refused_on(result, field, fragment)
    assert set(result.errors) == {field}
    assert snapshot(db) == before


@pytest.mark.parametrize(("offset", "fragment"), [(1, "in the future"), (-int(365.25 * 121), "120 years")])
def test_date_of_birth_plausible(env: dict[str, Any], offset: int, fragment: str) -> None:
    before = snapshot(env["db"])
    result = clients.create_client(env["db"], env["actor"],
                                   {**JAN, "date_of_birth": ddmmyyyy(days_from_today(offset))})
    refused_on(result, "date_of_birth", fragment)
    assert snapshot(env["db"]) == before


@pytest.mark.parametrize("field", ["first_name", "last_name", "date_of_birth"])
def test_required_client_fields_typed_blank(env: dict[str, Any], field: str) -> None:
    result = clients.create_client(env["db"], env["actor"], {**JAN, field: "   "})
    refused_on(result, field, "Required")


def test_several_field_errors_at_once(env: dict[str, Any]) -> None:
    result = clients.create_client(env["db"], env["actor"], {"first_name": "", "last_name": "Jansen",
                                                             "date_of_birth": "", "bsn": "123456789",
                                                             "email": "jan@@example.nl"})
    assert set(result.errors) == {"first_name", "date_of_birth", "bsn", "email"}


def test_unknown_field_is_refused(env: dict[str, Any]) -> None:
    result = clients.create_client(env["db"], env["actor"], {**JAN, "shoe_size": "44"})
    assert set(result.errors) == {"shoe_size"}


ADDRESS = {"street": "Dorpsstraat", "house_number": "12", "postcode": "1234 AB", "city": "Utrecht"}


@pytest.mark.parametrize("missing", list(ADDRESS))
def test_address_must_be_complete(env: dict[str, Any], missing: str) -> None:
    raw = {**JAN, **{k: v for k, v in ADDRESS.items() if k != missing}}
    before = snapshot(env["db"])
    result = clients.create_client(env["db"], env["actor"], raw)
    refused_on(result, missing, "complete address")
    assert set(result.errors) == {missing}
    assert snapshot(env["db"]) == before


# ---------------------------------------------------------------- values accepted and how they are stored


@pytest.mark.parametrize("bsn", ["111222333", "123456782", "999990019", "012345672"])
def test_valid_bsn_is_stored_as_nine_digits(db: Database, reception: Actor, bsn: str) -> None:
    client = clients.create_client(db, reception, {**JAN, "bsn": bsn}).unwrap()
    assert client.bsn == bsn
    with db.read() as session:
        stored = session.get(Client, client.id)
        assert stored is not None and stored.bsn == bsn  # leading zero kept (012345672)


@pytest.mark.parametrize(("typed", "stored"), [("111 222 333", "111222333"), ("1112.22.333", "111222333")])
def test_bsn_spaces_and_dots_are_removed(db: Database, reception: Actor, typed: str, stored: str) -> None:
    assert clients.create_client(db, reception, {**JAN, "bsn": typed}).unwrap().bsn == stored


@pytest.mark.parametrize(("typed", "stored"), [("1234 AB", "1234 AB"), ("1234ab", "1234 AB"),
                                               ("2601 DC", "2601 DC"), ("9999 ZZ", "9999 ZZ"),
                                               ("1234 SB", "1234 SB")])
def test_valid_postcode_is_canonical(db: Database, reception: Actor, typed: str, stored: str) -> None:
    client = clients.create_client(db, reception, {**JAN, **ADDRESS, "postcode": typed}).unwrap()
    assert client.postcode == stored


@pytest.mark.parametrize(("typed", "stored"), [("06-12345678", "+31612345678"),
                                               ("+31 6 12345678", "+31612345678"),
                                               ("0031612345678", "+31612345678"),
                                               ("020-1234567", "+31201234567")])
def test_phone_is_stored_as_e164(db: Database, reception: Actor, typed: str, stored: str) -> None:
    assert clients.create_client(db, reception, {**JAN, "phone": typed}).unwrap().phone == stored


def test_email_domain_is_lowercased_and_names_trimmed(db: Database, reception: Actor) -> None:
    client = clients.create_client(db, reception, {"first_name": "  Jan ", "last_name_prefix": "Van Der",
                                                   "last_name": "Berg", "date_of_birth": "12031985",
                                                   "email": " Jan@Example.NL "}).unwrap()
    assert (client.first_name, client.last_name_prefix, client.email) == ("Jan", "van der", "Jan@example.nl")
    assert client.full_name == "Jan van der Berg"


@pytest.mark.parametrize("typed", ["12-03-1985", "12031985", "12/3/1985", "12.03.1985", "1985-03-12"])
def test_date_of_birth_formats(db: Database, reception: Actor, typed: str) -> None:
    client = clients.create_client(db, reception, {**JAN, "date_of_birth": typed}).unwrap()
    assert client.date_of_birth.isoformat() == "1985-03-12"


def test_optional_fields_left_blank_are_stored_as_null(db: Database, reception: Actor) -> None:
    client = clients.create_client(db, reception, {**JAN, "bsn": "", "email": " ", "phone": "",
                                                   "street": "", "postcode": ""}).unwrap()
    assert (client.bsn, client.email, client.phone, client.street, client.postcode) == (None,) * 5


# ---------------------------------------------------------------- care trajectory & referral (§5.2, §3.5)


def trajectory_raw(env: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"setting": "1", "start_date": ddmmyyyy(days_from_today(-10)),
            "lead_practitioner": env["lead"].user_id, **fields}


TRAJECTORY_CASES = [
    ({"setting": ""}, "setting", "Required"),
    ({"setting": "99"}, "setting", "NZa list"),
    ({"start_date": ""}, "start_date", "Required"),
    ({"start_date": "32-01-2020"}, "start_date", "not a date"),
    ({"dsm5_diagnosis": "99"}, "dsm5_diagnosis", "DSM-5"),
    ({"basic_ggz_profile": "GBG99"}, "basic_ggz_profile", "basic GGZ profile"),
    # referral: a referrer field given without a type
    ({"referrer_name": "Dr. Huisman"}, "referrer_type", "referrer type"),
    ({"referrer_agb": "01123456"}, "referrer_type", "referrer type"),
    ({"referral_date": "01-01-2020"}, "referrer_type", "referrer type"),
    ({"referrer_type": "99"}, "referrer_type", "from the list"),
    # AGB required by type (01, 02, 03, 08 need one)
    ({"referrer_type": "01", "referrer_name": "Dr. Huisman"}, "referrer_agb", "required"),
    ({"referrer_type": "02", "referrer_name": "GGZ Centraal"}, "referrer_agb", "required"),
    ({"referrer_type": "03", "referrer_name": "Crisisdienst"}, "referrer_agb", "required"),
    ({"referrer_type": "08", "referrer_name": "GGZ Centraal"}, "referrer_agb", "required"),
    ({"referrer_type": "02", "referrer_agb": "03123456"}, "referrer_name", "required"),
    ({"referrer_type": "01", "referrer_name": "Dr. Huisman", "referrer_agb": "0112345"}, "referrer_agb", "8 digits"),
    ({"referrer_type": "01", "referrer_name": "Dr. Huisman", "referrer_agb": "0112345X"}, "referrer_agb",
     "8 digits"),
    # a GP's AGB starts with 01
    ({"referrer_type": "01", "referrer_name": "Dr. Huisman", "referrer_agb": "03123456"}, "referrer_agb",
     "starts with 01"),
]


@pytest.mark.parametrize(("fields", "field", "fragment"), TRAJECTORY_CASES,
                         ids=[f"{f}:{sorted(c)}" for c, f, _ in TRAJECTORY_CASES])
def test_trajectory_rule(env: dict[str, Any], fields: dict[str, Any], field: str, fragment: str) -> None:
    before = snapshot(env["db"])
    result = trajectories.start_trajectory(env["db"], env["actor"], env["client_id"], trajectory_raw(env, **fields))
    refused_on(result, field, fragment)
    assert snapshot(env["db"]) == before


def test_start_date_more_than_a_year_ahead(env: dict[str, Any]) -> None:
    result = trajectories.start_trajectory(env["db"], env["actor"], env["client_id"],
                                           trajectory_raw(env, start_date=ddmmyyyy(days_from_today(366))))
    refused_on(result, "start_date", "more than a year ahead")


def test_referral_date_after_start(env: dict[str, Any]) -> None:
    start = days_from_today(-10)
    result = trajectories.start_trajectory(env["db"], env["actor"], env["client_id"], trajectory_raw(
        env, start_date=ddmmyyyy(start), referrer_type="01", referrer_name="Dr. Huisman",
        referrer_agb="01123456", referral_date=ddmmyyyy(days_from_today(-9))))
    refused_on(result, "referral_date", "after the trajectory start")


@pytest.mark.parametrize("referrer_type", ["04", "05", "06", "07"])
def test_referrer_types_without_agb(db: Database, reception: Actor, lead: Actor, referrer_type: str) -> None:
    client = new_client(db, reception)
    result = trajectories.start_trajectory(db, reception, client.id, {
        "setting": "1", "start_date": ddmmyyyy(days_from_today(-1)), "lead_practitioner": lead.user_id,
        "referrer_type": referrer_type})
    assert result.ok, result.errors
    with db.read() as session:
        referral = session.get(Referral, result.value.id)
        assert referral is not None and referral.referrer_type == referrer_type
        assert referral.referrer_agb is None


@pytest.mark.parametrize(("age_days", "warned"), [(275, False), (276, True), (0, False)])
def test_referral_older_than_275_days_warns_but_saves(db: Database, reception: Actor, lead: Actor,
                                                      age_days: int, warned: bool) -> None:
    client = new_client(db, reception)
    start = days_from_today(-5)
    from datetime import timedelta

    result = trajectories.start_trajectory(db, reception, client.id, {
        "setting": "1", "start_date": ddmmyyyy(start), "lead_practitioner": lead.user_id,
        "referrer_type": "01", "referrer_name": "Dr. Huisman", "referrer_agb": "01123456",
        "referral_date": ddmmyyyy(start - timedelta(days=age_days)), "letter_on_file": True})
    assert result.ok and result.value is not None
    assert ("referral_date" in result.warnings) is warned
    if warned:
        assert "9 months" in result.warnings["referral_date"]
    assert count(db, CareTrajectory) == 1


# ---------------------------------------------------------------- policy (§7.4, dutch-standards §2.2)


def policy_raw(**fields: Any) -> dict[str, Any]:
    return {"insurer": "3311", "policy_number": "ZK123456", "insurance_type": "basic",
            "valid_from": "01-01-2025", **fields}


POLICY_CASES = [
    ({"insurer": ""}, "insurer", "Required"),
    ({"insurer": "331"}, "insurer", "4 digits"),
    ({"insurer": "33111"}, "insurer", "4 digits"),
    ({"insurer": "ZK11"}, "insurer", "4 digits"),
    ({"policy_number": ""}, "policy_number", "Required"),
    ({"policy_number": "ZK 123456"}, "policy_number", "no spaces"),
    ({"insurance_type": "dental"}, "insurance_type", "basic or supplementary"),
    ({"valid_from": ""}, "valid_from", "Required"),
    ({"valid_from": "nonsense"}, "valid_from", "DD-MM-YYYY"),
    ({"valid_until": "31-12-2024"}, "valid_until", "before valid from"),
]


@pytest.mark.parametrize(("fields", "field", "fragment"), POLICY_CASES,
                         ids=[f"{f}={next(iter(c.values()))!r}" for c, f, _ in POLICY_CASES])
def test_policy_rule(env: dict[str, Any], fields: dict[str, Any], field: str, fragment: str) -> None:
    before = snapshot(env["db"])
    result = financing.save_policy(env["db"], env["actor"], env["client_id"], policy_raw(**fields))
    refused_on(result, field, fragment)
    assert snapshot(env["db"]) == before


@pytest.mark.parametrize(("insurer", "warned"), [("3311", False), ("0101", False), ("1234", True)])
def test_unknown_uzovi_warns_but_saves(db: Database, reception: Actor, insurer: str, warned: bool) -> None:
    client = new_client(db, reception)
    result = financing.save_policy(db, reception, client.id, policy_raw(insurer=insurer))
    assert result.ok and result.value is not None
    assert result.value.uzovi == insurer  # leading zero kept
    assert ("insurer" in result.warnings) is warned
    assert count(db, InsurancePolicy) == 1


def test_valid_until_equal_to_valid_from_is_accepted(db: Database, reception: Actor) -> None:
    client = new_client(db, reception)
    assert financing.save_policy(db, reception, client.id, policy_raw(valid_until="01-01-2025")).ok


# ---------------------------------------------------------------- funding (§7.2, §7.3, §7.6)

IBAN = "NL91 ABNA 0417 1643 00"

FUNDING_CASES = [
    ({}, "funded_by_insurance", "at least one"),
    ({"funded_by_own_contribution": True}, "account_holder", "required"),
    ({"funded_by_own_contribution": True, "account_holder": "J. Jansen"}, "iban", "required"),
    ({"funded_by_own_contribution": True, "iban": IBAN}, "account_holder", "required"),
    ({"funded_by_own_contribution": True, "iban": "NL92 ABNA 0417 1643 00", "account_holder": "J. Jansen"},
     "iban", "check digits"),
    ({"funded_by_own_contribution": True, "iban": IBAN, "account_holder": "J" * 71}, "account_holder", "70"),
    ({"funded_by_insurance": True, "iban": "NL91 ABNA"}, "iban", ""),
]


@pytest.mark.parametrize(("fields", "field", "fragment"), FUNDING_CASES,
                         ids=[f"{f}:{sorted(c)}" for c, f, _ in FUNDING_CASES])
def test_funding_rule(env: dict[str, Any], fields: dict[str, Any], field: str, fragment: str) -> None:
    before = snapshot(env["db"])
    result = financing.set_funding(env["db"], env["actor"], env["client_id"], fields)
    refused_on(result, field, fragment)
    assert snapshot(env["db"]) == before


def test_iban_with_a_dropped_digit_says_wrong_length(env: dict[str, Any]) -> None:
    result = financing.set_funding(env["db"], env["actor"], env["client_id"], {
        "funded_by_own_contribution": True, "iban": "NL91 ABNA 0417 1643 0", "account_holder": "J. Jansen"})
    refused_on(result, "iban", "wrong length")


# ---------------------------------------------------------------- form assignment (§8.2): due date


@pytest.mark.parametrize(("raw", "field", "fragment"), [
    ({"form_id": 1, "due_date": ddmmyyyy(days_from_today(-1))}, "due_date", "past"),
    ({"form_id": 1, "due_date": "nonsense"}, "due_date", "DD-MM-YYYY"),
    ({"form_id": None}, "form_id", "Required"),
], ids=["due-yesterday", "due-nonsense", "form-none"])
def test_form_assignment_input_rule(env: dict[str, Any], raw: dict[str, Any], field: str, fragment: str) -> None:
    before = snapshot(env["db"])
    result = portal_access.assign_form(env["db"], env["actor"], env["client_id"], raw)
    refused_on(result, field, fragment)
    assert snapshot(env["db"]) == before


BLANK_INT_BUG = ("BUG: the int fields' before-validators (TrajectoryInput._lead, AssignFormInput._form) run before "
                 "the '*' _blank validator, so a blank or non-numeric choice reaches int() and the receptionist "
                 "sees Python's \"invalid literal for int() with base 10: ''\" instead of 'Required'")


def test_blank_lead_practitioner_says_required(env: dict[str, Any]) -> None:
    result = trajectories.start_trajectory(env["db"], env["actor"], env["client_id"],
                                           trajectory_raw(env, lead_practitioner=""))
    refused_on(result, "lead_practitioner", "Required")


def test_blank_form_choice_says_required(env: dict[str, Any]) -> None:
    result = portal_access.assign_form(env["db"], env["actor"], env["client_id"], {"form_id": ""})
    refused_on(result, "form_id", "Required")
