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

How it is solved (steps on the one solve loop, ``solve.py``)
------------------------------------------------------------
1. **Greedy** by served value per dollar: each option's value is what its capacity can
   take from the demand still unserved (same-day first, then next-day at its weight), a
   vector product per step; three variants (all types; new builds first; conversions
   first), each scored exactly with the assignment LP, the best kept.
2. **The bound**: Lagrangian relaxation of the demand rows, a fractional knapsack per
   site and type, minimised by subgradient steps (``capacity_bound.py``, which records
   what it and the other ideas tried did to the bound).  Before it, the bound is the
   capacity knapsack (every dollar on new builds, full, same-day) or every parcel served.
3. **The search** (``capacity_search.py``): swap, shift, type change, split, merge and
   add moves, each scored exactly by the warm-started transportation LP, then regions of
   the map re-planned by small MIPs.  Bound and search take turns (30% / 25% / 20% /
   25% of the time limit), so the second turn of steps aims at a better plan.
4. **Proof**: a model small enough (at most 20,000 pairs) goes to HiGHS whole with the
   strong linking rows, which proves it; otherwise the best plan's own transportation
   duals are tried as a Benders cut, and the choice of options at the best prices is
   made in whole hubs (exact, by type counts), which can only lower the bound (it
   matters where few hubs are bought).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Callable, Iterator, Sequence

import numpy as np
import scipy.sparse as sp

from coverage.capacity import ServedSolver
from coverage.engine import CoverageEngine
from coverage.optimize.model import TOLERANCE
from coverage.optimize.solve import Run, Solver
from coverage.travel import TravelModel

