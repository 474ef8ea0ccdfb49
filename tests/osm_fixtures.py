"""Synthetic OpenStreetMap extracts, written with pyosmium, whose shortest drive times are known by hand."""

from __future__ import annotations

from pathlib import Path

import osmium


def write_osm(path: Path, nodes: dict[int, tuple[float, float]], ways: list[tuple[int, list[int], dict]]) -> Path:
    """An ``.osm.pbf`` with these nodes (id -> (lat, lon)) and ways (id, node ids, tags)."""
    if path.exists():
        path.unlink()
    writer = osmium.SimpleWriter(str(path))
    try:
        for node_id, (lat, lon) in sorted(nodes.items()):
            writer.add_node(osmium.osm.mutable.Node(id=node_id, location=osmium.osm.Location(lon, lat), version=1,
                                                    tags={}))
        for way_id, refs, tags in ways:
            writer.add_way(osmium.osm.mutable.Way(id=way_id, nodes=refs, tags=tags, version=1))
    finally:
        writer.close()
    return path


def grid(path: Path, side: int, spacing_deg: float = 0.01, origin=(38.0, -100.0), highway: str = "residential"):
    """A side x side grid of two-way streets (side**2 nodes), rows and columns as ways."""
    nodes = {r * side + c + 1: (origin[0] + r * spacing_deg, origin[1] + c * spacing_deg)
             for r in range(side) for c in range(side)}
    ways = [(r + 1, [r * side + c + 1 for c in range(side)], {"highway": highway}) for r in range(side)]
    ways += [(side + c + 1, [r * side + c + 1 for r in range(side)], {"highway": highway}) for c in range(side)]
    return write_osm(path, nodes, ways)
