r"""The LP relaxation, solved by warm-started column generation, and the bound it proves.

Every community row is in the LP from the start; sites join as columns (``addCols``)
while any has a positive reduced cost, and HiGHS re-optimises from its last basis.  The
cardinality cut :math:`\sum_j x_j \le \lfloor B / \min_j c_j \rfloor` removes the LP's
fractional extra hub.  Every round gives a valid bound: the LP value plus the positive
reduced costs of the sites still outside (each :math:`x_j \le 1`).

Where the bound is weak: with 100-300 hubs on the default data (budgets of about
$1.25B-$3.5B at default costs) the LP spreads its hubs over hundreds of sites (at $2B:
643 sites at a fifth of a hub each), and the bound sits 0.03-0.25% above the best plans.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from coverage.optimize.mip import highs_instance


class Relaxation:
    """The LP relaxation of a :class:`CoverageModel` by column generation."""

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

        highs = highs_instance()
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
