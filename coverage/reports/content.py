"""What a coverage report holds: every table and figure, gathered once from one evaluation.

The PDF, the workbook, the GIS layers and the CSV are renderings of this one object,
and its figures are those of ``evaluate --json`` (``summary``) to the unit, so a report
and the command line can never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

import numpy as np
import pandas as pd

from coverage import budget, defaults, settings
from coverage.data import fingerprint
from coverage.evaluation import Evaluation
from coverage.travel import TIERS

TIER_NAMES = {"same_day": "Same-day", "next_day": "Next-day", "none": "Not covered"}


@dataclass
class ReportContent:
    """One evaluated scenario, ready to be written in any report format."""

    evaluation: Evaluation
    summary: dict                       # the figures of ``evaluate --json``
    plan: budget.Plan                   # costs, demand and the quarter-by-quarter rollout
    made_at: str                        # UTC time the report was made
    data_label: str                     # which data set, in words
    data_fingerprint: str
    extra: dict = field(default_factory=dict)

    # -- tables --------------------------------------------------------------------------------
    @property
    def scenario(self):
        return self.evaluation.scenario

    def communities(self) -> pd.DataFrame:
        """The per-community table of the contract (its columns in order, then served share and tier, landmass)."""
        return self.evaluation.community_table()

    def hubs(self) -> pd.DataFrame:
        """One row per hub: place, type, opening, cost, whom it reaches, parcels against capacity."""
        table = self.evaluation.hub_table()
        demand = self.plan.hubs[["parcels_per_day", "capacity_parcels_per_day", "load_parcels_per_day", "utilisation",
                                 "over_capacity"]]
        return pd.concat([table.reset_index(drop=True), demand.reset_index(drop=True)], axis=1)

    def by_state(self) -> pd.DataFrame:
        return self.evaluation.coverage.by_state()

    def by_county(self) -> pd.DataFrame:
        return self.evaluation.coverage.by_county()

    def by_quarter(self) -> pd.DataFrame:
        return self.plan.quarters

    def key_figures(self) -> pd.DataFrame:
        """The headline figures as (figure, value, unit) rows, exactly as ``evaluate --json`` has them."""
        summary = self.summary
        rows = [("Scenario", summary["scenario"], ""), ("Hubs", len(summary["hubs"]), "hubs")]
        types = pd.Series([h["type"] for h in summary["hubs"]], dtype=object).value_counts()
        for kind in defaults.HUB_TYPES:
            rows.append((f"Hubs: {kind}", int(types.get(kind, 0)), "hubs"))
        for tier in TIERS:
            rows.append((f"{TIER_NAMES[tier]} communities", summary["communities"][tier], "communities"))
        for tier in TIERS:
            rows.append((f"{TIER_NAMES[tier]} people", summary["population"][tier], "people"))
        served = summary["served"]
        for tier in TIERS:
            rows.append((f"{TIER_NAMES[tier]} people served within capacity" if tier != "none" else
                         "People not served", served["population"][tier], "people"))
        rows += [("Parcels a day ordered", served["demand_parcels_per_day"], "parcels"),
                 ("Parcels a day served", served["parcels_per_day"]["same_day"] + served["parcels_per_day"]["next_day"],
                  "parcels"),
                 ("Hub capacity, parcels a day", served["capacity_parcels_per_day"], "parcels"),
                 ("Weighted people served (the optimiser's objective)", served["weighted_population"], "people")]
        plan = summary["budget"]
        target = plan["target"]
        rows += [("Cost", summary["cost_usd"], "USD"), ("Budget", plan["budget_usd"], "USD"),
                 ("Headroom", plan["headroom_usd"], "USD"),
                 ("Parcel costs (apart from the budget)", plan["parcel_cost_usd"], "USD"),
                 (f"Communities covered by {target['quarter']}", target["achieved_share"], "share"),
                 ("Target share", target["covered_share"], "share"),
                 ("Target met", "yes" if target["met"] else "no", "")]
        return pd.DataFrame(rows, columns=["figure", "value", "unit"])

    def assumptions(self) -> pd.DataFrame:
        """Every setting of the scenario with its value and where the figure comes from.

        A setting at its default carries the default's source; one set for this plan says
        so, with the default and its source as context only (a $1B plan's budget is not
        "about $4 billion, as announced").
        """
        from coverage.scenario import Scenario

        standard = Scenario().to_dict()
        rows = []
        for section, values in self.summary["settings"].items():
            for key, value in values.items():
                for path, amount, default in ([(f"{section}.{key}.{kind}", amount, standard.get(section, {}).get(
                        key, {}).get(kind)) for kind, amount in value.items()] if isinstance(value, dict) else
                        [(f"{section}.{key}", value, standard.get(section, {}).get(key))]):
                    rows.append((path, amount, source_of(path, amount, default)))
        return pd.DataFrame(rows, columns=["setting", "value", "source"])

    def credits(self) -> list[str]:
        """Data credits, as the licences ask."""
        return ["Communities: data from GeoNames (geonames.org), CC BY 4.0, chosen by the rule in data/README.md.",
                "Counties and state outlines: U.S. Census Bureau TIGER/Line boundaries, public domain.",
                "Made with the Rural Coverage Planner (MIT licence)."]


def source_of(path: str, value, default) -> str:
    """Where a setting's figure comes from (its declaration in ``coverage/settings.py``): the default's source, or
    'set for this plan' with the default as context."""
    declared = settings.SETTINGS.get(path)
    source = declared.source if declared is not None else ""
    if value == default or default is None:
        return source
    shown = declared.shown(default) if declared is not None else str(default)
    return f"Set for this plan. The default is {shown}" + (f": {source}" if source else ".")


def gather(evaluation: Evaluation, data_label: str | None = None) -> ReportContent:
    """Everything a report needs from one evaluation (the same figures as ``evaluate --json``)."""
    communities = evaluation.engine.communities
    source = communities.attrs.get("source", "default")
    label = data_label or ("bundled 4,000 communities (GeoNames, CC BY 4.0)" if source == "default" else
                           f"{source} ({len(communities):,} communities)")
    if evaluation.engine.sites is not None and evaluation.engine.sites.attrs.get("source", "default") not in (
            "default", source):
        label += f"; candidate sites {evaluation.engine.sites.attrs['source']}"
    return ReportContent(evaluation=evaluation, summary=evaluation.summary(), plan=budget.plan(evaluation),
                         made_at=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), data_label=label,
                         data_fingerprint=fingerprint(communities))


def plain(value):
    """A cell value as JSON-friendly Python (numpy scalars become numbers)."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (dict, list)):
        return json.dumps(value)
    return value
