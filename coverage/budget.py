"""The cost model and the rollout: what each hub costs, when money is spent, when coverage arrives.

Cost (the contract's ``cost_usd``)
    A hub costs its type's capex plus its type's annual opex x (quarters from its
    opening quarter to ``budget.horizon_end``, both counted) / 4.  Capex is booked in
    the opening quarter and opex a quarter at a time, so the by-quarter spend adds
    up exactly to ``cost_usd``.
Demand and capacity
    A hub's catchment is the covered communities (same-day or next-day) it is the
    nearest hub of; they order catchment population x ``parcels_per_person_per_year``
    / 365 x ``peak_factor`` parcels a day (``parcels_per_day``), and a catchment above
    the hub's capacity is flagged (``over_capacity``).  The catchments add up to what the
    communities in reach order (``demand_in_reach_parcels_per_day``), never the whole
    country's demand.  What the hub actually ships is
    its load in the capacity assignment (``coverage/capacity.py``:
    ``load_parcels_per_day``, and ``utilisation`` = load / capacity, never above 1).
    Parcels cost ``cost_per_parcel_usd`` each, for the parcels the hubs ship, reported
    as ``parcel_cost_usd`` and never folded into ``cost_usd``.
Rollout
    In each quarter the hubs whose opening quarter has come are open; coverage by
    quarter is evaluated for exactly those hubs, and compared with the target share
    of communities within next-day (or better) drive time by ``budget.target_quarter``.

All figures come from :func:`plan`, which the budget page, ``evaluate --json`` and
the reports read alike.  Defaults and their reasoning: ``coverage/defaults.py``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from coverage import defaults
from coverage.quarters import parse_quarter, quarter_range, quarters_between
from coverage.scenario import Costs, Hub, Scenario

DAYS_PER_YEAR = defaults.DAYS_PER_YEAR
DAYS_PER_QUARTER = DAYS_PER_YEAR / 4


def opex_quarters(hub: Hub, horizon_end: str) -> int:
    """Quarters of opex a hub pays: from its opening quarter to the horizon end, both counted."""
    return quarters_between(hub.open_quarter, horizon_end)


def hub_cost_usd(hub: Hub, costs: Costs, horizon_end: str) -> float:
    """Capex plus pro-rata opex through ``horizon_end``."""
    return costs.capex_usd[hub.type] + costs.opex_usd_per_year[hub.type] * opex_quarters(hub, horizon_end) / 4


def total_cost_usd(scenario: Scenario) -> float:
    """The scenario's ``cost_usd``: the sum over its hubs."""
    return sum(hub_cost_usd(hub, scenario.costs, scenario.budget.horizon_end) for hub in scenario.hubs)


def parcels_per_day(population, costs: Costs) -> np.ndarray:
    """Parcels a day ordered by ``population`` under the cost model's rates (the one demand formula:
    :func:`coverage.capacity.demand_per_day`)."""
    from coverage.capacity import demand_per_day

    return demand_per_day(population, costs.parcels_per_person_per_year, costs.peak_factor)


def timeline(scenario: Scenario) -> list[str]:
    """The quarters the rollout is shown over: the target's year (at least) to the horizon end."""
    opening = [parse_quarter(h.open_quarter) for h in scenario.hubs]
    first = min(opening + [parse_quarter(scenario.budget.target_quarter) - 3])
    start = f"{first // 4}Q{first % 4 + 1}"
    return quarter_range(start, scenario.budget.horizon_end)


