"""The solve loop: from a greedy plan to a proof, reporting progress and honouring Stop.

1. Dominated sites are dropped; greedy gives a plan in milliseconds.
2. The LP relaxation by column generation gives the bound (``relaxation.py``).
3. Rounding, and where the LP is far from integral, swap and regional search
   (``heuristics.py``); where it is nearly integral, a restricted MIP over the LP's
   support (``mip.py``).
4. **Reduced-cost fixing**: with LP optimum :math:`Z_{LP}` and reduced costs
   :math:`d_j`, a plan that opens site :math:`j` is worth at most :math:`Z_{LP} + d_j`;
   sites below the best plan's value are dropped.
5. **The proving MIP** over the remaining sites, warm-started with the best plan, to a
   0.01% gap; or, at the time limit, the best plan and the gap proved.

Where the LP has more than 150 fractional sites (100-300 hubs at default costs), the
time goes mostly to the regional search: 60% of the limit searching, then the proving
MIP for at most 20% (it does not leave its root node within a minute there, but HiGHS's
root cuts lower the bound by 3,000-12,000), then search again to the end, which also
absorbs the MIP's overrun of its limit (up to 6 s measured).  Against the MIP in the last
quarter (45 s of search, proof to the limit), ``bench_optimize.py --sweep``: gaps at
$1.25B/$1.75B/$2B/$2.5B of 0.085/0.178/0.208/0.156% instead of 0.118/0.179/0.357/0.180%,
and never past the limit (it was up to 66 s).  The search's path depends on timing, so
runs differ (at $2B 0.208% in one run, 0.247% in another; $1.5B ranged 0.22-0.35%).  ``cuts.py`` records what stronger relaxations did to the bound.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from coverage.errors import InputError, Problem
from coverage.optimize.model import MIP_GAP

SEARCH_MARGIN_S = 0.5    # the regional search ends this long before the deadline, to leave time to report
HARD_SEARCH_SHARE = 0.6  # with a fractional LP: search for this share of the time limit, then
HARD_PROOF_SHARE = 0.2   # the proving MIP's root for at most this share, then search to the end


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


class Solver:
    """The solve loop of a :class:`CoverageProblem`."""

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
        reduced, x = lp["reduced"], lp["x"]

        def prove(seconds: float) -> None:
            """Reduced-cost fixing against the best plan, then the proving MIP for at most ``seconds``."""
            nonlocal plan
            keep = np.flatnonzero(lp["value"] + reduced >= state["objective"] - 1e-9 * max(1.0, state["objective"]))
            keep = np.union1d(keep, plan).astype(np.int64)
            stats["fixed_out"] = int((active & ~np.isin(np.arange(len(active)), keep)).sum())
            state["phase"] = "proof"
            report("proof")
            found, model_bound, stats["proof"] = self._mip(keep, budget, plan, seconds, on_event)
            if self.value(found) >= self.value(plan):
                plan = found
            state["objective"] = self.value(plan)
            state["bound"] = min(state["bound"], max(model_bound, state["objective"]))

        if hard and not self._closed(state):
            def better(moved: list[int], value: float) -> None:
                nonlocal plan
                plan = moved
                state["objective"] = max(state["objective"], value)
                report("regional search")

            # search, then the proving MIP's root (its cuts lower the bound a little; it does not branch
            # within a minute), then search again with whatever the MIP left (it may overrun its limit)
            report("regional search")
            self.regional_search(budget, plan, started + HARD_SEARCH_SHARE * time_limit, active,
                                 target=state["bound"] * (1 - MIP_GAP), on_better=better)
            if not self._closed(state) and not stopped():
                prove(min(HARD_PROOF_SHARE * time_limit, deadline - SEARCH_MARGIN_S - time.monotonic()))
            if not self._closed(state) and not stopped():
                state["phase"] = "regional search"
                self.regional_search(budget, plan, deadline - SEARCH_MARGIN_S, active,
                                     target=state["bound"] * (1 - MIP_GAP), on_better=better, seed=8)
            stats["local_search_objective"] = state["objective"]
            return finish("optimal" if self._closed(state) else "stopped" if stopped() else "time_limit")
        stats["local_search_objective"] = state["objective"]
        if self._closed(state):
            return finish("optimal")

        # a restricted MIP over the LP's support gives a near-optimal plan (where the LP is nearly integral)
        support = np.flatnonzero(x > 1e-6)
        near_zero = np.flatnonzero(reduced >= -1e-3 * max(1.0, lp["value"]))
        room = max(0, 600 - len(support))  # a fractional LP already offers plenty to choose from
        near_zero = near_zero[np.argsort(-reduced[near_zero])][:room]
        restricted = np.union1d(np.union1d(support, near_zero), plan).astype(np.int64)
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
        prove(deadline - time.monotonic())
        return finish("optimal" if self._closed(state) else "stopped" if stopped() else "time_limit")

    @staticmethod
    def _closed(state: dict) -> bool:
        return state["bound"] <= state["objective"] + MIP_GAP * max(state["bound"], 1.0) + 1e-9
