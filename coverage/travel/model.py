"""The travel model's settings: how far a hub reaches in the same-day and next-day windows.

Three modes, set per scenario (see ``coverage/defaults.py`` for the calibrated
defaults and their sources):

``drive``
    drive minutes = great-circle miles x ``circuity`` / ``speed_mph`` x 60, compared
    with the thresholds in minutes.  Because minutes grow linearly with miles, a
    threshold in minutes is a great-circle radius: ``minutes * speed / 60 / circuity``.
``radius``
    great-circle miles compared with ``same_day_miles`` and ``next_day_miles``.
``matrix``
    minutes from a travel-time matrix (the planner's own, or one built from an
    OpenStreetMap road network), compared with the thresholds in minutes; a pair the
    matrix does not list is unreachable.  ``matrix`` holds the fingerprint of the matrix
    the plan was made with, so that it never silently meets another.

Whatever the mode, the engine compares one number per (site, community) pair with two
limits (:attr:`TravelModel.limits`): great-circle miles for ``drive`` and ``radius``,
minutes for ``matrix``.  That is what lets it tier 4,000 communities in microseconds.
No road, no coverage: in the geometric modes a hub never covers a community on
another landmass (``coverage/landmass.py``); in matrix mode that is the matrix's business.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum

import numpy as np

from coverage import defaults


class TravelMode(StrEnum):
    """How a scenario's drive times are had, and what follows from it everywhere a mode matters.

    A mode is its text in the scenario document (``"drive"``, ``"radius"``, ``"matrix"``,
    and compares equal to it), and it answers every question the engine, the charts, the
    map and the reports ask of it, so none of them tests the mode's name:

    ``uses_matrix``
        times come from a travel-time matrix (pairs it omits are unreachable);
    ``uses_road_model``
        circuity and average speed apply (the drive-time model);
    ``in_minutes``
        the thresholds are minutes (drive, matrix) rather than great-circle miles (radius);
    ``engine_unit``
        what the engine's pair values, and its reach (``CoverageEngine.reach``), are in:
        great-circle ``miles`` for the geometric modes, ``minutes`` for a matrix;
    ``histogram_column`` / ``histogram_unit``
        the per-community column the drive-time histogram bins, and its unit;
    ``outline``
        how the map and the GIS layers draw a hub's reach: ``rings`` (great-circle circles) or
        ``lines`` (from the hub to every community a matrix lists: a circle would lie);
    ``label``
        what the app calls it.
    """

    DRIVE = "drive"
    RADIUS = "radius"
    MATRIX = "matrix"

    @property
    def uses_matrix(self) -> bool:
        return self is TravelMode.MATRIX

    @property
    def uses_road_model(self) -> bool:
        return self is TravelMode.DRIVE

    @property
    def in_minutes(self) -> bool:
        return self is not TravelMode.RADIUS

    @property
    def engine_unit(self) -> str:
        return "minutes" if self.uses_matrix else "miles"

    @property
    def histogram_column(self) -> str:
        return "drive_minutes" if self.in_minutes else "distance_miles"

    @property
    def histogram_unit(self) -> str:
        return "minutes" if self.in_minutes else "miles"

    @property
    def outline(self) -> str:
        return "lines" if self.uses_matrix else "rings"

    @property
    def label(self) -> str:
        return {"drive": "Drive time", "radius": "Radius (miles)", "matrix": "Travel matrix"}[self.value]

    @classmethod
    def by_label(cls, label: str) -> "TravelMode":
        """The mode the app's radio names ``label``."""
        return next(mode for mode in cls if mode.label == label)


MODES = tuple(mode.value for mode in TravelMode)
TIERS = ("same_day", "next_day", "none")
#: Where each setting lives in the scenario document, and what a planner calls it.
FIELDS = {"mode": "travel.mode", "circuity": "travel.circuity", "speed_mph": "travel.speed_mph",
          "same_day_minutes": "thresholds.same_day_minutes", "next_day_minutes": "thresholds.next_day_minutes",
          "same_day_miles": "travel.same_day_miles", "next_day_miles": "travel.next_day_miles",
          "matrix": "travel.matrix"}
LABELS = {"mode": "travel mode", "circuity": "circuity", "speed_mph": "average road speed",
          "same_day_minutes": "same-day threshold", "next_day_minutes": "next-day threshold",
          "same_day_miles": "same-day radius", "next_day_miles": "next-day radius", "matrix": "travel matrix"}


