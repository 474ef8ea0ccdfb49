"""The one solve loop: a model's steps run against one clock, one Stop, one best plan and one proven bound.

Every model (the coverage model, ``model.py``; the capacity-aware one, ``capacity.py``)
implements :class:`~coverage.optimize.problem.Problem` and states its own steps as a
generator, :meth:`Problem.steps`, that yields the name of each step it has done.  The loop
(:func:`solve`) owns everything else:

* **the clock**: the deadline and the share of the time limit a step may use
  (:meth:`Run.at`, :meth:`Run.left`); the steps give every HiGHS run what is left, and
  ``coverage/highs.py`` interrupts it a quarter-second past that, or at Stop;
* **Stop**: the planner's event, passed to every HiGHS run and every search loop;
* **the best plan** (:meth:`Run.offer`, scored exactly by the model) and **the proven
  bound** (:meth:`Run.tighten`), reported as :class:`Progress` after every change;
* **the end**: after each step, the loop closes the model's generator when the plan is
  proved within :data:`~coverage.optimize.model.MIP_GAP` of the bound, when Stop is set, or
  when the deadline has passed, and returns a :class:`Solution` with its status
  (``greedy`` for a preview, else ``optimal``, ``stopped`` or ``time_limit``).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Sequence

from coverage.errors import InputError
from coverage.errors import Problem as InputProblem
from coverage.optimize.model import MIP_GAP

if TYPE_CHECKING:
    from coverage.optimize.problem import Problem


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
    """The optimiser's answer: the new hubs chosen and how sure we are.

    ``sites`` are engine site indices (one new hub each, in the order chosen) and
    ``types`` their hub types (empty strings where the model was given none);
    ``options`` are the same hubs as the model's option indices.  ``objective`` and
    ``bound`` are in weighted people (kept hubs included).
    """

    status: str              # "optimal", "time_limit", "stopped" or "greedy"
    sites: list[int]         # engine site indices chosen (new hubs)
    objective: float         # total, kept hubs included
    bound: float             # proven upper bound on the total
    seconds: float
    stats: dict = field(default_factory=dict)
    types: list[str] = field(default_factory=list)    # hub type of each chosen site
    options: list[int] = field(default_factory=list)  # the model's option index of each chosen site

    @property
    def gap(self) -> float:
        """(bound - objective) / bound, as proved."""
        return max(0.0, (self.bound - self.objective) / self.bound) if self.bound > 0 else 0.0


class Run:
    """One solve in progress: its clock, the planner's Stop, the best plan so far and the proven bound.

    Objective and bound are held in the model's own unit (people for the coverage model,
    weighted parcels a day for the capacity model) and reported in people.
    """

    def __init__(self, problem: "Problem", budget: float, time_limit: float,
                 progress: Callable[[Progress], None] | None = None, stop: threading.Event | None = None,
                 greedy_only: bool = False):
        self.problem, self.budget = problem, float(budget)
        self.time_limit = max(float(time_limit), 0.0)
        self.started = time.monotonic()
        self.deadline = self.started + self.time_limit
        self.progress, self.stop, self.greedy_only = progress, stop, greedy_only
        self.plan: list[int] = []
        self.objective = -math.inf   # the exact value of ``plan``
        self.seen = -math.inf        # the best value any solver has reported (a MIP's incumbent before it returns)
        self.bound = math.inf
        self.phases: dict[str, float] = {}
        self.stats: dict = {"phase_started_at_seconds": self.phases}

    # -- the clock and Stop ---------------------------------------------------------------------------
    def at(self, share: float) -> float:
        """The moment ``share`` of the time limit has passed (``time.monotonic()`` clock)."""
        return self.started + share * self.time_limit

    def left(self, until: float | None = None) -> float:
        """Seconds until ``until`` (default: the deadline), never past the deadline."""
        return min(self.deadline, math.inf if until is None else until) - time.monotonic()

    @property
    def stopped(self) -> bool:
        return self.stop is not None and self.stop.is_set()

    def over(self, until: float | None = None) -> bool:
        """The deadline (or ``until``, if sooner) has passed, or the planner asked to stop."""
        return self.left(until) < 0 or self.stopped

    # -- the best plan and the bound --------------------------------------------------------------------
    @property
    def closed(self) -> bool:
        """The best plan is proved within :data:`MIP_GAP` of the bound."""
        return math.isfinite(self.bound) and self.bound <= self.objective + MIP_GAP * max(self.bound, 1.0) + 1e-9

    def offer(self, plan: Sequence[int], value: float | None = None, phase: str | None = None) -> bool:
        """Keep ``plan`` if it beats the best plan (``value``: its exact value, when already known)."""
        value = self.problem.value(plan) if value is None else float(value)
        if value <= self.objective:
            return False
        self.plan, self.objective = list(plan), value
        self.seen = max(self.seen, value)
        if phase:
            self.report(phase)
        return True

    def tighten(self, bound: float, phase: str | None = None) -> None:
        """A proven upper bound on every plan's value."""
        self.bound = min(self.bound, float(bound))
        if phase:
            self.report(phase)

    def report(self, phase: str) -> None:
        """Record when ``phase`` first began and tell the listener where things stand."""
        seconds = time.monotonic() - self.started
        self.phases.setdefault(phase, round(seconds, 3))
        if self.progress:
            people = self.problem.people
            self.progress(Progress(phase, people(max(self.objective, self.seen)), people(self.bound), seconds))

    def mip_listener(self, phase: str, offset: float = 0.0) -> Callable:
        """A HiGHS callback that reports a MIP's incumbent (plus ``offset``) as it improves (Stop and the time
        limit interrupt the MIP from ``coverage.highs.run``)."""
        def listen(event) -> None:
            found = event.data_out.mip_primal_bound
            if math.isfinite(found) and found > -1e300:
                self.seen = max(self.seen, offset + found)
            self.report(phase)
        return listen

    # -- the end -------------------------------------------------------------------------------------
    @property
    def status(self) -> str:
        if self.greedy_only:
            return "greedy"
        return "optimal" if self.closed else "stopped" if self.stopped else "time_limit"

    def finish(self) -> Solution:
        status = self.status
        self.report(status)
        problem = self.problem
        sites = [int(problem.option_site[o]) for o in self.plan]
        types = [str(problem.option_type[o]) for o in self.plan]
        return Solution(status, sites, problem.people(self.objective), problem.people(max(self.bound, self.objective)),
                        time.monotonic() - self.started, self.stats, types, [int(o) for o in self.plan])


