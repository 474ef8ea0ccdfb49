"""Heuristics: plans found fast, scored exactly, proved by nothing (the solve loop proves).

* **Greedy** (lazy, by gain per dollar): a plan in milliseconds.
* **Rounding**: sites in order of their LP value while affordable, then greedy to fill.
* **Swap search**: replace one chosen site by the best other site while that gains.
* **Regional search** (large-neighbourhood search): re-plan a dozen neighbouring hubs
  at a time, exactly, with a small MIP over their region's sites; for the budgets where
  the LP is far from integral (100-300 hubs on the default data).
"""

from __future__ import annotations

import heapq
import itertools
import math
import time
from typing import Callable, Sequence

import numpy as np

from coverage.optimize.model import TOLERANCE


class Heuristics:
    """Greedy, rounding, swap search and regional search over a :class:`CoverageModel`."""

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
        heap = [(-initial[j] / costs[j], -initial[j], j)
                for j in range(len(costs)) if initial[j] > 0 and j not in taken]
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
                        on_better: Callable[[list[int], float], None] | None = None, seed: int = 7) -> list[int]:
        """Large-neighbourhood search: re-plan one region of the map at a time, exactly.

        Each round cuts the map into regions around randomly drawn hubs of the plan (every
        candidate goes to its nearest centre), so that a region holds about 10, 14 or 20
        of the plan's hubs.  Within a region the hubs may move anywhere among the
        region's sites, for the money they cost; every other hub stays, its coverage
        counted as given.  The small MIP is solved exactly (``sub_limit`` seconds at most)
        and a better plan is kept; ``seed`` draws the centres.  Regions, rather than
        windows around one site, let a dozen neighbouring hubs shift together, which is
        what the LP's spread-out fractional solutions need.
        """
        from scipy.spatial import cKDTree

        plan = list(plan)
        if not plan or self.points is None:
            return plan
        active = np.ones(self.near.shape[1], bool) if active is None else active
        rng = np.random.default_rng(seed)
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
        """The best choice among ``window`` for the money ``freed`` costs, the ``fixed`` sites given; None if no
        better."""
        if time_limit <= 0.05:
            return None
        count_near = np.asarray(self.near_rows[:, fixed].sum(axis=1)).ravel() if fixed else 0
        count_same = np.asarray(self.same_rows[:, fixed].sum(axis=1)).ravel() if fixed else 0
        base = np.where(np.asarray(count_same) > 0, self.g_same, np.where(np.asarray(count_near) > 0, self.g_next, 0.0))
        g_same = self.g_same - base
        g_next = np.maximum(0.0, self.g_next - base)
        sub = type(self)(self.same[:, window], self.near[:, window], g_same, g_next, self.costs[window],
                         window, 0.0)
        sub.stop = self.stop
        start = [int(np.flatnonzero(window == c)[0]) for c in freed]
        money = float(self.costs[freed].sum())
        found, _, info = sub._mip(np.arange(len(window)), money, start, time_limit, gap=1e-7)
        if sub.value(found) > sub.value(start) + 1e-9 * max(1.0, sub.value(start)):
            return [int(window[c]) for c in found]
        return None
