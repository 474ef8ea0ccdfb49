"""A sweep as a planner sets it up in the app: a base chosen from the working plan, values typed in their units.

What the Sweeps page asks, checked here before anything is stored or started:

* **the base** each run starts from (:data:`BASES`): an empty plan, the plan's locked
  hubs, all its hubs (the optimiser adds to them), or a re-plan (locked hubs kept, the
  others may be dropped);
* **the settings to vary** (:data:`SETTINGS`), each typed in the unit the planner reads
  (a budget in $ million), checked by the scenario validator, and a refused value
  named in those units (``Budget ($ million): -100 must be at least 0``);
* **every budget against the base**: a run whose budget is below what its kept hubs
  already cost cannot run, so the launch is refused and says by how much.

:func:`plan_sweep` returns the checked :class:`~coverage.sweeps.spec.Sweep` or raises
InputError listing every problem; it stores and starts nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from coverage import settings
from coverage.errors import InputError, Problem
from coverage.scenario import Scenario, parse_scenario
from coverage.sweeps.spec import SCHEMA, Sweep, apply, kept_cost_usd, parse_sweep


@dataclass(frozen=True)
class Setting:
    """A setting a planner sweeps, as the Sweeps form asks for it (made from its declaration in
    ``coverage/settings.py``): its place in the scenario document and how it is typed in."""

    path: str
    label: str
    unit: str                 # the unit the planner types ('' for a plain number)
    scale: float | None       # document value = typed value x scale; None for true/false
    example: str

    @property
    def title(self) -> str:
        return f"{self.label} ({self.unit})" if self.unit else self.label

    @classmethod
    def of(cls, declared: settings.Setting) -> "Setting":
        if declared.kind == "flag":
            return cls(declared.key, declared.label, "true or false", None, declared.sweep or "true, false")
        return cls(declared.key, declared.label, declared.shown_unit, declared.scale, declared.sweep or "")


#: The settings the Sweeps form offers, in its order.
SETTINGS = {declared.key: Setting.of(declared) for declared in settings.swept()}

#: Where each run starts from: the hubs of the working plan it keeps, and whether the optimiser may drop some.
BASES = {
    "empty": "An empty plan (the optimiser places every hub)",
    "locked": "The plan's locked hubs (the optimiser adds the rest)",
    "all": "All the plan's hubs (the optimiser adds to them)",
    "replan": "Re-plan: keep the locked hubs; the optimiser may drop the others",
}


def base_of(scenario: Scenario, base: str) -> tuple[dict, bool]:
    """The base document for a choice of :data:`BASES`, and whether the runs re-plan."""
    if base not in BASES:
        raise InputError(Problem(f"{base!r} is not one of {', '.join(BASES)}", column="base"))
    if base == "empty":
        hubs = ()
    elif base == "locked":
        hubs = tuple(hub for hub in scenario.hubs if hub.locked)
    else:
        hubs = scenario.hubs
    return scenario.replace(hubs=hubs).to_dict(), base == "replan"


def in_units(message: str, setting: Setting) -> str:
    """A validator message about a document value, with its numbers in the unit the planner typed."""
    if not setting.scale or setting.scale == 1:
        return message
    return re.sub(r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?",
                  lambda m: f"{float(m.group()) / setting.scale:,.10g}", message)


def parse_values(text: str, setting: Setting) -> list:
    """'250, 500' -> [2.5e8, 5e8] (or booleans); InputError naming, in the planner's words, what is not a value."""
    values, problems = [], []
    for part in [p.strip() for p in str(text).replace(";", ",").split(",") if p.strip()]:
        if setting.scale is None:
            if part.lower() not in ("true", "false"):
                problems.append(Problem(f"{part!r} is not true or false", column=setting.title))
                continue
            values.append(part.lower() == "true")
            continue
        try:
            number = float(part.replace("−", "-"))
        except ValueError:
            problems.append(Problem(f"{part!r} is not a number", column=setting.title))
            continue
        values.append(number * setting.scale)
    if not values and not problems:
        problems.append(Problem("give at least one value", column=setting.title))
    if len(set(values)) != len(values):
        problems.append(Problem("a value is given twice", column=setting.title))
    if problems:
        raise InputError(problems)
    return values


def plan_sweep(scenario: Scenario, base: str, texts: dict[str, str], *, name: str, time_limit_s: float,
               reference: str = "the working plan") -> Sweep:
    """The sweep a planner set up, every value and every run's budget checked; InputError lists what is wrong."""
    document, replan = base_of(scenario, base)
    problems: list[Problem] = []
    vary: dict[str, list] = {}
    if not texts:
        problems.append(Problem("choose at least one setting to vary", column="Settings to vary"))
    for path, text in texts.items():
        setting = SETTINGS[path]
        try:
            values = parse_values(text, setting)
        except InputError as error:
            problems.extend(error.problems)
            continue
        for value in values:
            try:
                parse_scenario(apply(document, {path: value}), source="sweep")
            except InputError as error:
                words = "; ".join(in_units(p.message, setting) for p in error.problems)
                problems.append(Problem(words, column=setting.title))
        vary[path] = values
    if problems:
        raise InputError(problems)
    count, _ = kept_cost_usd(document, replan)
    budgets = vary.get("budget.total_usd", [document["budget"]["total_usd"]])
    for value in budgets:
        _, cost = kept_cost_usd(apply(document, {"budget.total_usd": value}), replan)
        if cost > value:
            problems.append(Problem(
                f"${value / 1e6:,.1f}M is below the ${cost / 1e6:,.1f}M that the {count} hub(s) every run keeps "
                f"already cost ({BASES[base].split(' (')[0].lower()}): raise it to at least ${cost / 1e6:,.1f}M, or "
                "start from fewer hubs", column=SETTINGS["budget.total_usd"].title))
    if problems:
        raise InputError(problems)
    sweep_document = {"schema": SCHEMA, "name": name, "base": reference, "vary": vary,
                      "time_limit_s": time_limit_s, "replan": replan}
    return parse_sweep(sweep_document, document, reference, source="sweep")


def describe(settings: dict) -> str:
    """A run's settings as a planner reads them: 'Budget $500M, Average road speed 45 mph'."""
    parts = []
    for path, value in settings.items():
        setting = SETTINGS.get(path)
        if setting is None:
            parts.append(f"{path} {value}")
        elif path == "budget.total_usd":
            parts.append(f"{setting.label} ${value / 1e6:,.0f}M")
        elif setting.scale is None:
            parts.append(f"{setting.label} {'on' if value else 'off'}")
        else:
            parts.append(f"{setting.label} {value:g}" + (f" {setting.unit}" if setting.unit else ""))
    return ", ".join(parts)
