"""Demo data for `scrivio-tui --demo`: staff, forms, documents and about twenty clients in every
onboarding state. Only the demo database is ever seeded; BSNs are BRP test numbers (9999xxxxx)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import select
from stdnum.nl import bsn as stdnum_bsn

from scrivio_tui.i18n import _
from scrivio_tui.services import clients, financing, portal_access, staff, trajectories
from scrivio_tui.services.base import SYSTEM, Actor
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import Document, Form
from scrivio_tui.store.schemas import format_date, today

DEMO_PASSWORD = "demo-password"
CREDENTIALS_HINT = _("Demo mode — sign in as [b]receptie[/b], [b]bakker[/b] or [b]visser[/b], "
                     "password [b]{pw}[/b]").format(pw=DEMO_PASSWORD)
COV_BIRTH_DATE = "15-03-1962"

# (first, prefix, last, dob, bsn or None, email?, stage) — stage: 0 client only … 4 portal done.
# The 99999xxxx numbers with the COV birth date are the COV simulator's fixtures (dutch-standards §5.5).
_CLIENTS = [
    ("Anna", "de", "Vries", COV_BIRTH_DATE, "999990019", True, 4),
    ("Bram", None, "Jansen", COV_BIRTH_DATE, "999990020", True, 3),
    ("Chantal", None, "Bakker", COV_BIRTH_DATE, "999990032", True, 3),
    ("Daan", "van", "Dijk", COV_BIRTH_DATE, "999990044", True, 3),
    ("Esra", None, "Yilmaz", COV_BIRTH_DATE, "999990056", True, 3),
    ("Floor", "van der", "Meer", COV_BIRTH_DATE, "999990068", True, 3),
    ("Gerrit", None, "Smit", COV_BIRTH_DATE, "999990081", False, 3),
    ("Hanna", None, "Mulder", "02-07-1991", None, True, 2),
    ("Ivo", "de", "Boer", "19-11-1978", "auto", True, 2),
    ("Jasmijn", None, "Visser", "08-01-2001", "auto", True, 1),
    ("Karim", "el", "Amrani", "23-05-1995", "auto", False, 1),
    ("Lotte", None, "Hendriks", "30-09-1988", "auto", True, 0),
    ("Mees", "van", "Leeuwen", "14-02-2004", None, True, 0),
    ("Noor", None, "Dekker", "05-06-1969", "auto", True, 4),
    ("Olaf", None, "Brouwer", "11-12-1957", "auto", True, 2),
    ("Priya", None, "Ramdin", "27-04-1993", "auto", True, 3),
    ("Quinten", "de", "Groot", "16-08-1982", "auto", False, 0),
    ("Roos", None, "Kok", "03-03-1999", "auto", True, 1),
    ("Sem", "van den", "Berg", "21-10-2006", "auto", True, 2),
    ("Tess", None, "Willems", "09-07-1975", "auto", True, 4),
]

_FORMS = [
    ("Intake questionnaire", "Background, complaints and goals before the first appointment.", 24, "active"),
    ("OQ-45 outcome questionnaire", "Routine outcome monitoring.", 45, "active"),
    ("Privacy statement (privacyverklaring)", "Consent for the insurer's privacy statement.", 6, "active"),
    ("Sleep diary", "Two weeks of sleep times (being built).", 14, "draft"),
    ("Old intake (2023)", "Replaced by the intake questionnaire.", 30, "deprecated"),
]

_DOCUMENTS = [
    ("Treatment agreement.pdf", "pdf", 184_320),
    ("Welcome letter.pdf", "pdf", 52_004),
    ("Referral letter GP.pdf", "pdf", 96_128),
    ("Sleep hygiene tips.docx", "word", 31_744),
]


def _test_bsns() -> list[str]:
    """Valid BRP test numbers outside the COV fixtures (those answer BsnOnbekend in the simulator)."""
    out: list[str] = []
    n = 999991000
    while len(out) < 20:
        n += 1
        if stdnum_bsn.is_valid(str(n)):
            out.append(str(n))
    return out


def seed(db: Database) -> bool:
    """Fill an empty demo database; returns False (and does nothing) when it already has staff."""
    if staff.has_staff(db):
        return False
    cost = 2**12  # demo accounts only: quick to create on every fresh demo database
    staff.add_staff(db, SYSTEM, username="receptie", display_name="M. Jansen", password=DEMO_PASSWORD,
                    role="Reception", password_cost=cost).unwrap()
    staff.add_staff(db, SYSTEM, username="bakker", display_name="dr. P. Bakker", password=DEMO_PASSWORD,
                    role="Practitioner", is_practitioner=True, profession="gz_psychologist", agb="94012345",
                    password_cost=cost).unwrap()
    staff.add_staff(db, SYSTEM, username="visser", display_name="drs. L. Visser", password=DEMO_PASSWORD,
                    role="Practitioner", is_practitioner=True, profession="psychotherapist", agb="94054321",
                    password_cost=cost).unwrap()
    staff.add_staff(db, SYSTEM, username="admin", display_name="Practice administrator",
                    password=DEMO_PASSWORD, role="Administrator", password_cost=cost).unwrap()
    reception = staff.authenticate(db, "receptie", DEMO_PASSWORD).unwrap()
    lead = staff.authenticate(db, "bakker", DEMO_PASSWORD).unwrap()
    with db.transaction() as session:
        for title, description, questions, status in _FORMS:
            session.add(Form(title=title, description=description, question_count=questions, status=status))
    auto = iter(_test_bsns())
    for i, (first, prefix, last, dob, bsn, email, stage) in enumerate(_CLIENTS):
        number = next(auto) if bsn == "auto" else bsn
        mail = f"{first.lower()}.{last.lower()}@example.nl" if email else ""
        client = clients.create_client(db, reception, {
            "first_name": first, "last_name_prefix": prefix, "last_name": last, "date_of_birth": dob,
            "bsn": number, "email": mail, "phone": f"06 {12345600 + i}",
            "street": "Kerkstraat", "house_number": str(10 + i), "postcode": f"26{10 + i} AB", "city": "Delft",
        }, confirm_similar=True).unwrap()
        assert client.id is not None
        with db.transaction() as session:
            for name, kind, size in _DOCUMENTS[: 2 + i % 3]:
                session.add(Document(client_id=client.id, file_name=name, file_type=kind, size_bytes=size))
        _advance(db, reception, lead, client.id, stage, i)
    return True


# HoNOS+ scores for the demo classifications (items 1..19), a few distinct pictures
_SCORES = ["0120000001200000000", "1231202101210000100", "0100000000100000000", "2342312102221110000"]


def _classify(db: Database, lead: Actor, client_id: int, start: date, i: int) -> None:
    """A full-route classification taking the advised type; one demo client's review is already overdue."""
    from scrivio_tui.services import classification
    from scrivio_tui.store.models import CareTrajectory

    with db.read() as session:
        trajectory = session.exec(select(CareTrajectory).where(CareTrajectory.client_id == client_id)).one()
    scores = _SCORES[i % len(_SCORES)]
    answers = {f"HV{n + 1:02d}": int(d) for n, d in enumerate(scores)}
    advice = classification.advice_for("X", answers, on=start)
    assert advice.top is not None
    effective = start - timedelta(days=400) if i == 14 else start
    if effective < trajectory.start_date:
        with db.transaction() as session:
            t = session.get(CareTrajectory, trajectory.id)
            assert t is not None
            t.start_date = effective
            session.add(t)
    classification.record_classification(db, lead, trajectory.id or 0, {
        "main_group": "X", "route": "full", "answers": answers, "chosen_type": str(advice.top.code),
        "effective_date": format_date(effective)}).unwrap()


