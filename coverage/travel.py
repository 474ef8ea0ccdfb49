"""The travel model: how far a hub reaches in the same-day and next-day windows.

Two modes, both set per scenario (see ``coverage/defaults.py`` for the calibrated
defaults and their sources):

``drive``
    drive minutes = great-circle miles x ``circuity`` / ``speed_mph`` x 60, compared
    with the thresholds in minutes.  Because minutes grow linearly with miles, a
    threshold in minutes is a great-circle radius: ``minutes * speed / 60 / circuity``.
``radius``
    great-circle miles compared with ``same_day_miles`` and ``next_day_miles``.

Either way the engine only ever compares great-circle miles with two radii, which is
what lets it tier 4,000 communities in microseconds.  No road, no coverage: a hub
never covers a community on another landmass (``coverage/landmass.py``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from coverage import defaults

MODES = ("drive", "radius")
TIERS = ("same_day", "next_day", "none")


@dataclass(frozen=True)
class TravelModel:
    """Thresholds and travel settings of a scenario; all distances are great-circle miles."""

    mode: str = defaults.TRAVEL_MODE
    circuity: float = defaults.CIRCUITY
    speed_mph: float = defaults.SPEED_MPH
    same_day_minutes: float = defaults.SAME_DAY_MINUTES
    next_day_minutes: float = defaults.NEXT_DAY_MINUTES
    same_day_miles: float = defaults.SAME_DAY_MILES
    next_day_miles: float = defaults.NEXT_DAY_MILES

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"travel mode must be one of {MODES}, not {self.mode!r}")
        for name in ("circuity", "speed_mph", "same_day_minutes", "next_day_minutes",
                     "same_day_miles", "next_day_miles"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
                raise ValueError(f"{name} must be a positive number, not {value!r}")
        if self.circuity < 1:
            raise ValueError(f"circuity is road miles per great-circle mile and cannot be below 1, not {self.circuity}")
        if self.same_day_minutes > self.next_day_minutes:
            raise ValueError("same_day_minutes cannot exceed next_day_minutes")
        if self.same_day_miles > self.next_day_miles:
            raise ValueError("same_day_miles cannot exceed next_day_miles")

    def minutes_to_miles(self, minutes: float) -> float:
        """Great-circle miles that the drive model covers in ``minutes``."""
        return minutes * self.speed_mph / 60.0 / self.circuity

    def drive_minutes(self, miles):
        """The drive model's minutes for great-circle ``miles`` (array or scalar)."""
        return np.asarray(miles, dtype=float) * self.circuity / self.speed_mph * 60.0

    @property
    def threshold_miles(self) -> tuple[float, float]:
        """(same-day, next-day) great-circle radii in miles for the current mode."""
        if self.mode == "radius":
            return float(self.same_day_miles), float(self.next_day_miles)
        return self.minutes_to_miles(self.same_day_minutes), self.minutes_to_miles(self.next_day_minutes)

    def as_dict(self) -> dict:
        """Every setting, defaults filled in (the CLI's ``settings``)."""
        return asdict(self)