BOUND_SHARES = (0.3, 0.75)    # the time limit's shares at which each turn of subgradient steps ends,
SEARCH_SHARES = (0.55, 1.0)   # and each turn of search (moves to halfway, then regions; the last to the end)
PREVIEW_SECONDS = 2.0         # the greedy preview's subgradient steps
GREEDY_SHARE = 0.1            # greedy variants after the first only while within this share of the time limit
WHOLE_HUB_SHARE = 0.1         # the most the whole-hub knapsack may take at the start (2 s at least)
PROOF_PAIRS = 40_000          # a model this small (pairs x types) goes to HiGHS whole, with the strong rows
FINISH_MARGIN_S = 0.3         # the last step ends this long before the deadline


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
        rows, same_flags, minutes, counts = [], [], [], []
        for site in self.sites.tolist():
            reach = engine.reach(site, travel)
            nearest = np.argsort(reach.minutes, kind="stable")  # by site, nearest first
            rows.append(reach.communities[nearest])
            same_flags.append(reach.same_day[nearest])
            minutes.append(reach.minutes[nearest])
            counts.append(len(nearest))
        self.pair_community = np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, np.int64)
        self.pair_site = np.repeat(np.arange(len(self.sites)), counts).astype(np.int64)
        self.pair_same = np.concatenate(same_flags) if same_flags else np.zeros(0, bool)
        self.pair_minutes = np.concatenate(minutes) if minutes else np.zeros(0)
        self.pair_weight = np.where(self.pair_same, 1.0, self.weight)
        self.site_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        shape = (engine.n_communities, len(self.sites))
        # communities x sites, built column by column (the pairs are already grouped by site)
        self.same_matrix, self.next_matrix = (
            sp.csc_matrix((np.ones(int(mask.sum())), self.pair_community[mask],
                           np.concatenate([[0], np.cumsum(np.bincount(self.pair_site[mask],
                                                                       minlength=len(self.sites)))])), shape=shape)
            for mask in (self.pair_same, ~self.pair_same))
        self._solver = ServedSolver(engine, travel, self.demand, next_day_weight, parcels_per_person_day=1.0)
        self.kept_served = self._solver.solve(self.kept_sites, self.kept_capacity)
        self.base_value = self.kept_served.weighted_parcels

    # -- the problem protocol (``problem.py``) ------------------------------------------------------------
    def reach(self, option: int) -> tuple[np.ndarray, np.ndarray]:
        """The communities an option's site reaches within next-day (nearest first), and which of them same-day."""
        column = self.option_column[option]
        a, b = self.site_ptr[column], self.site_ptr[column + 1]
        return self.pair_community[a:b], self.pair_same[a:b]

    def gains(self, plan: Sequence[int]) -> np.ndarray:
        """What each option would add to ``plan`` at least: its capacity filled from what the plan's assignment
        leaves unserved or serves only next-day (:meth:`fill_values`)."""
        plan = list(plan)
        return self.gains_after(self._solver.solve(self.kept_sites + self.option_site[plan].tolist(),
                                                   self.kept_capacity + self.option_capacity[plan].tolist()))

    def gains_after(self, served) -> np.ndarray:
        """:meth:`gains` from a plan's assignment (``Served``) already solved."""
        return self.fill_values(np.maximum(self.demand - served.same_day - served.next_day, 0.0),
                                served.next_day.copy())

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

    # -- greedy -------------------------------------------------------------------------------------
    def best_greedy(self, budget: float, over: Callable[[], bool] = lambda: False,
                    enough: Callable[[], bool] = lambda: False) -> list[int]:
        """The best of three greedy plans, scored exactly: all types by value per dollar; each type alone first,
        then filled with the rest (a cheap type fills gaps a big one cannot).  ``over()`` cuts it short (the
        time limit): the plans so far are what there is; once ``enough()``, the other variants are left out
        (on 21,612 places each takes a minute)."""
        plans = [self.greedy(budget, over=over)]
        for kind in dict.fromkeys(self.option_type):
            if over() or enough():
                break
            first = self.greedy(budget, types={kind}, over=over)
            spent = float(self.option_cost[first].sum())
            plans.append(self.greedy(budget, start=first, over=over) if spent < budget and not over() else first)
        return max(plans, key=self.value)

    def greedy(self, budget: float, start: Sequence[int] = (), types: set[str] | None = None,
               over: Callable[[], bool] = lambda: False) -> list[int]:
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
        while not over():
            value = self.fill_values(unserved, upgradable)
            value[(self.option_cost > left + TOLERANCE) | ~allowed] = -1.0
            if taken_sites:
                value[np.isin(self.option_column, list(taken_sites))] = -1.0
            ratio = np.where(value > TOLERANCE, value / np.maximum(self.option_cost, 1e-9), -1.0)
            best = int(np.argmax(ratio))
            if ratio[best] <= 0:
                return chosen
            take(best)
        return chosen

    def fill_values(self, unserved: np.ndarray, upgradable: np.ndarray) -> np.ndarray:
        """What each option would add by filling its capacity from what is left (a lower bound on its gain).

        The most valuable parcels first: unserved ones it reaches same-day (1 each), unserved
        ones it reaches next-day (the weight), next-day ones it could take same-day (the
        difference).  Each is served that way by a feasible change of the assignment, so
        the served value with the option opened is at least the value now plus this.
        """
        value = np.zeros(len(self.option_cost))
        room = self.option_capacity.copy()
        kinds = sorted([(self.same_matrix, unserved, 1.0), (self.next_matrix, unserved, self.weight),
                        (self.same_matrix, upgradable, 1.0 - self.weight)], key=lambda k: -k[2])
        for matrix, pool, gain in kinds:
            amount = np.minimum(room, (matrix.T @ pool)[self.option_column])
            value += gain * amount
            room -= amount
        return value

    # -- the steps on the solve loop ----------------------------------------------------------------------
    def steps(self, run: Run) -> Iterator[str]:
        """Greedy; the Lagrangian bound and the search in turns; the proof where the model is small (module notes)."""
        from coverage.optimize.capacity_bound import LagrangianBound
        from coverage.optimize.capacity_search import ServedSearch, site_mip

        budget, stats = run.budget, run.stats
        run.tighten(float(self.demand.sum()))  # nobody can do better than every parcel served same-day
        # the greedy plan is the least a run returns, even after Stop; only the deadline cuts it short
        run.offer(self.best_greedy(budget, lambda: time.monotonic() > run.deadline,
                                   lambda: time.monotonic() > run.at(GREEDY_SHARE)), phase="greedy")
        stats.update(options=len(self.option_cost), sites=len(self.sites), pairs=int(len(self.pair_community)),
                     greedy_objective=self.people(run.objective), greedy_hubs=len(run.plan), model="capacity")
        yield "greedy"

        bound = LagrangianBound(self, budget)
        search = ServedSearch(self, budget)

        def record() -> None:
            stats.update(bounds={idea: self.people(value) for idea, value in bound.history.items()},
                         lagrangian_steps=bound.steps, plans_scored=search.scored, moves=dict(search.moves),
                         local_search_objective=self.people(run.objective))

        def tighten(value: float) -> None:
            run.tighten(value, "bound")

        def better(plan: list[int], value: float) -> None:
            run.offer(plan, value, "search")

        def done() -> bool:  # stopped, or proved (no move can serve more)
            return run.stopped or run.closed

        def bound_until(moment: float) -> None:
            run.report("bound")
            bound.minimise(moment, lambda: run.objective, done, tighten)
            run.tighten(bound.best)
            record()

        run.tighten(bound.start(run.stop, max(2.0, min(WHOLE_HUB_SHARE * run.time_limit, run.left()))), "bound")
        record()
        yield "bound"
        if run.greedy_only:
            bound_until(min(run.at(BOUND_SHARES[0]), run.started + PREVIEW_SECONDS))
            return
        if len(self.pair_community) * 2 <= PROOF_PAIRS:
            # a small model: HiGHS proves it directly (kept hubs re-routed freely)
            run.report("proof")
            found = site_mip(self, np.arange(len(self.sites)), self.demand.copy(), budget, {}, run.left(),
                             kept_free=True)
            if found is not None:
                chosen, proved, mip_bound = found
                run.offer(chosen, phase="proof")
                if proved:
                    run.tighten(max(mip_bound, run.objective))
            stats["proof"] = "whole model"
            record()
            yield "proof"
        for turn, (bound_share, search_share) in enumerate(zip(BOUND_SHARES, SEARCH_SHARES)):
            bound_until(run.at(bound_share))
            if turn == len(BOUND_SHARES) - 1:
                # Benders: the best plan's own prices (its transportation duals) give a cut too; and the choice
                # of options in whole hubs at the best prices (it matters where few hubs are bought)
                run.tighten(bound.at(search.served(run.plan).community_price, "benders")[0])
                run.tighten(bound.master(max(0.0, run.left() - FINISH_MARGIN_S), run.stop))
                run.tighten(bound.integer(max(0.0, run.left() - FINISH_MARGIN_S), run.stop), "bound")
                record()
            yield "bound"
            run.report("search")
            end = run.deadline - FINISH_MARGIN_S if turn == len(BOUND_SHARES) - 1 else run.at(search_share)
            moves_until = min(run.at((bound_share + search_share) / 2), end)
            run.offer(search.search(run.plan, moves_until, done, better))
            run.offer(search.regional(run.plan, end, done, better, seed=7 + turn))
            record()
            yield "search"
