"""When a typing must be repeated (spec §7): the type's review period, never later than one year.

Periods come from ``data/review_periods.csv`` (MHCT maxima as ISO 8601 durations ``PnD``/``PnW``/``PnM``/
``PnY``) so the NZa table can replace them without code changes.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from .catalogue import TYPE_CODES, care_demand_type, data_dir, read_csv_rows

YEARLY_MAXIMUM_MONTHS = 12


@dataclass(frozen=True)
class Interval:
    """A calendar interval: whole months and days (weeks are stored as days)."""

    months: int = 0
    days: int = 0

    def after(self, start: date) -> date:
        """``start`` plus this interval; month ends are clamped (31 Jan + 1 month = 28/29 Feb)."""
        return add_months(start, self.months) + timedelta(days=self.days)


def parse_interval(text: str) -> Interval:
    """``P12W`` / ``P6M`` / ``P1Y`` / ``P30D`` → :class:`Interval`; ValueError otherwise."""
    match = re.fullmatch(r"P(\d+)([DWMY])", text.strip().upper())
    if not match:
        raise ValueError(f"not a review interval: {text!r} (expected e.g. P12W, P6M, P1Y)")
    n, unit = int(match.group(1)), match.group(2)
    return {"D": Interval(days=n), "W": Interval(days=7 * n), "M": Interval(months=n),
            "Y": Interval(months=12 * n)}[unit]


def add_months(start: date, months: int) -> date:
    """Calendar month arithmetic with the day clamped to the end of the target month."""
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return date(year, month + 1, day)


@cache
def review_periods() -> dict[int, Interval]:
    """Maximum review interval per type code."""
    rows = read_csv_rows(data_dir().joinpath("review_periods.csv").read_text(encoding="utf-8"))[1]
    periods = {int(r["zorgvraagtype"]): parse_interval(r["max_interval"]) for _, r in rows}
    if sorted(periods) != list(TYPE_CODES):
        raise ValueError("review_periods.csv must give an interval for every type 1–8, 10–21")
    return periods


def review_due_date(type_code: int | str, effective_date: date) -> date:
    """Latest date for the next typing: effective date + the type's review period, capped at one year."""
    code = care_demand_type(type_code).code
    by_period = review_periods()[code].after(effective_date)
    return min(by_period, add_months(effective_date, YEARLY_MAXIMUM_MONTHS))
