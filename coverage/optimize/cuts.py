r"""Cutting planes for the coverage model, and what each idea measured at $2B.

Cluster cuts (the inequalities this module separates)
-----------------------------------------------------
For one tier (next-day: :math:`z` over reach :math:`N`; same-day: :math:`y` over reach
:math:`S`), a small set :math:`T` of communities with weights :math:`w_i` (the tier's
objective weights) and the sites :math:`J_T` that reach any of them, let :math:`H_T(s)` be
the most weight of :math:`T` that :math:`s` sites of :math:`J_T` can reach (exact: a
dynamic programme over the at most :math:`2^{|T|}` reach patterns).  Any line
:math:`\alpha + \beta s` on or above :math:`H_T` at every integer :math:`s \ge 0` gives

.. math::

    \sum_{i \in T} w_i v_i \;\le\; \alpha + \beta \sum_{j \in J_T} x_j

valid for every plan (the left side is at most :math:`H_T` of the number of open sites in
:math:`J_T`).  The separator uses the segment of :math:`H_T`'s upper concave envelope at
the LP's :math:`X = \sum_{J_T} x_j`.  With :math:`|T| \le 2` these are implied by the LP;
from three communities on they cut off the LP's typical trick of reaching each of a few
communities with one unit of fractional sites shared between pairs (three half-sites
reach a triangle that needs two whole ones).  Separation: grow :math:`T` greedily from
each community the LP reaches fully but only with fractional sites, adding the neighbour
that raises the violation most (at most six).

Measured at $2B (170 conversions, default data, 3,211 undominated candidates; the best
plan found is 36,778,730 and the LP bound 36,853,483, a gap of 74,753 or 0.20%)
------------------------------------------------------------------------------------
* **Two-customer inequalities** (Lv, Yu, Liang, Chen & Dai, EJOR 2025) join a customer
  of positive weight to one of *negative* weight (whose variable must be 1 once reached).
  Every weight in this model is at least 0 (:math:`g^{next}, g^{same} - g^{next} \ge 0`),
  and then each of them is implied: at an LP optimum
  :math:`v_k = \min(1, \sum_{N_k} x)`, so :math:`v_i \le v_k + \sum_{N_i \setminus N_k} x_j`
  always holds.  None violated.  Their isomorphic aggregation (identical communities
  merged) and dominance reduction (dominated sites) were already in ``mip.py`` and
  ``model.py``.
* **Cluster cuts** (this module): next-day tier, none violated (the LP reaches almost
  every community many times over).  Same-day tier with unit weights: 12 violated by 0.5
  each in the first round and none after; the LP bound falls by 2,557 to 36,850,926 (3.4%
  of the gap).  With the population weights and the exact envelope (what ``separate``
  does): 13 cuts of 3 to 6 communities, bound 36,849,985 (a fall of 3,498, 4.7% of the
  gap), none violated in the next round; separation takes about 30 s (74 s without the
  filter on starting communities; 12 neighbours tried per step instead of 25 find 3
  cuts instead of 13).  HiGHS's own root cuts in the proving MIP reach 36,850,384,
  about the same.  Over the sixteen budgets of ``bench_optimize.py --sweep`` the cuts
  lower the root bound by 0 to 3,498 (at most 0.01% of it): they are not used by
  ``solve`` and stay available as ``lp_relaxation(..., cut_seconds=...)``.
* **Lagrangian relaxation of the budget** (the count row's dual, 24,762 a site):
  :math:`\lambda^* p + \max_x f(x) - \lambda^* |x|`, the inner problem solved by HiGHS
  for 120 s: bound 36,847,501 (8% of the gap), and its best plan (36,771,848) no better
  than ours.  The inner problem is as fractional as the budgeted one, so the gap is in
  the coverage structure, not in the single budget row; with the earlier regional and
  Dantzig-Wolfe attempts (which stayed at the LP bound), this says a proof in this band
  needs cuts over many more communities than a local separator can find, or a
  different model (Benders by region, Cordeau, Furini & Ljubić 2019, projects the
  community variables out but keeps the same LP bound).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

MAX_SIZE = 6            # communities in one cut (the reach patterns number at most 2**MAX_SIZE)
TRIALS = 25             # neighbours tried at each step of a cut's growth
DENSE_LIMIT = 40_000_000  # communities x sites above which the separator steps aside (memory)


@dataclass(frozen=True)
class ClusterCut:
    r"""One cut :math:`\sum_{i \in T} w_i v_i - \beta \sum_{j \in J_T} x_j \le \alpha` (``tier``: "next" or "same")."""

    tier: str
    communities: np.ndarray
    weights: np.ndarray
    sites: np.ndarray
    alpha: float
    beta: float

    def violation(self, x: np.ndarray, level: np.ndarray) -> float:
        """How far the point (x, the tier's community levels) is beyond the cut (positive: cut off)."""
        return float(self.weights @ level[self.communities] - self.beta * x[self.sites].sum() - self.alpha)


def best_cover(patterns: np.ndarray, weights: np.ndarray, most: int) -> np.ndarray:
    """``H[s]``: the most weight the union of ``s`` patterns (bit masks over the weights) reaches, s = 0..most."""
    size = len(weights)
    bits = (np.arange(1 << size)[:, None] >> np.arange(size)[None, :]) & 1
    value = bits @ np.asarray(weights, dtype=float)
    patterns = np.unique(patterns)
    reached = np.zeros(1, dtype=np.int64)
    best = [0.0]
    for _ in range(most):
        reached = np.unique((reached[:, None] | patterns[None, :]).ravel())
        best.append(float(value[reached].max()))
        if best[-1] >= value[-1] - 1e-12:
            break
    return np.array(best)


def envelope_line(best: np.ndarray, at: float) -> tuple[float, float]:
    """(alpha, beta) of the upper concave envelope of (s, best[s]) at ``at``; flat beyond the last point."""
    hull: list[tuple[int, float]] = []
    for point in enumerate(best.tolist()):
        while len(hull) >= 2 and ((hull[-1][1] - hull[-2][1]) * (point[0] - hull[-2][0])
                                  <= (point[1] - hull[-2][1]) * (hull[-1][0] - hull[-2][0])):
            hull.pop()
        hull.append(point)
    for (s0, h0), (s1, h1) in zip(hull, hull[1:]):
        if at <= s1:
            beta = (h1 - h0) / (s1 - s0)
            return h0 - beta * s0, beta
    return hull[-1][1], 0.0


def _cut_for(reach: np.ndarray, members: list[int], weights: np.ndarray, x: np.ndarray, tier: str):
    rows = reach[members]
    sites = np.flatnonzero(rows.any(axis=0))
    patterns = (rows[:, sites] * (1 << np.arange(len(members)))[:, None]).sum(axis=0)
    best = best_cover(patterns, weights[members], len(members))
    alpha, beta = envelope_line(best, float(x[sites].sum()))
    return ClusterCut(tier, np.array(members), weights[members].copy(), sites, alpha, beta)


def separate(near: sp.csr_matrix, same: sp.csr_matrix, g_next: np.ndarray, g_extra: np.ndarray, x: np.ndarray,
             z: np.ndarray, y: np.ndarray, deadline: float, tolerance: float = 1e-6,
             most: int = 400) -> list[ClusterCut]:
    """Violated cluster cuts at the LP point (x, z, y), strongest first, found before ``deadline``.

    ``near`` and ``same`` are the communities x sites reach matrices of the model (CSR).
    """
    found: list[ClusterCut] = []
    m, n = near.shape
    if m * n > DENSE_LIMIT:
        return found
    for tier, matrix, weights, level in (("same", same, g_extra, y), ("next", near, g_next, z)):
        reach = matrix.toarray().astype(bool)
        positive = x > tolerance
        shared = reach[:, positive]
        whole = reach[:, x > 1 - tolerance].any(axis=1)
        # reached about once over by fractional sites: where the LP's sharing is (twice over leaves no room)
        times = np.asarray(matrix @ x).ravel()
        starts = np.flatnonzero((level > 0.5) & (weights > 0) & ~whole & (times < 2.0))
        starts = starts[np.argsort(-(weights * level)[starts])]
        seen: set[tuple[int, ...]] = set()
        scale = max(float(weights.max()) if len(weights) else 1.0, 1.0)
        for start in starts.tolist():
            if time.monotonic() > deadline:
                break
            members, best = [start], None
            while len(members) < MAX_SIZE:
                touching = shared[members].any(axis=0)
                near_by = np.flatnonzero(shared[:, touching].any(axis=1) & (level > 0.5) & (weights > 0))
                near_by = near_by[~np.isin(near_by, members)]
                if not len(near_by):
                    break
                overlap = shared[near_by][:, touching].sum(axis=1)   # fewest shared sites first
                trials = [_cut_for(reach, members + [int(k)], weights, x, tier)
                          for k in near_by[np.argsort(overlap, kind="stable")][:TRIALS].tolist()]
                cut = max(trials, key=lambda c: c.violation(x, level))
                members = cut.communities.tolist()
                if cut.violation(x, level) > tolerance * scale and (
                        best is None or cut.violation(x, level) > best.violation(x, level)):
                    best = cut
            if best is not None and tuple(sorted(best.communities.tolist())) not in seen:
                seen.add(tuple(sorted(best.communities.tolist())))
                found.append(best)
    levels = {"same": y, "next": z}
    found.sort(key=lambda c: -c.violation(x, levels[c.tier]) / max(float(c.weights.sum()), 1e-12))
    return found[:most]
