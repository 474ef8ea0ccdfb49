"""The planner's working state: a data set, one scenario, its coverage, and undo/redo.

The app keeps one :class:`Workspace` per browser session.  Pages never change the
scenario themselves: they call the methods here, each of which checks its input,
updates the coverage incrementally where it can, and records one undo step.  A bad
input raises :class:`~coverage.errors.InputError` and leaves everything as it was.

Every undo step holds the whole picture: the scenario, the data set it runs on (one
:class:`~coverage.data.DataSet`: communities, sites and a travel matrix), its coverage,
and which stored scenario it continues (``origin``), so switching data or opening a
saved plan is undone like any other change.  Hub ids are made here only
(:meth:`Workspace.new_hub_id`) and never handed out twice in one workspace, so ``h3``
always names the same hub, even after it was removed.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from typing import Callable, Iterable, Sequence

import pandas as pd

from coverage import defaults
from coverage.data import DataRef, DataSet, cached_engine
from coverage.engine import Coverage, CoverageEngine
from coverage.errors import InputError, Problem
from coverage.evaluation import Evaluation, evaluate
from coverage.geography import in_united_states
from coverage.quarters import FIRST_OFFERED, clamp, parse_quarter
from coverage.scenario import HUB_TYPES, Hub, Scenario, parse_scenario
from coverage.travel import TravelModel

EngineFactory = Callable[[DataSet, TravelModel], CoverageEngine]
HUB_FIELDS = ("name", "type", "open_quarter", "locked")


class HubsNotInData(InputError):
    """Some of the plan's hubs sit on sites that a data set lacks; ``hubs`` lists them."""

    def __init__(self, hubs: list[Hub], what: str):
        self.hubs = hubs
        names = ", ".join(f"{hub.id} ({hub.name})" for hub in hubs[:5]) + (
            f" and {len(hubs) - 5} more" if len(hubs) > 5 else "")
        super().__init__(Problem(f"{len(hubs)} of the plan's hubs sit on sites that {what} does not have: {names}",
                                 column="hubs"))


class LockedHubsRemoved(InputError):
    """A change would remove locked hubs; ``hubs`` lists them.  Pass the confirmation to go ahead."""

    def __init__(self, hubs: list[Hub]):
        self.hubs = hubs
        super().__init__(Problem(f"this would remove {len(hubs)} locked hub(s): "
                                 + ", ".join(f"{hub.id} ({hub.name})" for hub in hubs), column="hubs"))


@dataclass(frozen=True)
class _State:
    scenario: Scenario
    engine: CoverageEngine
    coverage: Coverage
    label: str                      # what the step did, for the undo button's tooltip
    data: DataSet                   # the tables and the travel matrix at hand (used in the travel mode 'matrix')
    origin: str | None = None       # the stored scenario this plan continues (None: never saved)


@dataclass(frozen=True)
class Saved:
    """The version of a stored scenario this workspace last saved or opened."""

    version: int
    document: dict
    data: DataRef | None            # the data it was made on (the store's reference)
    latest: int | None = None       # the scenario's newest version when this one was opened or saved

    @property
    def newest(self) -> int:
        """The newest version known to this workspace (a save goes on top of it)."""
        return max(self.version, self.latest or 0)


