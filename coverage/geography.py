"""Which US state a point is in, from the bundled state outlines.

Used to fill in a missing ``state`` column of an uploaded file and to check that a
hub typed in by coordinates is inside the United States.  The outlines are
simplified (about 1 km), so a point just off a coastline counts for the nearest
state within ``tolerance_km``.
"""

from __future__ import annotations

import functools

import numpy as np
import shapely
import shapely.affinity

from coverage.dataset import state_outlines

KM_PER_DEGREE = 111.195


@functools.cache
def _index() -> tuple[list[str], list, shapely.STRtree]:
    features = state_outlines()["features"]
    codes = [f["properties"]["code"] for f in features]
    shapes = [shapely.geometry.shape(f["geometry"]) for f in features]
    return codes, shapes, shapely.STRtree(shapes)


def state_at(lat, lon, tolerance_km: float = 15.0) -> np.ndarray:
    """Postal code of the state containing each point ('' where none within ``tolerance_km``)."""
    codes, shapes, tree = _index()
    lat = np.atleast_1d(np.asarray(lat, dtype=float))
    lon = np.atleast_1d(np.asarray(lon, dtype=float))
    points = shapely.points(lon, lat)
    found = np.full(len(points), "", dtype=object)
    point_index, shape_index = tree.query(points, predicate="intersects")
    found[point_index] = np.asarray(codes, dtype=object)[shape_index]
    for i in np.flatnonzero(found == ""):
        if not (np.isfinite(lat[i]) and np.isfinite(lon[i])):
            continue
        nearest = tree.nearest(points[i])
        # degrees to km on a local scale (longitude shrinks with latitude)
        dx = shapely.distance(shapely.Point(lon[i] * np.cos(np.radians(lat[i])), lat[i]),
                              shapely.affinity.scale(shapes[nearest], xfact=np.cos(np.radians(lat[i])),
                                                     origin=(0, 0)))
        if dx * KM_PER_DEGREE <= tolerance_km:
            found[i] = codes[nearest]
    return found


def in_united_states(lat: float, lon: float) -> bool:
    """True when the point is in one of the 50 states or DC (or just off its coast)."""
    return bool(state_at([lat], [lon])[0])