def _advance(db: Database, reception: Actor, lead: Actor, client_id: int, stage: int, i: int) -> None:
    start = today() - timedelta(days=7 * (i % 5))
    if stage >= 1:
        referral = {} if i % 4 == 1 else {
            "referrer_type": "01", "referrer_name": "huisarts K. de Wit", "referrer_agb": "01012345",
            "referral_date": format_date(start - timedelta(days=20))}
        trajectories.start_trajectory(db, reception, client_id, {
            "setting": "1" if i % 3 else "2", "start_date": format_date(start), "lead_practitioner": lead.user_id,
            "dsm5_diagnosis": "04" if i % 2 else None, **referral}).unwrap()
    if stage >= 2:
        _classify(db, lead, client_id, start, i)
    if stage >= 3:
        financing.save_policy(db, reception, client_id, {
            "insurer": ["3311", "7119", "3332", "7095", "3313"][i % 5], "policy_number": f"{40001000 + i}",
            "insurance_type": "basic", "valid_from": f"01-01-{today().year}"}).unwrap()
        own = i % 3 == 0
        financing.set_funding(db, reception, client_id, {
            "funded_by_insurance": True, "funded_by_own_contribution": own,
            "iban": "NL91ABNA0417164300" if own else None,
            "account_holder": "rekeninghouder demo" if own else None}).unwrap()
    if stage >= 4:
        portal_access.request_sign_in_link(db, reception, client_id).unwrap()