class Workspace:
    """One scenario on one data set, with its coverage and an undo history."""

    def __init__(self, data: DataSet | None = None, scenario: Scenario | None = None,
                 engine_factory: EngineFactory = cached_engine, history_limit: int = 100):
        self._engine_factory = engine_factory
        self._history_limit = history_limit
        self._undo: list[_State] = []
        self._redo: list[_State] = []
        self._state = self._evaluated(scenario or Scenario(), "start", data or DataSet.default())
        self._issued: set[str] = {hub.id for hub in self.scenario.hubs}
        self.saved: dict[str, Saved] = {}
        self.revision = 0  # counts every change, undo and redo: widgets key their state on it
        self._evaluation: tuple | None = None   # (state, its Evaluation)
        self._solver: tuple | None = None       # (what it depends on, a warm ServedSolver)

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
    def data(self) -> DataSet:
        """The data set at hand: communities, sites and the travel matrix (used when the travel mode takes one)."""
        return self._state.data

    @property
    def data_in_use(self) -> DataSet:
        """The data the plan runs on: the matrix only when its travel mode takes times from one (what a save keeps)."""
        return self._state.data.for_travel(self.scenario.travel)

    @property
    def communities(self) -> pd.DataFrame:
        return self._state.data.communities

    @property
    def sites(self) -> pd.DataFrame | None:
        return self._state.data.sites

    @property
    def matrix(self):
        """The travel matrix at hand (None until one is uploaded or opened)."""
        return self._state.data.matrix

    @property
    def origin(self) -> str | None:
        """Id of the stored scenario this plan continues, None when it was never saved."""
        return self._state.origin

    @property
    def origin_version(self) -> int | None:
        """The version of :attr:`origin` this plan was opened from or last saved as."""
        saved = self.saved.get(self.origin) if self.origin else None
        return saved.version if saved else None

    @property
    def origin_latest(self) -> int | None:
        """The newest version of :attr:`origin` this workspace knows of (a save makes the one after it)."""
        saved = self.saved.get(self.origin) if self.origin else None
        return saved.newest if saved else None

    @property
    def evaluation(self) -> Evaluation:
        """The scenario, engine and coverage together (what the faces read their figures from).

        One per undo step, kept while it is current, with the workspace's warm capacity
        solver, so that the served figures after a one-hub change take milliseconds.
        """
        from coverage import capacity

        state = self._state
        if self._evaluation is not None and self._evaluation[0] is state:
            return self._evaluation[1]
        evaluation = Evaluation(state.scenario, state.engine, state.coverage)
        key = capacity.solver_key(evaluation)
        if self._solver is None or self._solver[0] != key:
            self._solver = (key, capacity.solver_for(evaluation))
        evaluation.solver = self._solver[1]
        self._evaluation = (state, evaluation)
        return evaluation

    @property
    def unsaved(self) -> bool:
        """True when the plan differs from the version it continues (or, never saved, holds anything)."""
        if self.origin is None:
            return self.scenario.to_dict() != Scenario().to_dict()
        saved = self.saved.get(self.origin)
        return saved is None or saved.document != self.scenario.to_dict() or saved.data != self.data_in_use.ref

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
        self._issued.update(hub.id for hub in state.scenario.hubs)

    def _step(self, scenario: Scenario, coverage: Coverage, label: str) -> _State:
        """A state on the current data and engine."""
        return _State(scenario, self.engine, coverage, label, self.data, self.origin)

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
    def _evaluated(self, scenario: Scenario, label: str, data: DataSet, origin: str | None = None,
                   engine: CoverageEngine | None = None) -> _State:
        """A state evaluated from scratch on ``data`` (checking every hub's site)."""
        engine = engine or self._engine_factory(data.for_travel(scenario.travel), scenario.travel)
        coverage = evaluate(scenario, engine=engine).coverage
        return _State(scenario, engine, coverage, label, data, origin)

    def _position(self, hub_id: str) -> int:
        for position, hub in enumerate(self.scenario.hubs):
            if hub.id == hub_id:
                return position
        raise InputError(Problem(f"there is no hub {hub_id!r}", column="hub"))

    @property
    def default_open_quarter(self) -> str:
        """A new hub's opening quarter: the default, or the horizon end when that comes first."""
        return clamp(defaults.OPEN_QUARTER, FIRST_OFFERED, self.scenario.budget.horizon_end)

    def new_hub_id(self, also_taken: Iterable[str] = ()) -> str:
        """An id no hub of this workspace has had (nor one of ``also_taken``, ids handed out for the same change)."""
        return self.scenario.new_hub_id(used=self._issued | set(also_taken))

    def hubs_from_rows(self, rows: Sequence[dict]) -> list[Hub]:
        """The hub list an edited hub table stands for, checked; a row without an id is a new hub.

        Each row has ``id`` (empty for a new hub), ``name``, ``site_id`` or ``lat``/``lon``,
        ``type``, ``open_quarter`` and ``locked``; what is missing takes the default.  A new
        hub gets an id that no hub of this workspace has had (a removed hub's id is never
        given again) and, unnamed, the name of its place.  Rows without a place are refused
        together, each by its row number.
        """
        by_id = {hub.id: hub for hub in self.scenario.hubs}
        hubs, problems, new_ids = [], [], []
        for number, row in enumerate(rows, start=1):
            site_id, lat, lon = row.get("site_id"), row.get("lat"), row.get("lon")
            if site_id is None and (lat is None or lon is None):
                problems.append(Problem("choose a place for the new hub", row=number, column="place"))
                continue
            name = row.get("name") if isinstance(row.get("name"), str) else ""
            locked = row.get("locked")
            fields = {"name": name, "type": row.get("type") or defaults.HUB_TYPE,
                      "open_quarter": row.get("open_quarter") or self.default_open_quarter,
                      "locked": bool(locked) if locked == locked else False}  # NaN from an empty cell: not locked
            place = ({"site_id": str(site_id), "lat": None, "lon": None} if site_id is not None
                     else {"site_id": None, "lat": lat, "lon": lon})
            hub_id = row.get("id") if isinstance(row.get("id"), str) and row.get("id") else None
            if hub_id is None:
                taken = [r["id"] for r in rows if isinstance(r.get("id"), str) and r["id"]] + new_ids
                hub_id = self.new_hub_id(also_taken=taken)
                new_ids.append(hub_id)
                fields["name"] = fields["name"] or row.get("place_name") or (
                    f"Hub at {self.engine.site_label(self.engine.site_index[str(site_id)])}"
                    if site_id is not None and str(site_id) in self.engine.site_index else f"Hub at {lat}, {lon}")
            elif hub_id in by_id and not fields["name"]:
                fields["name"] = by_id[hub_id].name
            hubs.append(Hub(id=hub_id, **place, **fields))
        if problems:
            raise InputError(problems)
        return hubs

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

    def _hub_at(self, site: int, ignore: str | None = None) -> Hub | None:
        """The hub already on this engine site, if any (other than ``ignore``)."""
        for position, hub_site in enumerate(self.coverage.hub_sites.tolist()):
            hub = self.scenario.hubs[position]
            if hub_site == site and hub.id != ignore:
                return hub
        return None

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
        """Place a new hub on a candidate site or at coordinates inside the US; returns it.

        A second hub on a site that already has one is refused: it would double the
        cost and reach nobody new.
        """
        place, site = self._place(site_id, lat, lon)
        there = self._hub_at(site)
        if there is not None:
            raise InputError(Problem(f"there is already a hub here: {there.id} ({there.name})", column="site"))
        fields = {"type": defaults.HUB_TYPE, "open_quarter": self.default_open_quarter, "locked": False, **fields}
        if not fields.get("name"):
            fields["name"] = (f"Hub at {self.engine.site_label(site)}" if site_id is not None
                              else f"Hub at {place['lat']:.4f}, {place['lon']:.4f}")
        self._check_fields(fields)
        hub = Hub(id=self.new_hub_id(), **place, **fields)
        scenario = self.scenario.replace(hubs=self.scenario.hubs + (hub,))
        coverage = self.coverage.with_hub_added(site, hub.id)
        self._commit(self._step(scenario, coverage, f"add {hub.name}"))
        return hub

    def remove_hub(self, hub_id: str) -> None:
        """Take a hub out of the plan."""
        position = self._position(hub_id)
        hub = self.scenario.hubs[position]
        hubs = self.scenario.hubs[:position] + self.scenario.hubs[position + 1:]
        self._commit(self._step(self.scenario.replace(hubs=hubs), self.coverage.with_hub_removed(position),
                                f"remove {hub.name}"))

    def move_hub(self, hub_id: str, site_id: str | None = None, lat: float | None = None,
                 lon: float | None = None) -> None:
        """Put a hub somewhere else (same id, type, quarter and lock)."""
        position = self._position(hub_id)
        place, site = self._place(site_id, lat, lon)
        there = self._hub_at(site, ignore=hub_id)
        if there is not None:
            raise InputError(Problem(f"there is already a hub there: {there.id} ({there.name})", column="site"))
        hub = replace(self.scenario.hubs[position], **place)
        hubs = self.scenario.hubs[:position] + (hub,) + self.scenario.hubs[position + 1:]
        self._commit(self._step(self.scenario.replace(hubs=hubs), self.coverage.with_hub_moved(position, site),
                                f"move {hub.name}"))

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
        self._commit(self._step(self.scenario.replace(hubs=hubs), self.coverage, f"set {what} of {old.name}"))

    def set_hubs(self, hubs: list[Hub] | tuple[Hub, ...], label: str = "edit hubs",
                 remove_locked: bool = False) -> None:
        """Replace the whole hub list (the hub table, an accepted optimiser plan) in one undo step.

        Removing locked hubs this way needs ``remove_locked=True``
        (:class:`LockedHubsRemoved` otherwise, so a page can ask first); two hubs on
        one site are refused.
        """
        ids = [hub.id for hub in hubs]
        if len(set(ids)) != len(ids):
            raise InputError(Problem("two hubs share an id", column="id"))
        for hub in hubs:
            self._check_fields({k: getattr(hub, k) for k in HUB_FIELDS})
        if tuple(hubs) == self.scenario.hubs:
            return
        kept = set(ids)
        locked_gone = [hub for hub in self.scenario.hubs if hub.locked and hub.id not in kept]
        if locked_gone and not remove_locked:
            raise LockedHubsRemoved(locked_gone)
        state = self._evaluated(self.scenario.replace(hubs=tuple(hubs)), label, self.data, self.origin, self.engine)
        first: dict[int, Hub] = {}
        for row, (hub, site) in enumerate(zip(hubs, state.coverage.hub_sites.tolist()), start=1):
            if site in first:
                raise InputError(Problem(f"{hub.id} is on the same site as {first[site].id} ({first[site].name}); "
                                         "one hub a site", row=row, column="place"))
            first[site] = hub
        self._commit(state)

    def clear_hubs(self, remove_locked: bool = False) -> None:
        """Remove every hub (locked ones only with ``remove_locked``), one undo step."""
        kept = [] if remove_locked else [hub for hub in self.scenario.hubs if hub.locked]
        if len(kept) == len(self.scenario.hubs):
            return
        self.set_hubs(kept, label="clear all hubs" if not kept else "clear the unlocked hubs",
                      remove_locked=remove_locked)

    # -- settings and whole scenarios -------------------------------------------------------
    def set_travel(self, travel: TravelModel) -> None:
        """New thresholds or travel settings; the engine is rebuilt only when it must reach farther."""
        if travel == self.scenario.travel:
            return
        if travel.mode.uses_matrix and self.matrix is None:
            raise InputError(Problem("upload a travel matrix on the Data page first", column="travel.mode"))
        if travel.mode.uses_matrix and self.matrix is not None:
            travel = dataclasses.replace(travel, matrix=self.matrix.fingerprint)
        scenario = self.scenario.replace(travel=travel)
        try:
            self.engine.check_travel(travel)
            state = self._step(scenario, self.coverage.with_travel(travel), "change travel settings")
        except ValueError:
            state = self._evaluated(scenario, "change travel settings", self.data, self.origin)
        self._commit(state)

    def set_matrix(self, matrix) -> None:
        """Use a travel matrix's drive times (travel mode 'matrix', the plan naming it): one undo step.

        A hub placed at coordinates has no times in a matrix, so the plan is refused then.
        """
        placed = [hub for hub in self.scenario.hubs if hub.site_id is None]
        if placed:
            raise InputError(Problem(f"{len(placed)} hub(s) stand at coordinates, not on candidate sites, and a "
                                     "travel matrix holds times between sites and communities only: "
                                     + ", ".join(f"{h.id} ({h.name})" for h in placed[:5]), column="hubs"))
        travel = dataclasses.replace(self.scenario.travel, mode="matrix", matrix=matrix.fingerprint)
        self._commit(self._evaluated(self.scenario.replace(travel=travel), f"use travel matrix {matrix.source}",
                                     self.data.with_matrix(matrix), self.origin))

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
            self._commit(self._step(scenario, self.coverage, label))

    def rename(self, name: str) -> None:
        """Give the scenario a name (one undo step)."""
        name = name.strip() if isinstance(name, str) else name
        if not name:
            raise InputError(Problem("a scenario needs a name", column="name"))
        if name != self.scenario.name:
            self.set_settings({"name": name}, label=f"rename to {name}")

    def update_hubs(self, changes: dict[str, dict], label: str = "edit hubs") -> None:
        """Change fields of several hubs (name, type, opening quarter, lock) in one undo step."""
        hubs = list(self.scenario.hubs)
        for hub_id, fields in changes.items():
            self._check_fields(fields)
            position = self._position(hub_id)
            hubs[position] = replace(hubs[position], **fields)
        if tuple(hubs) != self.scenario.hubs:
            self._commit(self._step(self.scenario.replace(hubs=tuple(hubs)), self.coverage, label))

    def load(self, scenario: Scenario, label: str = "load scenario") -> None:
        """Replace the scenario (its hubs must sit on this data set's sites); it starts a new, unsaved plan."""
        self._commit(self._evaluated(scenario, label, self.data, None))

    def apply_plan(self, scenario: Scenario, label: str) -> None:
        """Replace the plan by a changed version of itself (an accepted optimiser plan), keeping its origin."""
        self._commit(self._evaluated(scenario, label, self.data, self.origin))

    def new_scenario(self) -> None:
        """An empty, unnamed scenario with the default settings on the current data (one undo step)."""
        self.load(Scenario(), label="new scenario")

    def set_data(self, data: DataSet, *, drop_missing: bool = False, label: str = "change data set") -> None:
        """Switch data set (its communities and sites; a travel matrix belongs to the old data), keeping the scenario
        (one undo step).

        Hubs on sites the new data lacks raise :class:`HubsNotInData` listing them,
        unless ``drop_missing``, which drops exactly those hubs in the same step.
        """
        data = data.with_matrix(None)
        missing = data.missing_hubs(self.scenario)
        if missing and not drop_missing:
            raise HubsNotInData(missing, "the new data")
        scenario = self.scenario
        if missing:
            gone = {hub.id for hub in missing}
            scenario = scenario.replace(hubs=tuple(hub for hub in scenario.hubs if hub.id not in gone))
            label = f"{label} (dropping {len(missing)} hubs it has no site for)"
        if scenario.travel.mode.uses_matrix:  # a matrix belongs to its data: new data goes back to drive times
            scenario = scenario.replace(travel=dataclasses.replace(scenario.travel, mode="drive", matrix=None))
            label += " (back to the drive-time model: the travel matrix was for the old data)"
        self._commit(self._evaluated(scenario, label, data, self.origin))

    # -- the store -------------------------------------------------------------------------------
    def open_stored(self, scenario: Scenario, data: DataSet, scenario_id: str | None, version: int | None,
                    document: dict | None = None, label: str | None = None, drop_missing: bool = False,
                    latest: int | None = None) -> None:
        """Open a stored version (with the data set it was made on) as one undo step.

        ``scenario_id`` None opens it as an unsaved copy (a shared link).  Hubs whose
        sites the data lacks raise :class:`HubsNotInData` unless ``drop_missing``.
        ``latest`` is the scenario's newest version at the time (a save goes on top of it).
        """
        missing = data.missing_hubs(scenario)
        if missing and not drop_missing:
            raise HubsNotInData(missing, "this data set")
        if missing:
            gone = {hub.id for hub in missing}
            scenario = scenario.replace(hubs=tuple(hub for hub in scenario.hubs if hub.id not in gone))
        label = label or (f"open {scenario.name} v{version}" if scenario_id else f"open {scenario.name}")
        state = self._evaluated(scenario, label, data, scenario_id)
        if scenario_id is not None and version is not None:
            self.saved[scenario_id] = Saved(version, document if document is not None else scenario.to_dict(),
                                            data.for_travel(scenario.travel).ref, latest)
        self._commit(state)

    def mark_saved(self, scenario_id: str, version: int) -> None:
        """Record that the current plan is now ``scenario_id`` version ``version``.

        A plan saved for the first time takes the new id, and so do the earlier steps of
        its history that continued the same (unsaved) plan, so that undoing and saving
        again adds a version rather than a second scenario.  Not an undo step.
        """
        previous = self.origin
        if previous != scenario_id:
            self._undo = [replace(s, origin=scenario_id) if s.origin == previous else s for s in self._undo]
            self._redo = [replace(s, origin=scenario_id) if s.origin == previous else s for s in self._redo]
            self._state = replace(self._state, origin=scenario_id)
        self.saved[scenario_id] = Saved(version, self.scenario.to_dict(), self.data_in_use.ref, version)
        self.revision += 1

    def renamed_in_store(self, scenario_id: str, version: int, document: dict) -> None:
        """The stored scenario this plan continues was renamed, which made ``version`` (its ``document``).

        The plan takes the new name (one undo step), and continues that version: a
        rename of the open scenario is the open scenario's name, so the next save
        carries it and is not taken for a save that came in between.  Nothing happens
        for another scenario.
        """
        if scenario_id != self.origin:
            return
        name = document.get("name", self.scenario.name)
        if name != self.scenario.name:
            self.set_settings({"name": name}, label=f"rename to {name}")
        saved = self.saved.get(scenario_id)
        data = saved.data if saved is not None else None
        if saved is not None and saved.version != saved.newest:
            document = {**saved.document, "name": name}  # opened from an older version: it continues that one
            self.saved[scenario_id] = Saved(saved.version, document, data, version)
        else:
            self.saved[scenario_id] = Saved(version, document, data, version)
        self.revision += 1
