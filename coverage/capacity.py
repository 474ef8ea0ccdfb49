r"""Served, not just covered: what the hubs can actually ship, within their capacity.

The model
---------
Demand of community :math:`i`: :math:`d_i = p_i \cdot r / 365 \cdot f` parcels a day, with
:math:`r` the parcels a person orders a year and :math:`f` the peak factor.  Capacity of
hub :math:`h`: :math:`C_h`, its type's parcels a day.  A pair :math:`(i, h)` exists when
:math:`h` reaches :math:`i` (same landmass, within the next-day threshold), with weight
:math:`w_{ih} = 1` within the same-day threshold and :math:`w` (``next_day_weight``)
beyond it, and drive minutes :math:`m_{ih}`.

.. math::

    \max \; \sum_{ih} (w_{ih} - \varepsilon\, m_{ih})\, x_{ih}
    \quad\text{s.t.}\quad
    \sum_h x_{ih} \le d_i,\;\;
    \sum_i x_{ih} \le C_h,\;\;
    x_{ih} \ge 0

A transportation problem (splittable: a community may be served by several hubs),
solved exactly by HiGHS's dual simplex.  :math:`\varepsilon = 10^{-6} / \max m` breaks
ties toward shorter drives: it moves the weighted optimum by less than one part in a
million, and makes the assignment unique in practice, so the app's warm-started solves
and the command line's cold ones give the same hub loads.

What is reported
----------------
Per community: parcels served same-day and next-day, the share of its demand served,
and its served tier (the tier at which most of its served parcels go; ``none`` when
nothing is served).  Per hub: its load and utilisation.  In total: people served by tier
(:math:`p_i` times the share of :math:`d_i` served at that tier), parcels a day by tier,
unserved parcels a day, and ``weighted_population``, the optimum
:math:`\sum w_{ih} x_{ih}` expressed in people (divided by :math:`r / 365 \cdot f`).

Speed
-----
:class:`ServedSolver` keeps the LP between evaluations: a new hub adds its row and its
columns, a removed hub's row gets capacity 0, a type change moves a bound, and HiGHS
re-optimises from its last basis (about 10 ms for 300 hubs on the default data, against
about 250 ms from scratch); it rebuilds once removed hubs outnumber the live ones.  A new
travel model on the same engine (a threshold, the circuity, the speed) or a new next-day
weight re-prices the columns, closes those now out of reach (upper bound 0) and adds those
now in reach, and HiGHS starts from its last basis again: the served LP stays warm across
threshold changes.

:func:`served` also remembers its last answers by what they depend on (engine, travel model,
demand, weight, hub sites and capacities): the same plan evaluated again (saved, compared,
opened, undone to) has its served figures without a solve.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from coverage import defaults
from coverage.engine import CoverageEngine
from coverage.highs import highs_instance
from coverage.travel import TIERS, TravelModel

TIE_BREAK = 1e-6  # the most the drive-minutes tie-break may weigh, per parcel, against a weight of 1


def parcels_per_person_day(parcels_per_person_per_year: float, peak_factor: float) -> float:
    """Parcels a day one person orders on the day planned for (the one demand formula)."""
    return parcels_per_person_per_year / defaults.DAYS_PER_YEAR * peak_factor


def demand_per_day(population: np.ndarray, parcels_per_person_per_year: float, peak_factor: float) -> np.ndarray:
    """Parcels a day each community orders on the day planned for."""
    return np.asarray(population, dtype=float) * parcels_per_person_day(parcels_per_person_per_year, peak_factor)


@dataclass(frozen=True)
class Served:
    """The assignment's figures for one set of hubs (arrays by community, and by hub in scenario order)."""

    demand: np.ndarray          # parcels a day ordered
    same_day: np.ndarray        # parcels a day served within the same-day threshold
    next_day: np.ndarray        # parcels a day served beyond it, within the next-day threshold
    load: np.ndarray            # parcels a day each hub ships
    capacity: np.ndarray        # parcels a day each hub can ship
    population: np.ndarray
    next_day_weight: float
    parcels_per_person_day: float
    weighted_load: np.ndarray | None = None    # each hub's same-day parcels plus the weight times its next-day ones
    community_price: np.ndarray | None = None  # the LP's dual of each community's demand row (value of one more parcel)
    hub_price: np.ndarray | None = None        # the LP's dual of each hub's capacity row (value of one more parcel)
    flows: "sp.csr_matrix | None" = None       # parcels a day each hub ships to each community (when asked for)

    @property
    def share(self) -> np.ndarray:
        """Share of each community's parcels that are served (0 where it orders nothing)."""
        served = self.same_day + self.next_day
        return np.divide(served, self.demand, out=np.zeros_like(served), where=self.demand > 0)

    @property
    def tier(self) -> np.ndarray:
        """The tier at which most of each community's served parcels go (``none`` when nothing is)."""
        tiny = 1e-9 * np.maximum(self.demand, 1.0)
        return np.where(self.same_day + self.next_day <= tiny, "none",
                        np.where(self.same_day >= self.next_day, "same_day", "next_day")).astype(object)

    @property
    def utilisation(self) -> np.ndarray:
        return np.divide(self.load, self.capacity, out=np.zeros_like(self.load), where=self.capacity > 0)

    @property
    def weighted_parcels(self) -> float:
        return float(self.same_day.sum() + self.next_day_weight * self.next_day.sum())

    def totals(self) -> dict:
        """The contract's ``served``: people and parcels a day by tier, unserved parcels, weighted population."""
        shares = {}
        for name, part in (("same_day", self.same_day), ("next_day", self.next_day)):
            shares[name] = np.divide(part, self.demand, out=np.zeros_like(part), where=self.demand > 0)
        people = {tier: int(round(float((self.population * shares[tier]).sum()))) for tier in ("same_day", "next_day")}
        people["none"] = int(round(float(self.population.sum()))) - people["same_day"] - people["next_day"]  # adds up
        weighted = self.weighted_parcels / self.parcels_per_person_day if self.parcels_per_person_day > 0 else 0.0
        return {
            "population": {tier: people[tier] for tier in TIERS},
            "parcels_per_day": {"same_day": round(float(self.same_day.sum()), 3),
                                "next_day": round(float(self.next_day.sum()), 3)},
            "unserved_parcels_per_day": round(float(self.demand.sum() - self.same_day.sum() - self.next_day.sum()), 3),
            "demand_parcels_per_day": round(float(self.demand.sum()), 3),
            "capacity_parcels_per_day": round(float(self.capacity.sum()), 3),
            "weighted_population": round(weighted, 3),
        }


