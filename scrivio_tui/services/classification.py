"""Record a care-demand classification (zorgvraagtypering) on a trajectory, and the live advice for the dialog.

The advice is always recomputed here with the model in force on the effective date: numbers shown in the
dialog are a preview, never what is stored. Each save adds a period; nothing is overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import field_validator, model_validator

from scrivio_tui.i18n import _
from scrivio_tui.services.base import (
    CLIENTS_READ_ALL,
    TRAJECTORIES_CREATE,
    TRAJECTORIES_UPDATE,
    Actor,
    Result,
    audit,
    invalid,
    refuse,
)
from scrivio_tui.store import queries
from scrivio_tui.store import schemas as _schemas
from scrivio_tui.store.db import Database
from scrivio_tui.store.models import CareTrajectory, ClassificationPeriod
from scrivio_tui.store.schemas import _Input, format_date, parse_date, validate
from scrivio_tui.zorgvraag import (
    ITEM_CODES,
    MAIN_GROUPS,
    Advice,
    DynamicStep,
    Model,
    ModelRegistry,
    NoModelError,
    TableError,
    advise,
    advise_partial,
    care_demand_type,
    group_type_codes,
    item_code,
    load_models,
    main_group,
    next_dynamic_step,
    review_due_date,
)

ACTION = "classification.record"
ROUTES = ("full", "dynamic")
FALLBACK_REASONS = ("no_advice", "sample")


# ---------------------------------------------------------------- models (cached)


@lru_cache(maxsize=8)
def _registry(tables_dir: str | None, _stamp: float) -> ModelRegistry:
    return load_models([Path(tables_dir)] if tables_dir else [])


def models(settings_tables_dir: Path | str | None = None) -> ModelRegistry:
    """The shipped stand-in plus the official tables installed in ``settings.tables_dir``.

    Loaded once per state of that folder: `zvt import-tables` renames a new set into it, which changes
    its mtime, so a running app picks up freshly installed tables on the next classification.
    """
    folder = Path(settings_tables_dir) if settings_tables_dir else None
    stamp = folder.stat().st_mtime if folder is not None and folder.is_dir() else 0.0
    return _registry(str(folder) if folder else None, stamp)


def reload_models() -> None:
    """Forget the loaded tables (after `zvt import-tables`)."""
    _registry.cache_clear()


def model_for(on: date, settings_tables_dir: Path | str | None = None) -> Model:
    """The model version in force on ``on`` (NoModelError when none is)."""
    return models(settings_tables_dir).model_for(on)


def advice_for(main_group_code: str, answers: Mapping[str, int | None], *, on: date | None = None,
               tables_dir: Path | str | None = None, model: Model | None = None) -> Advice:
    """Live advice for the dialog's panel: pure compute, no database; unanswered items add nothing."""
    chosen = model if model is not None else model_for(on or _schemas.today(), tables_dir)
    return advise_partial(chosen, main_group_code, answers)


def advice_rows(advice: Advice) -> list[dict[str, object]]:
    """The advice as stored with the typing: every type of the group, full-precision percentage."""
    return [{"type": str(r.code), "name": r.name_en, "percentage": r.percentage, "excluded": r.excluded}
            for r in advice.ranked]


# ---------------------------------------------------------------- input schema


def normalise_answers(v: Any) -> dict[str, int]:
    """{item key: score} as typed → {HVnn: 0–4} in item order, open items left out; ValueError if malformed."""
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise ValueError(_("Answers are a score 0–4 per HoNOS+ item"))
    out: dict[str, int] = {}
    for key, value in v.items():
        try:
            code = item_code(key)
        except ValueError:
            raise ValueError(_("{key} is not a HoNOS+ item (HV01–HV19)").format(key=key)) from None
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, bool) or str(value).strip() not in ("0", "1", "2", "3", "4"):
            raise ValueError(_("{code}: a score is 0, 1, 2, 3 or 4").format(code=code))
        out[code] = int(str(value).strip())
    return {c: out[c] for c in ITEM_CODES if c in out}


