"""The app's charts (plotly), each drawn from a table that ``coverage/charts.py`` builds.

Colours are the map's Okabe-Ito palette.  One honest scale per chart: no second axis.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ui.mapview import TIER_COLOURS, TIER_NAMES

CAPEX, OPEX, BUDGET = "rgb(0,114,178)", "rgb(86,180,233)", "rgb(213,94,0)"


def drive_time_histogram(bins: pd.DataFrame, note: dict) -> go.Figure:
    """Communities by minutes (or miles) to the nearest hub, bars coloured by tier, edges on the thresholds."""
    figure = go.Figure()
    for tier in ("same_day", "next_day", "none"):
        part = bins[bins["tier"] == tier]
        figure.add_bar(x=(part["start"] + part["end"]) / 2, y=part["communities"], width=part["end"] - part["start"],
                       name=TIER_NAMES[tier] if tier != "none" else "beyond next-day",
                       marker_color=f"rgb{TIER_COLOURS[tier]}", marker_line_color="white", marker_line_width=1,
                       customdata=part[["start", "end", "population"]],
                       hovertemplate="%{customdata[0]:.0f}–%{customdata[1]:.0f} " + note["unit"]
                       + "<br>%{y:,} communities<br>%{customdata[2]:,} people<extra></extra>")
    for value, label in zip(note["thresholds"], ("same-day", "next-day")):
        figure.add_vline(x=value, line_dash="dash", line_color="black",
                         annotation_text=f"{label} {value:g} {note['unit']}", annotation_position="top")
    figure.update_layout(height=380, margin=dict(l=10, r=10, t=40, b=10), bargap=0,
                         xaxis_title=f"{note['unit']} to the nearest hub", yaxis_title="communities",
                         legend=dict(orientation="h", y=-0.2))
    return figure


def spend_in_quarter(spend: pd.DataFrame) -> go.Figure:
    """What is spent in each quarter, capex and opex stacked, in $ million."""
    figure = go.Figure()
    figure.add_bar(x=spend["quarter"], y=spend["capex_usd"] / 1e6, name="capex", marker_color=CAPEX,
                   hovertemplate="%{x}: capex $%{y:,.1f}M<extra></extra>")
    figure.add_bar(x=spend["quarter"], y=spend["opex_usd"] / 1e6, name="opex", marker_color=OPEX,
                   hovertemplate="%{x}: opex $%{y:,.1f}M<extra></extra>")
    figure.update_layout(barmode="stack", height=340, margin=dict(l=10, r=10, t=40, b=10),
                         yaxis=dict(title="$ million in the quarter", rangemode="tozero"),
                         legend=dict(orientation="h", y=-0.2), title="Spend in each quarter")
    return figure


def cumulative_spend(spend: pd.DataFrame) -> go.Figure:
    """Cumulative spend against the budget line, both on one $ million axis from zero."""
    figure = go.Figure()
    figure.add_scatter(x=spend["quarter"], y=spend["cumulative_spend_usd"] / 1e6, name="cumulative spend",
                       mode="lines+markers", line=dict(color="black", width=3),
                       hovertemplate="%{x}: $%{y:,.1f}M spent so far<extra></extra>")
    figure.add_scatter(x=spend["quarter"], y=spend["budget_usd"] / 1e6, name="budget", mode="lines",
                       line=dict(color=BUDGET, dash="dash"), hovertemplate="budget $%{y:,.0f}M<extra></extra>")
    top = max(float(spend["budget_usd"].max()), float(spend["cumulative_spend_usd"].max())) / 1e6
    figure.update_layout(height=340, margin=dict(l=10, r=10, t=40, b=10),
                         yaxis=dict(title="$ million, cumulative", range=[0, top * 1.08]),
                         legend=dict(orientation="h", y=-0.2), title="Cumulative spend against the budget")
    return figure
