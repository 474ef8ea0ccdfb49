r"""The capacity model's bound: Lagrangian relaxation of the demand rows, a knapsack per site and type.

The relaxation
--------------
Price each community's demand row :math:`\sum_j x_{ij} \le d_i` of the capacity model
(``capacity.py``) at :math:`u_i \ge 0`.  What is left splits by option: opened, option
:math:`o` (site :math:`j`, capacity :math:`C_o`) earns

.. math::

    K_o(u) = \max \Big\{ \sum_i (w_{ij} - u_i)\, x_i \;:\; \sum_i x_i \le C_o,\; 0 \le x_i \le d_i \Big\},

a fractional knapsack, solved exactly by filling the capacity with the pairs of highest
:math:`w_{ij} - u_i` (a sort); kept hubs earn theirs too.  Then for every :math:`u \ge 0`

.. math::

    L(u) = \sum_i d_i u_i + \sum_{h\ \text{kept}} K_h(u)
         + \max \Big\{ \sum_o K_o(u)\, y_o \;:\; \sum_{o \in j} y_o \le 1,\;
           \sum_o c_o y_o \le B,\; \sum_o y_o \le \lfloor B / \min c \rfloor,\; y \in \{0, 1\} \Big\}

is an upper bound on every plan's served value (weak duality; the inner choice of
options is a multiple-choice knapsack, solved each iteration as an LP, which only
raises the bound, and once at the end as a MIP).  :math:`\min_u L(u)` equals the
Dantzig-Wolfe bound whose columns are each site's catchments (one per type): tighter
than the LP with the strong linking rows :math:`x_{ij} \le d_i \sum_t y_{jt}`, which lets a
site opened at half a new build and half a conversion take the top 17,500 parcels
whole (at $1B that LP is above 18.84M weighted people by its interior-point iterates,
against 18.71M here).

The dual is minimised by **subgradient steps**: with :math:`y(u)` and :math:`x(u)` the
maximisers, :math:`g_i = d_i - \sum_o y_o x_{io}(u)` (demand the relaxed plan leaves
over, negative where it oversells), and :math:`u \leftarrow [u - t\,(g + \tfrac12 g_{prev})]_0^1`
with Polyak's step :math:`t = \theta (L(u) - \underline{z}) / \lVert g \rVert^2`,
:math:`\underline{z}` the best plan's value and :math:`\theta` shrunk by 0.7 after ten
steps without a better bound.  Each step is a sort of the pairs with positive profit
and a warm-started LP over the options: about 65 ms on the default data.

**Benders cuts** from plans: the transportation LP of a plan (``ServedSolver``) prices
each community at its demand row's dual; :math:`L` at those prices is the plan's
Benders optimality cut completed with each closed site's knapsack, a valid bound too
(:meth:`LagrangianBound.at`); the solve loop evaluates it for the plans its search keeps.

**Lagrangian fixing**: with the inner LP's duals, an option's reduced cost
:math:`r_o \le 0` bounds every plan that opens it by :math:`L(u) + r_o`; options below the
best plan's value are left out of the proving MIP.

What each idea did to the bound (weighted people, default data, capacity model)
-------------------------------------------------------------------------------
Measured by ``benchmarks/bench_optimize.py --capacity-bounds`` (30 s for each iterative
idea, on a machine loaded to a load average of 6-9 on its 2 cores, so the steps were
fewer than a quiet machine gives), against the best plan 30 s of search found:

=========================================  ============  ============  ============  ============
bound                                      $0.5B         $1B           $2B           $4B
=========================================  ============  ============  ============  ============
capacity knapsack (the bound before)        9,656,085    19,312,169    38,624,339    77,248,677
the same in whole hubs                      9,631,944    19,263,889    38,527,778    77,156,944
uniform prices (at 1: every parcel served) 16,695,454    23,937,518    37,813,563    37,813,563
Lagrangian, subgradient steps (30 s)        9,656,085    18,748,395    34,592,971    37,813,563
Benders cut from the best plan's duals     10,400,160    22,926,162    54,239,401    38,353,386
Benders master over the latest 40 cuts      9,658,072    18,746,126    34,591,312    37,813,563
whole hubs at the best prices               9,631,944    18,743,720    34,591,312    37,813,563
column generation, smoothed duals (30 s)    9,656,085    19,312,169    38,624,339    77,248,677
best plan found                             9,615,601    18,416,768    33,470,343    37,690,845
=========================================  ============  ============  ============  ============

So: the Lagrangian steps carry the bound from the capacity knapsack to within 1.8% (at
$1B) and 3.4% (at $2B) of the best plan; whole hubs matter where every hub is full
(they prove $0.25B, and leave 0.17% at $0.5B); every parcel served is the bound at
high budgets.  A plan's own duals are a poor cut: communities it leaves unserved are
priced at zero, so every site near them looks full of value.  The Benders master over
the steps' cuts gains a little over the best step (it averages steps that overshoot).
Column generation's master LP (4,000 demand rows, dense catchment columns) takes
seconds a round and did not move the bound off the knapsack in 30 s.  The LP with the
strong linking rows :math:`x_{ij} \le d_i \sum_t y_{jt}` (715,098 pairs) is weaker than
the Lagrangian where a site may mix types, and HiGHS's interior point method needed
more than 35 minutes for it at $1B (its iterates were still above 18.84M).  What is
left at $1B-$3B is this relaxation's own gap: on the 330 communities between 37 and 42 N, 84 and 92 W
(ratio of capacity to demand as at $2B) HiGHS's MIP with per-type linking rows
(the same bound) did not leave its root in 300 s, its bound 5.6% above the plan that
greedy and search found, which it could not improve.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING, Callable

import numpy as np

from coverage import highs as highs_runs
from coverage.highs import highs_instance

if TYPE_CHECKING:
    from coverage.optimize.capacity import CapacityProblem

DEFLECTION = 0.5   # the previous direction's share in a step
PATIENCE = 10      # steps without a better bound before the step shrinks
SHRINK = 0.7
TRIAL_STEPS = 25   # steps each of the two walks takes before the better one goes on alone
MASTER_CUTS = 40   # the latest L(u) kept as cuts for the Benders master


class _Walk:
    """One sequence of subgradient steps: where it is, its step size and its best bound."""

    def __init__(self, u: np.ndarray):
        self.u, self.theta, self.since, self.steps = u, 1.0, 0, 0
        self.best = math.inf
        self.previous: np.ndarray | None = None


class LagrangianBound:
    """:math:`L(u)` for one capacity model and budget, its subgradient minimisation, and the fixing it allows."""

    def __init__(self, problem: "CapacityProblem", budget: float):
        import highspy

        self.problem, self.budget = problem, float(budget)
        p = problem
        n = p.engine.n_communities
        self.n = n
        sites = len(p.sites)
        # every pair of a candidate site, then of each kept hub (as sites after the candidates)
        kept_rows, kept_cols, kept_weights = [], [], []
        for h, site in enumerate(p.kept_sites):
            reach = p.engine.reach(site, p.travel)
            kept_rows.append(reach.communities)
            kept_cols.append(np.full(len(reach.communities), sites + h))
            kept_weights.append(np.where(reach.same_day, 1.0, p.weight))
        self.pair_community = np.concatenate([p.pair_community] + kept_rows).astype(np.int64)
        self.pair_site = np.concatenate([p.pair_site] + kept_cols).astype(np.int64)
        self.pair_weight = np.concatenate([p.pair_weight] + kept_weights)
        self.pair_demand = p.demand[self.pair_community]
        self.kept_capacity = np.asarray(p.kept_capacity, dtype=float)
        self.capacities = np.unique(p.option_capacity)
        self.option_class = np.searchsorted(self.capacities, p.option_capacity)
        self.all_sites = sites + len(p.kept_sites)
        self.max_options = p.max_options(budget)
        # the inner multiple-choice knapsack: one column per option, a row per site, the budget and the count
        count = len(p.option_cost)
        self.scale = float(np.median(p.option_cost)) if count else 1.0
        highs = highs_instance()
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        inf = highspy.kHighsInf
        upper = np.concatenate([np.ones(sites), [self.budget / self.scale, self.max_options]])
        highs.addRows(sites + 2, np.full(sites + 2, -inf), upper, 0, np.zeros(1, np.int32), np.zeros(0, np.int32),
                      np.zeros(0))
        index = np.stack([p.option_column, np.full(count, sites), np.full(count, sites + 1)], 1).ravel()
        value = np.stack([np.ones(count), p.option_cost / self.scale, np.ones(count)], 1).ravel()
        highs.addCols(count, np.zeros(count), np.zeros(count), np.ones(count), 3 * count,
                      (np.arange(count) * 3).astype(np.int32), index.astype(np.int32), value)
        self._inner = highs
        self._columns = np.arange(count, dtype=np.int32)
        self.best = math.inf                # the lowest L(u) so far
        self.best_u: np.ndarray = np.zeros(n)
        self.history: dict[str, float] = {}  # the best bound each idea gave: knapsack, lagrangian, benders, integer
        self.steps = 0
        self.walks: list[_Walk] = []        # the subgradient steps under way
        self.cuts: list[tuple[float, np.ndarray]] = []  # the latest L(u) as cuts: constant, and each option's value
        self._reachable: tuple[np.ndarray, np.ndarray] | None = None  # same- and next-day demand each site reaches
        self.uniform = np.zeros(n)          # the best uniform prices
        self.scaling = 1.0 / np.maximum(p.demand, 1e-9 * max(float(p.demand.max()), 1.0))  # the metric of a step

    # -- L(u) ---------------------------------------------------------------------------------------------
    def knapsacks(self, u: np.ndarray) -> tuple[np.ndarray, float, Callable[[np.ndarray], np.ndarray]]:
        """Each option's knapsack value :math:`K_o(u)`, the kept hubs' total, and a map from option weights y to
        the parcels the relaxed plan takes from each community (kept hubs included)."""
        if len(u) and float(u.max()) == float(u.min()):
            return self._uniform(float(u[0]), u)
        return self._sorted(u)

    def _uniform(self, level: float, u: np.ndarray) -> tuple[np.ndarray, float, Callable[[np.ndarray], np.ndarray]]:
        """:meth:`knapsacks` for one price everywhere: each site's same-day demand first, then its next-day
        demand, with no sort (the demand-use map, asked for only by the steps, takes the general way)."""
        p = self.problem
        if self._reachable is None:
            same = self.pair_weight == 1.0
            self._reachable = (np.bincount(self.pair_site, weights=self.pair_demand * same, minlength=self.all_sites),
                               np.bincount(self.pair_site, weights=self.pair_demand * ~same, minlength=self.all_sites))
        same_demand, next_demand = self._reachable
        profits = (max(1.0 - level, 0.0), max(p.weight - level, 0.0))
        candidates = len(p.sites)

        def value(capacity: np.ndarray, sites: np.ndarray) -> np.ndarray:
            first = np.minimum(capacity, same_demand[sites])
            return profits[0] * first + profits[1] * np.minimum(capacity - first, next_demand[sites])

        values = value(p.option_capacity, p.option_column) if len(p.option_cost) else np.zeros(0)
        kept_value = float(value(self.kept_capacity, candidates + np.arange(len(self.kept_capacity))).sum())

        def used(y: np.ndarray) -> np.ndarray:
            return self._sorted(u)[2](y)

        return values, kept_value, used

    def _sorted(self, u: np.ndarray) -> tuple[np.ndarray, float, Callable[[np.ndarray], np.ndarray]]:
        """:meth:`knapsacks` in general: the pairs of positive profit sorted by site and profit, each site's
        capacity filled from the top."""
        p = self.problem
        profit = self.pair_weight - u[self.pair_community]
        positive = np.flatnonzero(profit > 1e-12)
        profit = profit[positive]
        by_site = np.argsort(self.pair_site[positive] * 2.0 - profit)
        order, profit = positive[by_site], profit[by_site]
        site, amount = self.pair_site[order], self.pair_demand[order]
        ahead = np.cumsum(amount) - amount
        first = np.searchsorted(site, np.arange(self.all_sites))
        within = ahead - np.append(ahead, 0.0)[first][site]   # demand ahead of each pair within its site
        limit = max(float(self.capacities.max()) if len(self.capacities) else 0.0,
                    float(self.kept_capacity.max()) if len(self.kept_capacity) else 0.0)
        useful = within < limit                               # pairs past every capacity take nothing
        order, site, amount, within, profit = (a[useful] for a in (order, site, amount, within, profit))
        community = self.pair_community[order]
        candidates = len(p.sites)
        kept_value, kept_use = 0.0, np.zeros(self.n)
        if len(self.kept_capacity):
            kept = site >= candidates
            kept_take = np.clip(self.kept_capacity[site[kept] - candidates] - within[kept], 0.0, amount[kept])
            kept_value = float((profit[kept] * kept_take).sum())
            kept_use = np.bincount(community[kept], weights=kept_take, minlength=self.n).astype(float)
            site, community, profit, amount, within = (a[~kept] for a in (site, community, profit, amount, within))
        takes = [np.clip(capacity - within, 0.0, amount) for capacity in self.capacities]
        per_class = np.array([np.bincount(site, weights=profit * take, minlength=candidates) for take in takes])
        values = per_class[self.option_class, p.option_column] if len(p.option_cost) else np.zeros(0)

        def used(y: np.ndarray) -> np.ndarray:
            out = kept_use.copy()
            for k, take in enumerate(takes):
                weight = np.zeros(candidates)
                chosen = (self.option_class == k) & (y > 1e-12)
                weight[p.option_column[chosen]] = y[chosen]
                out += np.bincount(community, weights=take * weight[site], minlength=self.n)
            return out

        return values, kept_value, used

    def inner(self, values: np.ndarray) -> tuple[float, np.ndarray]:
        """The best choice of options for these knapsack values (LP; warm-started): its value and y."""
        if not len(values):
            return 0.0, np.zeros(0)
        self._inner.changeColsCost(len(values), self._columns, values)
        highs_runs.run(self._inner)
        return self._inner.getInfo().objective_function_value, np.asarray(self._inner.getSolution().col_value)

    def at(self, u: np.ndarray, idea: str | None = None) -> tuple[float, np.ndarray, Callable]:
        """:math:`L(u)` (a valid bound for any u >= 0), the inner choice y, and the demand-use map; kept as the best
        if lowest (``idea`` names where u came from, for the record)."""
        u = np.clip(u, 0.0, None)
        values, kept_value, used = self.knapsacks(u)
        inner, y = self.inner(values)
        constant = float(self.problem.demand @ u) + kept_value
        self.cuts.append((constant, values))
        del self.cuts[:-MASTER_CUTS]
        bound = constant + inner
        if idea:
            self.history[idea] = min(self.history.get(idea, math.inf), bound)
        if bound < self.best:
            self.best, self.best_u = bound, u.copy()
        return bound, y, used

    def start(self, stop=None, seconds: float = 2.0) -> float:
        """The bounds of uniform prices: none (the capacity knapsack), all (every parcel served same-day) and between;
        and the capacity knapsack in whole hubs (exact where every hub is full)."""
        self.at(np.zeros(self.n), "knapsack")
        levels = {level: self.at(np.full(self.n, level), "all demand" if level == 1 else "uniform prices")[0]
                  for level in (0.25, 0.5, 0.75, 1.0)}
        self.uniform = np.full(self.n, min(levels, key=levels.get))
        self.integer(seconds, stop, u=np.zeros(self.n), idea="whole-hub knapsack")
        return self.best

    # -- the subgradient method ------------------------------------------------------------------------------
    def minimise(self, deadline: float, lower: Callable[[], float], over: Callable[[], bool],
                 report: Callable[[float], None] | None = None, max_steps: int = 100_000) -> float:
        """Subgradient steps on :math:`L` until ``deadline`` (see the module notes); returns the best bound.

        Two walks set out, one from no prices and one from the best uniform prices
        (which wins differs with the budget: below capacity the first, above it the
        second); after :data:`TRIAL_STEPS` steps each, the one lower goes on alone.
        ``lower()`` gives the best plan's value (Polyak's target); ``over()`` ends the
        steps early (Stop).
        """
        if not self.history:
            self.start(stop=None)
            if report:
                report(self.best)
        if not self.walks:
            self.walks = [_Walk(np.zeros(self.n)), _Walk(self.uniform.copy())]
        while time.monotonic() < deadline and not over() and self.steps < max_steps:
            if len(self.walks) > 1 and min(walk.steps for walk in self.walks) >= TRIAL_STEPS:
                self.walks = [min(self.walks, key=lambda walk: walk.best)]
            walk = min(self.walks, key=lambda walk: walk.steps)
            if walk.theta < 1e-5:
                break
            before = self.best
            self._step(walk, lower())
            if self.best < before and report:
                report(self.best)
        return self.best

    def _step(self, walk: "_Walk", lower: float) -> None:
        """One preconditioned, deflected Polyak step of ``walk``."""
        bound, y, used = self.at(walk.u, "lagrangian")
        self.steps += 1
        walk.steps += 1
        if bound < walk.best * (1 - 1e-9):  # progress of this walk itself (not of the other bounds)
            walk.best, walk.since = bound, 0
        else:
            walk.since += 1
            if walk.since >= PATIENCE:
                walk.theta, walk.since = walk.theta * SHRINK, 0
        u = walk.u
        direction = self.problem.demand - used(y)
        if walk.previous is not None:
            direction = direction + DEFLECTION * walk.previous
        direction[(u <= 0) & (direction > 0)] = 0.0   # prices at zero cannot fall
        direction[(u >= 1) & (direction < 0)] = 0.0   # nor rise past the highest weight
        walk.previous = direction
        norm = float((direction * direction * self.scaling).sum())
        if norm <= 1e-12:
            walk.theta = 0.0
            return
        target = min(lower, bound)
        walk.u = np.clip(u - walk.theta * max(bound - target, 1e-9 * bound) / norm * self.scaling * direction,
                         0.0, 1.0)

    # -- at the end -------------------------------------------------------------------------------------------
    def master(self, seconds: float = math.inf, stop=None) -> float:
        r"""The Benders master over the latest cuts: the most any choice of options (LP) is worth under all of them.

        Each :math:`L(u_k)` is a cut :math:`z \le a_k + \sum_o K_o(u_k) y_o` that every plan
        :math:`y` obeys, so :math:`\max_y \min_k` of them bounds every plan too, and lies
        below each :math:`L(u_k)`: combining the steps' cuts makes up for steps that
        overshoot (measured at $1B after 10 s of steps: 18,805,778 against 18,823,324).
        """
        import highspy

        p = self.problem
        if not self.cuts or not len(p.option_cost):
            return self.best
        count, sites, cuts = len(p.option_cost), len(p.sites), len(self.cuts)
        highs = highs_instance()
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        inf = highspy.kHighsInf
        upper = np.concatenate([np.ones(sites), [self.budget / self.scale, self.max_options],
                                [constant for constant, _ in self.cuts]])
        highs.addRows(len(upper), np.full(len(upper), -inf), upper, 0, np.zeros(1, np.int32), np.zeros(0, np.int32),
                      np.zeros(0))
        per = 3 + cuts
        rows = np.concatenate([p.option_column[None, :], np.full((1, count), sites), np.full((1, count), sites + 1),
                               sites + 2 + np.repeat(np.arange(cuts)[:, None], count, axis=1)]).T.ravel()
        values = np.concatenate([np.ones((1, count)), p.option_cost[None, :] / self.scale, np.ones((1, count)),
                                 -np.array([v for _, v in self.cuts])]).T.ravel()
        highs.addCols(count, np.zeros(count), np.zeros(count), np.ones(count), per * count,
                      (np.arange(count) * per).astype(np.int32), rows.astype(np.int32), values)
        highs.addCol(1.0, -inf, inf, cuts, (sites + 2 + np.arange(cuts)).astype(np.int32), np.ones(cuts))
        highs_runs.run(highs, seconds, stop)
        if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return self.best
        bound = highs.getInfo().objective_function_value
        self.history["benders master"] = min(self.history.get("benders master", math.inf), bound)
        self.best = min(self.best, bound)
        return self.best

    def integer(self, seconds: float, stop=None, u: np.ndarray | None = None, idea: str = "whole hubs") -> float:
        """:math:`L` at the best prices with the inner choice of options made in whole hubs (within ``seconds``).

        Where every option of a type costs the same and there are two types (the
        optimiser's case), the choice is exact by enumeration: for each count of the dearer
        type, the most the cheaper one can add, and the best options for those two counts,
        an assignment of sites to types whose LP is integral (its matrix is an incidence
        matrix of a bipartite graph).  Otherwise HiGHS solves it as a MIP and its proven
        bound is used.
        """
        deadline = time.monotonic() + max(0.0, seconds)
        u = self.best_u if u is None else u
        values, kept_value, _ = self.knapsacks(u)
        if not len(values):
            return self.best
        exact = self._by_counts(values, deadline, stop)
        if exact is None and (stop is not None and stop.is_set()):
            return self.best
        inner = exact if exact is not None else self._as_mip(values, deadline - time.monotonic(), stop)
        if inner is None:
            return self.best
        bound = float(self.problem.demand @ u) + kept_value + inner
        self.history[idea] = min(self.history.get(idea, math.inf), bound)
        if bound < self.best:
            self.best, self.best_u = bound, u.copy()
        return self.best

    def _by_counts(self, values: np.ndarray, deadline: float, stop) -> float | None:
        """The best whole-hub choice by counts of each type (two types, one cost each); None if not that case or
        out of time."""
        import highspy

        p = self.problem
        kinds = sorted(set(p.option_type), key=lambda kind: float(p.option_cost[np.asarray(p.option_type) == kind][0]))
        costs = [np.unique(p.option_cost[np.asarray(p.option_type) == kind]) for kind in kinds]
        if len(kinds) != 2 or any(len(c) != 1 for c in costs):
            return None
        cheap, dear = float(costs[0][0]), float(costs[1][0])
        sites = len(p.sites)
        is_dear = np.asarray(p.option_type) == kinds[1]
        highs = highs_instance()
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        inf = highspy.kHighsInf
        highs.addRows(sites + 2, np.full(sites + 2, -inf), np.concatenate([np.ones(sites), [0.0, 0.0]]), 0,
                      np.zeros(1, np.int32), np.zeros(0, np.int32), np.zeros(0))
        count = len(values)
        index = np.stack([p.option_column, sites + is_dear.astype(np.int64)], 1).ravel().astype(np.int32)
        highs.addCols(count, values, np.zeros(count), np.ones(count), 2 * count,
                      (np.arange(count) * 2).astype(np.int32), index, np.ones(2 * count))
        best = -math.inf
        for many in range(int(math.floor(self.budget / dear + 1e-9)) + 1):
            if time.monotonic() > deadline or (stop is not None and stop.is_set()):
                return None
            few = min(int(math.floor((self.budget - many * dear) / cheap + 1e-9)), self.max_options - many)
            if few < 0:
                break
            highs.changeRowsBounds(2, np.array([sites, sites + 1], np.int32), np.full(2, -inf),
                                   np.array([few, many], dtype=float))
            highs_runs.run(highs)
            best = max(best, highs.getInfo().objective_function_value)
        return best

    def _as_mip(self, values: np.ndarray, seconds: float, stop) -> float | None:
        """The whole-hub choice as a MIP: HiGHS's proven bound within ``seconds`` (None if it has none)."""
        import highspy

        highs = self._inner
        highs.changeColsCost(len(values), self._columns, values)
        highs.changeColsIntegrality(len(values), self._columns, np.full(len(values), highspy.HighsVarType.kInteger))
        highs.setOptionValue("mip_rel_gap", 1e-7)
        highs_runs.run(highs, max(0.0, seconds), stop)
        bound = highs.getInfo().mip_dual_bound
        highs.changeColsIntegrality(len(values), self._columns,
                                    np.full(len(values), highspy.HighsVarType.kContinuous))
        return float(bound) if math.isfinite(bound) else None

    def option_bounds(self) -> np.ndarray:
        """For each option, a bound on every plan that opens it: :math:`L(u) + \\min(0, r_o)` at the best prices."""
        p = self.problem
        values, kept_value, _ = self.knapsacks(self.best_u)
        inner, _ = self.inner(values)
        duals = np.abs(np.asarray(self._inner.getSolution().row_dual))
        sites = len(p.sites)
        reduced = values - duals[p.option_column] - duals[sites] * p.option_cost / self.scale - duals[sites + 1]
        bound = float(p.demand @ self.best_u) + kept_value + inner
        return bound + np.minimum(reduced, 0.0)
