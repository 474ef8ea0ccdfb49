"""A travel-time matrix from an OpenStreetMap road network (``python -m coverage travel-matrix --osm``).

How
---
1. **The drive graph.**  pyosmium reads the extract (``.osm.pbf``) with node locations;
   every way with a drivable ``highway`` class becomes directed edges between its
   consecutive nodes (both ways, or one way where ``oneway`` says so; motorways are one
   way unless tagged otherwise), weighted by great-circle length over speed.  The speed
   is the way's ``maxspeed`` when it is readable (``55 mph``, or km/h), else the class's
   default below.  Ways closed to motor traffic (``access``/``motor_vehicle`` ``no`` or
   ``private``) are left out.
2. **Snapping.**  Each community and site goes to the nearest node of the graph (a k-d
   tree on unit vectors); the snap distance is reported, and a point farther than
   ``max_snap_km`` from any road is refused: it gets no pairs (so nothing reaches it, and
   it reaches nothing), and the summary lists it.
3. **Shortest times.**  SciPy's Dijkstra (``scipy.sparse.csgraph``) from each site's node,
   limited to the next-day threshold, a batch of sites at a time so memory stays bounded;
   every snapped community within the limit becomes a pair.

Why SciPy's Dijkstra rather than pandana or OSRM: it is already installed, exact, runs on
any Python the project supports (OSRM's bindings need 3.12+), and a limited search from
a few hundred sites over a state's graph takes minutes, which is what a planner building
a matrix once needs; a contraction-hierarchy engine pays off only for many more queries.

Default speeds (mph) by ``highway`` class, from NHTSA's *National Traffic Speeds Survey
III* (2015): free-flow means of 70.4 mph on freeways, 56.4 on major arterials and 49.7 on
minor arterials and collectors, set a little below those means for merges, signals and
towns; local streets at their usual posted limits.  Override any with ``--speed
CLASS=MPH``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from coverage.bounds import bound
from coverage.errors import InputError, Problem
from coverage.geo import EARTH_RADIUS_KM, haversine_miles, unit_vectors

SPEEDS_MPH = {
    "motorway": 65, "motorway_link": 45, "trunk": 55, "trunk_link": 40, "primary": 50, "primary_link": 35,
    "secondary": 45, "secondary_link": 30, "tertiary": 40, "tertiary_link": 25, "unclassified": 35,
    "residential": 25, "living_street": 10, "service": 15, "road": 30,
}
MAX_SNAP_KM = 5.0
KM_PER_MILE = 1.609344


def parse_maxspeed(text: str | None) -> float | None:
    """A ``maxspeed`` tag in mph (``'55 mph'``, ``'90'`` km/h, ``'60 km/h'``); None when it is not a number."""
    if not text:
        return None
    match = re.match(r"^\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*$", text.strip().lower())
    if not match:
        return None
    value = float(match.group(1))
    return value if match.group(2) == "mph" else value / KM_PER_MILE


@dataclass
class RoadGraph:
    """Nodes (lat, lon) and directed edges weighted in minutes."""

    lat: np.ndarray
    lon: np.ndarray
    graph: sp.csr_matrix
    ways: int = 0
    classes: dict = field(default_factory=dict)

    @property
    def nodes(self) -> int:
        return len(self.lat)


def read_graph(path: str | Path, speeds: dict[str, float] | None = None) -> RoadGraph:
    """The drive graph of an OSM extract (see the module notes)."""
    import osmium

    speeds = {**SPEEDS_MPH, **(speeds or {})}
    path = Path(path)
    if not path.exists():
        raise InputError(Problem("file not found", file=str(path)))
    ids: dict[int, int] = {}
    lat: list[float] = []
    lon: list[float] = []
    sources, targets, minutes = [], [], []
    classes: dict[str, int] = {}
    ways = 0
    try:
        processor = osmium.FileProcessor(str(path), osmium.osm.NODE | osmium.osm.WAY).with_locations() \
            .with_filter(osmium.filter.KeyFilter("highway"))
        for way in processor:
            if not way.is_way():
                continue
            tags = way.tags
            kind = tags.get("highway")
            if kind not in speeds or tags.get("access") in ("no", "private") or \
                    tags.get("motor_vehicle") in ("no", "private"):
                continue
            mph = parse_maxspeed(tags.get("maxspeed")) or float(speeds[kind])
            oneway = tags.get("oneway", "yes" if kind in ("motorway", "motorway_link") else "no")
            forward = oneway not in ("-1", "reverse")
            backward = oneway in ("no", "false", "0") or oneway in ("-1", "reverse")
            index = []
            for node in way.nodes:
                location = node.location
                if not location.valid():
                    continue
                key = node.ref
                if key not in ids:
                    ids[key] = len(lat)
                    lat.append(location.lat)
                    lon.append(location.lon)
                index.append(ids[key])
            if len(index) < 2:
                continue
            ways += 1
            classes[kind] = classes.get(kind, 0) + 1
            index = np.asarray(index)
            a, b = index[:-1], index[1:]
            speed = np.full(len(a), mph)
            if forward:
                sources.append(a), targets.append(b), minutes.append(speed)
            if backward:
                sources.append(b), targets.append(a), minutes.append(speed)
    except RuntimeError as error:  # pyosmium's reader: not an OSM file, or a damaged one
        raise InputError(Problem(f"is not a readable OpenStreetMap extract ({error})", file=path.name)) from None
    if not lat:
        raise InputError(Problem("holds no drivable roads (no ways with a highway class a car may use)",
                                 file=path.name))
    n = len(lat)
    lat_array, lon_array = np.asarray(lat), np.asarray(lon)
    source = np.concatenate(sources) if sources else np.zeros(0, int)
    target = np.concatenate(targets) if targets else np.zeros(0, int)
    mph = np.concatenate(minutes) if minutes else np.zeros(0)
    miles = haversine_miles(lat_array[source], lon_array[source], lat_array[target], lon_array[target])
    weight = np.maximum(miles / mph * 60.0, 1e-9)  # an edge of 0 would read as "no edge"
    # parallel edges (two ways over one stretch): the fastest counts, not their sum
    order = np.lexsort((weight, source * n + target))
    first = np.ones(len(order), bool)
    first[1:] = (source[order][1:] != source[order][:-1]) | (target[order][1:] != target[order][:-1])
    keep = order[first]
    graph = sp.csr_matrix((weight[keep], (source[keep], target[keep])), shape=(n, n))
    return RoadGraph(lat_array, lon_array, graph, ways, classes)


@dataclass
class Snapped:
    """Where each point joins the graph, and how far it had to go."""

    node: np.ndarray         # graph node of each point (-1 when refused)
    km: np.ndarray           # great-circle snap distance


def snap(graph: RoadGraph, lat: np.ndarray, lon: np.ndarray, max_km: float = MAX_SNAP_KM) -> Snapped:
    """Each point's nearest graph node, refused (-1) beyond ``max_km``."""
    tree = cKDTree(unit_vectors(graph.lat, graph.lon))
    chord, node = tree.query(unit_vectors(lat, lon))
    km = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0, 1))
    node = np.where(km <= max_km, node, -1)
    return Snapped(node.astype(np.int64), km)