@dataclass
class Plan:
    """The budget view of an evaluated scenario."""

    hubs: pd.DataFrame       # one row per hub: costs, catchment, parcels, capacity, utilisation
    quarters: pd.DataFrame   # one row per quarter: spend, cumulative spend, coverage by tier
    summary: dict            # totals, headroom, target

    def by_quarter_records(self) -> list[dict]:
        """The by-quarter table as plain records (for JSON)."""
        return [{k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
                for row in self.quarters.to_dict(orient="records")]


def plan(evaluation) -> Plan:
    """Costs, demand and the quarter-by-quarter rollout of an :class:`~coverage.evaluation.Evaluation`."""
    scenario, coverage, engine = evaluation.scenario, evaluation.coverage, evaluation.engine
    costs, budget = scenario.costs, scenario.budget
    horizon = budget.horizon_end
    hubs = list(scenario.hubs)

    # -- hubs: cost, catchment, demand against capacity ------------------------------------
    catchments = coverage.hub_catchments()
    served = (catchments["population_same_day"] + catchments["population_next_day"]).to_numpy(dtype=float)
    parcels = parcels_per_day(served, costs)
    capacity = np.array([costs.capacity_parcels_per_day[h.type] for h in hubs], dtype=float)
    load = evaluation.served().load if hubs else np.zeros(0)
    hub_table = pd.DataFrame({
        "hub_id": [h.id for h in hubs], "name": [h.name for h in hubs], "type": [h.type for h in hubs],
        "open_quarter": [h.open_quarter for h in hubs], "locked": [h.locked for h in hubs],
        "capex_usd": [float(costs.capex_usd[h.type]) for h in hubs],
        "opex_usd": [costs.opex_usd_per_year[h.type] * opex_quarters(h, horizon) / 4 for h in hubs],
        "cost_usd": [hub_cost_usd(h, costs, horizon) for h in hubs],
        "communities_served": (catchments["communities_same_day"] + catchments["communities_next_day"]).to_numpy(),
        "population_served": served.astype(np.int64),
        "parcels_per_day": parcels.round(1),
        "capacity_parcels_per_day": capacity,
        "load_parcels_per_day": load.round(1),
        "utilisation": np.divide(load, capacity, out=np.zeros_like(load), where=capacity > 0).round(4),
    })
    hub_table["over_capacity"] = hub_table["parcels_per_day"] > hub_table["capacity_parcels_per_day"]

    # -- quarters: spend and coverage as hubs open --------------------------------------------
    quarters = timeline(scenario)
    index = {q: i for i, q in enumerate(quarters)}
    opening = np.array([index.get(h.open_quarter, -1) for h in hubs], dtype=int)
    rows = []
    current = engine.evaluate([], coverage.travel)
    order = np.argsort(opening, kind="stable")
    cursor = 0
    cumulative = 0.0
    shipped = np.asarray(load, dtype=float)  # parcels a day each hub ships once open (the full plan's assignment)
    for i, quarter in enumerate(quarters):
        while cursor < len(order) and opening[order[cursor]] <= i:
            position = order[cursor]
            current = current.with_hub_added(int(coverage.hub_sites[position]), hubs[position].id)
            cursor += 1
        open_now = [h for h, q in zip(hubs, opening) if 0 <= q <= i]
        capex = sum(costs.capex_usd[h.type] for h, q in zip(hubs, opening) if q == i)
        opex = sum(costs.opex_usd_per_year[h.type] / 4 for h in open_now)
        cumulative += capex + opex
        totals = current.totals()
        rows.append({
            "quarter": quarter, "hubs_open": len(open_now), "capex_usd": float(capex), "opex_usd": float(opex),
            "spend_usd": float(capex + opex), "cumulative_spend_usd": cumulative,
            "budget_left_usd": budget.total_usd - cumulative,
            **{f"communities_{t}": n for t, n in totals["communities"].items()},
            **{f"population_{t}": n for t, n in totals["population"].items()},
            "parcel_cost_usd": float(shipped[(opening >= 0) & (opening <= i)].sum() * DAYS_PER_QUARTER
                                     * costs.cost_per_parcel_usd),
        })
    by_quarter = pd.DataFrame(rows)
    communities = max(engine.n_communities, 1)
    covered = by_quarter["communities_same_day"] + by_quarter["communities_next_day"]
    by_quarter["covered_share"] = covered / communities

    cost = float(hub_table["cost_usd"].sum()) if len(hub_table) else 0.0
    target_row = by_quarter.loc[by_quarter["quarter"] == budget.target_quarter]
    achieved = float(target_row["covered_share"].iloc[0]) if len(target_row) else 0.0
    summary = {
        "cost_usd": cost,
        "capex_usd": float(hub_table["capex_usd"].sum()) if len(hub_table) else 0.0,
        "opex_usd": float(hub_table["opex_usd"].sum()) if len(hub_table) else 0.0,
        "budget_usd": float(budget.total_usd),
        "headroom_usd": float(budget.total_usd) - cost,
        "over_budget": cost > budget.total_usd,
        "parcel_cost_usd": float(by_quarter["parcel_cost_usd"].sum()),
        "hubs_over_capacity": hub_table.loc[hub_table["over_capacity"], "hub_id"].tolist(),
        # what the communities in reach order (the catchments add up to it), and what the hubs ship of it
        "demand_in_reach_parcels_per_day": round(float(hub_table["parcels_per_day"].sum()), 1) if hubs else 0.0,
        "shipped_parcels_per_day": round(float(np.asarray(load, dtype=float).sum()), 1) if hubs else 0.0,
        "target": {"quarter": budget.target_quarter, "covered_share": budget.target_covered_share,
                   "achieved_share": round(achieved, 4), "met": achieved >= budget.target_covered_share},
    }
    return Plan(hubs=hub_table, quarters=by_quarter, summary=summary)