def solve(problem: "Problem", budget: float, time_limit: float = 60.0,
          progress: Callable[[Progress], None] | None = None, stop: threading.Event | None = None,
          greedy_only: bool = False) -> Solution:
    """Run ``problem``'s steps within the time limit; the best plan, its proven bound and its status.

    The loop ends the steps early when the plan is proved, when Stop is set or when the
    deadline has passed; with ``greedy_only``, the model stops after its greedy plan and
    the bound it proves (a preview).
    """
    if budget < 0:
        raise InputError(InputProblem(f"{budget:,.0f} is negative", column="budget"))
    run = Run(problem, budget, time_limit, progress, stop, greedy_only)
    problem.stop = stop
    steps = problem.steps(run)
    try:
        for _ in steps:
            if run.closed or run.stopped or time.monotonic() > run.deadline:
                break
    finally:
        steps.close()
    return run.finish()


class Solver:
    """``solve`` as a method of a model (the loop is :func:`solve`)."""

    def solve(self, budget: float, time_limit: float = 60.0, progress: Callable[[Progress], None] | None = None,
              stop: threading.Event | None = None, greedy_only: bool = False) -> Solution:
        """The best plan within ``budget`` found and proved within ``time_limit`` seconds (see :func:`solve`)."""
        return solve(self, budget, time_limit, progress, stop, greedy_only)  # type: ignore[arg-type]
