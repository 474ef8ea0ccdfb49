"""HiGHS, the solver under every LP and MIP here: a silent instance, a warm start, and a run within a limit.

The evaluation core (``capacity.py``'s assignment LP) and the optimiser both build on
this module, so neither reaches into the other for it.

A run within a limit
--------------------
HiGHS checks its own ``time_limit`` only between the stages of a MIP's root node (it
was measured up to 6 s late there).  :func:`run` therefore also subscribes to the
interrupt callbacks of the simplex, the interior point method and the MIP, which come
during iterations and between nodes, and interrupts the run :data:`OVERRUN_S` past its
limit, or as soon as the planner's Stop is set.  This is the one place a run is cut
short; everything that solves an LP or a MIP under a time limit or a Stop calls it.

HiGHS's ``time_limit`` counts the instance's run time over all its runs (measured:
an instance re-solved a dozen times reports "time limit reached" at once when the sum
passes the limit), so :func:`run` sets it to the time already spent plus ``seconds``.
An interrupt, once given, also holds for the instance's later runs (measured: every
later LP ended at once, "interrupted by user"), so the callback says each time whether
it holds, which clears it at the next run's first callback.
"""

from __future__ import annotations

import math
import threading
import time

import numpy as np

OVERRUN_S = 0.25  # past its time limit, a run is interrupted from HiGHS's callbacks


def highs_instance():
    """A silent HiGHS instance (its banner goes to the C-level stdout on creation, which is not ours)."""
    import os
    import sys

    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highs = highspy.Highs()
            highs.setOptionValue("output_flag", False)
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return highs


def solution_values(values: np.ndarray):
    """A HiGHS solution object holding column values (for a warm start)."""
    import highspy

    solution = highspy.HighsSolution()
    solution.col_value = list(values)
    solution.value_valid = True
    return solution


def maximise(matrix, col_cost: np.ndarray, col_upper: np.ndarray, row_upper: np.ndarray, integers: int = 0):
    """A silent HiGHS instance holding ``max c x s.t. A x <= row_upper, 0 <= x <= col_upper``, the first
    ``integers`` columns integer (``matrix`` a SciPy sparse matrix)."""
    import highspy
    import scipy.sparse as sp

    matrix = sp.csc_matrix(matrix)
    rows, columns = matrix.shape
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = columns, rows
    lp.col_cost_ = np.asarray(col_cost, dtype=float)
    lp.col_lower_ = np.zeros(columns)
    lp.col_upper_ = np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.full(rows, -highspy.kHighsInf)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = matrix.indptr, matrix.indices, matrix.data
    lp.sense_ = highspy.ObjSense.kMaximize
    if integers:
        lp.integrality_ = [highspy.HighsVarType.kInteger] * integers + \
            [highspy.HighsVarType.kContinuous] * (columns - integers)
    highs = highs_instance()
    highs.passModel(lp)
    return highs


class _Limit:
    """The deadline and Stop of an instance's current run, read by its interrupt callbacks."""

    def __init__(self) -> None:
        self.deadline = math.inf
        self.stop: threading.Event | None = None

    def check(self, event) -> None:
        # HiGHS keeps an interrupt in force for the instance's later runs, so say each time whether it holds
        event.interrupt(time.monotonic() > self.deadline or (self.stop is not None and self.stop.is_set()))


def run(highs, seconds: float = math.inf, stop: threading.Event | None = None) -> None:
    """Run ``highs`` for at most ``seconds`` (interrupted :data:`OVERRUN_S` later at the latest) or until ``stop``.

    Sets HiGHS's own ``time_limit`` to end ``seconds`` from now too.  Without a finite limit or a
    Stop, the run is plain (no callbacks, which cost a little on every iteration).
    """
    limited = math.isfinite(seconds)
    limit = getattr(highs, "_coverage_limit", None)
    if limit is None and (limited or stop is not None):
        limit = _Limit()
        highs._coverage_limit = limit
        for event in (highs.cbSimplexInterrupt, highs.cbIpmInterrupt, highs.cbMipInterrupt):
            event.subscribe(limit.check)
    if limited:
        highs.setOptionValue("time_limit", highs.getRunTime() + max(0.0, float(seconds)))
    elif limit is not None:
        highs.setOptionValue("time_limit", math.inf)
    if limit is not None:
        limit.deadline = time.monotonic() + max(0.0, float(seconds)) + OVERRUN_S if limited else math.inf
        limit.stop = stop
    try:
        highs.run()
    finally:
        if limit is not None:
            limit.deadline, limit.stop = math.inf, None
