"""Local COV simulator: the JSON contract of dutch-standards.md §5 with the deterministic table of §5.5.

Stdlib only. Persons come from ``cov_fixtures.json`` (plus an optional extra file that adds or
overrides persons by BSN); every UZOVI code must be in ``scrivio_tui/data/uzovi.csv``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from scrivio_tui.simulators._server import (
    JsonHandler,
    RunningServer,
    SimServer,
    block_until_interrupted,
    uzovi_names,
)

__all__ = [
    "DEFAULT_COV_PORT",
    "DEFAULT_COV_TOKEN",
    "FORBIDDEN_TOKEN",
    "load_cov_fixtures",
    "run_cov_simulator",
    "start_cov_simulator",
]

DEFAULT_COV_PORT = 8765
DEFAULT_COV_TOKEN = "sim-cov-token"
FORBIDDEN_TOKEN = "forbidden-agb"
"""A token the simulator answers with 403 (AGB not authorised for COV)."""

_DIGITS9 = re.compile(r"^\d{9}$")
_RELATIVE = re.compile(r"^@(peildatum|jan1)(?:([+-])(\d+)d)?$")
_VERZEKERING_FIELDS = (
    "verzekerdennummer",
    "soortVerzekering",
    "pakketcode",
    "pakketnaam",
    "labelcode",
    "labelnaam",
)


def _elfproef(bsn: str) -> bool:
    """The BSN 11-test (stdlib only, so the simulator needs nothing from python-stdnum)."""
    if not _DIGITS9.match(bsn) or bsn == "000000000":
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(w * int(d) for w, d in zip(weights, bsn, strict=True)) % 11 == 0


def load_cov_fixtures(extra: Path | None = None) -> dict[str, dict[str, Any]]:
    """Persons by BSN: the shipped fixtures, then ``extra`` adding/overriding by BSN.

    Raises ValueError for a UZOVI code that is not in the insurer table.
    """
    shipped = resources.files("scrivio_tui.simulators").joinpath("cov_fixtures.json").read_text("utf-8")
    persons: dict[str, dict[str, Any]] = {}
    sources = [json.loads(shipped)]
    if extra is not None:
        sources.append(json.loads(Path(extra).read_text(encoding="utf-8")))
    names = uzovi_names()
    for source in sources:
        for person in source.get("persons", []):
            bsn = str(person["bsn"])
            for item in person.get("verzekeringen", []):
                if str(item.get("uzovi")).zfill(4) not in names:
                    raise ValueError(f"COV fixture {bsn}: UZOVI {item.get('uzovi')!r} is not in uzovi.csv")
            persons[bsn] = person
    return persons


def _resolve_date(value: Any, peildatum: date) -> str | None:
    if value is None:
        return None
    text = str(value)
    match = _RELATIVE.match(text)
    if match is None:
        return date.fromisoformat(text).isoformat()
    base_name, sign, days = match.groups()
    base = peildatum if base_name == "peildatum" else date(peildatum.year, 1, 1)
    offset = timedelta(days=int(days or 0))
    return (base - offset if sign == "-" else base + offset).isoformat()


class CovState:
    """What the COV handler needs besides the token: fixtures, deny list and the clock."""

    def __init__(
        self,
        persons: Mapping[str, dict[str, Any]],
        deny_agb: Iterable[str],
        today: Callable[[], date],
    ) -> None:
        self.persons = dict(persons)
        self.deny_agb = frozenset(deny_agb)
        self.today = today


class CovServer(SimServer):
    state: CovState


class CovHandler(JsonHandler):
    """``POST /cov/v1/controleer`` and ``GET /cov/v1/health``."""

    server: CovServer

    def route(self, method: str, path: str) -> None:
        if path == "/cov/v1/health" and method == "GET":
            self.send_json(200, {"status": "ok"})
            return
        if path != "/cov/v1/controleer":
            self.send_error_body(404, "NIET_GEVONDEN", "Unknown path")
            return
        if method != "POST":
            self.send_error_body(405, "METHODE_NIET_TOEGESTAAN", "Use POST")
            return
        token = self.bearer_token()
        if token == FORBIDDEN_TOKEN:
            self.send_error_body(403, "NIET_GEAUTORISEERD", "AGB not authorised for COV")
            return
        if token is None or token != self.server.token:
            self.send_error_body(401, "NIET_GEAUTHENTICEERD", "Missing or unknown token")
            return
        try:
            request = self.read_json()
        except (ValueError, UnicodeDecodeError):
            self.send_error_body(400, "VALIDATIE", "Body is not valid JSON")
            return
        problems = _schema_problems(request)
        if problems:
            self.send_error_body(400, "VALIDATIE", "Request does not match the schema", details=problems)
            return
        provider = request["zorgaanbieder"]
        agb = f"{provider['agbZorgverlenersoort']}{provider['agbNummer']}"
        if agb in self.server.state.deny_agb:
            self.send_error_body(403, "NIET_GEAUTORISEERD", "AGB not authorised for COV")
            return
        searches = request["zoekopdrachten"]
        if not searches:
            self.send_json(200, self._envelope("GeenZoekopdrachten", []))
            return
        if len(searches) > 20:
            self.send_json(200, self._envelope("MeerDan20Zoekopdrachten", []))
            return
        self.send_json(200, self._envelope("VerzoekAkkoord", [self._search(s) for s in searches]))

    def _envelope(self, resultaat: str, results: list[dict[str, Any]]) -> dict[str, Any]:
        return {"resultaat": resultaat, "requestId": self.request_id, "zoekresultaten": results}

    def _search(self, search: Mapping[str, Any]) -> dict[str, Any]:
        state = self.server.state
        out: dict[str, Any] = {
            "volgnummer": search["volgnummer"],
            "resultaat": None,
            "referentieZorgaanbieder": search.get("referentieZorgaanbieder"),
            "verzekerde": None,
        }
        paths = [
            search.get("bsn") is not None,
            search.get("verzekerdennummer") is not None,
            search.get("postcode") is not None or search.get("huisnummer") is not None,
        ]
        if sum(paths) > 1:
            out["resultaat"] = "MeerdereZoekpadenOpgegeven"
            return out
        if sum(paths) == 0 or (paths[2] and (not search.get("postcode") or not search.get("huisnummer"))):
            out["resultaat"] = "GeenGeldigZoekpad"
            return out
        born = date.fromisoformat(search["geboortedatum"])
        peildatum = date.fromisoformat(search["peildatum"])
        today = state.today()
        bsn = search.get("bsn")
        if bsn is not None and not _elfproef(bsn):
            out["resultaat"] = "BsnVoldoetNietAanElfProef"
            return out
        if peildatum <= _two_years_before(today):
            out["resultaat"] = "Peildatum2JaarOfOuder"
            return out
        person = self._find(search)
        if person is None:
            out["resultaat"] = "BsnOnbekend" if bsn is not None else "NietGevonden"
            return out
        if date.fromisoformat(person["geboortedatum"]) != born:
            out["resultaat"] = "CombinatieBsnGeboortedatumOnbekend" if bsn is not None else "NietGevonden"
            return out
        if person.get("found", True) is False:
            out["resultaat"] = "NietGevonden"
            return out
        out["resultaat"] = "GevondenPeildatumInToekomst" if peildatum > today else "Gevonden"
        out["verzekerde"] = _verzekerde(person, peildatum)
        return out

    def _find(self, search: Mapping[str, Any]) -> dict[str, Any] | None:
        persons = self.server.state.persons
        if search.get("bsn") is not None:
            return persons.get(search["bsn"])
        if search.get("verzekerdennummer") is not None:
            wanted = str(search["verzekerdennummer"])
            for person in persons.values():
                if any(str(v.get("verzekerdennummer")) == wanted for v in person.get("verzekeringen", [])):
                    return person
            return None
        postcode = re.sub(r"\s", "", str(search["postcode"])).upper()
        for person in persons.values():
            if re.sub(r"\s", "", str(person.get("postcode", ""))).upper() == postcode and str(
                person.get("huisnummer")
            ) == str(search["huisnummer"]):
                return person
        return None


def _two_years_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 2)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 2, day=28)


def _verzekerde(person: Mapping[str, Any], peildatum: date) -> dict[str, Any]:
    names = uzovi_names()
    coverages: list[dict[str, Any]] = []
    for item in person.get("verzekeringen", []):
        uzovi = str(item["uzovi"]).zfill(4)
        resultaat = item.get("resultaat", "Actief")
        entry: dict[str, Any] = {"resultaat": resultaat, "uzovi": uzovi}
        if resultaat == "NietGeautoriseerdVoorZorgverzekeraar":
            # Only the UZOVI code is disclosed (§5.3); everything else stays null.
            entry.update(
                {
                    "verzekeraarNaam": None,
                    **{k: None for k in _VERZEKERING_FIELDS},
                    "ingangsdatum": None,
                    "einddatum": None,
                }
            )
        else:
            entry["verzekeraarNaam"] = names[uzovi]
            entry.update({k: item.get(k) for k in _VERZEKERING_FIELDS})
            entry["ingangsdatum"] = _resolve_date(item.get("ingangsdatum"), peildatum)
            entry["einddatum"] = _resolve_date(item.get("einddatum"), peildatum)
        coverages.append(entry)
    resultaat = person.get("verzekerdeResultaat") or _derive_resultaat(coverages)
    return {
        "resultaat": resultaat,
        "bsn": person.get("bsn"),
        "geboortedatum": person.get("geboortedatum"),
        "geslacht": person.get("geslacht", "Onbekend"),
        "codeGeslacht": person.get("codeGeslacht", 0),
        "overleden": bool(person.get("overleden", False)),
        "voorletters": person.get("voorletters"),
        "voorvoegsel1": person.get("voorvoegsel1"),
        "achternaam1": person.get("achternaam1"),
        "voorvoegsel2": person.get("voorvoegsel2"),
        "achternaam2": person.get("achternaam2"),
        "verzekeringen": coverages,
    }


def _derive_resultaat(coverages: list[dict[str, Any]]) -> str:
    basic_insurers = {
        c["uzovi"] for c in coverages if c["resultaat"] == "Actief" and c.get("soortVerzekering") == "Basis"
    }
    if len(basic_insurers) > 1:
        return "DubbeleActieveVerzekeringenGevonden"
    if coverages and all(c["resultaat"] == "Inactief" for c in coverages):
        return "InactieveVerzekeringen"
    return "ActieveVerzekeringen"


def _schema_problems(request: Any) -> list[str]:
    """Schema violations (→ 400 VALIDATIE). Business problems (0/21+ searches, bad BSN) are not here."""
    if not isinstance(request, dict):
        return ["body must be a JSON object"]
    problems: list[str] = []
    provider = request.get("zorgaanbieder")
    if not isinstance(provider, dict):
        problems.append("zorgaanbieder is required")
    else:
        if not re.fullmatch(r"\d{2}", str(provider.get("agbZorgverlenersoort") or "")):
            problems.append("zorgaanbieder.agbZorgverlenersoort must be 2 digits")
        if not re.fullmatch(r"\d{6}", str(provider.get("agbNummer") or "")):
            problems.append("zorgaanbieder.agbNummer must be 6 digits")
    searches = request.get("zoekopdrachten")
    if not isinstance(searches, list):
        return [*problems, "zoekopdrachten must be a list"]
    seen: set[int] = set()
    for index, search in enumerate(searches):
        where = f"zoekopdrachten[{index}]"
        if not isinstance(search, dict):
            problems.append(f"{where} must be an object")
            continue
        number = search.get("volgnummer")
        if not isinstance(number, int) or isinstance(number, bool):
            problems.append(f"{where}.volgnummer must be an integer")
        elif number in seen:
            problems.append(f"{where}.volgnummer {number} is not unique")
        else:
            seen.add(number)
        for key in ("geboortedatum", "peildatum"):
            try:
                date.fromisoformat(str(search.get(key)))
            except ValueError:
                problems.append(f"{where}.{key} must be a date YYYY-MM-DD")
        bsn = search.get("bsn")
        if bsn is not None and not (isinstance(bsn, str) and _DIGITS9.match(bsn)):
            problems.append(f"{where}.bsn must be a string of 9 digits")
        for key in (
            "verzekerdennummer",
            "postcode",
            "huisnummer",
            "huisnummertoevoeging",
            "referentieZorgaanbieder",
        ):
            value = search.get(key)
            if value is not None and not isinstance(value, str):
                problems.append(f"{where}.{key} must be a string or null")
    return problems


def start_cov_simulator(
    host: str = "127.0.0.1",
    port: int = 0,
    token: str = DEFAULT_COV_TOKEN,
    fixtures_path: Path | None = None,
    deny_agb: Iterable[str] = (),
    *,
    today: Callable[[], date] = date.today,
    timeout_delay: float = 20.0,
) -> RunningServer:
    """Start the COV simulator in a background thread (``port=0`` picks a free port).

    ``deny_agb``: 8-digit AGB codes answered with 403. ``timeout_delay``: how long the ``timeout``
    fault stalls (longer than the client's 15 s read timeout).
    """
    server = CovServer((host, port), CovHandler, token=token, timeout_delay=timeout_delay)
    server.state = CovState(load_cov_fixtures(fixtures_path), deny_agb, today)
    return RunningServer(server, "COV")


def run_cov_simulator(
    port: int = DEFAULT_COV_PORT,
    token: str = DEFAULT_COV_TOKEN,
    fixtures: Path | None = None,
    *,
    host: str = "127.0.0.1",
    deny_agb: Iterable[str] = (),
    announce: Callable[[str], object] = print,
) -> None:
    """Blocking entry for ``scrivio-tui simulate cov``: serve until Ctrl+C."""
    running = start_cov_simulator(host, port, token, fixtures, deny_agb)
    block_until_interrupted(running, announce)
