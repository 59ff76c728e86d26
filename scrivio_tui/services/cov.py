"""HTTP client for the project's JSON COV contract (dutch-standards.md §5).

A pure client: it validates locally, calls ``POST /cov/v1/controleer`` with the retry rules of §5.4
and turns every answer into a typed :class:`CovOutcome`. It persists nothing and never imports Textual;
the service layer stores the outcome on the policy and writes the audit lines (one per attempt, see
:attr:`CovOutcome.attempts`). BSNs and tokens are never logged.
"""

from __future__ import annotations

import csv
import logging
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Any

import httpx
from stdnum.nl import bsn as stdnum_bsn

from scrivio_tui.i18n import _
from scrivio_tui.services._http import BearerClient, error_code, json_or_none, retry_after_seconds

__all__ = [
    "DEFAULT_TIMEOUT",
    "Attempt",
    "CovClient",
    "CovKind",
    "CovOutcome",
    "Coverage",
    "format_date",
    "normalise_bsn",
    "shipped_insurer_names",
]

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = httpx.Timeout(15, connect=5)
"""Connect 5 s, read/write/pool 15 s (§5.4)."""

SERVER_BACKOFF: tuple[float, ...] = (0.5, 2.0)
"""Delays before the 2nd and 3rd attempt after a 5xx answer, a timeout or a connection failure."""

RETRY_AFTER_CAP = 30.0
"""Longest wait honoured from a ``Retry-After`` header."""

DEFAULT_RETRY_AFTER = 1.0
"""Wait used for a 429 that carries no (usable) ``Retry-After``."""

_AGB_RE = re.compile(r"^\d{8}$")
_BSN_RE = re.compile(r"^\d{9}$")


