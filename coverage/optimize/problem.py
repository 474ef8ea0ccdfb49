r"""What every optimiser model is, and the coverage model's steps on the one solve loop.

The problem protocol
--------------------
A model (:class:`Problem`) offers **options**: a hub of some type on some engine site,
at some cost (``option_site``, ``option_type``, ``option_cost``; a plan is a list of
option indices, at most one per site, whose costs add up to at most the budget).  Each
option **reaches** some communities, some within the same-day threshold
(:meth:`Problem.reach`), and what it **gains** (:meth:`Problem.gains`) depends on the
model: the coverage model counts a community's people once at its best tier; the
capacity model counts the parcels its hubs can ship, splittably and within each hub's
capacity.  Either way
:meth:`Problem.value` scores a plan exactly (kept hubs included) in the model's unit,
and :meth:`Problem.people` turns that unit into weighted people.  Its maths (greedy,
bound, search, proof) is in :meth:`Problem.steps`, run by the one loop of ``solve.py``.

The coverage model's steps
--------------------------
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
root cuts lower the bound by 3,000-12,000), then search again to the end.  Against the
MIP in the last quarter (45 s of search, proof to the limit), ``bench_optimize.py
--sweep``: gaps at $1.25B/$1.75B/$2B/$2.5B of 0.085/0.178/0.208/0.156% instead of
0.118/0.179/0.357/0.180%, and never past the limit (it was up to 66 s).  The search's
path depends on timing, so runs differ (at $2B 0.208% in one run, 0.247% in another;
$1.5B ranged 0.22-0.35%).  ``cuts.py`` records what stronger relaxations did to the bound.
"""

from __future__ import annotations

import threading
import time
from typing import Iterator, Protocol, Sequence, runtime_checkable

import numpy as np

from coverage.optimize.heuristics import Heuristics
from coverage.optimize.mip import Mip
from coverage.optimize.model import MIP_GAP, CoverageModel
from coverage.optimize.relaxation import Relaxation
from coverage.optimize.solve import Run, Solver

SEARCH_MARGIN_S = 0.5    # the regional search ends this long before the deadline, to leave time to report
HARD_SEARCH_SHARE = 0.6  # with a fractional LP: search for this share of the time limit, then
HARD_PROOF_SHARE = 0.2   # the proving MIP's root for at most this share, then search to the end
HARD_FRACTIONAL = 150    # an LP with more fractional sites than this is "hard": search rather than MIPs


@runtime_checkable
class Problem(Protocol):
    """What the solve loop (``solve.py``) and the scenario-level face (``plan.py``) need of a model."""

    option_site: np.ndarray    # engine site of each option
    option_type: Sequence[str]  # hub type of each option ("" where the model was given none)
    option_cost: np.ndarray    # what each option costs, USD
    stop: threading.Event | None

    def reach(self, option: int) -> tuple[np.ndarray, np.ndarray]:
        """The communities ``option`` reaches within the next-day threshold, and which of them same-day."""
        ...

    def gains(self, plan: Sequence[int]) -> np.ndarray:
        """What opening each option as well as ``plan`` would add to the objective: exactly for the coverage
        model, at least (its capacity filled from what the plan leaves) for the capacity model."""
        ...

    def value(self, plan: Sequence[int]) -> float:
        """The exact objective of opening these options (kept hubs included), in the model's unit."""
        ...

    def people(self, value: float) -> float:
        """A value in the model's unit as weighted people."""
        ...

    def steps(self, run: Run) -> Iterator[str]:
        """The model's greedy plan, bound, search and proof, yielding after each step (the loop may end it there)."""
        ...


