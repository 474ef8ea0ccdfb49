"""Rural coverage planner: the engine behind the app, the CLI and this Python API.

>>> from coverage import load_communities, load_scenario, evaluate
>>> result = evaluate(load_scenario("examples/plains_pilot.json"), load_communities())
>>> result.coverage.totals()["communities"]
{'same_day': 13, 'next_day': 58, 'none': 3929}

The public surface:

``load_communities(path=None)`` / ``load_sites(path=None)``
    The bundled 4,000 communities (every one a candidate site), or a CSV, Excel,
    GeoJSON or GeoPackage file; bad files raise :class:`InputError` listing every
    problem as ``file:row:column: message``.
``load_scenario(path)`` / ``Scenario`` / ``Hub`` / ``TravelModel``
    The contract's scenario JSON and the objects it becomes.
``DataSet(communities, sites=None, matrix=None)``
    The data a plan runs on, as one value: its reference (``ref``, the fingerprints a
    stored version records), its checks and its engine (``engine(travel)``, built once
    per process); ``DataSet.default()`` is the bundled data.
``evaluate(scenario, communities=None, sites=None, data=None)``
    An :class:`Evaluation` whose ``coverage`` gives ``totals()``, ``table()``,
    ``by_state()``, ``by_county()``, ``hub_catchments()`` and what-if changes
    (``with_hub_added``, ``with_hub_removed``, ``with_hub_moved``, ``with_travel``).
``CoverageEngine``
    The engine itself, for batch work over many hub sets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coverage.lazy import exports

#: Each public name and the module it lives in, imported on first use (``coverage/lazy.py``): a command that
#: needs none of them does not pay for pandas and SciPy (0.7 s of a 1 s command).
_HOMES = {
    "DataSet": "coverage.data", "Coverage": "coverage.engine", "CoverageEngine": "coverage.engine",
    "InputError": "coverage.errors", "Problem": "coverage.errors", "Evaluation": "coverage.evaluation",
    "evaluate": "coverage.evaluation", "load_communities": "coverage.loaders", "load_sites": "coverage.loaders",
    "Hub": "coverage.scenario", "Scenario": "coverage.scenario", "load_scenario": "coverage.scenario",
    "parse_scenario": "coverage.scenario", "save_scenario": "coverage.scenario", "TravelModel": "coverage.travel",
}
__getattr__, __dir__ = exports(__name__, _HOMES)
__all__ = [
    "Coverage", "CoverageEngine", "DataSet", "Evaluation", "Hub", "InputError", "Problem", "Scenario", "TravelModel",
    "evaluate", "load_communities", "load_scenario", "load_sites", "parse_scenario", "save_scenario",
]

if TYPE_CHECKING:
    from coverage.data import DataSet
    from coverage.engine import Coverage, CoverageEngine
    from coverage.errors import InputError, Problem
    from coverage.evaluation import Evaluation, evaluate
    from coverage.loaders import load_communities, load_sites
    from coverage.scenario import Hub, Scenario, load_scenario, parse_scenario, save_scenario
    from coverage.travel import TravelModel
