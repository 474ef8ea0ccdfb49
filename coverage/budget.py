"""The cost model: what each hub costs through the horizon, per the contract.

``cost_usd`` of a hub = its type's capex + its type's annual opex x (quarters from
its opening quarter to ``budget.horizon_end``, both counted) / 4.  Other costs
(per parcel) are reported under their own keys, never folded into ``cost_usd``.
"""

from __future__ import annotations

from coverage.quarters import quarters_between
from coverage.scenario import Costs, Hub, Scenario


def opex_quarters(hub: Hub, horizon_end: str) -> int:
    """Quarters of opex a hub pays: from its opening quarter to the horizon end, both counted."""
    return quarters_between(hub.open_quarter, horizon_end)


def hub_cost_usd(hub: Hub, costs: Costs, horizon_end: str) -> float:
    """Capex plus pro-rata opex through ``horizon_end``."""
    return costs.capex_usd[hub.type] + costs.opex_usd_per_year[hub.type] * opex_quarters(hub, horizon_end) / 4


def total_cost_usd(scenario: Scenario) -> float:
    """The scenario's ``cost_usd``: the sum over its hubs."""
    return sum(hub_cost_usd(hub, scenario.costs, scenario.budget.horizon_end) for hub in scenario.hubs)