class ServedSolver:
    """The assignment LP for one engine, travel model and demand, kept warm between hub sets.

    :meth:`solve` takes hubs as (engine site, capacity) in scenario order; several hubs
    on one site are several slots.  Thread-safe (one solve at a time).
    """

    def __init__(self, engine: CoverageEngine, travel: TravelModel, demand: np.ndarray, next_day_weight: float,
                 population: np.ndarray | None = None, parcels_per_person_day: float = 1.0):
        engine.check_travel(travel)
        self.engine = engine
        self.demand = np.asarray(demand, dtype=float)
        self.population = engine.population.astype(float) if population is None else population
        self.parcels_per_person_day = float(parcels_per_person_day)
        self._set_pricing(travel, next_day_weight)
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        import highspy

        self._highs = highs_instance()
        self._highs.setOptionValue("dual_feasibility_tolerance", 1e-10)
        self._highs.setOptionValue("primal_feasibility_tolerance", 1e-9)
        # primal simplex: a new hub's columns or a re-priced threshold keep the last basis primal feasible, so it
        # goes on from there; measured on a 300-hub plan against HiGHS's default (dual): from scratch 1.2 s vs
        # 2.2 s, a hub added 42 vs 90 ms (at most 62 vs 676 ms), a threshold 0.10 vs 0.45 s, a hub removed 25 vs 55 ms
        self._highs.setOptionValue("simplex_strategy", 4)
        self._highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        n = self.engine.n_communities
        self._highs.addRows(n, np.full(n, -highspy.kHighsInf), self.demand, 0, np.zeros(1, dtype=np.int32),
                            np.zeros(0, dtype=np.int32), np.zeros(0))
        self._rows = n
        self._slots: dict[tuple[int, int], int] = {}         # (site, occurrence) -> slot number
        self._slot_site: list[int] = []
        self._slot_row: list[int] = []
        self._slot_capacity: list[float] = []
        self._col_community: list[np.ndarray] = []
        self._col_same: list[np.ndarray] = []
        self._col_slot: list[np.ndarray] = []
        self._col_price: list[np.ndarray] = []  # each column's objective; -inf where it is closed (upper bound 0)
        self._columns = 0

    def _set_pricing(self, travel: TravelModel, next_day_weight: float) -> None:
        """The travel model and weight that price the columns (the tie-break scaled to the next-day reach)."""
        self.travel, self.next_day_weight = travel, float(next_day_weight)
        reach = travel.next_day_minutes if travel.mode.in_minutes else travel.drive_minutes(travel.next_day_miles)
        self._minutes_scale = TIE_BREAK / max(float(reach), 1e-9)

    def _price(self, reach) -> np.ndarray:
        """Each reached community's objective: 1 same-day, the weight next-day, less the drive-time tie-break."""
        return np.where(reach.same_day, 1.0, self.next_day_weight) - self._minutes_scale * reach.minutes

    def _add_slot(self, site: int, capacity: float) -> int:
        import highspy

        reach = self.engine.reach(site, self.travel)
        row = self._rows
        self._highs.addRow(-highspy.kHighsInf, capacity, 0, np.zeros(0, dtype=np.int32), np.zeros(0))
        self._rows += 1
        slot = len(self._slot_row)
        self._slot_row.append(row)
        self._slot_site.append(site)
        self._slot_capacity.append(capacity)
        self._add_columns(slot, reach.communities, reach.same_day, self._price(reach))
        return slot

    def _add_columns(self, slot: int, communities: np.ndarray, same: np.ndarray, price: np.ndarray) -> None:
        """Columns from ``slot``'s hub to these communities (each in its community's row and the slot's row)."""
        import highspy

        count = len(communities)
        if count:
            starts = np.arange(count, dtype=np.int32) * 2
            index = np.empty(2 * count, dtype=np.int32)
            index[0::2], index[1::2] = communities, self._slot_row[slot]
            self._highs.addCols(count, price, np.zeros(count), np.full(count, highspy.kHighsInf), 2 * count, starts,
                                index, np.ones(2 * count))
        self._col_community.append(communities.astype(np.int64))
        self._col_same.append(same)
        self._col_slot.append(np.full(count, slot, dtype=np.int64))
        self._col_price.append(price)
        self._columns += count

    def _columns_flat(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Community, same-day flag and slot of every column, in column order."""
        if not self._col_community:
            return np.zeros(0, np.int64), np.zeros(0, bool), np.zeros(0, np.int64)
        return np.concatenate(self._col_community), np.concatenate(self._col_same), np.concatenate(self._col_slot)

    def _retarget(self, travel: TravelModel, next_day_weight: float) -> None:
        """Re-price every column for another travel model or weight on this engine, keeping HiGHS's basis.

        Under ``travel`` each slot reaches some communities: their columns get the new cost and
        tier, columns of communities no longer reached an upper bound of 0, and communities
        newly reached new columns.
        """
        import highspy

        if travel == self.travel and float(next_day_weight) == self.next_day_weight:
            return
        self.engine.check_travel(travel)
        self._set_pricing(travel, next_day_weight)
        community, same, slot_of = self._columns_flat()
        old = len(community)
        cost, upper = np.zeros(old), np.zeros(old)
        order = np.argsort(slot_of, kind="stable")
        bounds = np.searchsorted(slot_of[order], np.arange(len(self._slot_row) + 1))
        position = np.full(self.engine.n_communities, -1, dtype=np.int64)
        added: list[tuple[int, np.ndarray, np.ndarray, np.ndarray]] = []
        for slot, site in enumerate(self._slot_site):
            columns = order[bounds[slot]:bounds[slot + 1]]
            now = self.engine.reach(site, travel)
            price = self._price(now)
            position[community[columns]] = columns
            found = position[now.communities]
            position[community[columns]] = -1
            known = found >= 0
            cost[found[known]], upper[found[known]] = price[known], highspy.kHighsInf
            same[found[known]] = now.same_day[known]
            if not known.all():
                added.append((slot, now.communities[~known], now.same_day[~known], price[~known]))
        if old:
            every = np.arange(old, dtype=np.int32)
            self._highs.changeColsCost(old, every, cost)
            self._highs.changeColsBounds(old, every, np.zeros(old), upper)
        self._col_community, self._col_same, self._col_slot = [community], [same], [slot_of]
        self._col_price = [np.where(upper > 0, cost, -np.inf)]
        for slot, communities, reached, price in added:
            self._add_columns(slot, communities, reached, price)

    def _within_capacity(self, community: np.ndarray, slot_of: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The optimum without a solve when no hub is full: every community's parcels at its best-paying hub.

        Sending each community's whole demand down its best column (when that pays) is the optimum of the LP
        without its capacity rows, so when no hub's load then passes its capacity it is this LP's optimum too,
        with duals ``max(best price, 0)`` for the communities and 0 for the hubs (complementary slackness holds).
        A plan of every community a hub (a 4,000-hub share link) is answered in milliseconds; a plan whose hubs
        fill up (the usual case) returns None here and goes to HiGHS.
        """
        if not self._columns:
            return None
        price = np.concatenate(self._col_price)
        capacity = np.asarray(self._slot_capacity)
        price = np.where(capacity[slot_of] > 0, price, -np.inf)  # a removed hub's slot ships nothing
        n = self.engine.n_communities
        best = np.full(n, -np.inf)
        np.maximum.at(best, community, price)
        paying = best > 0
        chosen = np.flatnonzero((price == best[community]) & paying[community])
        chosen = chosen[np.unique(community[chosen], return_index=True)[1]]  # one column a community
        x = np.zeros(self._columns)
        x[chosen] = self.demand[community[chosen]]
        loads = np.bincount(slot_of, weights=x, minlength=len(capacity))
        if np.any(loads > capacity * (1 + 1e-12)):
            return None
        duals = np.zeros(self._rows)
        duals[:n] = np.where(paying, best, 0.0)
        return x, duals

    def _set_capacity(self, slot: int, capacity: float) -> None:
        import highspy

        if self._slot_capacity[slot] != capacity:
            self._highs.changeRowBounds(self._slot_row[slot], -highspy.kHighsInf, capacity)
            self._slot_capacity[slot] = capacity

    def solve(self, hub_sites: Sequence[int], capacities: Sequence[float], flows: bool = False,
              travel: TravelModel | None = None, next_day_weight: float | None = None) -> Served:
        """The optimal assignment for these hubs (engine sites and parcels-a-day capacities, scenario order).

        With ``flows``, :attr:`Served.flows` holds the parcels each hub ships to each community.
        ``travel`` and ``next_day_weight`` (this engine's; by default the solver's own) re-price
        the LP warm first.
        """
        hub_sites = [int(s) for s in hub_sites]
        capacities = [float(c) for c in capacities]
        with self._lock:
            if travel is not None or next_day_weight is not None:
                self._retarget(travel if travel is not None else self.travel,
                               self.next_day_weight if next_day_weight is None else next_day_weight)
            wanted: dict[tuple[int, int], float] = {}
            keys: list[tuple[int, int]] = []
            seen: dict[int, int] = {}
            for site, capacity in zip(hub_sites, capacities):
                key = (site, seen.get(site, 0))
                seen[site] = key[1] + 1
                wanted[key] = capacity
                keys.append(key)
            if len(self._slots) > 2 * max(len(wanted), 25):  # mostly removed hubs: start afresh
                self._reset()
            for key, slot in self._slots.items():
                if key not in wanted:
                    self._set_capacity(slot, 0.0)
            for key, capacity in wanted.items():
                if key in self._slots:
                    self._set_capacity(self._slots[key], capacity)
                else:
                    self._slots[key] = self._add_slot(key[0], capacity)
            n = self.engine.n_communities
            community, same, slot_of = self._columns_flat()
            fits = self._within_capacity(community, slot_of)
            if fits is not None:
                x, duals = fits
            elif self._columns:
                self._highs.run()
                solution = self._highs.getSolution()
                x = np.asarray(solution.col_value)
                duals = np.abs(np.asarray(solution.row_dual))  # "<=" rows of a maximisation
            else:
                x = np.zeros(0)
                duals = np.zeros(self._rows)
            x = np.maximum(x, 0.0)
            same_day = np.minimum(np.bincount(community[same], weights=x[same], minlength=n), self.demand)
            next_day = np.minimum(np.bincount(community[~same], weights=x[~same], minlength=n),
                                  self.demand - same_day)
            loads = np.bincount(slot_of, weights=x, minlength=len(self._slot_row))
            weighted = np.bincount(slot_of, weights=x * np.where(same, 1.0, self.next_day_weight),
                                   minlength=len(self._slot_row))
            hub_load = np.array([loads[self._slots[key]] for key in keys], dtype=float)
            hub_weighted = np.array([weighted[self._slots[key]] for key in keys], dtype=float)
            hub_price = np.array([duals[self._slot_row[self._slots[key]]] for key in keys], dtype=float)
            shipped = None
            if flows:
                position = np.full(len(self._slot_row), -1)
                position[[self._slots[key] for key in keys]] = np.arange(len(keys))
                live = (position[slot_of] >= 0) & (x > 0)
                shipped = sp.csr_matrix((x[live], (position[slot_of[live]], community[live])), shape=(len(keys), n))
        return Served(self.demand, same_day, next_day, hub_load, np.asarray(capacities, dtype=float),
                      self.population, self.next_day_weight, self.parcels_per_person_day, hub_weighted,
                      duals[:n].copy(), hub_price, shipped)


def solver_for(evaluation) -> ServedSolver:
    """A fresh solver for an evaluation's engine, travel model and cost settings."""
    scenario = evaluation.scenario
    costs = scenario.costs
    per_person = parcels_per_person_day(costs.parcels_per_person_per_year, costs.peak_factor)
    demand = demand_per_day(evaluation.engine.population, costs.parcels_per_person_per_year, costs.peak_factor)
    return ServedSolver(evaluation.engine, scenario.travel, demand, scenario.next_day_weight,
                        parcels_per_person_day=per_person)


def solver_key(evaluation) -> tuple:
    """What a solver depends on: reuse one only while this stays the same.

    Not the thresholds, the travel model's other settings or the next-day weight: :func:`served`
    re-prices a solver for those warm.  The engine and the demand, yes.
    """
    scenario = evaluation.scenario
    return (id(evaluation.engine), scenario.costs.parcels_per_person_per_year, scenario.costs.peak_factor)


#: The last served answers, by what they depend on (with the engine, so that its id stays its own).
_KNOWN: "OrderedDict[tuple, tuple[CoverageEngine, Served]]" = OrderedDict()
_KNOWN_SIZE = 32
_KNOWN_LOCK = threading.Lock()


def served(evaluation, solver: ServedSolver | None = None) -> Served:
    """The served figures of an evaluation (with a warm solver when one is given; known ones without a solve)."""
    scenario = evaluation.scenario
    costs = scenario.costs
    capacities = [float(costs.capacity_parcels_per_day[hub.type]) for hub in scenario.hubs]
    sites = [int(site) for site in evaluation.coverage.hub_sites]
    key = (id(evaluation.engine), scenario.travel, costs.parcels_per_person_per_year, costs.peak_factor,
           float(scenario.next_day_weight), tuple(sites), tuple(capacities))
    with _KNOWN_LOCK:
        known = _KNOWN.get(key)
        if known is not None and known[0] is evaluation.engine:
            _KNOWN.move_to_end(key)
            return known[1]
    if solver is None:
        answer = solver_for(evaluation).solve(sites, capacities)
    else:
        answer = solver.solve(sites, capacities, travel=scenario.travel, next_day_weight=scenario.next_day_weight)
    with _KNOWN_LOCK:
        _KNOWN[key] = (evaluation.engine, answer)
        while len(_KNOWN) > _KNOWN_SIZE:
            _KNOWN.popitem(last=False)
    return answer
