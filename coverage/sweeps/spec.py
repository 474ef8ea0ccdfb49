"""The sweep file, ``rural-coverage/sweep@1``: a base scenario and the settings to vary; the grid it makes.

.. code-block:: json

    {"schema": "rural-coverage/sweep@1", "name": "Frontier",
     "base": "plan.json",
     "vary": {"budget.total_usd": [5e8, 1e9, 2e9], "travel.speed_mph": [45, 50]},
     "time_limit_s": 60}

``base`` is a scenario file (relative to the sweep file) or ``store:ID[@VERSION]``;
``vary`` names any scenario setting by its dotted path in the scenario document
(``thresholds.same_day_minutes``, ``travel.circuity``, ``costs.capex_usd.new``,
``costs.peak_factor``, ``optimizer.next_day_weight``, ``optimizer.respect_capacity``...)
with a list of values.  The grid is the product of the lists, in the order written.
Every value is checked by the scenario validator on its run's document, so a value a
scenario file could not hold is refused here, named by its place
(``vary.travel.speed_mph[2]: 500 must be at most 100``), before anything runs; so is a
run whose budget is below what the hubs it keeps already cost (every hub of the base,
or its locked ones with ``replan``), which could only fail.
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coverage.bounds import bound
from coverage.errors import InputError, Problem
from coverage.scenario import parse_scenario

SCHEMA = "rural-coverage/sweep@1"
KEYS = {"schema", "name", "base", "vary", "time_limit_s", "replan"}
MAX_RUNS = 10_000


@dataclass(frozen=True)
class Run:
    """One point of the grid: the settings it changes, and a key that names it across restarts."""

    position: int
    settings: dict
    key: str


@dataclass(frozen=True)
class Sweep:
    """A checked sweep: its base scenario document, the lists to vary, the time limit."""

    name: str
    base_reference: str
    base: dict                 # the base scenario's full document
    vary: dict[str, list]
    time_limit_s: float
    replan: bool
    source: str

    def runs(self) -> list[Run]:
        """The grid, in order (the last path varies fastest)."""
        paths = list(self.vary)
        runs = []
        for position, values in enumerate(itertools.product(*(self.vary[p] for p in paths))):
            settings = dict(zip(paths, values))
            runs.append(Run(position, settings, run_key(self.identity, settings)))
        return runs

    @property
    def identity(self) -> str:
        """What makes two sweeps the same sweep: base document, varied lists, time limit, replan."""
        text = json.dumps({"base": self.base, "vary": self.vary, "time_limit_s": self.time_limit_s,
                           "replan": self.replan}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:24]

    def as_dict(self) -> dict:
        return {"schema": SCHEMA, "name": self.name, "base": self.base_reference, "vary": self.vary,
                "time_limit_s": self.time_limit_s, "replan": self.replan}


def run_key(identity: str, settings: dict) -> str:
    text = identity + json.dumps(settings, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def apply(document: dict, settings: dict) -> dict:
    """A copy of a scenario document with the dotted-path settings set."""
    changed = copy.deepcopy(document)
    for path, value in settings.items():
        parts = path.split(".")
        target = changed
        for part in parts[:-1]:
            target = target[part]
        target[parts[-1]] = value
    return changed


def settable_paths(document: dict) -> list[str]:
    """Every setting a sweep may vary: the dotted paths of the document's values, hubs and name left out."""
    paths = []

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else key, inner)
        else:
            paths.append(prefix)

    for section, value in document.items():
        if section not in ("schema", "name", "hubs"):
            walk(section, value)
    return paths


