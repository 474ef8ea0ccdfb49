"""Every setting of a scenario, declared once: key, type, unit, bounds, default, help and source.

A setting is known by its dotted path in the scenario document (``costs.capex_usd.new``).
From this one table come

* the scenario validator's checks (``coverage/scenario.py``) and the defaults a scenario
  takes (``Scenario()``; ``coverage/defaults.py`` names the same values and keeps the
  reasoning behind them);
* the command line's flags that set a setting (:data:`FLAGS`, ``optimize --budget``);
* the app's widgets: the sidebar's thresholds and travel model, the Budget page's cost and
  budget assumptions (``costs.peak_factor`` among them), the optimiser's settings (``ui/settings.py``
  draws each from its declaration: label, unit, range, step, help);
* the settings a sweep varies (``coverage/sweeps/planner.py`` and the Sweeps page);
* the report's assumptions table (each figure with its source, ``coverage/reports/content.py``);
* the README's settings table (:func:`markdown_table`; ``tests/test_settings.py`` checks it).

A number's range is a :class:`~coverage.bounds.Bound` declared with it here (costs, opex and
capacity by hub type share one bound per kind, ``costs.capex_usd``); ``coverage/bounds.py``
holds the bounds of the numbers that are not scenario settings (a population, a latitude,
a time limit); :func:`bound` answers for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coverage.bounds import OWN, Bound

#: Hub types: conversion of an existing rural delivery station, or a new build.
HUB_TYPES = ("conversion", "new")
#: Travel modes (``coverage/travel/model.py`` gives each its behaviour).
TRAVEL_MODES = ("drive", "radius", "matrix")


@dataclass(frozen=True)
class Setting:
    """One setting of a scenario.

    ``kind`` is ``number``, ``choice`` (one of ``choices``), ``quarter`` (``2025Q3``), ``flag``
    (true or false) or ``fingerprint`` (a travel matrix's).  ``unit`` is the document's unit;
    ``shown_unit`` and ``scale`` are how a planner types it in the app (document value =
    typed value x ``scale``: a budget in $ million); ``least`` is the smallest value a widget
    offers (default: the bound's minimum); ``sweep`` the example values the Sweeps form
    offers (None: not offered); ``flag`` the command-line flag that sets it.
    """

    key: str
    label: str
    kind: str
    default: Any
    help: str
    source: str = ""
    unit: str = ""
    bound: Bound | None = None
    choices: tuple = ()
    shown_unit: str = ""
    scale: float = 1.0
    step: float | None = None
    least: float | None = None
    number_format: str | None = None
    sweep: str | None = None
    flag: str | None = None

    @property
    def section(self) -> str:
        return self.key.split(".")[0]

    @property
    def field(self) -> str:
        """The key within its section (``capex_usd`` for ``costs.capex_usd.new``)."""
        return self.key.split(".")[1]

    @property
    def hub_type(self) -> str | None:
        """The hub type of a per-type setting (``new`` for ``costs.capex_usd.new``), else None."""
        parts = self.key.split(".")
        return parts[2] if len(parts) == 3 else None

    @property
    def title(self) -> str:
        """What the app's widget says: ``Budget ($ million)``."""
        return f"{self.label} ({self.shown_unit})" if self.shown_unit else self.label

    @property
    def widget_range(self) -> tuple[float | None, float | None]:
        """(smallest, largest) a widget offers, in the typed unit."""
        bound = self.bound
        if bound is None:
            return None, None
        least = self.least if self.least is not None else bound.minimum
        return least / self.scale, bound.maximum / self.scale

    def shown(self, value: Any) -> str:
        """A document value as the planner reads it: ``$8M``, ``50 mph``, ``1.2``, ``on``."""
        if self.kind == "flag":
            return "on" if value else "off"
        if self.kind != "number" or value is None:
            return str(value)
        if self.unit.startswith("USD") and self.scale == 1e6:
            return f"${value / 1e6:,.6g}M"
        if self.unit.startswith("USD"):
            return f"${value:,.6g}"
        unit = f" {self.shown_unit}" if self.shown_unit and self.scale == 1 else ""
        return f"{value:,g}{unit}"

    def help_text(self) -> str:
        """The widget's help: what it means, its default and where that comes from."""
        source = f": {self.source}" if self.source else "."
        return f"{self.help} Default {self.shown(self.default)}{source}"


def _per_type(key: str, label: str, defaults: dict, **common) -> list[Setting]:
    names = {"conversion": "conversion", "new": "new build"}
    sources = common.pop("sources")
    return [Setting(f"{key}.{kind}", f"{label}, {names[kind]}", default=defaults[kind], source=sources[kind],
                    **common) for kind in HUB_TYPES]


_BILLION = 1_000_000_000
_MONEY = dict(kind="number", shown_unit="$ million", scale=1e6, number_format="%.2f")
REGISTRY: tuple[Setting, ...] = (
    # -- travel ----------------------------------------------------------------------------------------------------
    Setting("thresholds.same_day_minutes", "Same-day threshold", "number", 90.0,
            "A community is same-day when its nearest reachable hub is within this many minutes.",
            "A van leaves after the morning inventory wave and arrives within 1.5 hours.", unit="minutes",
            shown_unit="minutes", step=5.0, least=5.0, sweep="75, 90",
            bound=Bound("thresholds.same_day_minutes", 0, 24 * 60, "minutes", "a day", above=True)),
    Setting("thresholds.next_day_minutes", "Next-day threshold", "number", 240.0,
            "A community is next-day when its nearest reachable hub is within this many minutes.",
            "Within a 4-hour linehaul or overnight route.", unit="minutes", shown_unit="minutes", step=10.0,
            least=5.0, sweep="240",
            bound=Bound("thresholds.next_day_minutes", 0, 48 * 60, "minutes", "two days", above=True)),
    Setting("travel.mode", "Travel mode", "choice", "drive",
            "drive: great-circle miles x circuity / speed; radius: plain great-circle miles; matrix: minutes from a "
            "travel-time matrix.", "The calibrated circuity model (below).", choices=TRAVEL_MODES),
    Setting("travel.circuity", "Circuity", "number", 1.2,
            "Road miles per great-circle mile (drive-time model).",
            "Ballou, Rahardja & Sakai (2002) give 1.20 for US roads; 1949 Rand McNally highway mileage between 128 US "
            "cities gives a median of 1.217.", unit="road miles per great-circle mile",
            shown_unit="road ÷ great-circle miles", step=0.05, sweep="1.2, 1.3",
            bound=Bound("travel.circuity", 1, 5, "road miles per great-circle mile", "US roads average 1.2")),
    Setting("travel.speed_mph", "Average road speed", "number", 50.0,
            "Door-to-door average speed of a delivery van (drive-time model).",
            "NHTSA National Traffic Speeds Survey III (2015): free-flow means 70.4 mph on freeways, 56.4 on major "
            "arterials, 49.7 on minor arterials and collectors.", unit="mph", shown_unit="mph", step=1.0, least=5.0,
            sweep="45, 50",
            bound=Bound("travel.speed_mph", 0, 100, "mph", "no delivery van averages more", above=True)),
    Setting("travel.same_day_miles", "Same-day radius", "number", 60.0,
            "Great-circle miles of the same-day tier (radius mode).", "Rule-of-thumb radius of the plain radius mode.",
            unit="miles", shown_unit="miles", step=5.0, least=1.0,
            bound=Bound("travel.same_day_miles", 0, 3000, "miles", "coast to coast is about 2,800 miles", above=True)),
    Setting("travel.next_day_miles", "Next-day radius", "number", 180.0,
            "Great-circle miles of the next-day tier (radius mode).", "Rule-of-thumb radius of the plain radius mode.",
            unit="miles", shown_unit="miles", step=5.0, least=1.0,
            bound=Bound("travel.next_day_miles", 0, 3000, "miles", "coast to coast is about 2,800 miles", above=True)),
    Setting("travel.matrix", "Travel matrix", "fingerprint", None,
            "The fingerprint of the travel-time matrix the plan was made with (matrix mode), so that it never "
            "silently meets another."),
    # -- costs and capacity -----------------------------------------------------------------------------------------
    *_per_type("costs.capex_usd", "Capex", {"conversion": 8_000_000, "new": 20_000_000},
               help="Capital cost of a hub of this type.", unit="USD",
               bound=Bound("costs.capex_usd", 0, 10 * _BILLION, "USD", "more than twice the whole $4B programme"),
               step=0.5, **_MONEY,
               sources={"conversion": "Racking, a mezzanine, sortation and stock added to an existing rural station.",
                        "new": "A ~100,000 sq ft station at $150-200 a sq ft, with equipment."}),
    *_per_type("costs.opex_usd_per_year", "Opex a year", {"conversion": 3_000_000, "new": 5_000_000},
               help="Running cost a year of a hub of this type.", unit="USD a year",
               bound=Bound("costs.opex_usd_per_year", 0, 10 * _BILLION, "USD a year",
                           "more than twice the whole $4B programme"), step=0.25, **_MONEY,
               sources={"conversion": "Inventory holding, site staff and lease of a converted station.",
                        "new": "A full station's fixed running cost."}),
    Setting("costs.cost_per_parcel_usd", "Cost per parcel", "number", 1.5,
            "Variable cost of a parcel delivered from a hub, reported apart from the budget's cost.",
            "Rural last-mile cost is commonly quoted at $1-3 a parcel; reported apart.", unit="USD a parcel",
            shown_unit="$", step=0.1,
            bound=Bound("costs.cost_per_parcel_usd", 0, 1_000, "USD a parcel",
                        "rural last-mile cost is $1-3 a parcel")),
    *_per_type("costs.capacity_parcels_per_day", "Capacity", {"conversion": 10_000, "new": 25_000},
               kind="number", help="Parcels a day a hub of this type ships.", unit="parcels a day",
               bound=Bound("costs.capacity_parcels_per_day", 0, 10_000_000, "parcels a day",
                           "the largest sort centres ship about a million a day", above=True),
               shown_unit="parcels/day", step=500.0, least=1.0, number_format="%.0f",
               sources={"conversion": "Daily parcels a converted station ships (planning assumption).",
                        "new": "Daily parcels a new station ships (planning assumption)."}),
    Setting("costs.parcels_per_person_per_year", "Parcels per person per year", "number", 18.0,
            "The retailer's parcels a person a year in a catchment.",
            "About a quarter of the 65 parcels a person a year the US ships (Pitney Bowes Parcel Shipping Index, "
            "2023).", unit="parcels a person a year", step=1.0,
            bound=Bound("costs.parcels_per_person_per_year", 0, 10_000, "parcels a person a year",
                        "the US ships about 65 a person a year")),
    Setting("costs.peak_factor", "Peak factor", "number", 1.0,
            "Parcels a day are multiplied by it: plan for an average day (1) or a peak one.",
            "Demand on the day planned for, against an average day: 1.0 average; about 1.5-2 in the weeks before "
            "Christmas (a planning assumption).", unit="times an average day", shown_unit="× an average day",
            step=0.1, least=0.1, sweep="1, 1.5",
            bound=Bound("costs.peak_factor", 0, 10, "times an average day", "peak season is 1.5-2 times", above=True)),
    # -- budget -----------------------------------------------------------------------------------------------------
    Setting("budget.total_usd", "Budget", "number", 4_000_000_000,
            "What the plan may spend through the horizon end (capex plus opex).",
            "About $4 billion through 2026, as announced.", unit="USD", shown_unit="$ million", scale=1e6,
            step=100.0, number_format="%.0f", sweep="250, 500, 1000, 2000", flag="--budget",
            bound=Bound("budget.total_usd", 0, 1_000 * _BILLION, "USD", "a trillion dollars; the programme is $4B")),
    Setting("budget.horizon_end", "Horizon end", "quarter", "2026Q4",
            "The last quarter the budget counts opex for.", "The programme runs through 2026."),
    Setting("budget.target_quarter", "Target quarter", "quarter", "2025Q4",
            "When the coverage target is due.", "Coverage live by the end of 2025, as announced."),
    Setting("budget.target_covered_share", "Target share of communities within next-day", "number", 0.95,
            "Share of communities within next-day drive time by the target quarter.",
            "Share of communities within next-day drive time by the target quarter.", unit="(a share)", step=0.01,
            bound=Bound("budget.target_covered_share", 0, 1, "(a share)", "a share of the communities")),
    # -- optimiser --------------------------------------------------------------------------------------------------
    Setting("optimizer.next_day_weight", "Next-day weight", "number", 0.5,
            "How much a next-day person counts against a same-day one in the optimiser's objective.",
            "How much a next-day community counts against a same-day one (contract default).", unit="(a weight)",
            step=0.05, sweep="0.5, 0.75",
            bound=Bound("optimizer.next_day_weight", 0, 1, "(a weight)",
                        "next-day counts at most as much as same-day")),
    Setting("optimizer.respect_capacity", "Respect capacity", "flag", True,
            "Maximise the people the hubs can serve within their capacity (on), or only those in reach (off).",
            "Maximise the people the hubs can serve within their capacity, not only those in reach.",
            sweep="true, false"),
    Setting("optimizer.hub_type", "Proposed hubs are (capacity off)", "choice", "conversion",
            "The type of every hub the optimiser proposes with capacity off (with capacity on it chooses).",
            "A conversion of an existing station is the cheap, quick way in.", choices=HUB_TYPES),
    Setting("optimizer.open_quarter", "Proposed hubs open", "quarter", "2025Q4",
            "The opening quarter of the hubs the optimiser proposes.",
            "The last quarter that still meets the end-2025 target."),
)
SETTINGS: dict[str, Setting] = {setting.key: setting for setting in REGISTRY}
#: The bound of every number setting, by its key and, for per-type settings, by the key without the type.
BOUNDS: dict[str, Bound] = {key: item.bound for item in REGISTRY if item.bound is not None
                            for key in (item.key, item.bound.key)}
#: Command-line flags that set a setting (``--budget`` -> ``budget.total_usd``).
FLAGS: dict[str, Setting] = {setting.flag: setting for setting in REGISTRY if setting.flag}


def bound(key: str) -> Bound:
    """The bound of a number by its dotted key: a setting's (``costs.capex_usd``, by type or not) or another number's
    (``population``, from ``coverage/bounds.py``)."""
    return BOUNDS[key] if key in BOUNDS else OWN[key]


def bounds_table() -> list[dict]:
    """Every bound, the settings' and the other numbers', one row each."""
    unique = {b.key: b for b in (*BOUNDS.values(), *OWN.values())}
    return [{"key": b.key, "minimum": b.minimum, "maximum": b.maximum, "unit": b.unit, "above": b.above,
             "integer": b.integer, "reason": b.reason} for b in unique.values()]


def setting(key: str) -> Setting:
    """The declaration of a setting by its dotted key."""
    return SETTINGS[key]


def default(key: str) -> Any:
    """A setting's default; for a per-type key without its type (``costs.capex_usd``), the dict by type."""
    if key in SETTINGS:
        return SETTINGS[key].default
    by_type = {s.hub_type: s.default for s in REGISTRY if s.key.startswith(key + ".") and s.hub_type}
    if not by_type:
        raise KeyError(key)
    return by_type


def sections() -> dict[str, dict[str, list[Setting]]]:
    """Section -> field -> its settings (one, or one per hub type): the shape of the scenario document."""
    shape: dict[str, dict[str, list[Setting]]] = {}
    for item in REGISTRY:
        shape.setdefault(item.section, {}).setdefault(item.field, []).append(item)
    return shape


def sources() -> dict[str, str]:
    """Each setting's source, by key (what the reports show beside a figure)."""
    return {item.key: item.source for item in REGISTRY if item.source}


def swept() -> list[Setting]:
    """The settings the Sweeps form offers, in order."""
    order = ["budget.total_usd", "travel.speed_mph", "thresholds.same_day_minutes", "thresholds.next_day_minutes",
             "travel.circuity", "optimizer.next_day_weight", "costs.peak_factor", "optimizer.respect_capacity"]
    return [SETTINGS[key] for key in order if SETTINGS[key].sweep]


def markdown_table() -> str:
    """The README's settings table: every setting, its default, unit, range and source."""
    rows = ["| setting | default | unit | range | where the default comes from |", "|---|---|---|---|---|"]
    for item in REGISTRY:
        if item.kind == "number" and item.bound is not None:
            span = item.bound.range_text().replace(f" {item.bound.unit}", "").strip()
        elif item.choices:
            span = " / ".join(f"`{c}`" for c in item.choices)
        elif item.kind == "quarter":
            span = "2000Q1-2100Q4"
        elif item.kind == "flag":
            span = "true / false"
        else:
            span = ""
        shown = ("none" if item.default is None else f"`{str(item.default).lower()}`" if item.kind == "flag" else
                 f"{item.default:,}" if isinstance(item.default, int) else
                 f"{item.default:,g}" if isinstance(item.default, float) else f"`{item.default}`")
        rows.append(f"| `{item.key}` | {shown} | {item.unit} | {span} | {item.source or item.help} |")
    return "\n".join(rows)
