"""Great-circle geometry shared by the data build, the travel model and the engine.

Points are handled as unit vectors on the sphere so that a k-d tree's straight-line
(chord) distance orders pairs exactly as the great-circle distance does; a chord
converts to an arc with ``2 * asin(chord / 2)``.
"""

from __future__ import annotations

import numpy as np

#: IUGG mean Earth radius (R1), the usual radius for great-circle distances.
EARTH_RADIUS_KM = 6371.0088
EARTH_RADIUS_MILES = EARTH_RADIUS_KM / 1.609344


def unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
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
