r"""The capacity-aware model: most people *served* within the budget, choosing each new hub's type.

The model (parcels a day)
-------------------------
Communities :math:`i` order :math:`d_i` parcels a day (``coverage/capacity.py``).  A
candidate site :math:`j` may open as one of its types :math:`t` (a conversion, cheaper;
a new build, which ships more) at cost :math:`c_{jt}` with capacity :math:`C_t`; kept hubs
are open with their own type.  Pairs :math:`(i, j)` within next-day reach carry weight
:math:`w_{ij}` (1 same-day, the next-day weight beyond).

.. math::

    \max \sum_{ij} w_{ij} x_{ij}
    \quad\text{s.t.}\quad
    \sum_j x_{ij} \le d_i,\;\;
    \sum_i x_{ij} \le \sum_t C_t\, y_{jt},\;\;
    \sum_t y_{jt} \le 1,\;\;
    \sum_{jt} c_{jt}\, y_{jt} \le B,\;\;
    \sum_{jt} y_{jt} \le \lfloor B / \min c \rfloor,\;\;
    y \in \{0, 1\},\; x \ge 0

The objective, divided by the parcels a person orders a day, is the contract's
``served.weighted_population`` of the plan: the optimiser maximises what
``evaluate`` reports as served.

How it is solved
----------------
1. **Greedy** by served value per dollar: each option's value is what its capacity can
   take from the demand still unserved (same-day first, then next-day at its weight), a
   vector product per step; three variants (all types; new builds first; conversions
   first), each scored exactly with the assignment LP, the best kept.
   **Swap search** then trades a hub for the option that would serve most of what it
   frees, checked with the exact assignment (``improve``).
2. **The LP relaxation by column generation over sites.**  Demand, budget and count rows
   are there from the start; a site joins with its capacity row, its type row, its
   :math:`y` columns and its pairs' :math:`x` columns when it prices out.  Pricing a site
   and type, with demand duals :math:`u_i`, budget dual :math:`\lambda` and count dual
   :math:`\mu`, is a fractional knapsack: fill :math:`C_t` with the pairs of highest
   :math:`w_{ij} - u_i` (each at most :math:`d_i`), less :math:`\lambda c_{jt} + \mu`.  Every
   round proves a bound: the LP value plus, for each site outside, its best positive
   reduced cost.
3. **A restricted MIP** over the LP's support, the greedy plan and the sites with
   reduced cost nearest zero, warm-started with the best plan, finds a better plan.
4. **Reduced-cost fixing and the proving MIP**: options whose LP value plus reduced
   cost cannot beat the best plan are dropped; when few sites remain, the MIP over them
   proves the plan (its bound then holds for the whole problem); otherwise the LP bound
   and the gap are reported.
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp

from coverage import highs as highs_runs
from coverage.capacity import ServedSolver
from coverage.engine import CoverageEngine
from coverage.highs import highs_instance, solution_values
from coverage.optimize.model import MIP_GAP, TOLERANCE
from coverage.optimize.solve import Run, Solver
from coverage.travel import TravelModel

PROOF_SITES = 700  # the proving MIP is tried when at most this many sites survive reduced-cost fixing


class CapacityProblem(Solver):
    """The capacity-aware model for one engine, travel model, demand, kept hubs and candidate options.

    Options are (candidate site, type) pairs with their cost and capacity; a plan is a
    list of option indices, at most one per site.
    """

    def __init__(self, engine: CoverageEngine, travel: TravelModel, demand: np.ndarray, next_day_weight: float,
                 per_person_day: float, kept_sites: Sequence[int], kept_capacity: Sequence[float],
                 option_site: np.ndarray, option_type: Sequence[str], option_cost: np.ndarray,
                 option_capacity: np.ndarray):
        self.engine, self.travel = engine, travel
        self.demand = np.asarray(demand, dtype=float)
        self.weight = float(next_day_weight)
        self.per_person_day = float(per_person_day)
        self.kept_sites = [int(s) for s in kept_sites]
        self.kept_capacity = [float(c) for c in kept_capacity]
        self.option_site = np.asarray(option_site, dtype=np.int64)        # engine site of each option
        self.option_type = list(option_type)
        self.option_cost = np.asarray(option_cost, dtype=float)
        self.option_capacity = np.asarray(option_capacity, dtype=float)
        self.sites, self.option_column = np.unique(self.option_site, return_inverse=True)  # candidate columns
        self.stop: threading.Event | None = None
        rows, cols, same_flags, minutes = [], [], [], []
        for column, site in enumerate(self.sites.tolist()):
            reach = engine.reach(site, travel)
            rows.append(reach.communities)
            cols.append(np.full(len(reach.communities), column))
            same_flags.append(reach.same_day)
            minutes.append(reach.minutes)
        self.pair_community = np.concatenate(rows) if rows else np.zeros(0, np.int64)
        self.pair_site = np.concatenate(cols) if cols else np.zeros(0, np.int64)
        self.pair_same = np.concatenate(same_flags) if same_flags else np.zeros(0, bool)
        self.pair_minutes = np.concatenate(minutes) if minutes else np.zeros(0)
        order = np.lexsort((self.pair_minutes, self.pair_site))  # by site, nearest first
        for name in ("pair_community", "pair_site", "pair_same", "pair_minutes"):
            setattr(self, name, getattr(self, name)[order])
        self.pair_weight = np.where(self.pair_same, 1.0, self.weight)
        self.site_ptr = np.searchsorted(self.pair_site, np.arange(len(self.sites) + 1))
        shape = (engine.n_communities, len(self.sites))
        self.same_matrix = sp.csc_matrix((np.ones(int(self.pair_same.sum())),
                                          (self.pair_community[self.pair_same], self.pair_site[self.pair_same])),
                                         shape=shape)
        self.next_matrix = sp.csc_matrix((np.ones(int((~self.pair_same).sum())),
                                          (self.pair_community[~self.pair_same], self.pair_site[~self.pair_same])),
                                         shape=shape)
        self._solver = ServedSolver(engine, travel, self.demand, next_day_weight, parcels_per_person_day=1.0)
        self.kept_served = self._solver.solve(self.kept_sites, self.kept_capacity)
        self.base_value = self.kept_served.weighted_parcels

    # -- the problem protocol (``problem.py``) ------------------------------------------------------------
    def reach(self, option: int) -> tuple[np.ndarray, np.ndarray]:
        """The communities an option's site reaches within next-day (nearest first), and which of them same-day."""
        column = self.option_column[option]
        a, b = self.site_ptr[column], self.site_ptr[column + 1]
        return self.pair_community[a:b], self.pair_same[a:b]

    # -- scoring -----------------------------------------------------------------------------------
    def value(self, plan: Sequence[int]) -> float:
        """Weighted parcels a day served by the kept hubs and these options (the exact assignment)."""
        plan = list(plan)
        served = self._solver.solve(self.kept_sites + self.option_site[plan].tolist(),
                                    self.kept_capacity + self.option_capacity[plan].tolist())
        return served.weighted_parcels

    def people(self, parcels: float) -> float:
        """Weighted parcels a day as weighted people (the contract's unit)."""
        return parcels / self.per_person_day if self.per_person_day > 0 else 0.0

    def max_options(self, budget: float) -> int:
        cheapest = float(self.option_cost.min()) if len(self.option_cost) else 1.0
        return int(math.floor(budget / max(cheapest, 1e-9) + 1e-9))

    def _over(self, deadline: float) -> bool:
        return time.monotonic() > deadline or (self.stop is not None and self.stop.is_set())

    # -- greedy -------------------------------------------------------------------------------------
    def best_greedy(self, budget: float) -> list[int]:
        """The best of three greedy plans, scored exactly: all types by value per dollar; each type alone first,
        then filled with the rest (a cheap type fills gaps a big one cannot)."""
        plans = [self.greedy(budget)]
        for kind in dict.fromkeys(self.option_type):
            first = self.greedy(budget, types={kind})
            spent = float(self.option_cost[first].sum())
            plans.append(self.greedy(budget, start=first) if spent < budget else first)
        return max(plans, key=self.value)

    def greedy(self, budget: float, start: Sequence[int] = (), types: set[str] | None = None) -> list[int]:
        """Options in order of served value per dollar while affordable.

        Each community's parcels are unserved, served next-day (worth the next-day weight,
        and worth ``1 - weight`` more if a hub takes them same-day instead) or served
        same-day.  An option's value fills its capacity with the most valuable of: unserved
        parcels it reaches same-day (1 each), unserved ones it reaches next-day (the
        weight), next-day parcels it can take same-day (the difference).
        """
        unserved = self.demand - self.kept_served.same_day - self.kept_served.next_day
        upgradable = self.kept_served.next_day.copy()
        allowed = np.ones(len(self.option_cost), bool) if types is None else np.isin(self.option_type, list(types))
        chosen, left = [], float(budget)
        taken_sites: set[int] = set()
        kinds = sorted([("same", unserved, 1.0), ("next", unserved, self.weight),
                        ("upgrade", upgradable, 1.0 - self.weight)], key=lambda k: -k[2])

        def take(option: int) -> None:
            nonlocal left
            column = self.option_column[option]
            chosen.append(option)
            taken_sites.add(int(column))
            left -= self.option_cost[option]
            room = self.option_capacity[option]
            a, b = self.site_ptr[column], self.site_ptr[column + 1]
            for kind, pool, _ in kinds:  # the most valuable parcels first, nearest first
                mask = self.pair_same[a:b] if kind != "next" else ~self.pair_same[a:b]
                communities = self.pair_community[a:b][mask]
                wanted = pool[communities]
                shipped = np.minimum(wanted, np.maximum(room - (np.cumsum(wanted) - wanted), 0.0))
                pool[communities] -= shipped
                if kind == "next":
                    upgradable[communities] += shipped
                room -= shipped.sum()

        for option in start:
            take(int(option))
        cap = self.option_capacity
        while True:
            value = np.zeros(len(self.option_cost))
            room = cap.copy()
            for kind, pool, gain in kinds:
                matrix = self.next_matrix if kind == "next" else self.same_matrix
                amount = np.minimum(room, (matrix.T @ pool)[self.option_column])
                value += gain * amount
                room -= amount
            value[(self.option_cost > left + TOLERANCE) | ~allowed] = -1.0
            if taken_sites:
                value[np.isin(self.option_column, list(taken_sites))] = -1.0
            ratio = np.where(value > TOLERANCE, value / np.maximum(self.option_cost, 1e-9), -1.0)
            best = int(np.argmax(ratio))
            if ratio[best] <= 0:
                return chosen
            take(best)

    # -- local search, scored exactly ---------------------------------------------------------------------
    def improve(self, budget: float, plan: Sequence[int], deadline: float,
                on_better: Callable[[list[int], float], None] | None = None) -> list[int]:
        """Swap one hub for another option (another site, or the same site as another type) while that serves more.

        For each hub, least weighted parcels per dollar first, the options that would
        serve most of the demand left unserved without it (a vector product) are tried
        with the exact assignment, five at most; the first that gains is kept.  Then any
        money left buys what the greedy rule picks.
        """
        plan = list(plan)
        best = self.value(plan)
        improved = True
        while improved and not self._over(deadline):
            improved = False
            served = self._solver.solve(self.kept_sites + self.option_site[plan].tolist(),
                                        self.kept_capacity + self.option_capacity[plan].tolist())
            kept = len(self.kept_sites)
            efficiency = served.weighted_load[kept:] / np.maximum(self.option_cost[plan], 1e-9)
            residual = self.demand - served.same_day - served.next_day
            for position in np.argsort(efficiency).tolist():
                if self._over(deadline):
                    break
                option = plan[position]
                column = self.option_column[option]
                freed = residual.copy()
                a, b = self.site_ptr[column], self.site_ptr[column + 1]
                communities = self.pair_community[a:b]
                # give back what this hub ships, spread over its reach in proportion to demand
                share = self.demand[communities] / max(self.demand[communities].sum(), 1e-9)
                np.add.at(freed, communities, served.load[kept + position] * share)
                freed = np.minimum(freed, self.demand)
                same = self.same_matrix.T @ freed
                nxt = self.next_matrix.T @ freed
                cap = self.option_capacity
                s = np.minimum(cap, same[self.option_column])
                value = s + self.weight * np.minimum(cap - s, nxt[self.option_column])
                left = budget - float(self.option_cost[plan].sum()) + self.option_cost[option]
                others = set(self.option_column[plan].tolist()) - {int(column)}
                value[(self.option_cost > left + TOLERANCE) | np.isin(self.option_column, list(others))] = -1.0
                value[option] = -1.0
                for candidate in np.argsort(-value)[:5].tolist():
                    if value[candidate] <= served.weighted_load[kept + position] + TOLERANCE:
                        break
                    trial = plan[:position] + [candidate] + plan[position + 1:]
                    score = self.value(trial)
                    if score > best + 1e-9 * max(best, 1.0):
                        plan, best, improved = trial, score, True
                        if on_better:
                            on_better(plan, best)
                        break
                if improved:
                    break
            if not improved and float(self.option_cost[plan].sum()) < budget:
                filled = self.greedy(budget, start=plan)
                score = self.value(filled)
                if score > best + 1e-9 * max(best, 1.0):
                    plan, best, improved = filled, score, True
                    if on_better:
                        on_better(plan, best)
        return plan

    # -- the LP relaxation by column generation ---------------------------------------------------------
    def lp_relaxation(self, budget: float, start: Sequence[int], deadline: float,
                      report: Callable[[float], None] | None = None) -> dict:
        """The LP optimum, a valid bound, every option's reduced cost and LP value (see the module notes)."""
        import highspy

        n = self.engine.n_communities
        scale = float(np.median(self.option_cost)) if len(self.option_cost) else 1.0
        highs = highs_instance()
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        inf = highspy.kHighsInf
        highs.addRows(n, np.full(n, -inf), self.demand, 0, np.zeros(1, np.int32), np.zeros(0, np.int32), np.zeros(0))
        budget_row, count_row = n, n + 1
        highs.addRows(2, np.full(2, -inf), np.array([budget / scale, self.max_options(budget)]), 0,
                      np.zeros(1, np.int32), np.zeros(0, np.int32), np.zeros(0))
        rows = n + 2
        # kept hubs: their capacity rows and pairs
        for site, capacity in zip(self.kept_sites, self.kept_capacity):
            reach = self.engine.reach(site, self.travel)
            communities, weights = reach.communities, np.where(reach.same_day, 1.0, self.weight)
            highs.addRow(-inf, capacity, 0, np.zeros(0, np.int32), np.zeros(0))
            self._add_x(highs, communities, weights, rows)
            rows += 1
        in_model: dict[int, tuple[int, list[int]]] = {}   # candidate column -> (capacity row, y column indices)
        options_of = [np.flatnonzero(self.option_column == c) for c in range(len(self.sites))]

        def add_site(column: int) -> None:
            nonlocal rows
            capacity_row, type_row = rows, rows + 1
            highs.addRows(2, np.full(2, -inf), np.array([0.0, 1.0]), 0, np.zeros(1, np.int32),
                          np.zeros(0, np.int32), np.zeros(0))
            rows += 2
            y_columns = []
            for option in options_of[column].tolist():
                index = np.array([capacity_row, type_row, budget_row, count_row], dtype=np.int32)
                value = np.array([-self.option_capacity[option], 1.0, self.option_cost[option] / scale, 1.0])
                highs.addCol(0.0, 0.0, 1.0, 4, index, value)
                y_columns.append(highs.getNumCol() - 1)
            a, b = self.site_ptr[column], self.site_ptr[column + 1]
            self._add_x(highs, self.pair_community[a:b], self.pair_weight[a:b], capacity_row)
            in_model[column] = (capacity_row, y_columns)

        for column in dict.fromkeys(int(self.option_column[o]) for o in start):
            add_site(column)
        first = self._option_values(np.zeros(n))
        by_site = np.full(len(self.sites), -np.inf)
        np.maximum.at(by_site, self.option_column, first / np.maximum(self.option_cost, 1e-9))
        for column in np.argsort(-by_site)[:250].tolist():
            if column not in in_model:
                add_site(column)
        bound, rounds = math.inf, 0
        while True:
            rounds += 1
            highs_runs.run(highs, stop=self.stop)
            value = highs.getInfo().objective_function_value
            duals = np.abs(np.asarray(highs.getSolution().row_dual))
            u, lam, mu = duals[:n], duals[budget_row], duals[count_row]
            reduced = self._option_values(u) - lam * self.option_cost / scale - mu
            best_site = np.full(len(self.sites), 0.0)
            np.maximum.at(best_site, self.option_column, reduced)
            outside = np.ones(len(self.sites), bool)
            outside[list(in_model)] = False
            positive = outside & (best_site > 1e-7 * max(1.0, value))
            bound = min(bound, value + float(best_site[positive].sum()))
            if report:
                report(bound)
            if not positive.any() or self._over(deadline):
                solution = np.asarray(highs.getSolution().col_value)
                y = np.zeros(len(self.option_cost))
                for column, (_, y_columns) in in_model.items():
                    y[options_of[column]] = solution[y_columns]
                col_duals = np.asarray(highs.getSolution().col_dual)
                for column, (_, y_columns) in in_model.items():
                    reduced[options_of[column]] = -np.abs(col_duals[y_columns]) * (y[options_of[column]] < 1 - 1e-9)
                return {"value": value, "bound": bound if positive.any() else value, "reduced": reduced, "y": y,
                        "sites_in_model": len(in_model), "rounds": rounds, "converged": not positive.any()}
            for column in np.flatnonzero(positive)[np.argsort(-best_site[positive])][:150].tolist():
                add_site(int(column))

    @staticmethod
    def _add_x(highs, communities: np.ndarray, weights: np.ndarray, capacity_row: int) -> None:
        import highspy

        count = len(communities)
        if not count:
            return
        index = np.empty(2 * count, dtype=np.int32)
        index[0::2], index[1::2] = communities, capacity_row
        highs.addCols(count, weights, np.zeros(count), np.full(count, highspy.kHighsInf), 2 * count,
                      np.arange(count, dtype=np.int32) * 2, index, np.ones(2 * count))

    def _option_values(self, u: np.ndarray) -> np.ndarray:
        """Each option's fractional-knapsack value: its capacity filled with the pairs of highest w - u."""
        profit = np.maximum(self.pair_weight - u[self.pair_community], 0.0)
        amount = self.demand[self.pair_community]
        order = np.lexsort((-profit, self.pair_site))
        profit, amount, site = profit[order], amount[order], self.pair_site[order]
        before = np.cumsum(amount) - amount
        start = before[self.site_ptr[:-1]] if len(before) else np.zeros(len(self.sites))
        within = before - np.repeat(start, np.diff(self.site_ptr))  # demand ahead of each pair in its site
        values = np.zeros(len(self.option_cost))
        for capacity in np.unique(self.option_capacity):
            take = np.clip(capacity - within, 0.0, amount)
            per_site = np.bincount(site, weights=profit * take, minlength=len(self.sites))
            mask = self.option_capacity == capacity
            values[mask] = per_site[self.option_column[mask]]
        return values

    # -- MIP over some sites --------------------------------------------------------------------------
    def mip(self, columns: np.ndarray, budget: float, plan: Sequence[int], time_limit: float,
            on_event: Callable | None = None, gap: float = MIP_GAP) -> tuple[list[int], float, dict]:
        """The model restricted to these candidate columns (every option of each), warm-started with ``plan``."""
        import highspy

        columns = np.asarray(sorted(set(int(c) for c in columns) | {int(self.option_column[o]) for o in plan}))
        options = np.flatnonzero(np.isin(self.option_column, columns))
        local = {int(c): k for k, c in enumerate(columns)}
        n, m, k = self.engine.n_communities, len(columns), len(options)
        pair_rows, pair_caps, pair_weights = [], [], []
        for h, site in enumerate(self.kept_sites):
            reach = self.engine.reach(site, self.travel)
            pair_rows.append(reach.communities)
            pair_caps.append(np.full(len(reach.communities), h))
            pair_weights.append(np.where(reach.same_day, 1.0, self.weight))
        kept = len(self.kept_sites)
        for column in columns.tolist():
            a, b = self.site_ptr[column], self.site_ptr[column + 1]
            pair_rows.append(self.pair_community[a:b])
            pair_caps.append(np.full(b - a, kept + local[column]))
            pair_weights.append(self.pair_weight[a:b])
        pr = np.concatenate(pair_rows) if pair_rows else np.zeros(0, np.int64)
        pc = np.concatenate(pair_caps) if pair_caps else np.zeros(0, np.int64)
        pw = np.concatenate(pair_weights) if pair_weights else np.zeros(0)
        p = len(pr)
        scale = float(np.median(self.option_cost[options])) if k else 1.0
        capacity_rows = kept + m
        # rows: demand (n), capacity (kept + m), type (m), budget, count; columns: y (k), x (p)
        y_col = np.arange(k)
        y_rows = [n + kept + np.array([local[int(self.option_column[o])] for o in options]),
                  n + kept + m + np.array([local[int(self.option_column[o])] for o in options]),
                  np.full(k, n + capacity_rows + m), np.full(k, n + capacity_rows + m + 1)]
        y_vals = [-self.option_capacity[options], np.ones(k), self.option_cost[options] / scale, np.ones(k)]
        matrix = sp.csc_matrix((np.concatenate(y_vals + [np.ones(p), np.ones(p)]),
                                (np.concatenate(y_rows + [pr, n + pc]),
                                 np.concatenate([y_col] * 4 + [k + np.arange(p)] * 2))),
                               shape=(n + capacity_rows + m + 2, k + p))
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = k + p, matrix.shape[0]
        lp.col_cost_ = np.concatenate([np.zeros(k), pw])
        lp.col_lower_ = np.zeros(k + p)
        lp.col_upper_ = np.concatenate([np.ones(k), np.full(p, highspy.kHighsInf)])
        lp.row_lower_ = np.full(matrix.shape[0], -highspy.kHighsInf)
        lp.row_upper_ = np.concatenate([self.demand, self.kept_capacity, np.zeros(m), np.ones(m),
                                        [budget / scale, self.max_options(budget)]])
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.integrality_ = [highspy.HighsVarType.kInteger] * k + [highspy.HighsVarType.kContinuous] * p
        highs = highs_instance()
        highs.passModel(lp)
        highs.setOptionValue("mip_rel_gap", gap)
        # the start: the plan's options fixed, the assignment solved, then the options freed again
        chosen = np.isin(options, list(plan)).astype(float)
        highs.changeColsBounds(k, y_col.astype(np.int32), chosen, chosen)
        started = time.monotonic()
        highs_runs.run(highs, max(0.5, time_limit / 4), self.stop)
        start = np.asarray(highs.getSolution().col_value) if highs.getSolution().value_valid else None
        highs.changeColsBounds(k, y_col.astype(np.int32), np.zeros(k), np.ones(k))
        if start is not None:
            highs.setSolution(solution_values(start))
        if on_event is not None:
            highs.cbMipImprovingSolution.subscribe(on_event)
            highs.cbMipInterrupt.subscribe(on_event)
        highs_runs.run(highs, max(0.05, time_limit - (time.monotonic() - started)), self.stop)
        info = highs.getInfo()
        solution = highs.getSolution()
        found = (options[np.asarray(solution.col_value[:k]) > 0.5].tolist() if solution.value_valid else list(plan))
        bound = info.mip_dual_bound if np.isfinite(info.mip_dual_bound) else math.inf
        return found, bound, {"sites": m, "options": k, "pairs": p, "nodes": int(info.mip_node_count),
                              "status": highs.modelStatusToString(highs.getModelStatus())}

    # -- the steps on the solve loop ----------------------------------------------------------------------
    def steps(self, run: Run) -> Iterator[str]:
        """Greedy, LP bound, swap search, restricted MIP, reduced-cost fixing, proving MIP (see the module notes)."""
        budget, stats, started, time_limit = run.budget, run.stats, run.started, run.time_limit
        run.tighten(float(self.demand.sum()))  # nobody can do better than every parcel served same-day
        run.offer(self.best_greedy(budget), phase="greedy")
        stats.update(options=len(self.option_cost), sites=len(self.sites), pairs=int(len(self.pair_community)),
                     greedy_objective=self.people(run.objective), greedy_hubs=len(run.plan), model="capacity")
        yield "greedy"

        lp = self.lp_relaxation(budget, run.plan, run.at(0.35), lambda bound: run.tighten(bound, "relaxation"))
        run.tighten(lp["bound"])
        stats.update(lp_objective=self.people(lp["value"]), lp_rounds=lp["rounds"], lp_sites=lp["sites_in_model"],
                     lp_converged=lp["converged"])
        yield "relaxation"
        if run.greedy_only:
            return

        run.report("local search")
        plan = self.improve(budget, run.plan, run.at(0.7), lambda found, value: run.offer(found, value, "local search"))
        run.offer(plan)
        stats["local_search_objective"] = self.people(run.objective)
        yield "local search"
        # a restricted MIP over the LP's support and the plan (small enough for HiGHS to search)
        y, reduced = lp["y"], lp["reduced"]
        support = np.unique(self.option_column[y > 1e-6])
        restricted = np.union1d(support, self.option_column[run.plan])
        if len(restricted) <= 2 * PROOF_SITES // 3 and run.left() > 1.0:
            run.report("search")
            # until the proof's share of the time, or to the deadline when no proof will follow
            proof_possible = lp["converged"] and int(np.unique(self.option_column[
                lp["value"] + reduced >= run.objective * (1 - 1e-9)]).size) <= PROOF_SITES
            until = run.at(0.85) if proof_possible else run.deadline - 0.5
            found, _, stats["search"] = self.mip(restricted, budget, run.plan, max(0.5, run.left(until)),
                                                 run.mip_listener("search"))
            run.offer(found)
            yield "search"
        # reduced-cost fixing, then the proving MIP when few sites are left
        keep = np.flatnonzero(lp["value"] + reduced >= run.objective * (1 - 1e-9))
        sites_left = np.union1d(np.unique(self.option_column[keep]), self.option_column[run.plan])
        stats["sites_after_fixing"] = int(len(sites_left))
        if len(sites_left) <= PROOF_SITES and lp["converged"] and run.left() > 0:
            run.report("proof")
            found, bound, stats["proof"] = self.mip(sites_left, budget, run.plan, run.left(),
                                                    run.mip_listener("proof"))
            run.offer(found)
            run.tighten(max(bound, run.objective))
            yield "proof"
