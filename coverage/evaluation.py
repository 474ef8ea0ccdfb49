"""A scenario evaluated on a data set: the one place the faces get their figures from.

Binds the scenario's hubs to the engine's sites (a hub on a candidate site, or a
virtual site at its coordinates), evaluates coverage, and assembles the figures
that the app shows, the CLI prints and the reports export.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from coverage import budget
from coverage.data import DataSet, fingerprint, radius_for
from coverage.engine import Coverage, CoverageEngine
from coverage.errors import InputError, Problem
from coverage.scenario import Hub, Scenario
from coverage.travel import TravelModel

if TYPE_CHECKING:
    from coverage.capacity import Served, ServedSolver


def engine_for(communities: pd.DataFrame, sites: pd.DataFrame | None, travel: TravelModel,
               matrix=None) -> CoverageEngine:
    """A cached engine for this data set that reaches at least as far as ``travel`` (or holds its matrix).

    A thin wrapper for callers that hold the tables apart: ``DataSet(communities, sites, matrix).engine(travel)``.
    """
    return DataSet(communities, sites, matrix).engine(travel)


def hub_site(hub: Hub, engine: CoverageEngine, index: int | None = None, source: str | None = None) -> int:
    """The engine site of a hub; InputError naming the hub when its site is unknown."""
    if hub.site_id is not None:
        site = engine.site_index.get(str(hub.site_id))
        if site is None:
            where = f"hubs[{index}].site_id" if index is not None else "site_id"
            raise InputError(Problem(f"{hub.site_id!r} is not a candidate site of this data set",
                                     file=source, column=where))
        return site
    assert hub.lat is not None and hub.lon is not None  # a hub is on a site or at coordinates (the validator)
    return engine.site_for_point(hub.lat, hub.lon)


def hub_sites(scenario: Scenario, engine: CoverageEngine, source: str | None = None) -> list[int]:
    """Engine sites of all the scenario's hubs, reporting every unknown site, and every second hub on one site
    (one hub a site, on every path: a file, a link, the command line, the store), at once."""
    sites, problems = [], []
    first: dict[int, tuple[int, Hub]] = {}
    for index, hub in enumerate(scenario.hubs):
        try:
            site = hub_site(hub, engine, index, source)
        except InputError as error:
            problems.extend(error.problems)
            continue
        if site in first:
            earlier_index, earlier = first[site]
            place = "site_id" if hub.site_id is not None else "lat"
            problems.append(Problem(f"{hub.id} is on the same site as {earlier.id} (hubs[{earlier_index}]); one hub a "
                                    "site", file=source, column=f"hubs[{index}].{place}"))
        first.setdefault(site, (index, hub))
        sites.append(site)
    if problems:
        raise InputError(problems[:200])
    return sites


@dataclass
class Evaluation:
    """A scenario, the engine it ran on, its coverage and (worked out on first use) what its hubs can serve."""

    scenario: Scenario
    engine: CoverageEngine
    coverage: Coverage
    solver: "ServedSolver | None" = None   # a warm ServedSolver to use (the app's workspace keeps one)
    _served: "Served | None" = None
    #: What a face made from this plan state once and reads again (the app's map spec, say); goes with the state.
    memo: dict = field(default_factory=dict, repr=False, compare=False)

    def served(self) -> "Served":
        """The capacity assignment (``coverage/capacity.py``): served beside covered."""
        if self._served is None:
            from coverage import capacity

            self._served = capacity.served(self, self.solver)
        return self._served

    def community_table(self) -> pd.DataFrame:
        """The per-community table of the contract, then ``served_share``, ``served_tier`` and ``landmass``."""
        table = self.coverage.table()
        served = self.served()
        table.insert(11, "served_share", served.share.round(6))
        table.insert(12, "served_tier", served.tier)
        return table

    def hub_table(self) -> pd.DataFrame:
        """One row per hub: where it is, what it costs, whom it serves."""
        hubs = self.scenario.hubs
        lat, lon = self.engine.site_coordinates(self.coverage.hub_sites)
        horizon = self.scenario.budget.horizon_end
        table = pd.DataFrame({
            "hub_id": [h.id for h in hubs], "name": [h.name for h in hubs],
            "site_id": [h.site_id or "" for h in hubs], "lat": lat, "lon": lon,
            "type": [h.type for h in hubs], "open_quarter": [h.open_quarter for h in hubs],
            "locked": np.array([h.locked for h in hubs], dtype=bool),
            "cost_usd": np.array([budget.hub_cost_usd(h, self.scenario.costs, horizon) for h in hubs], dtype=float),
        })
        served = self.coverage.hub_catchments().drop(columns="hub_id")
        return pd.concat([table, served], axis=1)

    def key_figures(self) -> dict:
        """What a list of plans shows: hubs, cost, communities and people by tier, people served (kept with a save)."""
        totals = self.coverage.totals()
        return {"hubs": len(self.scenario.hubs), "cost_usd": float(budget.total_cost_usd(self.scenario)),
                "budget_usd": float(self.scenario.budget.total_usd),
                "communities": totals["communities"], "population": totals["population"],
                "served_population": self.served().totals()["population"]}

    def summary(self) -> dict:
        """The figures of ``evaluate --json``: totals, hubs, cost and the effective settings."""
        totals = self.coverage.totals()
        rollout = budget.plan(self)
        demand = rollout.hubs[["parcels_per_day", "capacity_parcels_per_day", "load_parcels_per_day", "utilisation",
                               "over_capacity"]]
        hubs = pd.concat([self.hub_table(), demand], axis=1)
        settings = self.scenario.to_dict()
        del settings["hubs"], settings["schema"], settings["name"]
        return {
            "scenario": self.scenario.name,
            "communities": totals["communities"],
            "population": totals["population"],
            "served": self.served().totals(),
            "hubs": [_plain(row) for row in hubs.to_dict(orient="records")],
            "cost_usd": rollout.summary["cost_usd"],
            "budget": rollout.summary,
            "by_quarter": rollout.by_quarter_records(),
            "settings": settings,
            "data": {"communities": int(self.engine.n_communities),
                     "communities_source": self.engine.communities.attrs.get("source", ""),
                     "sites": int(self.engine.n_sites),
                     "sites_source": self.engine.sites.attrs.get("source", "")},
        }


def _plain(row: dict) -> dict:
    return {key: (value.item() if isinstance(value, np.generic) else value) for key, value in row.items()}


def evaluate(scenario: Scenario, communities: pd.DataFrame | None = None, sites: pd.DataFrame | None = None,
             source: str | None = None, engine: CoverageEngine | None = None, solver=None,
             matrix=None, data: DataSet | None = None) -> Evaluation:
    """Evaluate a scenario on a data set (default: the bundled 4,000 communities, every one a site).

    ``data`` is the :class:`~coverage.data.DataSet` (or give its ``communities``, ``sites`` and
    ``matrix`` apart); ``engine`` evaluates on an engine already built for the data set (it
    must reach as far as the scenario's travel model).
    """
    if engine is None:
        if data is None:
            data = DataSet(communities if communities is not None else DataSet.default().communities, sites, matrix)
        engine = data.engine(scenario.travel)
    coverage = engine.evaluate(hub_sites(scenario, engine, source), scenario.travel,
                               [hub.id for hub in scenario.hubs])
    return Evaluation(scenario, engine, coverage, solver)


#: ``fingerprint`` and ``radius_for`` live in ``coverage/data.py``; they are named here too for older callers.
__all__ = ["Evaluation", "engine_for", "evaluate", "fingerprint", "hub_site", "hub_sites",
           "radius_for"]
