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
    MIPs over some columns (rows with identical reach merged) and the HiGHS plumbing.
``solve.py``
    The solve loop: greedy, relaxation, search, reduced-cost fixing, the proving MIP;
    progress reports and Stop.
``capacity.py``
    The capacity-aware model (served, not just covered) with its own greedy, swap
    search, relaxation and proving MIP, on the same structure.
``problem.py``
    :class:`CoverageProblem`, the model with all of the above.
``plan.py``
    :func:`optimize`: a scenario in, a proposed scenario and its proof out.

Straightforward modelling takes HiGHS a minute or more on the default data; these parts
prove $0.5B, $1B and $4B plans optimal in seconds (``benchmarks/bench_optimize.py``).
"""

from coverage.optimize.mip import highs_instance
from coverage.optimize.model import MIP_GAP, TOLERANCE
from coverage.optimize.plan import OptimizeResult, optimize
from coverage.optimize.problem import CoverageProblem
from coverage.optimize.solve import Progress, Solution

__all__ = ["MIP_GAP", "TOLERANCE", "CoverageProblem", "OptimizeResult", "Progress", "Solution", "highs_instance",
           "optimize"]
