"""The report's pictures, drawn on the server with matplotlib: the national map and the charts.

Each picture is drawn from the same tables as the app's (``coverage/charts.py``, the
engine's figures); only the rendering differs.  Matplotlib's object API is used
(``Figure`` and the Agg canvas, never ``pyplot``), so drawing is safe in the app's
threads and leaves no global state.

The map is in equal-area projections: the lower 48 in CONUS Albers (EPSG:5070), with
Alaska (EPSG:3338) and Hawaii (ESRI:102007) as insets at their own scales; rings are
the great-circle circles of ``coverage/geo.py``.
"""

from __future__ import annotations

import functools
import io

import numpy as np
import pandas as pd
import shapely
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.patches import Polygon as PolygonPatch

from coverage import charts
from coverage.dataset import state_outlines
from coverage.geo import geodesic_circle
from coverage.travel import TIERS

TIER_COLOURS = {"same_day": "#0072B2", "next_day": "#E69F00", "none": "#888888"}
TIER_NAMES = {"same_day": "same-day", "next_day": "next-day", "none": "not covered"}
RING_COLOURS = {"same_day": "#0072B2", "next_day": "#E69F00"}
LAND, OUTLINE = "#F4F4F0", "#969696"
CAPEX, OPEX, BUDGET = "#0072B2", "#56B4E9", "#D55E00"
METRES_PER_MILE = 1609.344

#: (name, CRS, (lat_min, lat_max, lon_min, lon_max)) of each panel.
PANELS = (("lower48", "EPSG:5070", (24.0, 50.0, -125.0, -66.0)),
          ("alaska", "EPSG:3338", (51.0, 72.0, -180.0, -129.0)),
          ("hawaii", "ESRI:102007", (18.5, 22.5, -161.0, -154.5)))


@functools.cache
def _transformer(crs: str):
    from pyproj import Transformer

    return Transformer.from_crs(4326, crs, always_xy=True)


def _project(geometry, crs: str):
    transformer = _transformer(crs)
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def _patches(geometries, crs: str) -> list[PolygonPatch]:
    patches = []
    for geometry in geometries:
        projected = _project(geometry, crs)
        for polygon in getattr(projected, "geoms", [projected]):
            if polygon.geom_type == "Polygon" and not polygon.is_empty:
                patches.append(PolygonPatch(np.asarray(polygon.exterior.coords), closed=True))
    return patches


def _in_box(lat, lon, box) -> np.ndarray:
    lat_min, lat_max, lon_min, lon_max = box
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    return (lat >= lat_min) & (lat <= lat_max) & (lon >= lon_min) & (lon <= lon_max)


@functools.cache
def _states() -> list:
    return [shapely.geometry.shape(f["geometry"]) for f in state_outlines()["features"]]


def _draw_panel(axes, crs: str, box, communities: pd.DataFrame, hubs: pd.DataFrame, radii: dict,
                rings: bool) -> None:
    axes.set_axis_off()
    states = [s for s in _states() if _in_box([s.centroid.y], [s.centroid.x], box)[0]]
    axes.add_collection(PatchCollection(_patches(states, crs), facecolor=LAND, edgecolor=OUTLINE, linewidth=0.4,
                                        zorder=1))
    here = hubs[_in_box(hubs["lat"], hubs["lon"], box)]
    if rings and len(here):
        for tier in ("next_day", "same_day"):
            circles = [geodesic_circle(lat, lon, radii[tier], 72) for lat, lon in zip(here["lat"], here["lon"])]
            axes.add_collection(PatchCollection(_patches(circles, crs), facecolor=RING_COLOURS[tier], alpha=0.10,
                                                edgecolor=RING_COLOURS[tier], linewidth=0.3, zorder=2))
    points = communities[_in_box(communities["lat"], communities["lon"], box)]
    x, y = _transformer(crs).transform(points["lon"].to_numpy(), points["lat"].to_numpy())
    sizes = np.sqrt(points["population"].to_numpy()) / 12.0
    for tier in ("none", "next_day", "same_day"):
        mask = (points["tier"] == tier).to_numpy()
        axes.scatter(x[mask], y[mask], s=sizes[mask], c=TIER_COLOURS[tier], linewidths=0.15, edgecolors="white",
                     zorder=3)
    if len(here):
        hx, hy = _transformer(crs).transform(here["lon"].to_numpy(), here["lat"].to_numpy())
        for kind, marker in (("conversion", "o"), ("new", "s")):
            mask = (here["type"] == kind).to_numpy()
            locked = here["locked"].to_numpy(dtype=bool)
            axes.scatter(hx[mask], hy[mask], s=14, marker=marker, c="#141414",
                         edgecolors=np.where(locked[mask], "#CC79A7", "white"), linewidths=0.8, zorder=4)
    _fit(axes, crs, box)


