"""Great-circle geometry shared by the data build, the travel model and the engine.

Points are handled as unit vectors on the sphere so that a k-d tree's straight-line
(chord) distance orders pairs exactly as the great-circle distance does; a chord
converts to an arc with ``2 * asin(chord / 2)``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: IUGG mean Earth radius (R1), the usual radius for great-circle distances.
EARTH_RADIUS_KM = 6371.0088
EARTH_RADIUS_MILES = EARTH_RADIUS_KM / 1.609344


def unit_vectors(lat: npt.ArrayLike, lon: npt.ArrayLike) -> np.ndarray:
    """Return an (n, 3) array of unit vectors for WGS84 latitudes and longitudes in degrees."""
    lat_r = np.radians(np.asarray(lat, dtype=float))
    lon_r = np.radians(np.asarray(lon, dtype=float))
    cos_lat = np.cos(lat_r)
    return np.column_stack((cos_lat * np.cos(lon_r), cos_lat * np.sin(lon_r), np.sin(lat_r)))


def chord_to_miles(chord: np.ndarray | float) -> np.ndarray:
    """Great-circle miles for a chord length between unit vectors."""
    return 2.0 * EARTH_RADIUS_MILES * np.arcsin(np.clip(np.asarray(chord) / 2.0, 0.0, 1.0))


def miles_to_chord(miles: float) -> float:
    """Chord length between unit vectors that lie ``miles`` apart on the great circle."""
    half_angle = min(miles / EARTH_RADIUS_MILES / 2.0, np.pi / 2)
    return float(2.0 * np.sin(half_angle))


def haversine_miles(lat1, lon1, lat2, lon2) -> np.ndarray:
    """Great-circle miles between points (degrees), broadcasting like numpy."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2.0 * EARTH_RADIUS_MILES * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def circle_points(lat: float, lon: float, miles: float, points: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and (unwrapped, continuous) longitudes of the great-circle circle of ``miles`` around a point."""
    phi, lam = np.radians(lat), np.radians(lon)
    delta = miles / EARTH_RADIUS_MILES
    bearing = np.linspace(0.0, 2 * np.pi, points, endpoint=False)
    lat2 = np.arcsin(np.sin(phi) * np.cos(delta) + np.cos(phi) * np.sin(delta) * np.cos(bearing))
    lon2 = lam + np.arctan2(np.sin(bearing) * np.sin(delta) * np.cos(phi), np.cos(delta) - np.sin(phi) * np.sin(lat2))
    return np.degrees(lat2), np.degrees(lon2)


def geodesic_circle(lat: float, lon: float, miles: float, points: int = 96):
    """The great-circle circle of ``miles`` around a point as a WGS84 (Multi)Polygon.

    Correct where a flat buffer is not: near the poles (a circle around a pole, or
    enclosing one, becomes a cap bounded by the ±180° meridians and the pole) and
    across the antimeridian (split into two polygons, both within -180..180°).
    """
    import shapely
    import shapely.affinity
    from shapely.geometry import Polygon, box
    from shapely.ops import unary_union

    lats, lons = circle_points(lat, lon, miles, points)
    to_north = (90.0 - lat) * np.pi / 180 * EARTH_RADIUS_MILES
    to_south = (lat + 90.0) * np.pi / 180 * EARTH_RADIUS_MILES
    if miles >= to_north or miles >= to_south:  # the circle encloses a pole: a cap
        pole = 90.0 if miles >= to_north else -90.0
        wrapped = (lons + 180.0) % 360.0 - 180.0
        order = np.argsort(wrapped)
        ring_lon, ring_lat = wrapped[order], lats[order]
        ring = ([(-180.0, pole)] + [(-180.0, float(ring_lat[0]))] + list(zip(ring_lon.tolist(), ring_lat.tolist()))
                + [(180.0, float(ring_lat[-1])), (180.0, pole)])
        return shapely.make_valid(Polygon(ring))
    lons = lon + (((lons - lon) + 180.0) % 360.0 - 180.0)  # continuous around the centre
    shape = Polygon(list(zip(lons.tolist(), lats.tolist())))
    west, _, east, _ = shape.bounds
    if west >= -180.0 and east <= 180.0:
        return shape
    parts = []
    for shift in (-360.0, 0.0, 360.0):
        piece = shapely.affinity.translate(shape, xoff=shift).intersection(box(-180.0, -90.0, 180.0, 90.0))
        if not piece.is_empty:
            parts.append(piece)
    return unary_union(parts)