class CovKind(StrEnum):
    """What a COV check established; the values are stable strings, safe to store."""

    INSURED = "insured"
    MULTIPLE_COVERAGES = "multiple_coverages"
    DOUBLE_INSURED = "double_insured"
    NOT_INSURED = "not_insured"
    BSN_UNKNOWN = "bsn_unknown"
    BSN_INVALID = "bsn_invalid"
    BSN_BIRTHDATE_MISMATCH = "bsn_birthdate_mismatch"
    DECEASED = "deceased"
    NOT_AUTHORISED_FOR_INSURER = "not_authorised_for_insurer"
    PEILDATUM_TOO_OLD = "peildatum_too_old"
    INVALID_SEARCH = "invalid_search"
    CREDENTIALS_INVALID = "credentials_invalid"
    NOT_AUTHORISED = "not_authorised"
    RATE_LIMITED = "rate_limited"
    TECHNICAL_FAILURE = "technical_failure"
    REQUEST_INVALID = "request_invalid"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Coverage:
    """One ``verzekeringen[]`` entry of the answer, in the app's words."""

    uzovi: str
    insurer_name: str | None
    policy_number: str | None
    soort: str | None
    """``Basis`` | ``Aanvullend`` | ``AanvullendPlusTand`` | ``Tand`` | ``Hoofdverzekering`` | ``AWBZ``."""
    package: str | None
    """``pakketnaam`` (falls back to ``labelnaam``)."""
    package_code: str | None
    start: date | None
    end: date | None
    active: bool
    authorised: bool = True
    """False for ``NietGeautoriseerdVoorZorgverzekeraar``: only ``uzovi`` is known then."""
    label: str | None = None

    @property
    def is_basic(self) -> bool:
        return self.soort == "Basis"

    @property
    def insurer_display(self) -> str:
        """``"Zilveren Kruis Zorgverzekeringen N.V. (3311)"``, or ``"insurer 3311"`` without a name."""
        if self.insurer_name:
            return f"{self.insurer_name} ({self.uzovi})"
        return _("insurer {uzovi}").format(uzovi=self.uzovi)


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt of a check, for the audit line the service layer writes per attempt."""

    request_id: str
    started_at: datetime
    http_status: int | None
    error: str | None
    """``error.code`` of a non-200 answer, or ``"timeout"`` / ``"connection"`` / ``"protocol"``."""


@dataclass(frozen=True)
class CovOutcome:
    """The result of one COV check, ready to be shown to reception staff and stored as evidence."""

    kind: CovKind
    verified: bool
    """True only when a 200 answer established insured or not insured."""
    message: str
    coverages: tuple[Coverage, ...] = ()
    proposed: Coverage | None = None
    """The active basic coverage staff can accept to fill/correct the policy (None when double insured)."""
    request_id: str | None = None
    """X-Request-ID of the last attempt (None when nothing was sent)."""
    http_status: int | None = None
    raw: dict[str, Any] | None = None
    checked_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    peildatum: date | None = None
    future_peildatum: bool = False
    """COV answered ``GevondenPeildatumInToekomst``: the answer may change before that date."""
    deceased: bool = False
    person_name: str | None = None
    """Initials and surname as COV knows them ("O.P. de Vries"), to compare with the client."""
    attempts: tuple[Attempt, ...] = ()

    @property
    def sent(self) -> bool:
        """Whether a request reached the wire at all (False for local validation failures)."""
        return bool(self.attempts)


@lru_cache(maxsize=1)
def shipped_insurer_names() -> dict[str, str]:
    """UZOVI code → insurer name from ``scrivio_tui/data/uzovi.csv`` (fills names an answer leaves out)."""
    text = resources.files("scrivio_tui").joinpath("data/uzovi.csv").read_text(encoding="utf-8")
    return {row["code"].zfill(4): row["name"] for row in csv.DictReader(text.splitlines())}


def format_date(value: date) -> str:
    """The Dutch display form used in messages: ``01-01-2025``."""
    return value.strftime("%d-%m-%Y")


def normalise_bsn(value: str) -> str | None:
    """Return the 9-digit BSN when ``value`` is one that passes the 11-test, else None.

    Spaces, dots and dashes are removed, but an 8-digit input is *not* zero-filled (dutch-standards §2.1):
    a lost digit must be caught, not guessed.
    """
    digits = re.sub(r"[\s.\-]", "", value or "")
    if not _BSN_RE.match(digits):
        return None
    return digits if stdnum_bsn.is_valid(digits) else None


def _parse_date(value: date | str | None) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except (ValueError, AttributeError):
        return None


def _two_years_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 2, day=28)


def _soort_words(soort: str | None) -> str:
    words = {
        "Basis": _("basic"),
        "Aanvullend": _("supplementary"),
        "AanvullendPlusTand": _("supplementary + dental"),
        "Tand": _("dental"),
        "Hoofdverzekering": _("main policy"),
        "AWBZ": _("AWBZ"),
    }
    if soort is None:
        return _("unknown type")
    return words.get(soort, soort)


def _coverage_phrase(cov: Coverage) -> str:
    """``"Zilveren Kruis … (3311), basic policy 123456789 since 01-01-2025"``."""
    text = _("{insurer}, {soort} policy {policy}").format(
        insurer=cov.insurer_display, soort=_soort_words(cov.soort), policy=cov.policy_number or "?"
    )
    if cov.start is not None:
        text += " " + _("since {date}").format(date=format_date(cov.start))
    if cov.end is not None:
        text += " " + _("until {date}").format(date=format_date(cov.end))
    return text


class CovClient(BearerClient):
    """Client for ``{base_url}/cov/v1/*``; one instance per configuration, reusable across checks.

    ``sleep`` is called for every wait between attempts (tests pass a recorder; a UI worker can pass
    ``threading.Event().wait`` so a cancel wakes it early). ``today`` decides the default peildatum and
    the 2-year rule. ``insurer_names`` (UZOVI → name; default: the shipped UZOVI table) fills a name the
    answer leaves empty.
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        agb: str,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        sleep: Callable[[float], object] = time.sleep,
        today: Callable[[], date] = date.today,
        insurer_names: Mapping[str, str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not _AGB_RE.match(agb or ""):
            raise ValueError("The practice AGB code must be exactly 8 digits")
        super().__init__(base_url, token, timeout=timeout, extra_headers=extra_headers, transport=transport)
        self._agb = agb
        self._sleep = sleep
        self._today = today
        self._insurer_names = dict(shipped_insurer_names() if insurer_names is None else insurer_names)

    def health(self) -> bool:
        """True when ``GET /cov/v1/health`` answers 200 (no retries; for the settings screen)."""
        return self._healthy("/cov/v1/health")

    def check(
        self,
        bsn: str,
        birth_date: date | str,
        peildatum: date | str | None,
        reference: str,
        *,
        cancel: Callable[[], bool] | None = None,
    ) -> CovOutcome:
        """Run one COV check by BSN + date of birth on ``peildatum`` (None = today).

        ``reference`` is our internal client id (echoed as ``referentieZorgaanbieder``; never a BSN or
        name). ``cancel`` is polled before every attempt; once it returns True no further request is
        sent and the outcome is ``CANCELLED``.
        """
        today = self._today()
        day = today if peildatum is None else _parse_date(peildatum)
        local = self._validate(bsn, birth_date, day, peildatum, reference, today)
        if local is not None:
            return local
        assert day is not None  # checked by _validate
        born = _parse_date(birth_date)
        assert born is not None
        body = {
            "zorgaanbieder": {"agbZorgverlenersoort": self._agb[:2], "agbNummer": self._agb[2:]},
            "zoekopdrachten": [
                {
                    "volgnummer": 1,
                    "geboortedatum": born.isoformat(),
                    "peildatum": day.isoformat(),
                    "bsn": normalise_bsn(bsn),
                    "verzekerdennummer": None,
                    "postcode": None,
                    "huisnummer": None,
                    "huisnummertoevoeging": None,
                    "referentieZorgaanbieder": reference,
                }
            ],
        }
        return self._send_with_retries(body, day, cancel)

    # -- internals -------------------------------------------------------------------------------
    def _validate(
        self,
        bsn: str,
        birth_date: date | str,
        day: date | None,
        peildatum_in: date | str | None,
        reference: str,
        today: date,
    ) -> CovOutcome | None:
        def local(kind: CovKind, message: str) -> CovOutcome:
            return CovOutcome(kind=kind, verified=False, message=message, peildatum=day)

        clean_bsn = normalise_bsn(bsn)
        if clean_bsn is None:
            return local(CovKind.BSN_INVALID, _("BSN must be 9 digits that pass the 11-test — check the number"))
        born = _parse_date(birth_date)
        if born is None:
            return local(CovKind.REQUEST_INVALID, _("Date of birth is missing or not a valid date"))
        if born > today:
            return local(CovKind.REQUEST_INVALID, _("Date of birth lies in the future"))
        if day is None:
            return local(CovKind.REQUEST_INVALID, _("Reference date (peildatum) is not a valid date"))
        if born > day:
            return local(CovKind.REQUEST_INVALID, _("Reference date (peildatum) lies before the date of birth"))
        if day <= _two_years_before(today):
            return local(
                CovKind.PEILDATUM_TOO_OLD,
                _("Reference date {date} is 2 years or more in the past; COV cannot check it").format(
                    date=format_date(day)
                ),
            )
        ref = (reference or "").strip()
        if not ref or len(ref) > 64:
            return local(CovKind.REQUEST_INVALID, _("Client reference must be 1 to 64 characters"))
        if re.sub(r"\D", "", ref) == clean_bsn:
            return local(CovKind.REQUEST_INVALID, _("The client reference must not be the BSN"))
        return None

    def _send_with_retries(self, body: dict[str, Any], day: date, cancel: Callable[[], bool] | None) -> CovOutcome:
        attempts: list[Attempt] = []
        server_delays = list(SERVER_BACKOFF)
        rate_limit_retries = 1
        while True:
            if cancel is not None and cancel():
                return self._finish(CovKind.CANCELLED, _("COV check cancelled — not verified"), attempts, day)
            request_id = str(uuid.uuid4())
            started = datetime.now(UTC)
            try:
                response = self._http.post(
                    f"{self._base_url}/cov/v1/controleer", json=body, headers={"X-Request-ID": request_id}
                )
            except httpx.TimeoutException:
                attempts.append(Attempt(request_id, started, None, "timeout"))
                log.info("COV attempt %s timed out", request_id)
                if server_delays:
                    self._sleep(server_delays.pop(0))
                    continue
                return self._finish(
                    CovKind.TECHNICAL_FAILURE,
                    _("COV did not answer in time — not verified; try again later"),
                    attempts,
                    day,
                )
            except httpx.TransportError:
                attempts.append(Attempt(request_id, started, None, "connection"))
                log.info("COV attempt %s could not connect", request_id)
                if server_delays:
                    self._sleep(server_delays.pop(0))
                    continue
                return self._finish(
                    CovKind.TECHNICAL_FAILURE,
                    _("COV could not be reached (network) — not verified; try again later"),
                    attempts,
                    day,
                )

            status = response.status_code
            payload = json_or_none(response)
            log.info("COV attempt %s answered HTTP %s", request_id, status)
            if status == 200:
                if payload is None:
                    attempts.append(Attempt(request_id, started, status, "protocol"))
                    return self._finish(
                        CovKind.TECHNICAL_FAILURE,
                        _("COV sent an answer the app cannot read — not verified"),
                        attempts,
                        day,
                        http_status=status,
                    )
                attempts.append(Attempt(request_id, started, status, None))
                return self._interpret(payload, day, attempts)

            attempts.append(Attempt(request_id, started, status, error_code(payload)))
            retry_after = retry_after_seconds(response)
            if status == 429:
                if rate_limit_retries:
                    rate_limit_retries -= 1
                    self._sleep(min(retry_after if retry_after is not None else DEFAULT_RETRY_AFTER, RETRY_AFTER_CAP))
                    continue
                return self._finish(
                    CovKind.RATE_LIMITED,
                    _("COV is busy (too many requests) — not verified; try again later"),
                    attempts,
                    day,
                    http_status=status,
                    raw=payload,
                )
            if status >= 500:
                if server_delays:
                    delay = server_delays.pop(0)
                    if retry_after is not None:
                        delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
                    self._sleep(delay)
                    continue
                if status == 500:
                    text = _("COV reported a technical error (HTTP 500) — not verified; try again later")
                else:
                    text = _("COV is unavailable (HTTP {status}) — not verified; try again later").format(status=status)
                return self._finish(CovKind.TECHNICAL_FAILURE, text, attempts, day, http_status=status, raw=payload)
            if status == 401:
                kind, text = CovKind.CREDENTIALS_INVALID, _("COV credentials invalid — ask an administrator")
            elif status == 403:
                kind = CovKind.NOT_AUTHORISED
                text = _("This practice (AGB {agb}) is not authorised for COV — ask an administrator").format(
                    agb=self._agb
                )
            elif status == 400:
                kind = CovKind.REQUEST_INVALID
                text = _("COV rejected the request as invalid — not verified; please report this")
            else:
                kind = CovKind.TECHNICAL_FAILURE
                text = _("COV answered with an unexpected HTTP {status} — not verified").format(status=status)
            return self._finish(kind, text, attempts, day, http_status=status, raw=payload)

    @staticmethod
    def _finish(
        kind: CovKind,
        message: str,
        attempts: list[Attempt],
        day: date,
        *,
        http_status: int | None = None,
        raw: dict[str, Any] | None = None,
    ) -> CovOutcome:
        return CovOutcome(
            kind=kind,
            verified=False,
            message=message,
            request_id=attempts[-1].request_id if attempts else None,
            http_status=http_status,
            raw=raw,
            peildatum=day,
            attempts=tuple(attempts),
        )

    def _coverage(self, item: Mapping[str, Any]) -> Coverage:
        uzovi = str(item.get("uzovi") or "").zfill(4)
        name = item.get("verzekeraarNaam") or self._insurer_names.get(uzovi)
        result = item.get("resultaat")
        return Coverage(
            uzovi=uzovi,
            insurer_name=name,
            policy_number=item.get("verzekerdennummer"),
            soort=item.get("soortVerzekering"),
            package=item.get("pakketnaam") or item.get("labelnaam"),
            package_code=item.get("pakketcode"),
            start=_parse_date(item.get("ingangsdatum")),
            end=_parse_date(item.get("einddatum")),
            active=result == "Actief",
            authorised=result != "NietGeautoriseerdVoorZorgverzekeraar",
            label=item.get("labelnaam"),
        )

    def _interpret(self, payload: dict[str, Any], day: date, attempts: list[Attempt]) -> CovOutcome:
        """Map a 200 answer onto one outcome (§5.3)."""
        base: dict[str, Any] = {
            "request_id": attempts[-1].request_id,
            "http_status": 200,
            "raw": payload,
            "peildatum": day,
            "attempts": tuple(attempts),
        }
        p = format_date(day)

        def unverified(kind: CovKind, message: str, **extra: Any) -> CovOutcome:
            return CovOutcome(kind=kind, verified=False, message=message, **base, **extra)

        message_result = payload.get("resultaat")
        results = payload.get("zoekresultaten")
        if message_result != "VerzoekAkkoord" or not isinstance(results, list) or not results:
            return unverified(
                CovKind.INVALID_SEARCH,
                _("COV could not run this search ({reason}) — not verified").format(
                    reason=message_result or _("empty answer")
                ),
            )
        result = next(
            (r for r in results if isinstance(r, dict) and r.get("volgnummer") == 1),
            results[0] if isinstance(results[0], dict) else {},
        )
        search_result = result.get("resultaat")
        simple = {
            "BsnOnbekend": (
                CovKind.BSN_UNKNOWN,
                _("BSN not known to COV — check the BSN with the client's ID document"),
            ),
            "BsnVoldoetNietAanElfProef": (
                CovKind.BSN_INVALID,
                _("BSN fails the 11-test according to COV — check the number"),
            ),
            "CombinatieBsnGeboortedatumOnbekend": (
                CovKind.BSN_BIRTHDATE_MISMATCH,
                _("BSN and date of birth do not match in COV — check both with the client's ID document"),
            ),
            "Peildatum2JaarOfOuder": (
                CovKind.PEILDATUM_TOO_OLD,
                _("Reference date {date} is 2 years or more in the past; COV cannot check it").format(date=p),
            ),
            "GeenGeldigZoekpad": (
                CovKind.INVALID_SEARCH,
                _("COV could not run this search (no valid search path) — not verified"),
            ),
            "MeerdereZoekpadenOpgegeven": (
                CovKind.INVALID_SEARCH,
                _("COV could not run this search (more than one search path) — not verified"),
            ),
            "MeerderePersonenGevonden": (
                CovKind.INVALID_SEARCH,
                _("COV found more than one person for this search — not verified; search by BSN"),
            ),
        }
        if search_result in simple:
            kind, text = simple[search_result]
            return unverified(kind, text)
        if search_result == "NietGevonden":
            return CovOutcome(
                kind=CovKind.NOT_INSURED,
                verified=True,
                message=_("Not insured on {date}: COV found no coverage").format(date=p),
                **base,
            )
        if search_result not in ("Gevonden", "GevondenPeildatumInToekomst"):
            return unverified(
                CovKind.TECHNICAL_FAILURE,
                _("COV gave an unknown result ({result}) — not verified").format(result=search_result),
            )
        person = result.get("verzekerde")
        if not isinstance(person, dict):
            return unverified(
                CovKind.TECHNICAL_FAILURE, _("COV reported a match without the insured person — not verified")
            )
        future = search_result == "GevondenPeildatumInToekomst"
        coverages = tuple(self._coverage(item) for item in person.get("verzekeringen") or [] if isinstance(item, dict))
        deceased = bool(person.get("overleden"))
        extra: dict[str, Any] = {
            "coverages": coverages,
            "future_peildatum": future,
            "deceased": deceased,
            "person_name": _person_name(person),
        }
        suffix = (
            " " + _("(reference date {date} is in the future — the answer may change by then)").format(date=p)
            if future
            else ""
        )
        active_basic = [c for c in coverages if c.active and c.is_basic]
        active_other = [c for c in coverages if c.active and not c.is_basic]
        hidden = [c for c in coverages if not c.authorised]

        if deceased:
            return unverified(
                CovKind.DECEASED,
                _("COV reports this person as deceased — check BSN and date of birth; not verified") + suffix,
                **extra,
            )
        double = person.get("resultaat") == "DubbeleActieveVerzekeringenGevonden" or (
            len({c.uzovi for c in active_basic}) > 1
        )
        if double:
            listed = _("; and ").join(_coverage_phrase(c) for c in active_basic) or _("details missing")
            return CovOutcome(
                kind=CovKind.DOUBLE_INSURED,
                verified=True,
                message=_("Double insured — check with the client which policy applies: {list}").format(list=listed)
                + suffix,
                **base,
                **extra,
            )
        if active_basic:
            basic = active_basic[0]
            text = _("Insured: {coverage}").format(coverage=_coverage_phrase(basic))
            kind = CovKind.INSURED
            if active_other:
                kind = CovKind.MULTIPLE_COVERAGES
                text += "; " + _("also {products} cover").format(
                    products=", ".join(_soort_words(c.soort) for c in active_other)
                )
            return CovOutcome(kind=kind, verified=True, message=text + suffix, proposed=basic, **base, **extra)
        if hidden:
            insurers = ", ".join(c.insurer_display for c in hidden)
            return unverified(
                CovKind.NOT_AUTHORISED_FOR_INSURER,
                _(
                    "Coverage found at {insurers}, but this practice may not see its details — "
                    "not verified; ask the client for the policy"
                ).format(insurers=insurers)
                + suffix,
                **extra,
            )
        if active_other:
            text = _("Not insured on {date}: no active basic cover, only {products}").format(
                date=p, products=", ".join(_soort_words(c.soort) for c in active_other)
            )
        else:
            closed = sorted(
                (c for c in coverages if c.is_basic), key=lambda c: c.end or date.min, reverse=True
            ) or sorted(coverages, key=lambda c: c.end or date.min, reverse=True)
            if closed:
                last = closed[0]
                text = _("Not insured on {date}: last {soort} policy {policy} at {insurer}").format(
                    date=p,
                    soort=_soort_words(last.soort),
                    policy=last.policy_number or "?",
                    insurer=last.insurer_display,
                )
                if last.end is not None:
                    text += " " + _("ended {date}").format(date=format_date(last.end))
            else:
                text = _("Not insured on {date}: COV found no coverage").format(date=p)
        return CovOutcome(kind=CovKind.NOT_INSURED, verified=True, message=text + suffix, **base, **extra)


def _person_name(person: Mapping[str, Any]) -> str | None:
    parts = [person.get("voorletters"), person.get("voorvoegsel1"), person.get("achternaam1")]
    if person.get("achternaam2"):
        parts += ["-", person.get("voorvoegsel2"), person.get("achternaam2")]
    words = [str(p) for p in parts if p]
    return " ".join(words).replace(" - ", "-") or None
