r"""Budgeted two-tier maximal coverage: which sites to open, within a budget, keeping locked hubs.

The model
---------
Sets: communities :math:`i \in I` with population :math:`p_i`; candidate sites
:math:`j \in J` with cost :math:`c_j` (the cost model's ``cost_usd`` for the site's hub
type and opening quarter); :math:`S_i \subseteq N_i \subseteq J`, the sites within
same-day and next-day reach of :math:`i` (engine distances, no-road rule included).
Kept hubs (locked ones always; the other existing hubs unless the planner re-plans
them) are fixed and give each community a base value :math:`b_i \in \{0, w p_i, p_i\}`.

.. math::

    \max \; \sum_i g^{next}_i z_i + (g^{same}_i - g^{next}_i)\, y_i
    \quad\text{s.t.}\quad
    y_i \le \sum_{j \in S_i} x_j,\;\;
    z_i \le \sum_{j \in N_i} x_j,\;\;
    \sum_j c_j x_j \le B,\;\;
    x_j \in \{0, 1\},\; 0 \le y_i, z_i \le 1

with :math:`g^{same}_i = p_i - b_i` and :math:`g^{next}_i = \max(0, w p_i - b_i)`.  A
community reached same-day gets :math:`y_i = z_i = 1` and adds :math:`g^{same}_i`; one
reached next-day only adds :math:`g^{next}_i`; so the total
:math:`\sum_i b_i + \text{objective}` is the contract's objective
:math:`\sum_i p_i \cdot (1 \text{ same-day}, w \text{ next-day}, 0)`.  (:math:`y_i \le z_i`
is implied at an optimum and left out.)  :math:`B` is the budget less the kept hubs' cost.

How it is proved fast
---------------------
The straightforward model (every site, every community: 850,000 non-zeros) takes
HiGHS a minute or more.  Maximal covering is "integer friendly": its LP relaxation
is often tight on real data once the budget's integrality is seen.  So:

1. **Dominated sites** are dropped: a site whose same-day and next-day reach are both
   contained in a no-dearer site's is never needed (exact; ties keep the lower index).
2. **Greedy** (lazy, by gain per dollar) gives a plan in milliseconds.
3. **The LP relaxation by column generation**, warm-started: every community row is
   in the model from the start, sites join as columns (``addCols``) while any has a
   positive reduced cost, and HiGHS re-optimises from its last basis.  A cardinality
   cut :math:`\sum_j x_j \le \lfloor B / \min_j c_j \rfloor` (valid: no plan can
   afford more sites) removes the LP's fractional extra hub, the main source of its
   gap.  Every round gives a valid bound (value plus positive reduced costs).
4. **A restricted MIP** over the LP's support (sites with positive LP value or a
   reduced cost near zero) turns the LP into a near-optimal plan in a second.
   Where the LP is far from integral (100-300 hubs on the default data), a swap search
   and a **regional search** (re-plan a dozen neighbouring hubs at a time, exactly, on
   regions drawn around random hubs of the plan) find the plan instead.
5. **Reduced-cost fixing**: with LP optimum :math:`Z_{LP}` and reduced costs
   :math:`d_j`, any plan that opens site :math:`j` is worth at most
   :math:`Z_{LP} + d_j`; sites below the best plan's value are dropped.
6. **The proving MIP** over the remaining sites, with communities reached by exactly
   the same sites merged into one row, warm-started with the best plan, to a 0.01%
   gap.  Its bound holds for the whole problem, because every dropped site was
   shown unable to beat a plan the small model contains.

Where it is not proved fast: with 100-300 hubs on the default data (budgets of about
$1.25B-$3.5B at default costs) the LP spreads its hubs over hundreds of sites (at
$2B: 643 sites at a fifth of a hub each, 1,382 sites with a reduced cost within
1,000 people of zero), and the bound sits 0.03-0.25% above the best plans found in
a minute.  Neither fixing nor HiGHS's cuts close that to 0.01% in minutes, and
regional decompositions priced with the LP's duals give no better bound (each
region's integer optimum matches its LP share); the optimiser then returns its plan
with ``status: time_limit`` and the proven gap.
"""

from __future__ import annotations

import dataclasses
import heapq
import itertools
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from coverage import defaults
from coverage.engine import NONE, SAME_DAY, CoverageEngine
from coverage.errors import InputError, Problem
from coverage.geo import unit_vectors
from coverage.travel import TravelModel

MIP_GAP = 1e-4  # 0.01%
TOLERANCE = 1e-6


@dataclass
class Progress:
    """What the solver reports while it works (objective and bound in population-weighted people)."""

    phase: str
    objective: float
    bound: float
    seconds: float

    @property
    def gap(self) -> float:
        return (self.bound - self.objective) / self.bound if self.bound > 0 else 0.0