def parse_sweep(document: Any, base: dict, base_reference: str, source: str = "sweep") -> Sweep:
    """Check a decoded sweep document against its base scenario; InputError lists every problem."""
    problems: list[Problem] = []

    def fail(column: str, message: str) -> None:
        problems.append(Problem(message, file=source, column=column))

    if not isinstance(document, dict):
        raise InputError(Problem(f"must be an object {{...}}, not {type(document).__name__}", file=source))
    for key in document:
        if key not in KEYS:
            hint = difflib.get_close_matches(str(key), list(KEYS), n=1)
            fail(str(key), "unknown key" + (f"; did you mean '{hint[0]}'?" if hint else ""))
    if document.get("schema") != SCHEMA:
        fail("schema", f"must be {json.dumps(SCHEMA)}")
    name = document.get("name", Path(source).stem)
    if not isinstance(name, str) or len(name) > 500:
        fail("name", "must be text of at most 500 characters")
    time_limit = document.get("time_limit_s", 60)
    try:
        bound("optimize.time_limit_s").check(time_limit)
    except ValueError as error:
        fail("time_limit_s", str(error))
    replan = document.get("replan", False)
    if not isinstance(replan, bool):
        fail("replan", "must be true or false")
    vary = document.get("vary")
    known = settable_paths(base)
    if not isinstance(vary, dict) or not vary:
        fail("vary", "needs at least one setting with a list of values, as in {\"budget.total_usd\": [5e8, 1e9]}")
        vary = {}
    runs = 1
    for path, values in vary.items():
        column = f"vary.{path}"
        if path not in known:
            hint = difflib.get_close_matches(str(path), known, n=1)
            fail(column, "is not a scenario setting" + (f"; did you mean '{hint[0]}'?" if hint else
                                                       " (see the scenario document for the settings)"))
            continue
        if not isinstance(values, list) or not values:
            fail(column, "needs a non-empty list of values")
            continue
        runs *= len(values)
        for index, value in enumerate(values):
            try:
                parse_scenario(apply(base, {path: value}), source="x")
            except InputError as error:
                for problem in error.problems:  # the validator's own words, which name the value
                    if problem.column == path or not problem.column:
                        fail(f"{column}[{index}]", problem.message)
                        break
                else:
                    fail(f"{column}[{index}]", f"{json.dumps(value)}: " + "; ".join(p.message for p in error.problems))
    if runs > MAX_RUNS:
        fail("vary", f"makes {runs:,} runs; a sweep holds at most {MAX_RUNS:,}")
    if problems:
        raise InputError(problems)
    sweep = Sweep(name, base_reference, base, {k: list(v) for k, v in vary.items()}, float(time_limit), replan,
                  source)
    # the combinations must be valid together, too (same-day above next-day only in some pairs, say)
    for run in sweep.runs():
        try:
            parse_scenario(apply(base, run.settings), source=source)
        except InputError as error:
            raise InputError([Problem(f"run {run.position + 1} ({json.dumps(run.settings)}): {p.message}",
                                      file=source, column=p.column) for p in error.problems]) from None
    # and every run must afford the hubs it keeps: a budget below them could only fail
    for run in sweep.runs():
        document = apply(base, run.settings)
        count, cost = kept_cost_usd(document, replan)
        if cost > document["budget"]["total_usd"]:
            budget = document["budget"]["total_usd"]
            problems.append(Problem(f"run {run.position + 1} ({json.dumps(run.settings)}): the {count} hub(s) it "
                                    f"keeps already cost ${cost:,.0f}, more than its ${budget:,.0f} budget (raise "
                                    "the budget, or start from fewer hubs)", file=source,
                                    column="vary.budget.total_usd" if "budget.total_usd" in run.settings else "base"))
    if problems:
        raise InputError(problems)
    return sweep


def kept_cost_usd(document: dict, replan: bool) -> tuple[int, float]:
    """How many hubs every run of this base keeps (locked ones, or all without replan), and what they cost."""
    from coverage import budget as cost_model

    scenario = parse_scenario(document, source="sweep base")
    kept = [hub for hub in scenario.hubs if hub.locked or not replan]
    horizon = scenario.budget.horizon_end
    return len(kept), sum(cost_model.hub_cost_usd(hub, scenario.costs, horizon) for hub in kept)


def load_sweep(path: str | Path, store=None) -> Sweep:
    """Read a sweep file and its base scenario (a file beside it, or ``store:ID[@V]``)."""
    from coverage.files import read_bytes
    from coverage.jsontext import read_json
    from coverage.scenario import load_scenario
    from coverage.store import parse_reference

    path = Path(path)
    document = read_json(*read_bytes(path))  # size, nesting and number limits: coverage/files.py, jsontext.py
    reference = document.get("base") if isinstance(document, dict) else None
    if not isinstance(reference, str) or not reference.strip():
        raise InputError(Problem("needs a base scenario: a file name or store:ID[@VERSION]", file=path.name,
                                 column="base"))
    stored = parse_reference(reference)
    if stored is not None:
        if store is None:
            from coverage.store import ScenarioStore

            store = ScenarioStore()
        scenario = parse_scenario(store.get(stored[0], stored[1]).document, source=reference)
    else:
        base_path = (path.parent / reference) if not Path(reference).is_absolute() else Path(reference)
        scenario = load_scenario(base_path)
    # every setting written out (an older stored document gains the newer settings' defaults)
    return parse_sweep(document, scenario.to_dict(), reference, path.name)
