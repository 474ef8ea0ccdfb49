"""How the engine's column names read in the app's tables: plain labels and number formats.

One mapping for every page, so ``population_same_day`` is "Same-day people" wherever
it appears; columns not listed keep their name.
"""

from __future__ import annotations

import streamlit as st

_PEOPLE, _COUNT = "localized", "localized"


def _number(label: str, fmt: str = _COUNT, **kwargs):
    return st.column_config.NumberColumn(label, format=fmt, **kwargs)


LABELS = {
    "community_id": st.column_config.TextColumn("Community id", width="small"),
    "site_id": st.column_config.TextColumn("Site id", width="small"),
    "hub_id": st.column_config.TextColumn("Hub", width="small"),
    "name": st.column_config.TextColumn("Name", width="medium"),
    "state": st.column_config.TextColumn("State", width="small"),
    "county": st.column_config.TextColumn("County"),
    "population": _number("People", _PEOPLE),
    "communities": _number("Communities"),
    "communities_same_day": _number("Same-day communities"),
    "communities_next_day": _number("Next-day communities"),
    "communities_none": _number("Communities not covered"),
    "population_same_day": _number("Same-day people", _PEOPLE),
    "population_next_day": _number("Next-day people", _PEOPLE),
    "population_none": _number("People not covered", _PEOPLE),
    "population_covered_share": _number("People covered", "percent"),
    "covered_share": _number("Communities covered", "percent"),
    "drive_minutes": _number("Drive minutes", "%.0f"),
    "distance_miles": _number("Miles (great circle)", "%.1f"),
    "nearest_hub_id": st.column_config.TextColumn("Nearest hub", width="small"),
    "landmass": st.column_config.TextColumn("Road network", help="Hubs reach only communities on the same road "
                                            "network (no road to Hawaii's islands or most of Alaska)"),
    "tier": st.column_config.TextColumn("Tier"),
    "quarter": st.column_config.TextColumn("Quarter", width="small"),
    "hubs_open": _number("Hubs open"),
    "capex_musd": _number("Capex ($M)", "%.1f"),
    "opex_musd": _number("Opex ($M)", "%.1f"),
    "spend_musd": _number("Spend ($M)", "%.1f"),
    "cumulative_spend_musd": _number("Cumulative ($M)", "%.1f"),
    "budget_left_musd": _number("Budget left ($M)", "%.1f"),
    "parcel_cost_musd": _number("Parcel costs ($M)", "%.1f"),
    "cost_musd": _number("Cost ($M)", "%.1f"),
    "parcels_per_day": _number("Parcels a day", "%.0f"),
    "capacity_parcels_per_day": _number("Capacity a day", "%.0f"),
}


def column_config(*columns: str) -> dict:
    """Column settings for these columns (all known ones when none are named)."""
    return {c: LABELS[c] for c in (columns or LABELS) if c in LABELS}


def in_millions(frame, *columns: str):
    """A copy with ``*_usd`` columns as ``*_musd`` (millions of dollars), as the tables show money."""
    shown = frame.copy()
    for column in columns or [c for c in frame.columns if c.endswith("_usd")]:
        shown[column[:-4] + "_musd"] = shown.pop(column) / 1e6
    return shown
