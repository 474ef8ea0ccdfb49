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
import time
from typing import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from coverage import highs as highs_runs
from coverage.highs import highs_instance


class Relaxation:
    """The LP relaxation of a :class:`CoverageModel` by column generation."""

    def lp_relaxation(self, budget: float, start: Sequence[int], deadline: float,
                      active: np.ndarray | None = None,
                      report: Callable[[float], None] | None = None, cut_seconds: float = 0.0) -> dict:
        """The LP optimum (with the cardinality cut) by warm-started column generation.

        With ``cut_seconds``, once the columns converge, rounds of cluster cuts
        (``cuts.py``) are separated and added for at most that long, and pricing goes on
        with their duals.  Returns the value, a valid bound, the full-LP reduced cost and
        LP value of every column, the columns priced in, the number of rounds, whether it
        converged, and the cuts with the value before them.
        """
        import highspy

        from coverage.optimize import cuts as cluster

        n = self.near.shape[1]
        m = self.near.shape[0]
        active = np.ones(n, dtype=bool) if active is None else active
        scale = float(np.median(self.costs)) if len(self.costs) else 1.0
        costs = self.costs / scale
        near_rows = np.flatnonzero(np.diff(self.near_rows.indptr) > 0)
        same_rows = np.flatnonzero(np.diff(self.same_rows.indptr) > 0)
        z_row = np.full(m, -1)
        z_row[near_rows] = np.arange(len(near_rows))
        y_row = np.full(m, -1)
        y_row[same_rows] = len(near_rows) + np.arange(len(same_rows))
        coverage_rows = len(near_rows) + len(same_rows)
        budget_row, count_row = coverage_rows, coverage_rows + 1

        highs = highs_instance()
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
        position = np.full(n, -1)
        added_cuts: list[cluster.ClusterCut] = []
        cut_rows: list[int] = []
        cut_sites = sp.csr_matrix((0, n))  # cuts x columns: each cut's beta (scaled) on its sites

        def add(new: Sequence[int]) -> None:
            starts, index, value = [], [], []
            in_cuts = cut_sites[:, list(new)].tocsc() if len(added_cuts) else None
            for k, column in enumerate(new):
                starts.append(len(index))
                rows_z = z_row[self.near.indices[self.near.indptr[column]:self.near.indptr[column + 1]]]
                rows_y = y_row[self.same.indices[self.same.indptr[column]:self.same.indptr[column + 1]]]
                index.extend(rows_z.tolist() + rows_y.tolist() + [budget_row, count_row])
                value.extend([-1.0] * (len(rows_z) + len(rows_y)) + [costs[column], 1.0])
                if in_cuts is not None:
                    which = in_cuts.indices[in_cuts.indptr[k]:in_cuts.indptr[k + 1]]
                    index.extend(np.asarray(cut_rows)[which].tolist())
                    value.extend((-in_cuts.data[in_cuts.indptr[k]:in_cuts.indptr[k + 1]]).tolist())
            highs.addCols(len(new), np.zeros(len(new)), np.zeros(len(new)), np.ones(len(new)), len(index),
                          np.asarray(starts, dtype=np.int32), np.asarray(index, dtype=np.int32),
                          np.asarray(value, dtype=float))
            position[list(new)] = first_x + len(columns) + np.arange(len(new))
            columns.extend(int(c) for c in new)

        def add_cuts(found: list) -> None:
            nonlocal cut_sites
            rows_matrix = []
            for cut in found:
                size = max(float(cut.weights.max()), 1e-12)  # rows in units of the heaviest community
                variable = (z_row if cut.tier == "next" else y_row)[cut.communities]
                inside = variable >= 0  # a community no candidate reaches is 0 anyway
                in_lp = cut.sites[position[cut.sites] >= 0]
                index = np.concatenate([variable[inside], position[in_lp]]).astype(np.int32)
                value = np.concatenate([cut.weights[inside] / size, np.full(len(in_lp), -cut.beta / size)])
                highs.addRow(-highspy.kHighsInf, cut.alpha / size, len(index), index, value)
                cut_rows.append(highs.getNumRow() - 1)
                rows_matrix.append(sp.csr_matrix((np.full(len(cut.sites), cut.beta / size),
                                                  (np.zeros(len(cut.sites), dtype=np.int64), cut.sites)), shape=(1, n)))
                added_cuts.append(cut)
            cut_sites = sp.vstack([cut_sites] + rows_matrix).tocsr()

        score = np.asarray(self.near.T @ self.g_next + self.same.T @ self.g_extra).ravel()
        score[~active] = -np.inf
        seed = [c for c in start if active[c]] + np.argsort(-score)[:200].tolist()
        add(list(dict.fromkeys(c for c in seed if np.isfinite(score[c]))))
        bound, rounds, before_cuts, cut_rounds = math.inf, 0, None, 0
        cut_deadline = None
        while True:
            rounds += 1
            highs_runs.run(highs, stop=self.stop)
            value = self.base_value + highs.getInfo().objective_function_value
            solution = highs.getSolution()
            dual = np.abs(np.asarray(solution.row_dual))  # "<=" rows of a maximisation
            nu = np.zeros(m)
            mu = np.zeros(m)
            nu[near_rows] = dual[:len(near_rows)]
            mu[same_rows] = dual[len(near_rows):coverage_rows]
            reduced = (np.asarray(self.near.T @ nu + self.same.T @ mu).ravel()
                       - dual[budget_row] * costs - dual[count_row])
            if added_cuts:
                reduced += np.asarray(cut_sites.T @ dual[cut_rows]).ravel()
            x = np.zeros(n)
            x[columns] = np.asarray(solution.col_value[first_x:first_x + len(columns)])
            outside = active.copy()
            outside[columns] = False
            positive = np.flatnonzero(outside & (reduced > 1e-7 * max(1.0, value)))
            bound = min(bound, value + float(reduced[positive].sum()))  # Lagrangian bound, each x <= 1
            if report:
                report(bound)
            if not len(positive) and cut_seconds > 0 and not self._over(deadline):
                before_cuts = value if before_cuts is None else before_cuts
                cut_deadline = cut_deadline or min(deadline, time.monotonic() + cut_seconds)
                if time.monotonic() < cut_deadline and cut_rounds < 10:
                    cut_rounds += 1
                    levels = np.asarray(solution.col_value[:first_x])
                    z = np.zeros(m)
                    y = np.zeros(m)
                    z[near_rows] = levels[:len(near_rows)]
                    y[same_rows] = levels[len(near_rows):]
                    found = cluster.separate(self.near_rows, self.same_rows, self.g_next, self.g_extra, x, z, y,
                                             cut_deadline)
                    if found:
                        add_cuts(found)
                        continue
            if not len(positive) or self._over(deadline):
                at_top = x > 1 - 1e-9
                reduced[columns] = np.where(at_top[columns], np.maximum(reduced[columns], 0.0),
                                            np.minimum(reduced[columns], 0.0))
                reduced[~active] = -np.inf
                return {"value": value, "bound": bound if len(positive) else value, "reduced": reduced, "x": x,
                        "columns": np.asarray(columns), "rounds": rounds, "converged": not len(positive),
                        "cuts": added_cuts, "value_before_cuts": value if before_cuts is None else before_cuts,
                        "cut_rounds": cut_rounds}
            add(positive[np.argsort(-reduced[positive])][:300].tolist())