@dataclass
class Solution:
    """The optimiser's answer: chosen candidate sites and how sure we are."""

    status: str              # "optimal", "time_limit", "stopped" or "greedy"
    sites: list[int]         # engine site indices chosen (new hubs)
    objective: float         # total, kept hubs included
    bound: float             # proven upper bound on the total
    seconds: float
    stats: dict = field(default_factory=dict)

    @property
    def gap(self) -> float:
        """(bound - objective) / bound, as proved."""
        return max(0.0, (self.bound - self.objective) / self.bound) if self.bound > 0 else 0.0


class CoverageProblem:
    """The model for one engine, travel model, set of kept hubs, candidates and costs.

    Use :meth:`from_engine`; then :meth:`greedy` for an instant plan, :meth:`solve` for
    a proven one, and :meth:`value` to score any set of sites.
    """

    def __init__(self, same: sp.csc_matrix, near: sp.csc_matrix, g_same: np.ndarray, g_next: np.ndarray,
                 costs: np.ndarray, sites: np.ndarray, base_value: float, points: np.ndarray | None = None):
        self.same, self.near = same.tocsc(), near.tocsc()    # communities x candidates (0/1)
        self.same_rows, self.near_rows = same.tocsr(), near.tocsr()
        self.g_same, self.g_next = g_same.astype(float), g_next.astype(float)
        self.g_extra = self.g_same - self.g_next
        self.costs = costs.astype(float)
        self.sites = np.asarray(sites, dtype=np.int64)       # engine site of each candidate column
        self.base_value = float(base_value)
        self.points = points                                 # unit vectors of the candidates (for regions)
        self.stop: threading.Event | None = None             # set by the planner's Stop: every loop ends soon

    def _over(self, deadline: float) -> bool:
        """The time limit has passed, or the planner asked to stop."""
        return time.monotonic() > deadline or (self.stop is not None and self.stop.is_set())

    def _interrupt_on_stop(self, highs) -> None:
        """Let a HiGHS run (simplex or MIP) end within moments of Stop."""
        if self.stop is None:
            return
        stop = self.stop

        def check(event) -> None:
            if stop.is_set():
                event.interrupt()

        highs.cbSimplexInterrupt.subscribe(check)
        highs.cbMipInterrupt.subscribe(check)

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def from_engine(cls, engine: CoverageEngine, travel: TravelModel, kept_sites: Sequence[int],
                    candidate_sites: Sequence[int], costs: Sequence[float], next_day_weight: float,
                    budget: float | None = None) -> "CoverageProblem":
        """Build the model from the engine's pair table (candidates costing more than ``budget`` are left out)."""
        if not 0 <= next_day_weight <= 1:
            raise InputError(Problem(f"{next_day_weight} must be between 0 and 1", column="next_day_weight"))
        candidate_sites = np.asarray(candidate_sites, dtype=np.int64)
        costs = np.asarray(costs, dtype=float)
        if budget is not None:
            affordable = costs <= budget + TOLERANCE
            candidate_sites, costs = candidate_sites[affordable], costs[affordable]
        population = engine.population.astype(float)
        kept = engine.evaluate(list(kept_sites), travel)
        base = np.where(kept.tier == SAME_DAY, population,
                        np.where(kept.tier == NONE, 0.0, next_day_weight * population))
        g_same = population - base
        g_next = np.maximum(0.0, next_day_weight * population - base)
        same_limit, next_limit = engine.layout.tier_limits(travel)
        rows, cols, near_flags = [], [], []
        for column, site in enumerate(candidate_sites.tolist()):
            communities, keys = engine._row(site)
            reach = keys <= next_limit
            rows.append(communities[reach])
            cols.append(np.full(int(reach.sum()), column))
            near_flags.append(keys[reach] <= same_limit)
        rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        is_same = np.concatenate(near_flags) if near_flags else np.zeros(0, bool)
        shape = (engine.n_communities, len(candidate_sites))
        near = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
        same = sp.csc_matrix((np.ones(int(is_same.sum())), (rows[is_same], cols[is_same])), shape=shape)
        points = unit_vectors(*engine.site_coordinates(candidate_sites))
        return cls(same, near, g_same, g_next, costs, candidate_sites, base.sum(), points)

    # -- scoring -----------------------------------------------------------------------------------
    def value(self, columns: Sequence[int]) -> float:
        """Total objective (kept hubs included) of opening these candidate columns."""
        columns = np.asarray(list(columns), dtype=np.int64)
        if not len(columns):
            return self.base_value
        same = np.asarray(self.same_rows[:, columns].sum(axis=1)).ravel() > 0
        near = np.asarray(self.near_rows[:, columns].sum(axis=1)).ravel() > 0
        return self.base_value + float(np.where(same, self.g_same, np.where(near, self.g_next, 0.0)).sum())

    # -- greedy --------------------------------------------------------------------------------------
    def greedy(self, budget: float, start: Sequence[int] = ()) -> list[int]:
        """Lazy greedy by gain per dollar (ties by gain), within the budget, from the ``start`` sites."""
        near, same = self.near, self.same
        value = np.zeros(self.near.shape[0])
        for column in start:
            rows = near.indices[near.indptr[column]:near.indptr[column + 1]]
            value[rows] = np.maximum(value[rows], np.where(self._same_mask(column, rows), self.g_same[rows],
                                                           self.g_next[rows]))

        def gain(column: int) -> float:
            start, stop = near.indptr[column], near.indptr[column + 1]
            rows = near.indices[start:stop]
            reach = np.where(self._same_mask(column, rows), self.g_same[rows], self.g_next[rows])
            return float(np.maximum(0.0, reach - value[rows]).sum())

        costs = np.maximum(self.costs, 1e-9)
        initial = np.asarray(same.T @ self.g_extra + near.T @ self.g_next).ravel()
        taken = set(start)
        heap = [(-initial[j] / costs[j], -initial[j], j) for j in range(len(costs)) if initial[j] > 0 and j not in taken]
        heapq.heapify(heap)
        chosen, left = list(start), float(budget) - float(self.costs[list(start)].sum())
        while heap:
            _, _, column = heapq.heappop(heap)
            if self.costs[column] > left + TOLERANCE:
                continue
            fresh = gain(column)
            if fresh <= TOLERANCE:
                continue
            if heap and fresh / costs[column] < -heap[0][0] - 1e-12:
                heapq.heappush(heap, (-fresh / costs[column], -fresh, column))
                continue
            chosen.append(column)
            left -= self.costs[column]
            start, stop = near.indptr[column], near.indptr[column + 1]
            rows = near.indices[start:stop]
            value[rows] = np.maximum(value[rows], np.where(self._same_mask(column, rows), self.g_same[rows],
                                                           self.g_next[rows]))
        return chosen

    def rounded(self, budget: float, x: np.ndarray) -> list[int]:
        """A plan from an LP solution: sites in order of LP value while affordable, then greedy to fill."""
        order = np.argsort(-x, kind="stable")
        chosen, left = [], float(budget)
        for column in order[x[order] > 1e-6].tolist():
            if self.costs[column] <= left + TOLERANCE:
                chosen.append(column)
                left -= self.costs[column]
        return self.greedy(budget, start=chosen)

    def improve(self, budget: float, plan: Sequence[int], deadline: float) -> list[int]:
        """Swap local search: replace one chosen site by the best other site while that gains value.

        For each chosen site in turn, what every site would add to the others is computed
        at once (two sparse products); the chosen site is swapped for the best one when
        that adds more than the chosen site itself does.
        """
        plan = list(plan)
        if not plan:
            return plan
        near, same = self.near, self.same
        count_near = np.asarray(self.near_rows[:, plan].sum(axis=1)).ravel()
        count_same = np.asarray(self.same_rows[:, plan].sum(axis=1)).ravel()
        left = float(budget) - float(self.costs[plan].sum())

        def toggle(column: int, step: int) -> None:
            count_near[near.indices[near.indptr[column]:near.indptr[column + 1]]] += step
            count_same[same.indices[same.indptr[column]:same.indptr[column + 1]]] += step

        improved = True
        while improved and not self._over(deadline):
            improved = False
            for position in range(len(plan)):
                if self._over(deadline):
                    break
                column = plan[position]
                toggle(column, -1)  # the others' coverage
                value = np.where(count_same > 0, self.g_same, np.where(count_near > 0, self.g_next, 0.0))
                gain_next = np.maximum(0.0, self.g_next - value)
                gains = np.asarray(same.T @ (self.g_same - value - gain_next) + near.T @ gain_next).ravel()
                own = gains[column]
                gains[plan] = -np.inf
                gains[self.costs > left + self.costs[column] + TOLERANCE] = -np.inf
                best = int(np.argmax(gains))
                if gains[best] > own + 1e-9 * max(1.0, abs(own)):
                    plan[position] = best
                    left += self.costs[column] - self.costs[best]
                    column, improved = best, True
                toggle(column, +1)
        return plan

    def regional_search(self, budget: float, plan: Sequence[int], deadline: float, active: np.ndarray | None = None,
                        target: float = math.inf, sub_limit: float = 5.0,
                        on_better: Callable[[list[int], float], None] | None = None) -> list[int]:
        """Large-neighbourhood search: re-plan one region of the map at a time, exactly.

        Each round cuts the map into regions around randomly drawn hubs of the plan (every
        candidate goes to its nearest centre), so that a region holds about 10, 14 or 20
        of the plan's hubs.  Within a region the hubs may move anywhere among the
        region's sites, for the money they cost; every other hub stays, its coverage
        counted as given.  The small MIP is solved exactly (``sub_limit`` seconds at most)
        and a better plan is kept.  Regions, rather than windows around one site, let a
        dozen neighbouring hubs shift together, which is what the LP's spread-out
        fractional solutions need.
        """
        from scipy.spatial import cKDTree

        plan = list(plan)
        if not plan or self.points is None:
            return plan
        active = np.ones(self.near.shape[1], bool) if active is None else active
        rng = np.random.default_rng(7)
        best = self.value(plan)
        for round_ in itertools.count():
            hubs_per_region = (10, 14, 20)[round_ % 3]
            count = max(1, min(len(plan), round(len(plan) / hubs_per_region)))
            centres = rng.choice(plan, size=count, replace=False)
            _, region = cKDTree(self.points[centres]).query(self.points)
            for index in range(count):
                if self._over(deadline) or best >= target:
                    return plan
                freed = [c for c in plan if region[c] == index]
                window = np.union1d(np.flatnonzero((region == index) & active), freed).astype(np.int64)
                fixed = [c for c in plan if region[c] != index]
                better = self._reoptimise(window, freed, fixed, min(deadline - time.monotonic(), sub_limit))
                if better is not None:
                    plan = fixed + better
                    best = self.value(plan)
                    if on_better:
                        on_better(plan, best)
        return plan

    def _reoptimise(self, window: np.ndarray, freed: list[int], fixed: list[int], time_limit: float):
        """The best choice among ``window`` for the money ``freed`` costs, the ``fixed`` sites given; None if no better."""
        if time_limit <= 0.05:
            return None
        count_near = np.asarray(self.near_rows[:, fixed].sum(axis=1)).ravel() if fixed else 0
        count_same = np.asarray(self.same_rows[:, fixed].sum(axis=1)).ravel() if fixed else 0
        base = np.where(np.asarray(count_same) > 0, self.g_same, np.where(np.asarray(count_near) > 0, self.g_next, 0.0))
        g_same = self.g_same - base
        g_next = np.maximum(0.0, self.g_next - base)
        sub = CoverageProblem(self.same[:, window], self.near[:, window], g_same, g_next, self.costs[window],
                              window, 0.0)
        sub.stop = self.stop
        start = [int(np.flatnonzero(window == c)[0]) for c in freed]
        money = float(self.costs[freed].sum())
        found, _, info = sub._mip(np.arange(len(window)), money, start, time_limit, gap=1e-7)
        if sub.value(found) > sub.value(start) + 1e-9 * max(1.0, sub.value(start)):
            return [int(window[c]) for c in found]
        return None

    def _same_mask(self, column: int, rows: np.ndarray) -> np.ndarray:
        start, stop = self.same.indptr[column], self.same.indptr[column + 1]
        return np.isin(rows, self.same.indices[start:stop], assume_unique=True)

    # -- exact reductions ---------------------------------------------------------------------------
    def max_sites(self, budget: float) -> int:
        """The most sites any plan can afford (the cardinality cut's right-hand side)."""
        cheapest = float(self.costs.min()) if len(self.costs) else 1.0
        return int(math.floor(budget / max(cheapest, 1e-9) + 1e-9))

    def dominated(self, limit: int = 12_000) -> np.ndarray:
        """Columns whose same-day and next-day reach are inside a no-dearer column's (exact; ties keep the first)."""
        n = self.near.shape[1]
        mask = np.zeros(n, dtype=bool)
        if n > limit or n < 2:  # the pairwise products grow with the square of the candidates
            return mask
        near, same = self.near.astype(np.int32), self.same.astype(np.int32)
        size_near = np.asarray(near.sum(axis=0)).ravel()
        size_same = np.asarray(same.sum(axis=0)).ravel()
        shared = (near.T @ near).tocoo()
        inside = (shared.data == size_near[shared.row]) & (shared.row != shared.col)
        rows, cols = shared.row[inside], shared.col[inside]  # near(row) is inside near(col)
        same_shared = np.asarray((same.T @ same)[rows, cols]).ravel()
        inside = (same_shared == size_same[rows]) & (self.costs[cols] <= self.costs[rows])
        rows, cols = rows[inside], cols[inside]
        identical = ((size_near[rows] == size_near[cols]) & (size_same[rows] == size_same[cols])
                     & (self.costs[rows] == self.costs[cols]))
        keep = ~identical | (cols < rows)  # of identical twins, the first dominates the rest
        mask[np.unique(rows[keep])] = True
        return mask

    # -- LP relaxation by column generation ---------------------------------------------------------
    def lp_relaxation(self, budget: float, start: Sequence[int], deadline: float,
                      active: np.ndarray | None = None,
                      report: Callable[[float], None] | None = None) -> dict:
        """The LP optimum (with the cardinality cut) by warm-started column generation.

        Returns the value, a valid bound, the full-LP reduced cost and LP value of every
        column, the columns priced in, the number of rounds and whether it converged.
        """
        import highspy

        n = self.near.shape[1]
        active = np.ones(n, dtype=bool) if active is None else active
        scale = float(np.median(self.costs)) if len(self.costs) else 1.0
        costs = self.costs / scale
        near_rows = np.flatnonzero(np.diff(self.near_rows.indptr) > 0)
        same_rows = np.flatnonzero(np.diff(self.same_rows.indptr) > 0)
        z_row = np.full(self.near.shape[0], -1)
        z_row[near_rows] = np.arange(len(near_rows))
        y_row = np.full(self.near.shape[0], -1)
        y_row[same_rows] = len(near_rows) + np.arange(len(same_rows))
        coverage_rows = len(near_rows) + len(same_rows)
        budget_row, count_row = coverage_rows, coverage_rows + 1

        highs = _highs()
        self._interrupt_on_stop(highs)
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        upper = np.concatenate([np.zeros(coverage_rows), [budget / scale, self.max_sites(budget)]])
        highs.addRows(coverage_rows + 2, np.full(coverage_rows + 2, -highspy.kHighsInf), upper, 0,
                      np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.int32), np.zeros(0))
        for weights, rows, offset in ((self.g_next[near_rows], near_rows, 0),
                                      (self.g_extra[same_rows], same_rows, len(near_rows))):
            count = len(rows)
            highs.addCols(count, weights, np.zeros(count), np.ones(count), count, np.arange(count, dtype=np.int32),
                          (offset + np.arange(count)).astype(np.int32), np.ones(count))
        first_x = len(near_rows) + len(same_rows)
        columns: list[int] = []

        def add(new: Sequence[int]) -> None:
            starts, index, value = [], [], []
            for column in new:
                starts.append(len(index))
                rows_z = z_row[self.near.indices[self.near.indptr[column]:self.near.indptr[column + 1]]]
                rows_y = y_row[self.same.indices[self.same.indptr[column]:self.same.indptr[column + 1]]]
                index.extend(rows_z.tolist() + rows_y.tolist() + [budget_row, count_row])
                value.extend([-1.0] * (len(rows_z) + len(rows_y)) + [costs[column], 1.0])
            highs.addCols(len(new), np.zeros(len(new)), np.zeros(len(new)), np.ones(len(new)), len(index),
                          np.asarray(starts, dtype=np.int32), np.asarray(index, dtype=np.int32),
                          np.asarray(value, dtype=float))
            columns.extend(int(c) for c in new)

        score = np.asarray(self.near.T @ self.g_next + self.same.T @ self.g_extra).ravel()
        score[~active] = -np.inf
        seed = [c for c in start if active[c]] + np.argsort(-score)[:200].tolist()
        add(list(dict.fromkeys(c for c in seed if np.isfinite(score[c]))))
        bound, rounds = math.inf, 0
        while True:
            rounds += 1
            highs.run()
            value = self.base_value + highs.getInfo().objective_function_value
            dual = np.abs(np.asarray(highs.getSolution().row_dual))  # "<=" rows of a maximisation
            nu = np.zeros(self.near.shape[0])
            mu = np.zeros(self.near.shape[0])
            nu[near_rows] = dual[:len(near_rows)]
            mu[same_rows] = dual[len(near_rows):coverage_rows]
            reduced = (np.asarray(self.near.T @ nu + self.same.T @ mu).ravel()
                       - dual[budget_row] * costs - dual[count_row])
            x = np.zeros(n)
            x[columns] = np.asarray(highs.getSolution().col_value[first_x:first_x + len(columns)])
            outside = active.copy()
            outside[columns] = False
            positive = np.flatnonzero(outside & (reduced > 1e-7 * max(1.0, value)))
            bound = min(bound, value + float(reduced[positive].sum()))  # Lagrangian bound, each x <= 1
            if report:
                report(bound)
            if not len(positive) or self._over(deadline):
                at_top = x > 1 - 1e-9
                reduced[columns] = np.where(at_top[columns], np.maximum(reduced[columns], 0.0),
                                            np.minimum(reduced[columns], 0.0))
                reduced[~active] = -np.inf
                return {"value": value, "bound": bound if len(positive) else value, "reduced": reduced, "x": x,
                        "columns": np.asarray(columns), "rounds": rounds, "converged": not len(positive)}
            add(positive[np.argsort(-reduced[positive])][:300].tolist())

    # -- MIP over some columns ------------------------------------------------------------------------
    def _mip(self, columns: np.ndarray, budget: float, plan: Sequence[int], time_limit: float,
             on_event: Callable | None = None, gap: float = MIP_GAP):
        """Solve the MIP restricted to ``columns`` (communities with identical reach merged), from ``plan``."""
        import highspy

        near = self.near_rows[:, columns]
        same = self.same_rows[:, columns]
        reached = np.flatnonzero(np.diff(near.indptr) > 0)
        near, same = near[reached], same[reached]
        _, first, groups = np.unique(_row_signatures(near, same), axis=0, return_index=True, return_inverse=True)
        near, same = near[first], same[first]
        g_next = np.bincount(groups.ravel(), weights=self.g_next[reached], minlength=len(first))
        g_extra = np.bincount(groups.ravel(), weights=self.g_extra[reached], minlength=len(first))
        has_same = np.flatnonzero(np.diff(same.indptr) > 0)
        same = same[has_same]
        n, m, k = len(columns), near.shape[0], len(has_same)
        scale = float(np.median(self.costs[columns])) if n else 1.0
        matrix = sp.vstack([
            sp.hstack([-near, sp.identity(m), sp.csr_matrix((m, k))]),
            sp.hstack([-same, sp.csr_matrix((k, m)), sp.identity(k)]),
            sp.hstack([sp.csr_matrix(self.costs[columns][None, :] / scale), sp.csr_matrix((1, m + k))]),
            sp.hstack([sp.csr_matrix(np.ones((1, n))), sp.csr_matrix((1, m + k))]),
        ]).tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n + m + k, m + k + 2
        lp.col_cost_ = np.concatenate([np.zeros(n), g_next, g_extra[has_same]])
        lp.col_lower_ = np.zeros(n + m + k)
        lp.col_upper_ = np.ones(n + m + k)
        lp.row_lower_ = np.full(m + k + 2, -np.inf)
        lp.row_upper_ = np.concatenate([np.zeros(m + k), [budget / scale, self.max_sites(budget)]])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.integrality_ = [highspy.HighsVarType.kInteger] * n + [highspy.HighsVarType.kContinuous] * (m + k)
        highs = _highs()
        highs.passModel(lp)
        highs.setOptionValue("mip_rel_gap", gap)
        highs.setOptionValue("time_limit", max(0.05, time_limit))
        # Our own reductions (dominance, fixing, merging) leave HiGHS's presolve little to do,
        # and on these matrices it costs more time than the whole solve (4.9 s against 1.4 s).
        highs.setOptionValue("presolve", "off")
        x = np.isin(columns, list(plan)).astype(float)
        highs.setSolution(_solution(np.concatenate([x, np.minimum(1.0, near @ x), np.minimum(1.0, same @ x)])))
        if on_event is not None:
            highs.cbMipImprovingSolution.subscribe(on_event)
            highs.cbMipInterrupt.subscribe(on_event)
        else:
            self._interrupt_on_stop(highs)
        highs.run()
        info = highs.getInfo()
        solution = highs.getSolution()
        found = columns[np.asarray(solution.col_value[:n]) > 0.5].tolist() if solution.value_valid else list(plan)
        model_bound = self.base_value + info.mip_dual_bound if np.isfinite(info.mip_dual_bound) else math.inf
        return found, model_bound, {"columns": n, "rows": m + k, "nodes": int(info.mip_node_count),
                                    "status": highs.modelStatusToString(highs.getModelStatus())}

    # -- the whole solve ------------------------------------------------------------------------------
    def solve(self, budget: float, time_limit: float = 60.0, progress: Callable[[Progress], None] | None = None,
              stop: threading.Event | None = None, greedy_only: bool = False) -> Solution:
        """Greedy, LP bound, restricted MIP, reduced-cost fixing, proving MIP (see the module notes)."""
        if budget < 0:
            raise InputError(Problem(f"{budget:,.0f} is negative", column="budget"))
        started = time.monotonic()
        deadline = started + max(time_limit, 0.0)
        state = {"objective": -math.inf, "bound": math.inf}

        phases: dict[str, float] = {}

        def report(phase: str) -> None:
            phases.setdefault(phase, round(time.monotonic() - started, 3))
            if progress:
                progress(Progress(phase, state["objective"], state["bound"], time.monotonic() - started))

        def stopped() -> bool:
            return stop is not None and stop.is_set()

        self.stop = stop

        active = ~self.dominated()
        plan = self.greedy(budget)
        state["objective"] = self.value(plan)
        stats = {"phase_started_at_seconds": phases, "candidates": len(self.costs), "dominated": int((~active).sum()),
                 "communities": int(self.near.shape[0]), "greedy_objective": state["objective"],
                 "greedy_sites": len(plan), "max_sites": self.max_sites(budget)}
        report("greedy")

        def finish(status: str) -> Solution:
            bound = max(state["bound"], state["objective"])
            report(status)
            return Solution(status, self._sites(plan), state["objective"], bound, time.monotonic() - started, stats)

        def lp_report(bound: float) -> None:
            state["bound"] = min(state["bound"], bound)
            report("relaxation")

        lp = self.lp_relaxation(budget, plan, deadline, active, lp_report)
        state["bound"] = min(state["bound"], lp["bound"])
        stats.update(lp_objective=lp["value"], lp_rounds=lp["rounds"], lp_columns=len(lp["columns"]),
                     lp_converged=lp["converged"], lp_fractional=int(((lp["x"] > 1e-6) & (lp["x"] < 1 - 1e-6)).sum()))
        if greedy_only:
            return finish("greedy")
        if self._closed(state) or not lp["converged"] or stopped():
            return finish("optimal" if self._closed(state) else "stopped" if stopped() else "time_limit")

        def on_event(event) -> None:
            out = event.data_out
            if out.mip_primal_bound > -1e300 and np.isfinite(out.mip_primal_bound):
                state["objective"] = max(state["objective"], self.base_value + out.mip_primal_bound)
            report(state.get("phase", "branch and bound"))
            if stopped():
                event.interrupt()

        rounded = self.rounded(budget, lp["x"])
        if self.value(rounded) > state["objective"]:
            plan, state["objective"] = rounded, self.value(rounded)
            report("rounding")
        stats["rounded_objective"] = self.value(rounded)
        hard = stats["lp_fractional"] > 150  # a fractional LP: the MIPs struggle, local search does better
        if hard and not self._closed(state):
            swapped = self.improve(budget, plan, min(deadline, time.monotonic() + max(1.0, 0.1 * time_limit)))
            if self.value(swapped) > state["objective"]:
                plan, state["objective"] = swapped, self.value(swapped)
                report("local search")
        if hard and not self._closed(state):
            report("regional search")

            def better(moved: list[int], value: float) -> None:
                state["objective"] = max(state["objective"], value)
                report("regional search")

            moved = self.regional_search(budget, plan, started + 0.75 * max(time_limit, 0.0), active,
                                         target=state["bound"] * (1 - MIP_GAP), on_better=better)
            if self.value(moved) > self.value(plan):
                plan = moved
        stats["local_search_objective"] = state["objective"]
        if self._closed(state):
            return finish("optimal")

        # a restricted MIP over the LP's support gives a near-optimal plan (where the LP is nearly integral)
        reduced, x = lp["reduced"], lp["x"]
        support = np.flatnonzero(x > 1e-6)
        near_zero = np.flatnonzero(reduced >= -1e-3 * max(1.0, lp["value"]))
        room = max(0, 600 - len(support))  # a fractional LP already offers plenty to choose from
        near_zero = near_zero[np.argsort(-reduced[near_zero])][:room]
        restricted = np.union1d(np.union1d(support, near_zero), plan).astype(np.int64)
        if not hard:
            state["phase"] = "restricted plan"
            report("restricted plan")
            found, _, stats["restricted"] = self._mip(restricted, budget, plan,
                                                      min(deadline - time.monotonic(), max(2.0, 0.2 * time_limit)),
                                                      on_event, gap=MIP_GAP / 10)
            if self.value(found) >= self.value(plan):
                plan = found
            state["objective"] = max(state["objective"], self.value(plan))
        if self._closed(state) or stopped():
            return finish("optimal" if self._closed(state) else "stopped")

        # reduced-cost fixing against the best plan, then the proving MIP
        keep = np.flatnonzero(lp["value"] + reduced >= state["objective"] - 1e-9 * max(1.0, state["objective"]))
        keep = np.union1d(keep, plan).astype(np.int64)
        stats["fixed_out"] = int((active & ~np.isin(np.arange(len(active)), keep)).sum())
        state["phase"] = "proof"
        report("proof")
        found, model_bound, proof_stats = self._mip(keep, budget, plan, deadline - time.monotonic(), on_event)
        stats["proof"] = proof_stats
        if self.value(found) >= self.value(plan):
            plan = found
        state["objective"] = self.value(plan)
        state["bound"] = min(state["bound"], max(model_bound, state["objective"]))
        return finish("optimal" if self._closed(state) else "stopped" if stopped() else "time_limit")

    @staticmethod
    def _closed(state: dict) -> bool:
        return state["bound"] <= state["objective"] + MIP_GAP * max(state["bound"], 1.0) + 1e-9

    def _sites(self, columns: Sequence[int]) -> list[int]:
        return [int(self.sites[c]) for c in columns]


