"""What each hub reaches, drawn as outlines: for the travel matrix, where a circle would lie.

With the circuity and radius models a hub's reach is a great-circle circle (the map's
rings).  A travel matrix's reach follows the roads, so it is drawn instead as the
outline (convex hull) around the hub and every community it reaches within the
threshold; the map and the GIS layers use these.  An outline shows the extent, not
every community inside it: those the matrix does not list are still not reached.
"""

from __future__ import annotations

import numpy as np
import shapely


def reach_outlines(evaluation, tier: str) -> list:
    """One polygon per hub (scenario order): the hull of the hub and what it reaches within ``tier``'s threshold."""
    engine, travel = evaluation.engine, evaluation.scenario.travel
    same, nxt = engine.layout.tier_limits(travel)
    limit = same if tier == "same_day" else nxt
    lat_all = engine.communities["lat"].to_numpy()
    lon_all = engine.communities["lon"].to_numpy()
    outlines = []
    for site in evaluation.coverage.hub_sites.tolist():
        communities, keys = engine._row(site)
        reached = communities[keys <= limit]
        hub_lat, hub_lon = engine.site_lat_lon(site)
        points = np.column_stack([np.append(lon_all[reached], hub_lon), np.append(lat_all[reached], hub_lat)])
        hull = shapely.MultiPoint(points).convex_hull
        outlines.append(hull.buffer(0.02) if hull.geom_type != "Polygon" else hull)  # a point or a line: a sliver
    return outlines