def build_matrix(graph: RoadGraph, sites: pd.DataFrame, communities: pd.DataFrame, limit_minutes: float,
                 max_snap_km: float = MAX_SNAP_KM, progress: Callable[[int, int], None] | None = None,
                 memory_bytes: float = 4e8) -> tuple[pd.DataFrame, dict]:
    """Pairs ``site_id, community_id, minutes`` within ``limit_minutes`` by road, and a summary."""
    site_snap = snap(graph, sites["lat"].to_numpy(float), sites["lon"].to_numpy(float), max_snap_km)
    community_snap = snap(graph, communities["lat"].to_numpy(float), communities["lon"].to_numpy(float), max_snap_km)
    usable_sites = np.flatnonzero(site_snap.node >= 0)
    usable_communities = np.flatnonzero(community_snap.node >= 0)
    community_nodes = community_snap.node[usable_communities]
    batch = max(1, int(memory_bytes // (8 * max(graph.nodes, 1))))
    site_parts, community_parts, minute_parts = [], [], []
    for start in range(0, len(usable_sites), batch):
        chunk = usable_sites[start:start + batch]
        times = dijkstra(graph.graph, directed=True, indices=site_snap.node[chunk], limit=limit_minutes)
        reach = times[:, community_nodes]
        rows, cols = np.nonzero(np.isfinite(reach) & (reach <= limit_minutes))
        site_parts.append(chunk[rows])
        community_parts.append(usable_communities[cols])
        minute_parts.append(reach[rows, cols])
        if progress:
            progress(min(start + batch, len(usable_sites)), len(usable_sites))
    site_index = np.concatenate(site_parts) if site_parts else np.zeros(0, int)
    community_index = np.concatenate(community_parts) if community_parts else np.zeros(0, int)
    frame = pd.DataFrame({"site_id": sites["site_id"].astype(str).to_numpy()[site_index],
                          "community_id": communities["community_id"].astype(str).to_numpy()[community_index],
                          "minutes": np.round(np.concatenate(minute_parts) if minute_parts else np.zeros(0), 4)})
    refused_sites = sites.iloc[np.flatnonzero(site_snap.node < 0)]
    refused_communities = communities.iloc[np.flatnonzero(community_snap.node < 0)]
    snapped = community_snap.km[community_snap.node >= 0]
    summary = {
        "nodes": graph.nodes, "edges": int(graph.graph.nnz), "ways": graph.ways, "road_classes": graph.classes,
        "sites": len(sites), "sites_snapped": int(len(usable_sites)), "communities": len(communities),
        "communities_snapped": int(len(usable_communities)), "pairs": int(len(frame)),
        "limit_minutes": limit_minutes, "max_snap_km": max_snap_km,
        "snap_km_median": round(float(np.median(snapped)), 3) if len(snapped) else None,
        "snap_km_max": round(float(snapped.max()), 3) if len(snapped) else None,
        "refused_sites": refused_sites["site_id"].astype(str).tolist()[:20],
        "refused_communities": [f"{r.community_id} {r.name} ({community_snap.km[i]:.1f} km)"
                                for i, r in zip(np.flatnonzero(community_snap.node < 0),
                                                refused_communities.itertuples())][:20],
        "refused_communities_count": int(len(refused_communities)), "refused_sites_count": int(len(refused_sites)),
    }
    return frame, summary


def speed_overrides(items: list[str] | None) -> dict[str, float]:
    """``['motorway=70', 'residential=20']`` -> speeds; InputError naming a bad one."""
    speeds = {}
    for item in items or []:
        kind, _, value = item.partition("=")
        try:
            mph = float(value)
        except ValueError:
            raise InputError(Problem(f"{item!r}: write CLASS=MPH, as in motorway=70", column="--speed")) from None
        if kind not in SPEEDS_MPH:
            raise InputError(Problem(f"{item[:40]!r}: the class must be one of {', '.join(SPEEDS_MPH)}",
                                     column="--speed"))
        bound("roads.speed_mph").check_flag("--speed", mph)
        speeds[kind] = mph
    return speeds
