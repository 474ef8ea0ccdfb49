"""MIPs over some of the columns.

``_mip`` solves the model restricted to some candidate columns, with the communities
that exactly the same columns reach (same-day and next-day alike) merged into one row
(exact: their gains add up), warm-started with a plan.  Its bound holds for the whole
problem when every column left out was shown unable to beat a plan it contains
(reduced-cost fixing, in the solve loop).
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from coverage import highs as highs_runs
from coverage.highs import maximise, solution_values
from coverage.optimize.model import MIP_GAP


class Mip:
    """The restricted MIP of a :class:`CoverageModel`."""

    def _mip(self, columns: np.ndarray, budget: float, plan: Sequence[int], time_limit: float,
             on_event: Callable | None = None, gap: float = MIP_GAP):
        """Solve the MIP restricted to ``columns`` (communities with identical reach merged), from ``plan``."""
        near = self.near_rows[:, columns]
        same = self.same_rows[:, columns]
        reached = np.flatnonzero(np.diff(near.indptr) > 0)
        near, same = near[reached], same[reached]
        _, first, groups = np.unique(row_signatures(near, same), axis=0, return_index=True, return_inverse=True)
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
        highs = maximise(matrix, np.concatenate([np.zeros(n), g_next, g_extra[has_same]]), np.ones(n + m + k),
                         np.concatenate([np.zeros(m + k), [budget / scale, self.max_sites(budget)]]), n)
        highs.setOptionValue("mip_rel_gap", gap)
        # Our own reductions (dominance, fixing, merging) leave HiGHS's presolve little to do,
        # and on these matrices it costs more time than the whole solve (4.9 s against 1.4 s).
        highs.setOptionValue("presolve", "off")
        x = np.isin(columns, list(plan)).astype(float)
        highs.setSolution(solution_values(np.concatenate([x, np.minimum(1.0, near @ x), np.minimum(1.0, same @ x)])))
        if on_event is not None:
            highs.cbMipImprovingSolution.subscribe(on_event)
            highs.cbMipInterrupt.subscribe(on_event)
        highs_runs.run(highs, max(0.05, time_limit), self.stop)
        info = highs.getInfo()
        solution = highs.getSolution()
        found = columns[np.asarray(solution.col_value[:n]) > 0.5].tolist() if solution.value_valid else list(plan)
        model_bound = self.base_value + info.mip_dual_bound if np.isfinite(info.mip_dual_bound) else math.inf
        return found, model_bound, {"columns": n, "rows": m + k, "nodes": int(info.mip_node_count),
                                    "status": highs.modelStatusToString(highs.getModelStatus())}


def row_signatures(near: sp.csr_matrix, same: sp.csr_matrix) -> np.ndarray:
    """Two 64-bit fingerprints per row of (near, same) so that identical rows can be grouped."""
    rng = np.random.default_rng(12345)
    weights = rng.random((near.shape[1], 2))
    same_weights = rng.random((near.shape[1], 2))
    signature = np.asarray(near @ weights) + np.asarray(same @ same_weights) * 1.6180339887
    return np.round(signature * 1e9).astype(np.int64)
