"""The one interface between travel models and the engine: (site, community, value) pairs within reach.

Every travel model yields, in chunks, the pairs a hub could serve: the site's index, the
community's index, and the value the thresholds are compared with: great-circle miles
for the circuity and radius models (a k-d tree over unit vectors finds the pairs, one
landmass at a time), minutes for a travel-time matrix (its rows, as given).  The engine
packs them into its ordered keys and never needs to know which model made them, so a
matrix with as many pairs evaluates exactly as fast as the circuity model.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np
from scipy.spatial import cKDTree

from coverage.geo import chord_to_miles, miles_to_chord

Chunk = tuple[np.ndarray, np.ndarray, np.ndarray]  # site indices, community indices, values


def great_circle_pairs(site_xyz: np.ndarray, site_land: np.ndarray, community_tree: cKDTree,
                       community_land: np.ndarray, radius_miles: float, chunk: int = 4096) -> Iterator[Chunk]:
    """Pairs within ``radius_miles`` great-circle miles on the same landmass; values in miles."""
    chord = miles_to_chord(radius_miles)
    for start in range(0, len(site_xyz), chunk):
        stop = min(start + chunk, len(site_xyz))
        tree = cKDTree(site_xyz[start:stop])
        pairs = tree.sparse_distance_matrix(community_tree, chord, output_type="ndarray")
        site = pairs["i"].astype(np.int64) + start
        community = pairs["j"].astype(np.int64)
        same = site_land[site] == community_land[community]
        site, community = site[same], community[same]
        miles = chord_to_miles(pairs["v"][same])
        keep = miles <= radius_miles
        yield site[keep], community[keep], miles[keep]


def matrix_pairs(matrix, site_ids: np.ndarray, community_ids: np.ndarray, chunk: int = 20_000_000) -> Iterator[Chunk]:
    """The pairs a travel-time matrix lists, bound to the data's sites and communities; values in minutes."""
    site_of = matrix.bind_sites(site_ids)
    community_of = matrix.bind_communities(community_ids)
    for start in range(0, len(matrix.minutes), chunk):
        stop = min(start + chunk, len(matrix.minutes))
        yield (site_of[matrix.site_codes[start:stop]].astype(np.int64),
               community_of[matrix.community_codes[start:stop]].astype(np.int64), matrix.minutes[start:stop])
