r"""The capacity model's search: moves a capacity plan needs, each scored exactly by the assignment LP.

From a plan :math:`P` with served value :math:`z(P)` (the transportation LP of
``coverage/capacity.py``, warm-started: about 15 ms after one change), one hub
:math:`h` at a time, the least served weight per dollar first:

* **swap / shift / type change**: drop :math:`h` and open another option instead (another
  site, a neighbour with more unserved demand, or the same site as the other type);
* **split**: a new build becomes two conversions (its own site and another, or two others);
* **merge**: a conversion and the nearest other conversion become one new build;
* **add**: money left over buys what the greedy rule ranks first.

Which options to try: after the LP of :math:`P \setminus h`, each option's *fill value*
(``CapacityProblem.fill_values``: its capacity filled from the parcels that LP leaves
unserved, or serves only next-day) is what opening it would add at least, so
:math:`z(P \setminus h) + \text{fill}_o \le z(P \setminus h + o)`.  The few options with
the highest such value are scored exactly, and the first move that serves more is kept.

**Regional re-planning** (a large-neighbourhood search, as the coverage model's): the
hubs in one region of the map are freed, with the money they cost; every other hub
keeps what it ships (its flows in the LP), which leaves each community a residual
demand :math:`r_i`; a MIP chooses the region's options anew,

.. math::

    \max \sum_{ji} w_{ij} x_{ji}
    \;\text{s.t.}\; \sum_j x_{ji} \le r_i,\;
    \sum_i x_{ji} \le \sum_{t} C_t y_{jt},\;
    x_{ji} \le r_i \sum_t y_{jt},\;
    \sum_t y_{jt} \le 1,\;
    \sum_{jt} c_{jt} y_{jt} \le \text{money},\; y \in \{0,1\},

warm-started with the region's hubs, and the plan it gives is scored exactly (the
LP may then also re-route the other hubs, so it serves at least what the MIP says).
The region's size follows how fast the MIPs finish: grown after a quick one, shrunk
after one that ran out of time.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from coverage import highs as highs_runs
from coverage.geo import chord_to_miles, unit_vectors
from coverage.highs import maximise, solution_values
from coverage.optimize.model import TOLERANCE

if TYPE_CHECKING:
    from coverage.capacity import Served
    from coverage.optimize.capacity import CapacityProblem

TRIES = 5          # options scored exactly per move, at most
MERGE_MILES = 150  # a conversion may merge with the nearest other conversion this close
REGION_SITES = 50  # candidate sites in a region at first (then grown or shrunk with the MIPs' times),
REGION_MOST = 160  # and at most (building a larger MIP takes longer than the search can wait for)
REGION_SECONDS = 4.0  # the most one regional MIP may take


class ServedSearch:
    """Local search over capacity plans for one model and budget (see the module notes)."""

    def __init__(self, problem: "CapacityProblem", budget: float):
        self.problem, self.budget = problem, float(budget)
        p = problem
        self.types = np.asarray(p.option_type, dtype=object)
        self.big = p.option_type[int(np.argmax(p.option_capacity))] if len(p.option_cost) else ""
        self.small = p.option_type[int(np.argmin(p.option_cost))] if len(p.option_cost) else ""
        self.points = unit_vectors(*p.engine.site_coordinates(p.sites))
        self.scored = 0   # plans scored exactly
        self.moves: dict[str, int] = {}  # moves kept, by kind

    # -- scoring ------------------------------------------------------------------------------------------
    def served(self, plan: Sequence[int]) -> "Served":
        """The exact assignment of a plan (kept hubs first)."""
        p = self.problem
        plan = list(plan)
        self.scored += 1
        return p._solver.solve(p.kept_sites + p.option_site[plan].tolist(),
                               p.kept_capacity + p.option_capacity[plan].tolist())

    def _gains(self, served: "Served", plan: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        """Each option's fill value after ``served``, and which options fit the money and sites ``plan`` leaves."""
        p = self.problem
        gains = p.gains_after(served)
        money = self.budget - float(p.option_cost[list(plan)].sum())
        taken = np.zeros(len(p.sites), bool)
        taken[p.option_column[list(plan)]] = True
        return gains, (p.option_cost <= money + TOLERANCE) & ~taken[p.option_column]

    def _first_better(self, rest: list[int], candidates: np.ndarray, base: float, best: float,
                      deadline: float, over: Callable[[], bool]) -> tuple[list[int], float] | None:
        """Score ``rest`` plus each candidate (best first) and return the first plan above ``best``."""
        for option in candidates.tolist():
            if time.monotonic() > deadline or over():
                return None
            trial = rest + [int(option)]
            score = self.served(trial).weighted_parcels
            if score > best * (1 + 1e-9):
                return trial, score
        return None

    # -- the search -----------------------------------------------------------------------------------------
    def search(self, plan: Sequence[int], deadline: float, over: Callable[[], bool],
               on_better: Callable[[list[int], float], None] | None = None) -> list[int]:
        """Improve ``plan`` by the moves of the module notes until none gains, ``deadline`` or ``over()``."""
        p = self.problem
        plan = list(plan)
        best = self.served(plan).weighted_parcels
        stale, position = 0, 0   # hubs visited since the last gain; where the visit goes on
        while time.monotonic() < deadline and not over():
            plan, gained = self._add(plan, best, deadline, over)
            if gained > best:
                best = gained
                if on_better:
                    on_better(plan, best)
            if not plan or stale >= len(plan):
                return plan
            if time.monotonic() > deadline or over():
                break
            served = self.served(plan)
            kept = len(p.kept_sites)
            worth = served.weighted_load[kept:] / np.maximum(p.option_cost[plan], 1e-9)
            hub = plan[int(np.argsort(worth, kind="stable")[position % len(plan)])]
            position += 1
            moved = self._move(plan, hub, best, deadline, over)
            if moved is None:
                stale += 1
                continue
            plan, best, kind = moved
            self.moves[kind] = self.moves.get(kind, 0) + 1
            stale, position = 0, 0
            if on_better:
                on_better(plan, best)
        return plan

    def _add(self, plan: list[int], best: float, deadline: float,
             over: Callable[[], bool]) -> tuple[list[int], float]:
        """Spend money left over on the option of most fill value per dollar, while that serves more."""
        p = self.problem
        while time.monotonic() < deadline and not over():
            gains, free = self._gains(self.served(plan), plan)
            ratio = np.where(free & (gains > TOLERANCE), gains / np.maximum(p.option_cost, 1e-9), -1.0)
            option = int(np.argmax(ratio)) if len(ratio) else 0
            if not len(ratio) or ratio[option] <= 0:
                break
            score = self.served(plan + [option]).weighted_parcels
            if score <= best * (1 + 1e-9):
                break
            plan, best = plan + [option], score
            self.moves["add"] = self.moves.get("add", 0) + 1
        return plan, best

    def _move(self, plan: list[int], hub: int, best: float, deadline: float,
              over: Callable[[], bool]) -> tuple[list[int], float, str] | None:
        """Swap, shift or change the type of ``hub``; split it if a new build, merge it if a conversion."""
        p = self.problem
        rest = [o for o in plan if o != hub]
        served = self.served(rest)
        base = served.weighted_parcels
        gains, free = self._gains(served, rest)
        free[hub] = False
        order = np.argsort(-np.where(free, gains, -np.inf))[:TRIES]
        order = order[free[order] & (base + gains[order] > base)]
        found = self._first_better(rest, order, base, best, deadline, over)
        if found:
            return (*found, "swap")
        if time.monotonic() > deadline or over():
            return None
        if self.big != self.small and self.types[hub] == self.big:  # split into two small ones
            small = free & (self.types == self.small)
            order = np.argsort(-np.where(small, gains, -np.inf))[:TRIES]
            for first in order[small[order]].tolist():
                if time.monotonic() > deadline or over():
                    return None
                with_first = rest + [first]
                gains2, free2 = self._gains(self.served(with_first), with_first)
                second = free2 & (self.types == self.small)
                if not second.any():
                    continue
                found = self._first_better(with_first, np.argsort(-np.where(second, gains2, -np.inf))[:2],
                                           base, best, deadline, over)
                if found:
                    return (*found, "split")
        if time.monotonic() > deadline or over():
            return None
        if self.big != self.small and self.types[hub] == self.small:  # merge with the nearest small one
            partners = [o for o in rest if self.types[o] == self.small]
            if partners:
                chord = np.linalg.norm(self.points[p.option_column[partners]] - self.points[p.option_column[hub]],
                                       axis=1)
                if chord_to_miles(np.array([chord.min()]))[0] <= MERGE_MILES:
                    rest2 = [o for o in rest if o != partners[int(np.argmin(chord))]]
                    served2 = self.served(rest2)
                    gains2, free2 = self._gains(served2, rest2)
                    big = free2 & (self.types == self.big)
                    order = np.argsort(-np.where(big, gains2, -np.inf))[:TRIES]
                    found = self._first_better(rest2, order[big[order]], served2.weighted_parcels, best,
                                               deadline, over)
                    if found:
                        return (*found, "merge")
        return None

    # -- regional re-planning ----------------------------------------------------------------------------------
    def regional(self, plan: Sequence[int], deadline: float, over: Callable[[], bool],
                 on_better: Callable[[list[int], float], None] | None = None, seed: int = 7) -> list[int]:
        """Re-plan one region around a random hub at a time by a small MIP (module notes) until ``deadline``."""
        from scipy.spatial import cKDTree

        p = self.problem
        plan = list(plan)
        if not plan:
            return plan
        rng = np.random.default_rng(seed)
        tree = cKDTree(self.points)
        size = REGION_SITES
        best = self.served(plan).weighted_parcels
        while time.monotonic() < deadline - 0.2 and not over():
            centre = p.option_column[plan[int(rng.integers(len(plan)))]]
            _, near = tree.query(self.points[centre], k=min(size, len(p.sites)))
            region = np.atleast_1d(near)
            seconds = min(REGION_SECONDS, deadline - time.monotonic())
            if seconds < 0.5:  # building the MIP and scoring its plan take a moment too
                break
            started = time.monotonic()
            found, solved = self._replan(plan, region, seconds)
            took = time.monotonic() - started
            if solved and took < seconds / 4:
                size = min(REGION_MOST, int(size * 1.2) + 1)
            elif not solved:
                size = max(10, int(size / 1.3))
            if found is None:
                continue
            score = self.served(found).weighted_parcels
            if score > best * (1 + 1e-9):
                plan, best = found, score
                self.moves["region"] = self.moves.get("region", 0) + 1
                if on_better:
                    on_better(plan, best)
        return plan

    def _replan(self, plan: list[int], region: np.ndarray, seconds: float) -> tuple[list[int] | None, bool]:
        """The MIP over the options at the ``region``'s sites with everything else fixed: a plan, and whether proved."""
        p = self.problem
        in_region = np.zeros(len(p.sites), bool)
        in_region[region] = True
        inside = in_region[p.option_column[plan]]
        fixed = [o for o, here in zip(plan, inside) if not here]
        kept = len(p.kept_sites)
        served = p._solver.solve(p.kept_sites + p.option_site[plan].tolist(),
                                 p.kept_capacity + p.option_capacity[plan].tolist(), flows=True)
        self.scored += 1
        outside = np.r_[np.arange(kept), kept + np.flatnonzero(~inside)].astype(int)
        residual = np.maximum(p.demand - np.asarray(served.flows[outside].sum(axis=0)).ravel(), 0.0)
        money = self.budget - float(p.option_cost[fixed].sum())
        start = {int(o): served.flows[kept + position] for position, o in enumerate(plan) if inside[position]}
        found = site_mip(p, np.flatnonzero(in_region), residual, money, start, seconds)
        if found is None:
            return None, False
        chosen, proved, _ = found
        return fixed + chosen, proved


