"""The planner's working state: a data set, one scenario, its coverage, and undo/redo.

The app keeps one :class:`Workspace` per browser session.  Pages never change the
scenario themselves: they call the methods here, each of which checks its input,
updates the coverage incrementally where it can, and records one undo step.  A bad
input raises :class:`~coverage.errors.InputError` and leaves everything as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import pandas as pd

from coverage import defaults
from coverage.engine import Coverage, CoverageEngine
from coverage.errors import InputError, Problem
from coverage.evaluation import Evaluation, engine_for, evaluate
from coverage.geography import in_united_states
from coverage.quarters import parse_quarter
from coverage.scenario import HUB_TYPES, Hub, Scenario, parse_scenario
from coverage.travel import TravelModel

EngineFactory = Callable[[pd.DataFrame, "pd.DataFrame | None", TravelModel], CoverageEngine]
HUB_FIELDS = ("name", "type", "open_quarter", "locked")


@dataclass(frozen=True)
class _State:
    scenario: Scenario
    engine: CoverageEngine
    coverage: Coverage
    label: str  # what the step did, for the undo button's tooltip


class Workspace:
    """One scenario on one data set, with its coverage and an undo history."""

    def __init__(self, communities: pd.DataFrame | None = None, sites: pd.DataFrame | None = None,
                 scenario: Scenario | None = None, engine_factory: EngineFactory = engine_for,
                 history_limit: int = 100):
        if communities is None:
            from coverage.dataset import default_communities

            communities = default_communities()
        self.communities, self.sites = communities, sites
        self._engine_factory = engine_factory
        self._history_limit = history_limit
        self._undo: list[_State] = []
        self._redo: list[_State] = []
        self._state = self._evaluated(scenario or Scenario(), "start")
        self.revision = 0  # counts every change, undo and redo: widgets key their state on it

    # -- reading ---------------------------------------------------------------------
    @property
    def scenario(self) -> Scenario:
        return self._state.scenario

    @property
    def engine(self) -> CoverageEngine:
        return self._state.engine

    @property
    def coverage(self) -> Coverage:
        return self._state.coverage

    @property
    def evaluation(self) -> Evaluation:
        """The scenario, engine and coverage together (what the faces read their figures from)."""
        return Evaluation(self.scenario, self.engine, self.coverage)

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str:
        return self._state.label if self._undo else ""

    @property
    def redo_label(self) -> str:
        return self._redo[-1].label if self._redo else ""

    # -- history ---------------------------------------------------------------------
    def _commit(self, state: _State) -> None:
        self.revision += 1
        self._undo.append(self._state)
        del self._undo[: -self._history_limit]
        self._redo.clear()
        self._state = state

    def undo(self) -> bool:
        """Step back; False when there is nothing to undo."""
        if not self._undo:
            return False
        self._redo.append(self._state)
        self._state = self._undo.pop()
        self.revision += 1
        return True

    def redo(self) -> bool:
        """Step forward again; False when there is nothing to redo."""
        if not self._redo:
            return False
        self._undo.append(self._state)
        self._state = self._redo.pop()
        self.revision += 1
        return True

    # -- building states ---------------------------------------------------------------
    def _engine_for(self, travel: TravelModel) -> CoverageEngine:
        return self._engine_factory(self.communities, self.sites, travel)

    def _evaluated(self, scenario: Scenario, label: str, engine: CoverageEngine | None = None) -> _State:
        """A state evaluated from scratch (checking every hub's site)."""
        engine = engine or self._engine_for(scenario.travel)
        coverage = evaluate(scenario, engine=engine).coverage
        return _State(scenario, engine, coverage, label)

    def _position(self, hub_id: str) -> int:
        for position, hub in enumerate(self.scenario.hubs):
            if hub.id == hub_id:
                return position
        raise InputError(Problem(f"there is no hub {hub_id!r}", column="hub"))

    def _place(self, site_id: str | None, lat: float | None, lon: float | None) -> tuple[dict, int]:
        """Hub placement fields and engine site, checked."""
        if site_id is not None:
            site = self.engine.site_index.get(str(site_id))
            if site is None:
                raise InputError(Problem(f"{site_id!r} is not a candidate site", column="site_id"))
            return {"site_id": str(site_id), "lat": None, "lon": None}, site
        if lat is None or lon is None:
            raise InputError(Problem("give a site or both latitude and longitude", column="lat/lon"))
        problems = []
        for axis, value, limit in (("lat", lat, 90), ("lon", lon, 180)):
            if not isinstance(value, (int, float)) or value != value or abs(value) > limit:
                problems.append(Problem(f"{value!r} is not a {('latitude', 'longitude')[axis == 'lon']} "
                                        f"(-{limit} to {limit})", column=axis))
        if problems:
            raise InputError(problems)
        if not in_united_states(lat, lon):
            raise InputError(Problem(f"{lat:.4f}, {lon:.4f} is not inside the United States (50 states and DC)",
                                     column="lat/lon"))
        lat, lon = round(float(lat), 6), round(float(lon), 6)
        return {"site_id": None, "lat": lat, "lon": lon}, self.engine.site_for_point(lat, lon)

    def _check_fields(self, fields: dict) -> None:
        problems = []
        unknown = set(fields) - set(HUB_FIELDS)
        if unknown:
            problems.append(Problem(f"unknown hub field(s): {', '.join(sorted(unknown))}"))
        if "type" in fields and fields["type"] not in HUB_TYPES:
            problems.append(Problem(f"{fields['type']!r} is not one of {', '.join(HUB_TYPES)}", column="type"))
        if "open_quarter" in fields:
            try:
                if parse_quarter(fields["open_quarter"]) > parse_quarter(self.scenario.budget.horizon_end):
                    problems.append(Problem(f"{fields['open_quarter']} is after the horizon end "
                                            f"{self.scenario.budget.horizon_end}", column="open_quarter"))
            except ValueError as error:
                problems.append(Problem(str(error), column="open_quarter"))
        if "locked" in fields and not isinstance(fields["locked"], bool):
            problems.append(Problem("locked must be true or false", column="locked"))
        if "name" in fields and (not isinstance(fields["name"], str) or len(fields["name"]) > 500):
            problems.append(Problem("name must be text of at most 500 characters", column="name"))
        if problems:
            raise InputError(problems)

    # -- hub changes ----------------------------------------------------------------------
    def add_hub(self, site_id: str | None = None, lat: float | None = None, lon: float | None = None,
                **fields) -> Hub:
        """Place a new hub on a candidate site or at coordinates inside the US; returns it."""
        place, site = self._place(site_id, lat, lon)
        fields = {"type": defaults.HUB_TYPE, "open_quarter": defaults.OPEN_QUARTER, "locked": False, **fields}
        if not fields.get("name"):
            fields["name"] = (f"Hub at {self.engine.site_label(site)}" if site_id is not None
                              else f"Hub at {place['lat']:.4f}, {place['lon']:.4f}")
        self._check_fields(fields)
        hub = Hub(id=self.scenario.new_hub_id(), **place, **fields)
        scenario = self.scenario.replace(hubs=self.scenario.hubs + (hub,))
        coverage = self.coverage.with_hub_added(site, hub.id)
        self._commit(_State(scenario, self.engine, coverage, f"add {hub.name}"))
        return hub

    def remove_hub(self, hub_id: str) -> None:
        """Take a hub out of the plan."""
        position = self._position(hub_id)
        hub = self.scenario.hubs[position]
        hubs = self.scenario.hubs[:position] + self.scenario.hubs[position + 1:]
        self._commit(_State(self.scenario.replace(hubs=hubs), self.engine,
                            self.coverage.with_hub_removed(position), f"remove {hub.name}"))

    def move_hub(self, hub_id: str, site_id: str | None = None, lat: float | None = None,
                 lon: float | None = None) -> None:
        """Put a hub somewhere else (same id, type, quarter and lock)."""
        position = self._position(hub_id)
        place, site = self._place(site_id, lat, lon)
        hub = replace(self.scenario.hubs[position], **place)
        hubs = self.scenario.hubs[:position] + (hub,) + self.scenario.hubs[position + 1:]
        self._commit(_State(self.scenario.replace(hubs=hubs), self.engine,
                            self.coverage.with_hub_moved(position, site), f"move {hub.name}"))

    def update_hub(self, hub_id: str, **fields) -> None:
        """Change a hub's name, type, opening quarter or lock (coverage is unchanged)."""
        position = self._position(hub_id)
        self._check_fields(fields)
        old = self.scenario.hubs[position]
        hub = replace(old, **fields)
        if hub == old:
            return
        hubs = self.scenario.hubs[:position] + (hub,) + self.scenario.hubs[position + 1:]
        what = ", ".join(f"{k} {v}" for k, v in fields.items() if getattr(old, k) != v)
        self._commit(_State(self.scenario.replace(hubs=hubs), self.engine, self.coverage,
                            f"set {what} of {old.name}"))

    def set_hubs(self, hubs: list[Hub] | tuple[Hub, ...], label: str = "edit hubs") -> None:
        """Replace the whole hub list (the hub table, an accepted optimiser plan) in one undo step."""
        ids = [hub.id for hub in hubs]
        if len(set(ids)) != len(ids):
            raise InputError(Problem("two hubs share an id", column="id"))
        for hub in hubs:
            self._check_fields({k: getattr(hub, k) for k in HUB_FIELDS})
        if tuple(hubs) == self.scenario.hubs:
            return
        self._commit(self._evaluated(self.scenario.replace(hubs=tuple(hubs)), label, self.engine))

    # -- settings and whole scenarios -------------------------------------------------------
    def set_travel(self, travel: TravelModel) -> None:
        """New thresholds or travel settings; the engine is rebuilt only when it must reach farther."""
        if travel == self.scenario.travel:
            return
        scenario = self.scenario.replace(travel=travel)
        try:
            self.engine.check_travel(travel)
            state = _State(scenario, self.engine, self.coverage.with_travel(travel), "change travel settings")
        except ValueError:
            state = self._evaluated(scenario, "change travel settings")
        self._commit(state)

    def set_settings(self, sections: dict, label: str = "change settings") -> None:
        """Change whole sections of the scenario document (``costs``, ``budget``, ``optimizer``, ``name``).

        The changed document is checked exactly as a scenario file is, so every problem
        names its field (``costs.capex_usd.new: -5 must be at least 0``).
        """
        allowed = {"costs", "budget", "optimizer", "name"}
        if set(sections) - allowed:
            raise InputError(Problem(f"cannot set {', '.join(sorted(set(sections) - allowed))} here"))
        document = self.scenario.to_dict()
        for key, value in sections.items():
            document[key] = {**document[key], **value} if isinstance(value, dict) else value
        scenario = parse_scenario(document, source="settings")
        if scenario != self.scenario:
            self._commit(_State(scenario, self.engine, self.coverage, label))

    def update_hubs(self, changes: dict[str, dict], label: str = "edit hubs") -> None:
        """Change fields of several hubs (name, type, opening quarter, lock) in one undo step."""
        hubs = list(self.scenario.hubs)
        for hub_id, fields in changes.items():
            self._check_fields(fields)
            position = self._position(hub_id)
            hubs[position] = replace(hubs[position], **fields)
        if tuple(hubs) != self.scenario.hubs:
            self._commit(_State(self.scenario.replace(hubs=tuple(hubs)), self.engine, self.coverage, label))

    def load(self, scenario: Scenario, label: str = "load scenario") -> None:
        """Replace the scenario (its hubs must sit on this data set's sites)."""
        self._commit(self._evaluated(scenario, label))

    def set_data(self, communities: pd.DataFrame, sites: pd.DataFrame | None = None) -> None:
        """Switch data set, keeping the scenario; hubs on sites the new data lacks are reported."""
        previous = (self.communities, self.sites)
        self.communities, self.sites = communities, sites
        try:
            state = self._evaluated(self.scenario, "change data set")
        except InputError:
            self.communities, self.sites = previous
            raise
        # A new data set makes old coverage meaningless: start a fresh history.
        self._undo.clear()
        self._redo.clear()
        self._state = state
        self.revision += 1