def _highs():
    """A silent HiGHS instance (its banner goes to the C-level stdout on creation, which is not ours)."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highs = highspy.Highs()
            highs.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return highs


def _solution(values: np.ndarray):
    """A HiGHS solution object holding column values (for a warm start)."""
    import highspy

    solution = highspy.HighsSolution()
    solution.col_value = list(values)
    solution.value_valid = True
    return solution


def _row_signatures(near: sp.csr_matrix, same: sp.csr_matrix) -> np.ndarray:
    """Two 64-bit fingerprints per row of (near, same) so that identical rows can be grouped."""
    rng = np.random.default_rng(12345)
    weights = rng.random((near.shape[1], 2))
    same_weights = rng.random((near.shape[1], 2))
    signature = np.asarray(near @ weights) + np.asarray(same @ same_weights) * 1.6180339887
    return np.round(signature * 1e9).astype(np.int64)


# -- the scenario-level face: what the page, the CLI and the API call ---------------------------------
@dataclass
class OptimizeResult:
    """A proposed plan: the new scenario, what changed, and the proof."""

    status: str
    objective: float
    bound: float
    gap: float
    seconds: float
    scenario: object                  # the proposed Scenario (kept hubs + added hubs)
    added: list                       # Hub objects added
    removed: list                     # Hub objects dropped (only when re-planning unlocked hubs)
    budget_usd: float                 # money the optimiser could spend on new hubs
    spent_usd: float
    stats: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        """The ``optimize --json`` document."""
        return {"status": self.status, "objective": self.objective, "bound": self.bound, "gap": self.gap,
                "seconds": round(self.seconds, 3), "added": [hub.as_dict() for hub in self.added],
                "removed": [hub.as_dict() for hub in self.removed], "budget_usd": self.budget_usd,
                "spent_usd": self.spent_usd, "stats": self.stats}


def optimize(scenario, communities=None, sites=None, *, budget: float | None = None, time_limit: float = 60.0,
             replan: bool = False, greedy: bool = False, progress: Callable[[Progress], None] | None = None,
             stop: threading.Event | None = None, engine: CoverageEngine | None = None) -> OptimizeResult:
    """Propose hubs that maximise population reached within the budget, keeping locked hubs.

    ``budget`` (USD) replaces the scenario's total budget; the optimiser spends what the
    kept hubs leave of it.  Unlocked hubs are kept too unless ``replan`` is true.
    Proposed hubs are of the site's type where the site file gives one, otherwise of
    ``optimizer.hub_type``, and open in ``optimizer.open_quarter``.
    """
    from coverage import budget as cost_model
    from coverage.evaluation import engine_for, hub_site
    from coverage.scenario import Hub

    total = scenario.budget.total_usd if budget is None else budget
    problems = []
    if not isinstance(total, (int, float)) or not math.isfinite(total) or total < 0:
        problems.append(Problem(f"{total!r} is not a budget (a non-negative number of dollars)", column="budget"))
    if not isinstance(time_limit, (int, float)) or not time_limit > 0:
        problems.append(Problem(f"{time_limit!r} is not a time limit (seconds, more than 0)", column="time_limit"))
    if not 0 <= scenario.next_day_weight <= 1:
        problems.append(Problem(f"{scenario.next_day_weight} must be between 0 and 1", column="next_day_weight"))
    if problems:
        raise InputError(problems)
    if communities is None:
        from coverage.dataset import default_communities

        communities = default_communities()
    engine = engine or engine_for(communities, sites, scenario.travel)
    kept = [hub for hub in scenario.hubs if hub.locked or not replan]
    removed = [hub for hub in scenario.hubs if not (hub.locked or not replan)]
    kept_sites = [hub_site(hub, engine, i) for i, hub in enumerate(kept)]
    horizon = scenario.budget.horizon_end
    kept_cost = sum(cost_model.hub_cost_usd(hub, scenario.costs, horizon) for hub in kept)
    available = total - kept_cost
    if available < 0:
        raise InputError(Problem(f"the hubs kept already cost ${kept_cost:,.0f}, more than the ${total:,.0f} budget",
                                 column="budget"))
    taken = set(kept_sites)
    candidates = np.array([s for s in range(engine.n_sites) if s not in taken], dtype=np.int64)
    site_types = engine.sites["type"].astype(str).to_numpy() if "type" in engine.sites else None
    types = [site_types[s] if site_types is not None and site_types[s] in defaults.HUB_TYPES
             else scenario.proposed_hub_type for s in candidates.tolist()]
    price = {kind: cost_model.hub_cost_usd(Hub(id=kind, site_id=kind, type=kind,
                                               open_quarter=scenario.proposed_open_quarter), scenario.costs, horizon)
             for kind in defaults.HUB_TYPES}
    costs = np.array([price[t] for t in types])
    problem = CoverageProblem.from_engine(engine, scenario.travel, kept_sites, candidates, costs,
                                          scenario.next_day_weight, budget=available)
    if problem.near.shape[1] == 0:
        solution = Solution("optimal", [], problem.value([]), problem.value([]), 0.0, {"candidates": 0})
    else:
        solution = problem.solve(available, time_limit, progress, stop, greedy_only=greedy)
    type_of = dict(zip(candidates.tolist(), types))
    # the proposal is the plan for this budget, so it carries it (and the optimiser settings it was made with)
    new_scenario = scenario.replace(hubs=tuple(kept), budget=dataclasses.replace(scenario.budget, total_usd=total))
    added = []
    for site in solution.sites:
        site_id = str(engine.sites["site_id"].iloc[site])
        hub = Hub(id=new_scenario.new_hub_id(used=[h.id for h in scenario.hubs]), name=f"Hub at {engine.site_label(site)}", site_id=site_id,
                  type=type_of[site],
                  open_quarter=scenario.proposed_open_quarter)
        new_scenario = new_scenario.replace(hubs=new_scenario.hubs + (hub,))
        added.append(hub)
    spent = sum(price[hub.type] for hub in added)
    return OptimizeResult(solution.status, solution.objective, solution.bound, solution.gap, solution.seconds,
                          new_scenario, added, removed, float(available), float(spent), solution.stats)
