"""Sweeps: grids of optimiser runs (budgets, thresholds, speeds, weights) on a Dask cluster.

What is inside
--------------
``spec.py``
    The sweep file (``rural-coverage/sweep@1``), checked against its base scenario, and
    the grid it makes.
``work.py``
    One run, as a worker runs it (the engine built once per worker and kept).
``runner.py``
    Running the missing runs on a LocalCluster or a cluster by address, writing each as
    it finishes (to the scenario store, or a results file), resumable.
``frontier.py``
    The results as a table and as coverage-budget frontiers (one line per combination of
    the other settings), for the CLI, the Sweeps page and its chart.
"""

from coverage.sweeps.runner import FileResults, StoreResults, run_sweep
from coverage.sweeps.spec import Run, Sweep, load_sweep, parse_sweep

__all__ = ["FileResults", "Run", "StoreResults", "Sweep", "load_sweep", "parse_sweep", "run_sweep"]
