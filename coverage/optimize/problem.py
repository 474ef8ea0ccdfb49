"""The optimiser's problem object: the model with its heuristics, relaxation, MIPs and solve loop."""

from __future__ import annotations

from coverage.optimize.heuristics import Heuristics
from coverage.optimize.mip import Mip
from coverage.optimize.model import CoverageModel
from coverage.optimize.relaxation import Relaxation
from coverage.optimize.solve import Solver


class CoverageProblem(CoverageModel, Heuristics, Relaxation, Mip, Solver):
    """The model for one engine, travel model, set of kept hubs, candidates and costs.

    Use :meth:`from_engine`; then :meth:`greedy` for an instant plan, :meth:`solve` for
    a proven one, and :meth:`value` to score any set of sites.  Each part lives in its
    own module: ``model.py`` (data, scoring, reductions), ``heuristics.py``,
    ``relaxation.py``, ``mip.py``, ``solve.py``.
    """
