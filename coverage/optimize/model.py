r"""The budgeted two-tier coverage model: its data, how a plan is scored, and the exact reductions.

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

Exact reductions
----------------
* **Dominated sites**: a site whose same-day and next-day reach are both contained in
  a no-dearer site's is never needed (ties keep the lower index).
* **The cardinality cut** :math:`\sum_j x_j \le \lfloor B / \min_j c_j \rfloor`: no plan
  can afford more sites (used by the relaxation and the MIPs).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from coverage.engine import NONE, SAME_DAY, CoverageEngine
from coverage.errors import InputError, Problem
from coverage.geo import unit_vectors
from coverage.travel import TravelModel

MIP_GAP = 1e-4  # 0.01%
TOLERANCE = 1e-6


class CoverageModel:
    """The model's data for one engine, travel model, set of kept hubs, candidates and costs.

    Build it with :meth:`from_engine`; :class:`~coverage.optimize.problem.CoverageProblem`
    adds the heuristics, the relaxation, the MIPs and the solve loop.
    """


    def __init__(self, same: sp.csc_matrix, near: sp.csc_matrix, g_same: np.ndarray, g_next: np.ndarray,
                 costs: np.ndarray, sites: np.ndarray, base_value: float, points: np.ndarray | None = None,
                 types: Sequence[str] | None = None):
        self.same, self.near = same.tocsc(), near.tocsc()    # communities x candidates (0/1)
        self.same_rows, self.near_rows = same.tocsr(), near.tocsr()
        self.g_same, self.g_next = g_same.astype(float), g_next.astype(float)
        self.g_extra = self.g_same - self.g_next
        self.costs = costs.astype(float)
        self.sites = np.asarray(sites, dtype=np.int64)       # engine site of each candidate column
        self.base_value = float(base_value)
        self.points = points                                 # unit vectors of the candidates (for regions)
        self.stop: threading.Event | None = None             # set by the planner's Stop: every loop ends soon
        self.option_type = list(types) if types is not None else [""] * len(self.sites)  # hub type of each column

    # -- the problem protocol (``problem.py``): each candidate column is one option ---------------------
    @property
    def option_site(self) -> np.ndarray:
        return self.sites

    @property
    def option_cost(self) -> np.ndarray:
        return self.costs

    def reach(self, option: int) -> tuple[np.ndarray, np.ndarray]:
        """The communities a candidate column reaches within next-day, and which of them same-day."""
        rows = self.near.indices[self.near.indptr[option]:self.near.indptr[option + 1]]
        return rows, self._same_mask(option, rows)

    def gains(self, plan: Sequence[int]) -> np.ndarray:
        """What each candidate column would add to ``plan`` (exactly: the people it reaches at a better tier)."""
        plan = list(plan)
        same = np.asarray(self.same_rows[:, plan].sum(axis=1)).ravel() > 0
        near = np.asarray(self.near_rows[:, plan].sum(axis=1)).ravel() > 0
        value = np.where(same, self.g_same, np.where(near, self.g_next, 0.0))
        gain_next = np.maximum(0.0, self.g_next - value)
        return np.asarray(self.same.T @ (self.g_same - value - gain_next) + self.near.T @ gain_next).ravel()

    @staticmethod
    def people(value: float) -> float:
        """The coverage model's unit is weighted people already."""
        return value

    def _over(self, deadline: float) -> bool:
        """The time limit has passed, or the planner asked to stop."""
        return time.monotonic() > deadline or (self.stop is not None and self.stop.is_set())

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def from_engine(cls, engine: CoverageEngine, travel: TravelModel, kept_sites: Sequence[int],
                    candidate_sites: Sequence[int], costs: Sequence[float], next_day_weight: float,
                    budget: float | None = None, types: Sequence[str] | None = None) -> "CoverageModel":
        """Build the model from the engine's pair table (candidates costing more than ``budget`` are left out).

        ``types``, when given, is the hub type of each candidate (carried into the solution).
        """
        if not 0 <= next_day_weight <= 1:
            raise InputError(Problem(f"{next_day_weight} must be between 0 and 1", column="next_day_weight"))
        candidate_sites = np.asarray(candidate_sites, dtype=np.int64)
        costs = np.asarray(costs, dtype=float)
        if budget is not None:
            affordable = costs <= budget + TOLERANCE
            candidate_sites, costs = candidate_sites[affordable], costs[affordable]
            types = None if types is None else [kind for kind, keep in zip(types, affordable) if keep]
        population = engine.population.astype(float)
        kept = engine.evaluate(list(kept_sites), travel)
        base = np.where(kept.tier == SAME_DAY, population,
                        np.where(kept.tier == NONE, 0.0, next_day_weight * population))
        g_same = population - base
        g_next = np.maximum(0.0, next_day_weight * population - base)
        rows, cols, near_flags = [], [], []
        for column, site in enumerate(candidate_sites.tolist()):
            reach = engine.reach(site, travel)
            rows.append(reach.communities)
            cols.append(np.full(len(reach.communities), column))
            near_flags.append(reach.same_day)
        rows = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        cols = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        is_same = np.concatenate(near_flags) if near_flags else np.zeros(0, bool)
        shape = (engine.n_communities, len(candidate_sites))
        near = sp.csc_matrix((np.ones(len(rows)), (rows, cols)), shape=shape)
        same = sp.csc_matrix((np.ones(int(is_same.sum())), (rows[is_same], cols[is_same])), shape=shape)
        points = unit_vectors(*engine.site_coordinates(candidate_sites))
        return cls(same, near, g_same, g_next, costs, candidate_sites, base.sum(), points, types)

    # -- scoring -----------------------------------------------------------------------------------
    def value(self, columns: Sequence[int]) -> float:
        """Total objective (kept hubs included) of opening these candidate columns."""
        columns = np.asarray(list(columns), dtype=np.int64)
        if not len(columns):
            return self.base_value
        same = np.asarray(self.same_rows[:, columns].sum(axis=1)).ravel() > 0
        near = np.asarray(self.near_rows[:, columns].sum(axis=1)).ravel() > 0
        return self.base_value + float(np.where(same, self.g_same, np.where(near, self.g_next, 0.0)).sum())

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
