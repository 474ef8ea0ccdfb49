"""Plans side by side: key figures with deltas, what changed in the hubs, and which communities moved tier.

Plans are compared against the first one (A): for each other plan, its key figures
minus A's, the hubs it adds, removes or changes (by hub id, B against A), and, when
both run on the same communities, how many communities moved from one tier to
another (``none->same_day``: 12).  The Compare page, ``python -m coverage compare``
and its Excel file all read this one object.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from coverage import budget
from coverage.data import fingerprint
from coverage.evaluation import Evaluation
from coverage.travel import TIERS

HUB_FIELDS = ("name", "site_id", "lat", "lon", "type", "open_quarter", "locked")
FIGURES = (
    ("hubs", "Hubs"), ("cost_usd", "Cost (USD)"), ("budget_usd", "Budget (USD)"), ("headroom_usd", "Headroom (USD)"),
    ("communities_same_day", "Same-day communities"), ("communities_next_day", "Next-day communities"),
    ("communities_none", "Communities not covered"), ("population_same_day", "Same-day people"),
    ("population_next_day", "Next-day people"), ("population_none", "People not covered"),
    ("population_covered", "People covered (same-day or next-day)"),
    ("served_population_same_day", "Same-day people served within capacity"),
    ("served_population_next_day", "Next-day people served within capacity"),
    ("served_population_none", "People not served"),
    ("served_population", "People served within capacity (same-day or next-day)"),
    ("served_weighted_population", "Weighted people served (the optimiser's objective)"),
    ("covered_weighted_population", "Weighted people in reach (the objective with capacity off)"),
    ("target_achieved_share", "Communities covered by the target quarter (share)"),
)


@dataclass
class Comparison:
    """Two to four evaluated plans, the first (A) being the one the others are compared with."""

    labels: list[str]
    evaluations: list[Evaluation]
    rollouts: list[budget.Plan]

    # -- per plan -------------------------------------------------------------------------------
    def key_figures(self, index: int) -> dict:
        """The figures of one plan, by the keys of :data:`FIGURES`: covered and, beside it, served within capacity.

        ``served_weighted_population`` is what the optimiser maximises with capacity
        respected, ``covered_weighted_population`` what it maximises with capacity off
        (same-day people plus the next-day weight times next-day people).
        """
        cache = self.__dict__.setdefault("_figures", {})
        if index not in cache:
            cache[index] = self._key_figures(index)
        return dict(cache[index])

    def _key_figures(self, index: int) -> dict:
        evaluation, rollout = self.evaluations[index], self.rollouts[index]
        totals = evaluation.coverage.totals()
        figures = {"hubs": len(evaluation.scenario.hubs), "cost_usd": rollout.summary["cost_usd"],
                   "budget_usd": rollout.summary["budget_usd"], "headroom_usd": rollout.summary["headroom_usd"]}
        for tier in TIERS:
            figures[f"communities_{tier}"] = totals["communities"][tier]
        for tier in TIERS:
            figures[f"population_{tier}"] = totals["population"][tier]
        figures["population_covered"] = totals["population"]["same_day"] + totals["population"]["next_day"]
        served = evaluation.served().totals()
        for tier in TIERS:
            figures[f"served_population_{tier}"] = served["population"][tier]
        figures["served_population"] = served["population"]["same_day"] + served["population"]["next_day"]
        figures["served_weighted_population"] = served["weighted_population"]
        population = totals["population"]
        figures["covered_weighted_population"] = round(
            population["same_day"] + evaluation.scenario.next_day_weight * population["next_day"], 3)
        figures["target_achieved_share"] = rollout.summary["target"]["achieved_share"]
        return figures

    def deltas(self, index: int) -> dict:
        """Plan ``index`` minus plan A, figure by figure."""
        first, other = self.key_figures(0), self.key_figures(index)
        return {key: _plain(other[key] - first[key]) for key in first}

    def hub_changes(self, index: int) -> dict:
        """Hub ids that plan ``index`` adds, removes and changes against plan A (and which fields changed)."""
        before = {hub.id: hub for hub in self.evaluations[0].scenario.hubs}
        after = {hub.id: hub for hub in self.evaluations[index].scenario.hubs}
        changed = {hub_id: [f for f in HUB_FIELDS if getattr(before[hub_id], f) != getattr(hub, f)]
                   for hub_id, hub in after.items() if hub_id in before and before[hub_id] != hub}
        return {"hubs_added": [h for h in after if h not in before],
                "hubs_removed": [h for h in before if h not in after],
                "hubs_changed": list(changed), "hubs_changed_fields": changed}

    @property
    def same_communities(self) -> bool:
        """True when every plan runs on the same communities (tier changes need that)."""
        keys = {fingerprint(e.engine.communities) for e in self.evaluations}
        return len(keys) == 1

    def tier_changes(self, index: int) -> dict | None:
        """Communities by tier change A -> plan ``index`` (``'none->same_day': 12``); None across data sets."""
        if not self.same_communities:
            return None
        a, b = self.evaluations[0].coverage.tier, self.evaluations[index].coverage.tier
        moved = a != b
        pairs = pd.Series(np.array(TIERS, dtype=object)[a[moved]] + "->" + np.array(TIERS, dtype=object)[b[moved]])
        counts = pairs.value_counts()
        order = [f"{x}->{y}" for x in TIERS for y in TIERS if x != y]
        return {key: int(counts.get(key, 0)) for key in order if counts.get(key, 0)}

    def better_worse(self, index: int) -> tuple[int, int] | None:
        """How many communities reach a better tier in plan ``index`` than in A, and how many a worse one."""
        if not self.same_communities:
            return None
        a, b = self.evaluations[0].coverage.tier, self.evaluations[index].coverage.tier  # 0 same-day ... 2 none
        return int((b < a).sum()), int((b > a).sum())

    def tier_change(self, index: int) -> np.ndarray:
        """Per community of A: ``better``, ``worse`` or ``same`` tier in plan ``index`` (``same`` across data sets)."""
        if not self.same_communities:
            return np.full(self.evaluations[0].engine.n_communities, "same", dtype=object)
        a, b = self.evaluations[0].coverage.tier, self.evaluations[index].coverage.tier
        return np.where(b < a, "better", np.where(b > a, "worse", "same")).astype(object)

    def hub_points(self, index: int) -> pd.DataFrame:
        """Where hubs are and what happened to them, A -> plan ``index``, for a difference map.

        Plan ``index``'s hubs are ``added``, ``changed`` or ``kept``; A's hubs appear as
        ``removed``, or ``moved`` where a hub of the same id stood before it moved.
        """
        changes = self.hub_changes(index)
        moved = {hub_id for hub_id, fields in changes["hubs_changed_fields"].items()
                 if {"site_id", "lat", "lon"} & set(fields)}
        rows = []
        for row in self.evaluations[index].hub_table().itertuples():
            kind = ("added" if row.hub_id in changes["hubs_added"] else
                    "changed" if row.hub_id in changes["hubs_changed"] else "kept")
            rows.append((row.hub_id, row.name, row.lat, row.lon, kind))
        for row in self.evaluations[0].hub_table().itertuples():
            if row.hub_id in changes["hubs_removed"]:
                rows.append((row.hub_id, row.name, row.lat, row.lon, "removed"))
            elif row.hub_id in moved:
                rows.append((row.hub_id, row.name, row.lat, row.lon, "moved"))
        return pd.DataFrame(rows, columns=["hub_id", "name", "lat", "lon", "change"])

    def community_changes(self, index: int = 1) -> pd.DataFrame:
        """The communities whose tier differs between plan A and plan ``index``, with both tiers."""
        if not self.same_communities:
            return pd.DataFrame(columns=["community_id", "name", "state", "population", "tier_a", "tier_b", "change"])
        a_table = self.evaluations[0].coverage.table()
        b_tier = np.array(TIERS, dtype=object)[self.evaluations[index].coverage.tier]
        table = a_table[["community_id", "name", "state", "county", "lat", "lon", "population"]].copy()
        table["tier_a"], table["tier_b"] = a_table["tier"].to_numpy(), b_tier
        table = table[table["tier_a"] != table["tier_b"]].copy()
        rank = {"same_day": 0, "next_day": 1, "none": 2}
        better = table["tier_b"].map(rank) < table["tier_a"].map(rank)
        table["change"] = np.where(better, "better", "worse")
        return table.sort_values("population", ascending=False).reset_index(drop=True)

    # -- together -----------------------------------------------------------------------------------
    def figures_table(self) -> pd.DataFrame:
        """One row per key figure, one column per plan, then each plan's delta against A."""
        rows = []
        for key, label in FIGURES:
            row = {"figure": label, "key": key}
            for i, name in enumerate(self.labels):
                row[name] = _plain(self.key_figures(i)[key])
            for i, name in enumerate(self.labels[1:], start=1):
                row[f"{name} − {self.labels[0]}"] = _plain(self.key_figures(i)[key] - self.key_figures(0)[key])
            rows.append(row)
        return pd.DataFrame(rows, dtype=object)  # counts stay whole numbers beside dollars and shares

    def by_state(self) -> pd.DataFrame:
        """People covered (same-day or next-day) by state for each plan, and each plan's delta against A."""
        frames = []
        for name, evaluation in zip(self.labels, self.evaluations):
            states = evaluation.coverage.by_state()
            frames.append(states.set_index("state")[["population_same_day", "population_next_day"]]
                          .sum(axis=1).rename(name))
        table = pd.concat(frames, axis=1).fillna(0).astype(np.int64)
        for name in self.labels[1:]:
            table[f"{name} − {self.labels[0]}"] = table[name] - table[self.labels[0]]
        return table.reset_index()

    def spend(self) -> pd.DataFrame:
        """Cumulative spend by quarter, one column per plan (0 before a plan spends, flat after its horizon)."""
        frames = [rollout.quarters.set_index("quarter")["cumulative_spend_usd"].rename(name)
                  for name, rollout in zip(self.labels, self.rollouts)]
        table = pd.concat(frames, axis=1).sort_index()
        return table.ffill().fillna(0.0).reset_index()

    def as_dict(self) -> dict:
        """The ``compare --json`` document: per plan its key figures; B (and C, D) against A."""
        plans = [{"label": name, "name": e.scenario.name, "hubs": len(e.scenario.hubs), **self.key_figures(i)}
                 for i, (name, e) in enumerate(zip(self.labels, self.evaluations))]
        pairs = []
        for i in range(1, len(self.labels)):
            counts = self.better_worse(i)
            pairs.append({"plan": self.labels[i], "against": self.labels[0], "deltas": self.deltas(i),
                          **self.hub_changes(i), "tier_changes": self.tier_changes(i),
                          "communities_better": counts[0] if counts else None,
                          "communities_worse": counts[1] if counts else None})
        first = pairs[0] if pairs else {}
        return {"plans": plans, "deltas": first.get("deltas", {}), "hubs_added": first.get("hubs_added", []),
                "hubs_removed": first.get("hubs_removed", []), "hubs_changed": first.get("hubs_changed", []),
                "tier_changes": first.get("tier_changes"), "pairs": pairs,
                "same_communities": self.same_communities}

    def plan_names(self, width: int = 60) -> dict[str, str]:
        """Each plan's label with its name (``A: Plains pilot``), as a column heading names it."""
        names = {}
        for label, evaluation in zip(self.labels, self.evaluations):
            name = evaluation.scenario.name
            names[label] = f"{label}: {name if len(name) <= width else name[:width - 1] + '…'}"
        return names

    def sheets(self) -> dict[str, pd.DataFrame]:
        """The comparison as workbook sheets: Figures, By state, Spend, Hubs, and the tier changes of each pair.

        Every column of a plan is headed by its label and name (``A: Plains pilot``), so
        the workbook reads on its own.
        """
        names = self.plan_names()
        sheets = {"Figures": self.figures_table().drop(columns="key").rename(columns=names),
                  "By state": self.by_state().rename(columns=names),
                  "Spend by quarter": self.spend().rename(columns=names)}
        hubs = []
        for name, evaluation in zip(self.labels, self.evaluations):
            table = evaluation.hub_table()[["hub_id", "name", "site_id", "lat", "lon", "type", "open_quarter",
                                            "locked", "cost_usd"]]
            hubs.append(table.assign(plan=names[name]))
        sheets["Hubs"] = pd.concat(hubs, ignore_index=True)[["plan", "hub_id", "name", "site_id", "lat", "lon", "type",
                                                            "open_quarter", "locked", "cost_usd"]]
        for i in range(1, len(self.labels)):
            first, other = names[self.labels[0]], names[self.labels[i]]
            sheets[f"Tier changes {self.labels[0]}-{self.labels[i]}"[:31]] = self.community_changes(i).rename(
                columns={"tier_a": f"tier in {first}", "tier_b": f"tier in {other}"})
        return sheets


def _plain(value):
    return value.item() if isinstance(value, np.generic) else (round(value, 6) if isinstance(value, float) else value)


def compare(plans: Sequence[tuple[str, Evaluation]]) -> Comparison:
    """Compare two to four evaluated plans, given as (label, evaluation), the first being A."""
    if not 2 <= len(plans) <= 4:
        from coverage.errors import InputError, Problem

        raise InputError(Problem(f"compare two to four plans, not {len(plans)}"))
    labels = [label for label, _ in plans]
    evaluations = [evaluation for _, evaluation in plans]
    return Comparison(labels, evaluations, [budget.plan(e) for e in evaluations])