def _fit(axes, crs: str, box) -> None:
    """Limits that show the box and fill the panel at one scale."""
    lat_min, lat_max, lon_min, lon_max = box
    corners_lon = np.array([lon_min, lon_max, lon_min, lon_max, (lon_min + lon_max) / 2, (lon_min + lon_max) / 2])
    corners_lat = np.array([lat_min, lat_min, lat_max, lat_max, lat_min, lat_max])
    cx, cy = _transformer(crs).transform(corners_lon, corners_lat)
    # widen the shorter side so that the panel fills its box at one scale (x and y metres alike)
    box_w, box_h = (axes.get_position().width * axes.figure.get_figwidth(),
                    axes.get_position().height * axes.figure.get_figheight())
    (x0, x1), (y0, y1) = (min(cx), max(cx)), (min(cy), max(cy))
    if (x1 - x0) / (y1 - y0) < box_w / box_h:
        grow = ((y1 - y0) * box_w / box_h - (x1 - x0)) / 2
        x0, x1 = x0 - grow, x1 + grow
    else:
        grow = ((x1 - x0) * box_h / box_w - (y1 - y0)) / 2
        y0, y1 = y0 - grow, y1 + grow
    axes.set_xlim(x0, x1)
    axes.set_ylim(y0, y1)
    axes.set_aspect("equal")


def _panels(figure: Figure, draw) -> tuple:
    """The lower-48 panel and the Alaska and Hawaii insets, each drawn by ``draw(axes, crs, box)``."""
    main = figure.add_axes((0.0, 0.08, 1.0, 0.92))
    draw(main, PANELS[0][1], PANELS[0][2])
    alaska = figure.add_axes((0.0, 0.0, 0.24, 0.26))
    draw(alaska, PANELS[1][1], PANELS[1][2])
    hawaii = figure.add_axes((0.23, 0.0, 0.17, 0.17))
    draw(hawaii, PANELS[2][1], PANELS[2][2])
    for inset, name in ((alaska, "Alaska (own scale)"), (hawaii, "Hawaii (own scale)")):
        inset.set_axis_on()  # a light frame: rings are cut at the inset's edge, and the frame says why
        inset.set_xticks([])
        inset.set_yticks([])
        for spine in inset.spines.values():
            spine.set_edgecolor("#BBBBBB")
            spine.set_linewidth(0.6)
        inset.text(0.03, 0.97, name, transform=inset.transAxes, fontsize=5.5, va="top", color="#555555")
    _scale_bar(main)
    return main, alaska, hawaii


def _scale_bar(main) -> None:
    """500 miles in the equal-area lower-48 projection (true to a few per cent across the map)."""
    x0, x1 = main.get_xlim()
    y0, y1 = main.get_ylim()
    length = 500 * METRES_PER_MILE
    left, base = x0 + 0.47 * (x1 - x0), y0 + 0.02 * (y1 - y0)
    main.plot([left, left + length], [base, base], color="#333333", linewidth=1.5, zorder=5)
    for tick in (left, left + length / 2, left + length):
        main.plot([tick, tick], [base, base + 0.008 * (y1 - y0)], color="#333333", linewidth=1, zorder=5)
    main.text(left + length / 2, base + 0.015 * (y1 - y0), "500 miles", ha="center", fontsize=6, color="#333333")


def coverage_map(communities: pd.DataFrame, hubs: pd.DataFrame, travel, *, rings: bool = True,
                 width_in: float = 7.5, dpi: int = 200) -> bytes:
    """The national map as PNG: lower 48 with Alaska and Hawaii insets, a legend and a scale bar."""
    figure = Figure(figsize=(width_in, width_in * 0.62), dpi=dpi)
    FigureCanvasAgg(figure)
    same, nxt = travel.threshold_miles
    radii = {"same_day": same, "next_day": nxt}
    _panels(figure, lambda axes, crs, box: _draw_panel(axes, crs, box, communities, hubs, radii, rings))
    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor=TIER_COLOURS[t], markeredgecolor="white",
                      markersize=5, label=f"{TIER_NAMES[t]} community") for t in TIERS]
    handles += [Line2D([], [], marker="o", linestyle="", color="#141414", markersize=4, label="hub: conversion"),
                Line2D([], [], marker="s", linestyle="", color="#141414", markersize=4, label="hub: new build"),
                Line2D([], [], marker="o", linestyle="", markerfacecolor="#141414", markeredgecolor="#CC79A7",
                       markeredgewidth=1.2, markersize=4, label="locked hub")]
    if rings:
        handles += [Patch(facecolor=RING_COLOURS["same_day"], alpha=0.3, label=f"same-day reach ({same:.0f} mi)"),
                    Patch(facecolor=RING_COLOURS["next_day"], alpha=0.3, label=f"next-day reach ({nxt:.0f} mi)")]
    figure.legend(handles=handles, loc="lower right", ncol=3, fontsize=5.5, frameon=False,
                  bbox_to_anchor=(1.0, 0.0))
    return _png(figure)


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", facecolor="white")
    return buffer.getvalue()


