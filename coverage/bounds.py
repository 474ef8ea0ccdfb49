"""The sane range of every number a planner can type or upload, declared once, with its unit and reason.

A scenario setting's bound is declared with the setting (``coverage/settings.py``, which
imports this module, never the other way round); the numbers that are not settings (a
population, a latitude, a time limit) are declared here.

The scenario validator, the loaders, the travel matrix and the command line's flags
all check a number through its :class:`Bound` here, so a value is refused with the
same words everywhere, and the message states the range:
``costs.capex_usd.new: 1e+308 must be at most 10,000,000,000 (from 0 to 10,000,000,000 USD;
more than twice the whole $4B programme)``.

Bounds are far wider than any real plan needs: they are there so that no typo or
hostile file can overflow a total (a population of 9,223,372,036,854,775,808 once
turned a total negative) or print "$infM", not to second-guess a planner.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from coverage.errors import InputError, Problem


def _digits(value: int) -> int:
    """How many digits a whole number has, without writing it out (Python refuses to for 4,300 digits or more)."""
    return int(math.log10(abs(value))) + 1 if value else 1


def figure(value: float) -> str:
    """A bound or value as a planner reads it: ``86,400``, ``0.5``, ``1e+30``."""
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) < 10 ** 15:
            return f"{value:,}"
        return f"a number of {_digits(value):,} digits"
    if isinstance(value, float) and math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:g}" if isinstance(value, float) else str(value)


def shown(value: Any) -> str:
    """A value as the planner wrote it (JSON spelling for text, booleans and non-finite numbers), shortened."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, int) and abs(value) >= 10 ** 40:
            return f"a number of {_digits(value):,} digits"
        if isinstance(value, float) and not math.isfinite(value):
            return "NaN" if math.isnan(value) else ("inf" if value > 0 else "-inf")
        return str(value)
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError, RecursionError):
        text = type(value).__name__
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass(frozen=True)
class Bound:
    """A number's range: ``minimum`` (exclusive when ``above``) to ``maximum`` in ``unit``, and why."""

    key: str
    minimum: float
    maximum: float
    unit: str
    reason: str
    above: bool = False       # the minimum itself is not allowed (a speed of 0)
    integer: bool = False     # a whole number (people)

    def range_text(self) -> str:
        """``from 0 to 1 share`` or ``above 0 to 86,400 seconds``."""
        start = "above" if self.above else "from"
        return f"{start} {figure(self.minimum)} to {figure(self.maximum)} {self.unit}".rstrip()

    def check(self, value: Any) -> float:
        """The value (an int stays an int) when it is a number in range; ValueError with the message otherwise."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{shown(value)} is not a number ({self.range_text()})")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{shown(value)} is not a number ({self.range_text()})")
        if self.integer and value != int(value):
            raise ValueError(f"{shown(value)} is not a whole number ({self.range_text()})")
        if self.above and not value > self.minimum:
            raise ValueError(f"{shown(value)} must be more than {figure(self.minimum)} ({self.range_text()})")
        if value < self.minimum:
            raise ValueError(f"{shown(value)} must be at least {figure(self.minimum)} ({self.range_text()})")
        if value > self.maximum:
            raise ValueError(f"{shown(value)} must be at most {figure(self.maximum)} ({self.range_text()}; "
                             f"{self.reason})")
        return value

    def check_flag(self, flag: str, value: Any) -> float:
        """The value of a command-line flag, or InputError naming the flag."""
        try:
            return self.check(value)
        except ValueError as error:
            raise InputError(Problem(str(error), column=flag)) from None


#: The bounds of numbers that are not scenario settings; a setting's bound is declared with it in
#: ``coverage/settings.py`` (one declaration: key, type, unit, bounds, default, help, source).
OWN: dict[str, Bound] = {bound.key: bound for bound in (
    Bound("matrix.minutes", 0, 10_000, "minutes", "a week of driving; the longest US drive takes about two days"),
    # -- places and people ----------------------------------------------------------------------------
    Bound("lat", -90, 90, "degrees", "latitude"),
    Bound("lon", -180, 180, "degrees", "longitude"),
    Bound("population", 0, 50_000_000, "people", "more than any US county (Los Angeles County has 9.7 million)",
          integer=True),
    # -- runs -------------------------------------------------------------------------------------------
    Bound("optimize.time_limit_s", 0, 86_400, "seconds", "a day", above=True),
    Bound("sweep.workers", 1, 1_024, "worker processes", "more than a cluster of 1,024 cores needs", integer=True),
    Bound("roads.limit_minutes", 0, 48 * 60, "minutes", "two days, the longest next-day threshold", above=True),
    Bound("roads.max_snap_km", 0, 100, "km", "a point farther from any road is not on the road network",
          above=True),
    Bound("roads.speed_mph", 0, 100, "mph", "no road class averages more", above=True),
)}


def bound(key: str) -> Bound:
    """The bound of a number that is not a scenario setting (``population``, ``optimize.time_limit_s``); a setting's
    is ``coverage.settings.bound(key)``."""
    return OWN[key]