class CoverageProblem(CoverageModel, Heuristics, Relaxation, Mip, Solver):
    """The coverage model for one engine, travel model, set of kept hubs, candidates and costs.

    Use :meth:`from_engine`; then :meth:`greedy` for an instant plan, :meth:`solve` for
    a proven one, and :meth:`value` to score any set of sites.  Each part lives in its
    own module: ``model.py`` (data, scoring, reductions), ``heuristics.py``,
    ``relaxation.py``, ``mip.py``; its steps are below, run by ``solve.py``.
    """

    def steps(self, run: Run) -> Iterator[str]:
        """Greedy, LP bound, rounding, search or restricted MIP, reduced-cost fixing, proving MIP (module notes)."""
        budget, stats = run.budget, run.stats
        active = ~self.dominated()
        run.offer(self.greedy(budget), phase="greedy")
        stats.update(candidates=len(self.costs), dominated=int((~active).sum()), communities=int(self.near.shape[0]),
                     greedy_objective=run.objective, greedy_sites=len(run.plan), max_sites=self.max_sites(budget))
        yield "greedy"

        lp = self.lp_relaxation(budget, run.plan, run.deadline, active, lambda bound: run.tighten(bound, "relaxation"))
        run.tighten(lp["bound"])
        stats.update(lp_objective=lp["value"], lp_rounds=lp["rounds"], lp_columns=len(lp["columns"]),
                     lp_converged=lp["converged"], lp_fractional=int(((lp["x"] > 1e-6) & (lp["x"] < 1 - 1e-6)).sum()))
        yield "relaxation"
        if run.greedy_only or not lp["converged"]:
            return

        rounded = self.rounded(budget, lp["x"])
        stats["rounded_objective"] = self.value(rounded)
        run.offer(rounded, stats["rounded_objective"], "rounding")
        hard = stats["lp_fractional"] > HARD_FRACTIONAL  # a fractional LP: the MIPs struggle, local search does better
        if hard and not run.closed:
            swapped = self.improve(budget, run.plan,
                                   min(run.deadline, time.monotonic() + max(1.0, 0.1 * run.time_limit)))
            run.offer(swapped, phase="local search")
        if not hard:
            stats["local_search_objective"] = run.objective
        yield "rounding"
        reduced, x = lp["reduced"], lp["x"]

        def prove(seconds: float) -> None:
            """Reduced-cost fixing against the best plan, then the proving MIP for at most ``seconds``."""
            keep = np.flatnonzero(lp["value"] + reduced >= run.objective - 1e-9 * max(1.0, run.objective))
            keep = np.union1d(keep, run.plan).astype(np.int64)
            stats["fixed_out"] = int((active & ~np.isin(np.arange(len(active)), keep)).sum())
            run.report("proof")
            found, model_bound, stats["proof"] = self._mip(keep, budget, run.plan, seconds,
                                                           run.mip_listener("proof", self.base_value))
            found_value = self.value(found)
            if found_value >= run.objective:
                run.plan, run.objective = list(found), found_value
            run.tighten(max(model_bound, run.objective))

        if hard:
            # search, then the proving MIP's root (its cuts lower the bound a little; it does not branch
            # within a minute), then search again with whatever the MIP left
            def better(moved: list[int], value: float) -> None:
                run.offer(moved, value, "regional search")

            run.report("regional search")
            self.regional_search(budget, run.plan, run.at(HARD_SEARCH_SHARE), active,
                                 target=run.bound * (1 - MIP_GAP), on_better=better)
            yield "regional search"
            prove(min(HARD_PROOF_SHARE * run.time_limit, run.left() - SEARCH_MARGIN_S))
            yield "proof"
            run.report("regional search")
            self.regional_search(budget, run.plan, run.deadline - SEARCH_MARGIN_S, active,
                                 target=run.bound * (1 - MIP_GAP), on_better=better, seed=8)
            stats["local_search_objective"] = run.objective
            yield "regional search"
            return

        # a restricted MIP over the LP's support gives a near-optimal plan (where the LP is nearly integral)
        support = np.flatnonzero(x > 1e-6)
        near_zero = np.flatnonzero(reduced >= -1e-3 * max(1.0, lp["value"]))
        room = max(0, 600 - len(support))  # a fractional LP already offers plenty to choose from
        near_zero = near_zero[np.argsort(-reduced[near_zero])][:room]
        restricted = np.union1d(np.union1d(support, near_zero), run.plan).astype(np.int64)
        run.report("restricted plan")
        found, _, stats["restricted"] = self._mip(restricted, budget, run.plan,
                                                  min(run.left(), max(2.0, 0.2 * run.time_limit)),
                                                  run.mip_listener("restricted plan", self.base_value),
                                                  gap=MIP_GAP / 10)
        found_value = self.value(found)
        if found_value >= run.objective:
            run.plan, run.objective = list(found), found_value
        yield "restricted plan"
        prove(run.left())
        yield "proof"