class TravelError(ValueError):
    """A travel setting that cannot be; ``field`` is its place in the scenario document."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class TravelModel:
    """Thresholds and travel settings of a scenario; all distances are great-circle miles."""

    mode: TravelMode = TravelMode(defaults.TRAVEL_MODE)
    circuity: float = defaults.CIRCUITY
    speed_mph: float = defaults.SPEED_MPH
    same_day_minutes: float = defaults.SAME_DAY_MINUTES
    next_day_minutes: float = defaults.NEXT_DAY_MINUTES
    same_day_miles: float = defaults.SAME_DAY_MILES
    next_day_miles: float = defaults.NEXT_DAY_MILES
    matrix: str | None = None  # fingerprint of the travel-time matrix (matrix mode)

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise TravelError("travel.mode", f"the travel mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        object.__setattr__(self, "mode", TravelMode(self.mode))
        for name in ("circuity", "speed_mph", "same_day_minutes", "next_day_minutes",
                     "same_day_miles", "next_day_miles"):
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and np.isfinite(value) and value > 0):
                raise TravelError(FIELDS[name], f"the {LABELS[name]} must be a positive number, not {value!r}")
        if self.matrix is not None and not (isinstance(self.matrix, str) and 0 < len(self.matrix) <= 64):
            raise TravelError("travel.matrix", f"{self.matrix!r} is not a matrix fingerprint")
        if self.circuity < 1:
            raise TravelError("travel.circuity", f"circuity is road miles per great-circle mile, so it cannot be "
                              f"below 1 (not {self.circuity:g})")
        if self.same_day_minutes > self.next_day_minutes:
            raise TravelError("thresholds.same_day_minutes",
                              f"the same-day threshold ({self.same_day_minutes:g} min) cannot be longer than the "
                              f"next-day threshold ({self.next_day_minutes:g} min)")
        if self.same_day_miles > self.next_day_miles:
            raise TravelError("travel.same_day_miles",
                              f"the same-day radius ({self.same_day_miles:g} mi) cannot be longer than the "
                              f"next-day radius ({self.next_day_miles:g} mi)")

    def minutes_to_miles(self, minutes: float) -> float:
        """Great-circle miles that the drive model covers in ``minutes``."""
        return minutes * self.speed_mph / 60.0 / self.circuity

    def drive_minutes(self, miles):
        """The drive model's minutes for great-circle ``miles`` (array or scalar)."""
        return np.asarray(miles, dtype=float) * self.circuity / self.speed_mph * 60.0

    @property
    def limits(self) -> tuple[float, float]:
        """(same-day, next-day) limits in what the engine compares: miles, or minutes in matrix mode."""
        if self.mode.uses_matrix:
            return float(self.same_day_minutes), float(self.next_day_minutes)
        return self.threshold_miles

    @property
    def unit(self) -> str:
        """What the engine's pair values are in: ``miles`` (drive, radius) or ``minutes`` (matrix)."""
        return self.mode.engine_unit

    @property
    def threshold_miles(self) -> tuple[float, float]:
        """(same-day, next-day) great-circle radii in miles for the current mode (matrix: the drive model's)."""
        if not self.mode.in_minutes:
            return float(self.same_day_miles), float(self.next_day_miles)
        return self.minutes_to_miles(self.same_day_minutes), self.minutes_to_miles(self.next_day_minutes)

    @property
    def thresholds(self) -> tuple[float, float]:
        """(same-day, next-day) thresholds as the planner set them: minutes, or miles in radius mode."""
        if self.mode.in_minutes:
            return float(self.same_day_minutes), float(self.next_day_minutes)
        return float(self.same_day_miles), float(self.next_day_miles)

    @property
    def threshold_unit(self) -> str:
        """``minutes`` or ``miles``: the unit of :attr:`thresholds`."""
        return self.mode.histogram_unit

    @property
    def next_day_reach_minutes(self) -> float:
        """The next-day reach in drive minutes (radius mode: the drive model's minutes for its miles)."""
        if self.mode.in_minutes:
            return float(self.next_day_minutes)
        return float(self.drive_minutes(self.next_day_miles))

    def as_dict(self) -> dict:
        """Every setting, defaults filled in (the CLI's ``settings``)."""
        values = asdict(self)
        values["mode"] = str(self.mode)
        return values
