"""What each hub reaches, drawn as lines: for the travel matrix, where a circle would lie.

With the circuity and radius models a hub's reach is a great-circle circle (the map's
rings).  A travel matrix's reach follows the roads and is whatever the matrix lists, so
it is drawn as it is: a line from the hub to every community it reaches within the
threshold.  Lines enclose nothing, so they never suggest that a community between them
is reached (an outline around them did: a hull takes in communities the matrix does not
list).  The map and the GIS layers use these.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import shapely

TIERS = ("same_day", "next_day")


def reach_pairs(evaluation) -> pd.DataFrame:
    """One row per hub and community it reaches within the next-day threshold: positions and the tier it reaches."""
    engine, travel = evaluation.engine, evaluation.scenario.travel
    lat_all = engine.communities["lat"].to_numpy()
    lon_all = engine.communities["lon"].to_numpy()
    frames = []
    for hub, site in zip(evaluation.scenario.hubs, evaluation.coverage.hub_sites.tolist()):
        reached = engine.reach(site, travel)  # within the next-day threshold, with the same-day ones marked
        hub_lat, hub_lon = engine.site_lat_lon(site)
        frames.append(pd.DataFrame({
            "hub_id": hub.id, "community": reached.communities, "hub_lon": hub_lon, "hub_lat": hub_lat,
            "lon": lon_all[reached.communities], "lat": lat_all[reached.communities],
            "tier": np.where(reached.same_day, "same_day", "next_day")}))
    columns = ["hub_id", "community", "hub_lon", "hub_lat", "lon", "lat", "tier"]
    return pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)


def reach_lines(evaluation, tier: str) -> list:
    """One geometry per hub (scenario order): lines from the hub to what it reaches within ``tier``'s threshold."""
    pairs = reach_pairs(evaluation)
    wanted = pairs if tier == "next_day" else pairs[pairs["tier"] == "same_day"]
    lines = []
    for hub in evaluation.scenario.hubs:
        mine = wanted[wanted["hub_id"] == hub.id]
        lines.append(shapely.MultiLineString([[(a, b), (c, d)] for a, b, c, d in
                                              mine[["hub_lon", "hub_lat", "lon", "lat"]].itertuples(index=False)]))
    return lines