def spend_charts(quarters: pd.DataFrame, budget_usd: float, width_in: float = 7.5, dpi: int = 200) -> bytes:
    """Spend in each quarter, and cumulative spend against the budget: two panels, one honest scale each."""
    spend = charts.spend_by_quarter(quarters, budget_usd)
    figure = Figure(figsize=(width_in, 2.6), dpi=dpi)
    FigureCanvasAgg(figure)
    left, right = figure.subplots(1, 2)
    x = np.arange(len(spend))
    left.bar(x, spend["capex_usd"] / 1e6, color=CAPEX, label="capex")
    left.bar(x, spend["opex_usd"] / 1e6, bottom=spend["capex_usd"] / 1e6, color=OPEX, label="opex")
    left.set_title("Spend in each quarter", fontsize=8)
    left.set_ylabel("$ million in the quarter", fontsize=7)
    right.plot(x, spend["cumulative_spend_usd"] / 1e6, color="black", marker="o", markersize=3,
               label="cumulative spend")
    right.plot(x, spend["budget_usd"] / 1e6, color=BUDGET, linestyle="--", label="budget")
    right.set_ylim(0, max(budget_usd, float(spend["cumulative_spend_usd"].max())) / 1e6 * 1.08)
    right.set_title("Cumulative spend against the budget", fontsize=8)
    right.set_ylabel("$ million, cumulative", fontsize=7)
    for axes in (left, right):
        axes.set_xticks(x, spend["quarter"], rotation=45, fontsize=6)
        axes.tick_params(axis="y", labelsize=6)
        axes.legend(fontsize=6, frameon=False)
        axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)


def rollout_chart(quarters: pd.DataFrame, communities: int, target_share: float, target_quarter: str,
                  width_in: float = 7.5, dpi: int = 200) -> bytes:
    """Share of communities covered as hubs open, against the target."""
    figure = Figure(figsize=(width_in, 2.3), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    x = np.arange(len(quarters))
    covered = quarters["covered_share"] * 100
    same = quarters["communities_same_day"] / max(communities, 1) * 100
    axes.plot(x, covered, color=TIER_COLOURS["next_day"], marker="o", markersize=3, label="next-day or better")
    axes.plot(x, same, color=TIER_COLOURS["same_day"], marker="o", markersize=3, label="same-day")
    axes.axhline(target_share * 100, color="black", linestyle="--", linewidth=0.8)
    axes.text(x[-1] if len(x) else 0, target_share * 100 + 1.5, f"target {target_share:.0%} by {target_quarter}",
              ha="right", fontsize=6)
    if target_quarter in list(quarters["quarter"]):
        axes.axvline(list(quarters["quarter"]).index(target_quarter), color="grey", linestyle=":", linewidth=0.8)
    axes.set_ylim(0, 100)
    axes.set_ylabel("% of communities", fontsize=7)
    axes.set_title("Coverage as hubs open", fontsize=8)
    axes.set_xticks(x, quarters["quarter"], rotation=45, fontsize=6)
    axes.tick_params(axis="y", labelsize=6)
    axes.legend(fontsize=6, frameon=False, loc="lower right")
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)


