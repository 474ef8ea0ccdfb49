"""The optimiser: which sites to open within a budget, keeping locked hubs, proved or with its gap stated.

What is inside
--------------
``model.py``
    The budgeted two-tier coverage model (stated in full there), how a plan is scored,
    and the exact reductions (dominated sites, the cardinality cut).
``relaxation.py``
    The LP relaxation by warm-started column generation, and the bound it proves;
    optionally a root loop of cluster cuts.
``cuts.py``
    Cutting planes: the cluster cuts' separation, and what each idea tried for the
    hard band ($1.25B-$3.5B) did to the root bound at $2B, measured.
``heuristics.py``
    Greedy, rounding, swap search and regional search.
``mip.py``
    MIPs over some columns (rows with identical reach merged).
``solve.py``
    The one solve loop: clock, Stop, best plan, proven bound, progress and status,
    around any model's steps (HiGHS runs are cut short in ``coverage/highs.py``).
``problem.py``
    The problem protocol every model implements (options, reach, value), and
    :class:`CoverageProblem`, the coverage model with all of the above and its steps.
``capacity.py``
    The capacity-aware model (served, not just covered): its data, greedy and steps
    on the same loop; ``capacity_bound.py`` its Lagrangian bound (and what each bound
    idea did, measured); ``capacity_search.py`` its moves scored by the assignment LP
    and its regional MIPs.
``plan.py``
    :func:`optimize`: a scenario in, a proposed scenario and its proof out.

Straightforward modelling takes HiGHS a minute or more on the default data; these parts
prove the coverage model's $0.5B, $1B and $4B plans optimal in seconds
(``benchmarks/bench_optimize.py``; ``--capacity`` for the capacity model's gaps).
"""

from coverage.highs import highs_instance
from coverage.optimize.model import MIP_GAP, TOLERANCE
from coverage.optimize.plan import OptimizeResult, optimize
from coverage.optimize.problem import CoverageProblem, Problem
from coverage.optimize.solve import Progress, Solution, solve

__all__ = ["MIP_GAP", "TOLERANCE", "CoverageProblem", "OptimizeResult", "Problem", "Progress", "Solution",
           "highs_instance", "optimize", "solve"]