class ClassificationInput(_Input):
    """One typing as the dialog hands it in (spec zorgvraagtypering §6, onboarding §6)."""

    main_group: str | None = None
    route: str | None = None
    answers: dict[str, int] | None = None
    asked: list[str] | None = None
    fallback: str | None = None
    chosen_type: str | None = None
    deviation_reason: str | None = None
    effective_date: date | None = None
    reason: str | None = None

    @field_validator("main_group")
    @classmethod
    def _group(cls, v: str | None) -> str:
        if v is None:
            raise ValueError(_("Choose the main group: X, Y or Z"))
        code = v.upper()
        if code not in MAIN_GROUPS:
            raise ValueError(_("Main group is X (non-psychotic), Y (psychotic) or Z (cognitive)"))
        return code

    @field_validator("route")
    @classmethod
    def _route(cls, v: str | None) -> str:
        route = (v or "full").lower()
        if route not in ROUTES:
            raise ValueError(_("Route is full or dynamic"))
        return route

    @field_validator("answers", mode="before")
    @classmethod
    def _answers(cls, v: Any) -> dict[str, int]:
        return normalise_answers(v)

    @field_validator("asked", mode="before")
    @classmethod
    def _asked(cls, v: Any) -> list[str] | None:
        if v is None:
            return None
        try:
            return [item_code(k) for k in v]
        except (TypeError, ValueError):
            raise ValueError(_("The asked items are HoNOS+ item codes")) from None

    @field_validator("fallback")
    @classmethod
    def _fallback(cls, v: str | None) -> str | None:
        if v is not None and v not in FALLBACK_REASONS:
            raise ValueError(_("Fallback is no_advice or sample"))
        return v

    @field_validator("chosen_type", mode="before")
    @classmethod
    def _chosen(cls, v: Any) -> str:
        if v is None or (isinstance(v, str) and not v.strip()):
            raise ValueError(_("Choose the care-demand type"))
        try:
            return str(care_demand_type(str(v).strip()).code)
        except ValueError:
            raise ValueError(_("Choose a care-demand type from the list (1–8, 10–21)")) from None

    @field_validator("effective_date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> date | None:
        return parse_date(v)

    @field_validator("effective_date")
    @classmethod
    def _date_required(cls, v: date | None) -> date:
        if v is None:
            raise ValueError(_("Required"))
        return v

    @model_validator(mode="after")
    def _type_in_group(self) -> ClassificationInput:
        if self.main_group and self.chosen_type and int(self.chosen_type) not in group_type_codes(self.main_group):
            codes = group_type_codes(self.main_group)
            raise ValueError("chosen_type:" + _("Choose a type of main group {g} ({lo}–{hi}); to pick another "
                                                "type, change the main group first").format(
                g=self.main_group, lo=codes[0], hi=codes[-1]))
        return self


# ---------------------------------------------------------------- the route outcome


@dataclass(frozen=True)
class Outcome:
    """What the answers amount to on the chosen route: the advice to store, or the items still needed."""

    kind: Literal["full", "dynamic"]
    advice: Advice | None = None
    suggested_type: int | None = None
    fallback: str | None = None
    missing: tuple[str, ...] = ()
    not_asked: tuple[str, ...] = ()

    @property
    def advised_type(self) -> int | None:
        if self.kind == "dynamic":
            return self.suggested_type
        return self.advice.top.code if self.advice and self.advice.top else None


def dynamic_progress(model: Model, group: str, answers: Mapping[str, int]) -> tuple[list[str], DynamicStep]:
    """Replay the dynamic route on the answers so far: the items it asked (in order) and its next step."""
    code = main_group(group).code
    given: dict[str, int] = {}
    step = next_dynamic_step(model, code, given)
    while step.kind == "ask" and step.item is not None and step.item in answers:
        given[step.item] = answers[step.item]
        step = next_dynamic_step(model, code, given)
    return list(given), step


def route_outcome(model: Model, group: str, route: str, answers: Mapping[str, int],
                  fallback: str | None = None) -> Outcome:
    """Replay the route on the answers: the full route needs all 19; the dynamic route its asked items, and
    all 19 once it fell back (no advice reached, or the 5 % sample)."""
    code = main_group(group).code
    if route == "dynamic":
        asked, step = dynamic_progress(model, code, answers)
        given = {c: answers[c] for c in asked}
        if step.kind == "ask":
            assert step.item is not None
            return Outcome("dynamic", missing=(step.item,))
        if step.kind == "advice" and fallback != "sample":
            extra = tuple(c for c in answers if c not in given)
            if extra:
                return Outcome("dynamic", not_asked=extra)
            return Outcome("dynamic", advice=advise_partial(model, code, given), suggested_type=step.type_code)
        reason = "sample" if step.kind == "advice" else "no_advice"
        missing = tuple(c for c in ITEM_CODES if c not in answers)
        if missing:
            return Outcome("full", missing=missing, fallback=reason)
        return Outcome("full", advice=advise(model, code, answers), fallback=reason)
    missing = tuple(c for c in ITEM_CODES if c not in answers)
    if missing:
        return Outcome("full", missing=missing)
    return Outcome("full", advice=advise(model, code, answers))


def _missing_errors(outcome: Outcome) -> dict[str, str]:
    errors: dict[str, str] = {}
    if outcome.not_asked:
        errors["answers"] = _("The dynamic route did not ask {items}; clear them or use the full route").format(
            items=", ".join(outcome.not_asked))
        return errors
    if outcome.kind == "dynamic":
        errors["answers"] = _("The dynamic route asks {item} next — give it a score 0–4").format(
            item=outcome.missing[0])
    elif outcome.fallback:
        errors["answers"] = _("The dynamic route moved to the full route: {n} of 19 items still open").format(
            n=len(outcome.missing))
    else:
        errors["answers"] = _("The full route needs all 19 items: {n} still open").format(n=len(outcome.missing))
    for code in outcome.missing:
        errors[code.lower()] = _("Required: score 0–4")
    return errors


def _open_items(raw: Mapping[str, Any], errors: Mapping[str, str], tables_dir: Path | str | None) -> dict[str, str]:
    """When other fields fail too, still name the open items, so everything to fix is shown at once."""
    if {"main_group", "route", "answers", "fallback"} & set(errors):
        return {}
    try:
        group = main_group(str(raw.get("main_group") or "")).code
        answers = normalise_answers(raw.get("answers"))
        model = model_for(_schemas.today(), tables_dir)
    except (ValueError, LookupError):
        return {}
    route = str(raw.get("route") or "full").lower()
    outcome = route_outcome(model, group, route, answers, raw.get("fallback"))
    if outcome.missing or outcome.not_asked:
        return _missing_errors(outcome)
    return {}


# ---------------------------------------------------------------- the use case


def record_classification(db: Database, actor: Actor, trajectory_id: int, raw: dict[str, Any], *,
                          tables_dir: Path | str | None = None) -> Result[ClassificationPeriod]:
    """Write a new classification period with the server-computed advice; the first typing needs
    care_trajectories.create (it is part of creating), a recalibration care_trajectories.update."""
    if not (actor.can(TRAJECTORIES_CREATE) or actor.can(TRAJECTORIES_UPDATE)):
        return refuse(db, actor, TRAJECTORIES_CREATE, ACTION, "C")
    with db.read() as session:
        trajectory = session.get(CareTrajectory, trajectory_id)
        visible = trajectory is not None and queries.is_visible(
            session, trajectory.client_id, actor.user_id, actor.can(CLIENTS_READ_ALL))
        previous = queries.classification_history(session, trajectory_id) if visible else []
    if trajectory is None or not visible:
        return invalid({"__all__": _("This care trajectory does not exist or is not visible to you")})
    needed = TRAJECTORIES_UPDATE if previous else TRAJECTORIES_CREATE
    if not actor.can(needed):
        return refuse(db, actor, needed, ACTION, "C", trajectory.client_id)

    data, errors = validate(ClassificationInput, raw)
    if errors:
        return invalid({**errors, **_open_items(raw, errors, tables_dir)})
    assert isinstance(data, ClassificationInput)
    assert data.main_group and data.route and data.chosen_type and data.effective_date
    answers = data.answers or {}
    on = data.effective_date
    if on < trajectory.start_date:
        return invalid({"effective_date": _("Effective date is before the trajectory start ({d})").format(
            d=format_date(trajectory.start_date))})
    if trajectory.end_date and on > trajectory.end_date:
        return invalid({"effective_date": _("Effective date is after the trajectory end ({d})").format(
            d=format_date(trajectory.end_date))})
    if previous and on < previous[-1].valid_from:
        return invalid({"effective_date": _("Effective date is before the previous classification ({d})").format(
            d=format_date(previous[-1].valid_from))})
    try:
        model = model_for(on, tables_dir)
    except (NoModelError, TableError):
        return invalid({"effective_date": _("No classification model is in force on {d}").format(
            d=format_date(on))})

    outcome = route_outcome(model, data.main_group, data.route, answers, data.fallback)
    if outcome.missing or outcome.not_asked or outcome.advice is None:
        return invalid(_missing_errors(outcome))
    advised = outcome.advised_type
    if advised is not None and int(data.chosen_type) != advised and not data.deviation_reason:
        return invalid({"deviation_reason": _("The chosen type differs from the advice ({t}): say briefly why")
                        .format(t=advised)})

    if outcome.kind == "dynamic":
        info = care_demand_type(advised) if advised is not None else None
        advice: list[dict[str, object]] = [{"type": str(advised), "name": info.name_en if info else "",
                                            "percentage": None, "suggested": True}]
        stored_answers = {c: answers[c] for c in (data.asked or []) if c in answers}
        stored_answers.update({c: s for c, s in answers.items() if c not in stored_answers})
    else:
        advice = advice_rows(outcome.advice)
        stored_answers = dict(answers)
    chosen = int(data.chosen_type)
    with db.transaction() as session:
        latest = queries.classification_history(session, trajectory_id)
        if len(latest) != len(previous) and not actor.can(TRAJECTORIES_UPDATE):
            return invalid({"__all__": _("Someone classified this trajectory meanwhile; recalibrating needs "
                                         "care_trajectories.update")})
        period = ClassificationPeriod(
            trajectory_id=trajectory_id, main_group=data.main_group, route=data.route, answers=stored_answers,
            model_version=model.version, advice=advice,
            advised_type=str(advised) if advised is not None else None, chosen_type=str(chosen),
            deviation_reason=data.deviation_reason if advised is not None and chosen != advised else None,
            valid_from=on, reason=data.reason, review_due=review_due_date(chosen, on),
            asked=list(data.asked) if data.route == "dynamic" and data.asked else None,
            fallback_reason=outcome.fallback, recorded_by=actor.user_id)
        session.add(period)
        session.flush()
        filled = ["main_group", "route", "answers", "model_version", "advice", "advised_type", "chosen_type",
                  "valid_from", "review_due"]
        filled += [k for k in ("deviation_reason", "reason") if getattr(period, k)]
        audit(session, actor, ACTION, "C", client_id=trajectory.client_id, object_type="classification_period",
              object_id=period.id, fields=filled)
    message = _("Classification saved: type {t}, review by {d}.").format(
        t=chosen, d=format_date(period.review_due))
    return Result(value=period, message=message)