def drive_time_chart(coverage, width_in: float = 7.5, dpi: int = 200) -> bytes:
    """Communities by minutes (or miles) to the nearest hub, bins ending on the thresholds, coloured by tier."""
    bins, note = charts.drive_time_bins(coverage)
    figure = Figure(figsize=(width_in, 2.3), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    for tier in TIERS:
        part = bins[bins["tier"] == tier]
        axes.bar(part["start"], part["communities"], width=part["end"] - part["start"], align="edge",
                 color=TIER_COLOURS[tier], edgecolor="white", linewidth=0.5,
                 label=TIER_NAMES[tier] if tier != "none" else "beyond next-day")
    for value, label in zip(note["thresholds"], ("same-day", "next-day")):
        axes.axvline(value, color="black", linestyle="--", linewidth=0.8)
        axes.text(value, axes.get_ylim()[1] * 0.95, f" {label} {value:g} {note['unit']}", fontsize=6, va="top")
    axes.set_xlabel(f"{note['unit']} to the nearest hub", fontsize=7)
    axes.set_ylabel("communities", fontsize=7)
    axes.set_title("Distance to the nearest hub", fontsize=8)
    axes.tick_params(labelsize=6)
    axes.legend(fontsize=6, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)


CHANGE_COLOURS = {"better": "#009E73", "worse": "#D55E00", "same": "#BEBEBE"}
HUB_CHANGE = {"added": "#009E73", "removed": "#D55E00", "moved": "#CC79A7", "changed": "#CC79A7", "kept": "#FFFFFF"}


def difference_map(communities: pd.DataFrame, change: np.ndarray, hubs: pd.DataFrame, labels: tuple[str, str],
                   width_in: float = 7.5, dpi: int = 200) -> bytes:
    """Plan A against plan B: communities by tier change (``better``/``worse``/``same``), hubs by what happened.

    ``hubs`` is :meth:`coverage.compare.Comparison.hub_points`: ``lat``, ``lon`` and ``change`` (``added``,
    ``changed``, ``kept``; ``removed`` and ``moved``, where a moved hub was, drawn white).
    """
    figure = Figure(figsize=(width_in, width_in * 0.62), dpi=dpi)
    FigureCanvasAgg(figure)
    table = communities.assign(change=change)

    def draw(axes, crs, box) -> None:
        axes.set_axis_off()
        states = [s for s in _states() if _in_box([s.centroid.y], [s.centroid.x], box)[0]]
        axes.add_collection(PatchCollection(_patches(states, crs), facecolor=LAND, edgecolor=OUTLINE,
                                            linewidth=0.4, zorder=1))
        points = table[_in_box(table["lat"], table["lon"], box)]
        x, y = _transformer(crs).transform(points["lon"].to_numpy(), points["lat"].to_numpy())
        sizes = np.sqrt(points["population"].to_numpy()) / 12.0
        for kind, zorder in (("same", 2), ("worse", 3), ("better", 3)):
            mask = (points["change"] == kind).to_numpy()
            axes.scatter(x[mask], y[mask], s=sizes[mask] * (0.5 if kind == "same" else 1.0), c=CHANGE_COLOURS[kind],
                         linewidths=0.1, edgecolors="white", zorder=zorder)
        here = hubs[_in_box(hubs["lat"], hubs["lon"], box)]
        if len(here):
            hx, hy = _transformer(crs).transform(here["lon"].to_numpy(), here["lat"].to_numpy())
            for kind, colour in HUB_CHANGE.items():
                mask = (here["change"] == kind).to_numpy()
                fill = "white" if kind in ("removed", "moved") else "#141414"
                axes.scatter(hx[mask], hy[mask], s=16, c=fill, edgecolors=colour if kind != "kept" else "white",
                             linewidths=1.2, zorder=4)
        _fit(axes, crs, box)

    _panels(figure, draw)
    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor=CHANGE_COLOURS[k], markeredgecolor="white",
                      markersize=5, label=text) for k, text in (("better", f"better tier in {labels[1]}"),
                                                                ("worse", f"worse tier in {labels[1]}"),
                                                                ("same", "same tier"))]
    handles += [Line2D([], [], marker="o", linestyle="", markerfacecolor=fill, markeredgecolor=edge,
                       markeredgewidth=1.2, markersize=5, label=text)
                for fill, edge, text in (("#141414", HUB_CHANGE["added"], "hub added"),
                                         ("white", HUB_CHANGE["removed"], "hub removed"),
                                         ("white", HUB_CHANGE["moved"], "where a moved hub was"),
                                         ("#141414", HUB_CHANGE["changed"], "hub changed"),
                                         ("#141414", "white", "hub in both"))]
    figure.legend(handles=handles, loc="lower right", ncol=3, fontsize=5.5, frameon=False, bbox_to_anchor=(1.0, 0.0))
    return _png(figure)


def cumulative_spend_chart(spend: pd.DataFrame, budgets: dict[str, float], width_in: float = 7.5,
                           dpi: int = 200) -> bytes:
    """Cumulative spend of several plans by quarter (one line each) with each plan's budget dashed."""
    figure = Figure(figsize=(width_in, 2.4), dpi=dpi)
    FigureCanvasAgg(figure)
    axes = figure.subplots()
    x = np.arange(len(spend))
    colours = ["#000000", "#0072B2", "#E69F00", "#CC79A7"]
    for (label, budget_usd), colour in zip(budgets.items(), colours):
        axes.plot(x, spend[label] / 1e6, color=colour, marker="o", markersize=3, label=f"{label}")
        axes.axhline(budget_usd / 1e6, color=colour, linestyle="--", linewidth=0.7)
    axes.set_ylim(0, max(max(budgets.values()), float(spend.drop(columns="quarter").max().max())) / 1e6 * 1.08)
    axes.set_xticks(x, spend["quarter"], rotation=45, fontsize=6)
    axes.set_ylabel("$ million, cumulative", fontsize=7)
    axes.set_title("Cumulative spend by quarter (dashed: each plan's budget)", fontsize=8)
    axes.tick_params(axis="y", labelsize=6)
    axes.legend(fontsize=6, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    figure.tight_layout()
    return _png(figure)