def site_mip(problem: "CapacityProblem", columns: np.ndarray, residual: np.ndarray, money: float,
             start: dict, seconds: float, kept_free: bool = False) -> tuple[list[int], bool, float] | None:
    r"""The capacity model over the options at some candidate sites, for residual demand and money.

    The strong linking rows :math:`x_{ji} \le r_i \sum_t y_{jt}` make its LP tight enough
    for HiGHS to finish small ones.  ``start`` maps options to open first to the flows
    (hub x community, parcels) they ship now.  With ``kept_free`` the kept hubs join
    with their capacity and their flows free (the whole model, for a proof).  Returns
    the options chosen, whether HiGHS proved them optimal, and its bound (weighted
    parcels), or None when it found no plan in time.
    """
    import highspy
    import scipy.sparse as sp

    p = problem
    options = np.flatnonzero(np.isin(p.option_column, columns) & (p.option_cost <= money + TOLERANCE))
    sites = np.unique(p.option_column[options])
    kept = len(p.kept_sites) if kept_free else 0
    m = len(sites) + kept                     # sites in the MIP: the candidates, then the kept hubs
    local = np.full(len(p.sites), -1)
    local[sites] = np.arange(len(sites))
    pair_rows, pair_site, pair_weight = [], [], []
    for column in sites.tolist():
        a, b = p.site_ptr[column], p.site_ptr[column + 1]
        keep = residual[p.pair_community[a:b]] > 1e-9
        pair_rows.append(p.pair_community[a:b][keep])
        pair_site.append(np.full(int(keep.sum()), local[column]))
        pair_weight.append(p.pair_weight[a:b][keep])
    for h, site in enumerate(p.kept_sites[:kept]):
        reach = p.engine.reach(site, p.travel)
        keep = residual[reach.communities] > 1e-9
        pair_rows.append(reach.communities[keep])
        pair_site.append(np.full(int(keep.sum()), len(sites) + h))
        pair_weight.append(np.where(reach.same_day, 1.0, p.weight)[keep])
    community = np.concatenate(pair_rows) if pair_rows else np.zeros(0, np.int64)
    site = np.concatenate(pair_site) if pair_site else np.zeros(0, np.int64)
    weight = np.concatenate(pair_weight) if pair_weight else np.zeros(0)
    if not len(community) or not len(options):
        return [], True, 0.0
    rows_of, row = np.unique(community, return_inverse=True)
    k, pairs, c = len(options), len(community), len(rows_of)
    option_site = local[p.option_column[options]]
    linked = option_site[:, None] == np.arange(len(sites))[None, :]  # option x site
    # rows: residual demand (c), capacity (m), one type a site (m), money (1), linking (pairs of candidate sites)
    # columns: y (k), x (pairs)
    candidate_pair = np.flatnonzero(site < len(sites))
    link_rows, link_cols, link_vals = [], [], []
    by_site = np.argsort(site[candidate_pair], kind="stable")
    starts = np.searchsorted(site[candidate_pair][by_site], np.arange(len(sites) + 1))
    for s_ in range(len(sites)):
        here = candidate_pair[by_site[starts[s_]:starts[s_ + 1]]]
        for y in np.flatnonzero(linked[:, s_]).tolist():
            link_rows.append(c + 2 * m + 1 + np.searchsorted(candidate_pair, here))
            link_cols.append(np.full(len(here), y))
            link_vals.append(-residual[community[here]])
    links = len(candidate_pair)
    scale = float(np.median(p.option_cost[options]))
    rows = np.concatenate([c + option_site, c + m + option_site, np.full(k, c + 2 * m), row, c + site,
                           c + 2 * m + 1 + np.arange(links)] + link_rows)
    cols = np.concatenate([np.arange(k)] * 3 + [k + np.arange(pairs)] * 2 + [k + candidate_pair] + link_cols)
    vals = np.concatenate([-p.option_capacity[options], np.ones(k), p.option_cost[options] / scale,
                           np.ones(pairs), np.ones(pairs), np.ones(links)] + link_vals)
    matrix = sp.csc_matrix((vals, (rows, cols)), shape=(c + 2 * m + 1 + links, k + pairs))
    capacity = np.concatenate([np.zeros(len(sites)), np.asarray(p.kept_capacity[:kept], dtype=float)])
    highs = maximise(matrix, np.concatenate([np.zeros(k), weight]),
                     np.concatenate([np.ones(k), np.full(pairs, highspy.kHighsInf)]),
                     np.concatenate([residual[rows_of], capacity, np.ones(m), [money / scale], np.zeros(links)]), k)
    highs.setOptionValue("mip_rel_gap", 1e-6)
    highs.setOptionValue("presolve", "off")  # measured: presolve takes longer than these small MIPs
    if start:
        values = np.zeros(k + pairs)
        where = {int(o): i for i, o in enumerate(options.tolist())}
        for option, flows in start.items():
            if option not in where:
                continue
            values[where[option]] = 1.0
            here = np.flatnonzero(site == local[p.option_column[option]])
            shipped = np.asarray(flows[:, community[here]].todense()).ravel() if sp.issparse(flows) \
                else np.asarray(flows)[community[here]]
            values[k + here] = np.minimum(shipped, residual[community[here]])
        highs.setSolution(solution_values(values))
    highs_runs.run(highs, seconds, p.stop)
    solution = highs.getSolution()
    if not solution.value_valid:
        return None
    info = highs.getInfo()
    chosen = options[np.asarray(solution.col_value[:k]) > 0.5].tolist()
    proved = highs.getModelStatus() == highspy.HighsModelStatus.kOptimal
    return chosen, proved, float(info.mip_dual_bound)
