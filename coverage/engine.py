"""The coverage engine: which hub is nearest to each community, how far, and which tier.

Built once per data set and travel radius, then evaluates any set of hubs in well
under a millisecond and updates a result for one hub change in microseconds.

How
---
At build time a k-d tree over unit vectors finds every (site, community) pair within
the radius (the next-day threshold in great-circle miles) on the same landmass, and
stores it twice: by site (to add a hub) and by community (to remove one).  Each pair
is one int64 *key* (see :class:`KeyLayout`): great-circle miles in the high bits (to
about a millimetre), then the site's index, then the community's index.  The
smallest key of a community is its nearest site (ties go to the lower site index);
comparing keys with two constants gives the tier; and a whole evaluation is one
``np.minimum.at`` over the hubs' keys.  Thresholds below the built radius change
tiers without a rebuild.  A hub at arbitrary coordinates becomes a *virtual site*
with its own pairs.

Communities with no hub within the radius are tier ``none``; their distance to the
nearest hub on the same landmass (if any) is found only when asked for (``table``).
"""

from __future__ import annotations

import operator
import threading
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from coverage.geo import chord_to_miles, haversine_miles, miles_to_chord, unit_vectors
from coverage.landmass import landmass_labels
from coverage.travel import TIERS, TravelModel
from coverage.travel.pairs import great_circle_pairs, matrix_pairs

NO_HUB = np.iinfo(np.int64).max
STALE = -1  # a second-nearest key that is no longer known
SAME_DAY, NEXT_DAY, NONE = 0, 1, 2
VIRTUAL_SITES = 1 << 16  # room for hubs placed at arbitrary coordinates


class RadiusTooSmall(ValueError):
    """The travel model reaches farther than the engine was built for: build a larger engine."""


class OtherTravelModel(ValueError):
    """The travel model needs an engine of another kind (miles against minutes, or another matrix)."""


class KeyLayout:
    """How a (miles, site, community) triple packs into one ordered int64 key.

    ``key = miles * scale << (site_bits + community_bits) | site << community_bits | community``
    with as many fraction bits for the miles as the data set's size leaves (at least
    2**-8 mile, usually 2**-20).  Keys order by distance first, then by site, and no two
    pairs share a key.
    """

    def __init__(self, n_sites: int, n_communities: int, radius_miles: float):
        self.community_bits = max(1, int(n_communities).bit_length())
        self.site_bits = max(16, int(n_sites + VIRTUAL_SITES).bit_length())
        self.shift = self.site_bits + self.community_bits
        whole_bits = int(max(radius_miles, 1.0)).bit_length() + 1
        fraction_bits = min(20, 63 - self.shift - whole_bits)
        if fraction_bits < 8:
            raise ValueError("too many sites and communities for one engine")
        self.scale = float(1 << fraction_bits)
        self.community_mask = (1 << self.community_bits) - 1
        self.site_mask = (1 << self.site_bits) - 1
        self.max_sites = self.site_mask

    def encode(self, miles: np.ndarray, sites: np.ndarray, communities: np.ndarray) -> np.ndarray:
        """Keys of pairs."""
        return ((np.floor(np.asarray(miles) * self.scale).astype(np.int64) << self.shift)
                | (np.asarray(sites, dtype=np.int64) << self.community_bits) | np.asarray(communities, dtype=np.int64))

    def community(self, keys: np.ndarray) -> np.ndarray:
        """Community index of each key."""
        return keys & self.community_mask

    def site(self, keys: np.ndarray) -> np.ndarray:
        """Site index of each key (meaningless for NO_HUB)."""
        return (keys >> self.community_bits) & self.site_mask

    def miles(self, keys: np.ndarray) -> np.ndarray:
        """Great-circle miles held in keys; NaN where there is no hub."""
        miles = (keys >> self.shift).astype(float) / self.scale
        return np.where(keys == NO_HUB, np.nan, miles)

    def tier_limits(self, travel: TravelModel) -> tuple[int, int]:
        """Largest key of each tier: a key at or below the first is same-day, the second next-day."""
        low = (1 << self.shift) - 1
        same, nxt = travel.limits
        return ((int(np.floor(same * self.scale)) << self.shift) | low,
                (int(np.floor(nxt * self.scale)) << self.shift) | low)


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Concatenation of ``arange(s, e)`` for each pair, without a Python loop."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + offsets


def tiers_of(keys: np.ndarray, limits: tuple[int, int]) -> np.ndarray:
    """Tier code (0 same-day, 1 next-day, 2 none) of each key."""
    return (keys > limits[0]).astype(np.intp) + (keys > limits[1])


@dataclass(frozen=True)
class SiteReach:
    """What a hub at one site reaches under one travel model: every community within the next-day threshold.

    ``communities`` are indices into the engine's communities (in the pair table's order); ``keys``
    their pair keys (:class:`KeyLayout`: distance, then site, then community); ``same_day``
    marks those within the same-day threshold.  ``minutes`` is the travel model's drive
    minutes of each (computed when first asked for).
    """

    communities: np.ndarray
    keys: np.ndarray
    same_day: np.ndarray
    engine: "CoverageEngine"
    travel: TravelModel

    @property
    def minutes(self) -> np.ndarray:
        return self.engine.minutes_of(self.keys, self.travel)


@dataclass(frozen=True)
class _Points:
    ids: np.ndarray
    xyz: np.ndarray
    land: np.ndarray


class CoverageEngine:
    """Site x community pairs within ``radius_miles`` for one data set; evaluates hubs.

    Parameters
    ----------
    communities
        Table with ``community_id, name, state, county, lat, lon, population``.
    sites
        Candidate sites with ``site_id, lat, lon`` (and optionally ``name``); by
        default every community is a site, with ``site_id = community_id``.
    radius_miles
        Largest great-circle distance a hub can cover; thresholds must not exceed it.
    matrix
        A :class:`~coverage.travel.matrix.TravelMatrix`: the engine then holds the pairs it
        lists, valued in minutes (``unit == "minutes"``), instead of great-circle miles.

    Examples
    --------
    >>> engine = CoverageEngine(communities, radius_miles=TravelModel().threshold_miles[1])
    >>> result = engine.evaluate([engine.site_index["5445298"]], TravelModel())
    >>> result.totals()["communities"]["same_day"]
    """

    def __init__(self, communities: pd.DataFrame, sites: pd.DataFrame | None = None, *,
                 radius_miles: float | None = None, matrix=None, chunk: int = 4096):
        if sites is None:
            sites = communities.rename(columns={"community_id": "site_id"})
        self.communities = communities.reset_index(drop=True)
        self.sites = sites.reset_index(drop=True)
        self.matrix = matrix
        self.unit = "minutes" if matrix is not None else "miles"
        if matrix is not None:
            matrix.check(self.sites["site_id"].astype(str).to_numpy(),
                         self.communities["community_id"].astype(str).to_numpy())
            radius_miles = float(matrix.minutes.max()) if len(matrix) else 1.0
        if radius_miles is None:
            raise ValueError("give radius_miles (how far the pairs reach) or a travel matrix")
        #: How far the engine's pairs reach, in :attr:`unit`: great-circle miles for the geometric travel modes,
        #: minutes for a matrix (what ``TravelMode.engine_unit`` says); ``radius_miles`` is its older name.
        self.reach_limit = float(radius_miles)
        self.layout = KeyLayout(len(sites), len(communities), self.reach_limit)
        self.population = self.communities["population"].to_numpy(dtype=np.int64)
        self._population_weights = self.population.astype(float)  # bincount weights, converted once
        labels_c = landmass_labels(self.communities["lat"], self.communities["lon"])
        labels_s = landmass_labels(self.sites["lat"], self.sites["lon"])
        self._land_codes: dict[str, int] = {}
        self._community = _Points(self.communities["community_id"].astype(str).to_numpy(),
                                  unit_vectors(self.communities["lat"], self.communities["lon"]),
                                  self._encode_land(labels_c))
        self._site = _Points(self.sites["site_id"].astype(str).to_numpy(),
                             unit_vectors(self.sites["lat"], self.sites["lon"]), self._encode_land(labels_s))
        self._site_lat = self.sites["lat"].to_numpy(dtype=float)
        self._site_lon = self.sites["lon"].to_numpy(dtype=float)
        self.community_landmass = labels_c
        self.site_landmass = labels_s
        self.n_communities = len(self.communities)
        self.n_sites = len(self.sites)
        self.site_index: dict[str, int] = {sid: i for i, sid in enumerate(self._site.ids)}
        self.community_index: dict[str, int] = {cid: i for i, cid in enumerate(self._community.ids)}
        self._community_tree = cKDTree(self._community.xyz)
        if matrix is not None:
            source = matrix_pairs(matrix, self._site.ids, self._community.ids)
        else:
            source = great_circle_pairs(self._site.xyz, self._site.land, self._community_tree, self._community.land,
                                        self.reach_limit, chunk)
        self._build_pairs(source)
        # Virtual sites (hubs at arbitrary coordinates), appended on demand.
        self._lock = threading.Lock()
        self._virtual_rows: list[tuple[np.ndarray, np.ndarray]] = []
        self._virtual_points: dict[tuple[float, float], int] = {}
        self._virtual_xyz = np.zeros((0, 3))
        self._virtual_land = np.zeros(0, dtype=np.int64)
        self._virtual_lat_lon: list[tuple[float, float]] = []
        self.state_codes, self.states = pd.factorize(self.communities["state"].astype(str), sort=True)
        county_key = self.communities["state"].astype(str) + "|" + self.communities["county"].astype(str)
        self.county_codes, self.counties = pd.factorize(county_key, sort=True)

    # -- build ---------------------------------------------------------------------
    def _encode_land(self, labels: np.ndarray) -> np.ndarray:
        return np.array([self._land_codes.setdefault(label, len(self._land_codes)) for label in labels],
                        dtype=np.int64)

    def _build_pairs(self, source) -> None:
        """Pack a travel model's (site, community, value) pairs (``coverage/travel/pairs.py``) into the tables."""
        site_parts, col_parts, key_parts = [], [], []
        for site, col, value in source:
            site_parts.append(site.astype(np.int32))
            col_parts.append(col.astype(np.int64))
            key_parts.append(self.layout.encode(value, site, col))
        site = np.concatenate(site_parts) if site_parts else np.zeros(0, np.int32)
        col = np.concatenate(col_parts) if col_parts else np.zeros(0, np.int64)
        key = np.concatenate(key_parts) if key_parts else np.zeros(0, np.int64)
        del site_parts, col_parts, key_parts
        order = np.argsort(site, kind="stable")
        self._row_ptr = np.searchsorted(site[order], np.arange(self.n_sites + 1)).astype(np.int64)
        self._row_col = col[order]
        self._row_key = key[order]
        del order, site
        bounds = self._row_ptr.tolist()
        self._row_cols = [self._row_col[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        self._row_keys = [self._row_key[a:b] for a, b in zip(bounds[:-1], bounds[1:])]
        order = np.argsort(col, kind="stable")
        self._col_ptr = np.searchsorted(col[order], np.arange(self.n_communities + 1)).astype(np.int64)
        self._col_key = key[order]
        self.pairs = int(len(key))

    @property
    def radius_miles(self) -> float:
        """The older name of :attr:`reach_limit`: miles for the geometric modes, but minutes for a matrix."""
        return self.reach_limit

    @property
    def memory_bytes(self) -> int:
        """Bytes held by the pair tables."""
        return sum(a.nbytes for a in (self._row_ptr, self._row_col, self._row_key, self._col_ptr, self._col_key))

    # -- sites -----------------------------------------------------------------------
    def site_for_point(self, lat: float, lon: float) -> int:
        """Index of a (virtual) site at these coordinates, for a hub placed off the candidate list."""
        if self.matrix is not None:
            from coverage.errors import InputError, Problem

            raise InputError(Problem("with a travel-time matrix, a hub must stand on a candidate site the matrix "
                                     "lists (it holds no times from other points)", column="lat/lon"))
        point = (round(float(lat), 7), round(float(lon), 7))
        with self._lock:
            if point in self._virtual_points:
                return self._virtual_points[point]
            xyz = unit_vectors([point[0]], [point[1]])
            land = self._encode_land(landmass_labels([point[0]], [point[1]]))
            cols = np.asarray(self._community_tree.query_ball_point(xyz[0], miles_to_chord(self.reach_limit)),
                              dtype=np.int64)
            cols = cols[self._community.land[cols] == land[0]] if len(cols) else cols
            miles = chord_to_miles(np.linalg.norm(self._community.xyz[cols] - xyz[0], axis=1))
            keep = miles <= self.reach_limit
            index = self.n_sites + len(self._virtual_rows)
            if index >= self.layout.max_sites:
                raise ValueError("too many hubs at arbitrary coordinates")
            cols, miles = cols[keep], miles[keep]
            order = np.argsort(cols)
            self._virtual_rows.append((cols[order], self.layout.encode(miles[order], np.full(len(cols), index),
                                                                        cols[order])))
            self._virtual_xyz = np.vstack([self._virtual_xyz, xyz])
            self._virtual_land = np.append(self._virtual_land, land)
            self._virtual_lat_lon.append(point)
            self._virtual_points[point] = index
            return index

    def site_label(self, site: int) -> str:
        """'Name, ST' of a candidate site (just the name where the state is unknown)."""
        row = self.sites.iloc[site]
        state = str(row.get("state", ""))
        return f"{row['name']}, {state}" if state else str(row["name"])

    def site_lat_lon(self, site: int) -> tuple[float, float]:
        """Coordinates of a site or virtual site."""
        lat, lon = self.site_coordinates(np.array([site]))
        return float(lat[0]), float(lon[0])

    def site_coordinates(self, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Latitude and longitude arrays of sites and virtual sites."""
        sites = np.asarray(sites, dtype=np.int64)
        base = sites < self.n_sites
        lat = np.empty(len(sites))
        lon = np.empty(len(sites))
        lat[base] = self._site_lat[sites[base]]
        lon[base] = self._site_lon[sites[base]]
        for i in np.flatnonzero(~base):
            lat[i], lon[i] = self._virtual_lat_lon[sites[i] - self.n_sites]
        return lat, lon

    def reach(self, site: int, travel: TravelModel) -> SiteReach:
        """What a hub at ``site`` (a candidate or virtual site) reaches under ``travel``, with the tier of each.

        Communities on another landmass, or beyond the next-day threshold, are not there.
        """
        communities, keys = self._row(site)
        same_limit, next_limit = self.layout.tier_limits(travel)
        within = keys <= next_limit
        communities, keys = communities[within], keys[within]
        return SiteReach(communities, keys, keys <= same_limit, self, travel)

    def _row(self, site: int) -> tuple[np.ndarray, np.ndarray]:
        """The (communities, keys) a site reaches: views into the pair table."""
        if site < self.n_sites:
            return self._row_cols[site], self._row_keys[site]
        return self._virtual_rows[site - self.n_sites]

    def _site_xyz(self, sites: np.ndarray) -> np.ndarray:
        base = sites < self.n_sites
        out = np.empty((len(sites), 3))
        out[base] = self._site.xyz[sites[base]]
        out[~base] = self._virtual_xyz[sites[~base] - self.n_sites]
        return out

    def _site_land(self, sites: np.ndarray) -> np.ndarray:
        base = sites < self.n_sites
        out = np.empty(len(sites), dtype=np.int64)
        out[base] = self._site.land[sites[base]]
        out[~base] = self._virtual_land[sites[~base] - self.n_sites]
        return out

    # -- evaluation ----------------------------------------------------------------
    def n_sites_total(self) -> int:
        """Candidate sites plus the virtual sites created so far."""
        return self.n_sites + len(self._virtual_rows)

    def nearest_keys(self, active_sites: np.ndarray) -> np.ndarray:
        """Smallest key of every community over the given (distinct) active sites; NO_HUB where none."""
        sites = np.asarray(active_sites).tolist()
        best = np.full(self.n_communities, NO_HUB, dtype=np.int64)
        if not sites:
            return best
        if max(sites) < self.n_sites:
            keys = operator.itemgetter(*sites)(self._row_keys)  # one C call picks every row
            keys = np.concatenate(keys) if len(sites) > 1 else keys
        else:
            keys = np.concatenate([self._row(site)[1] for site in sites])
        np.minimum.at(best, keys & self.layout.community_mask, keys)
        return best

    def second_keys(self, active_sites: np.ndarray, best: np.ndarray) -> np.ndarray:
        """Second-smallest key of every community over the active sites (keys are unique, so the best is skipped)."""
        sites = np.asarray(active_sites).tolist()
        second = np.full(self.n_communities, NO_HUB, dtype=np.int64)
        if sites:
            keys = np.concatenate([self._row(site)[1] for site in sites])
            communities = keys & self.layout.community_mask
            others = keys != best[communities]
            np.minimum.at(second, communities[others], keys[others])
        return second

    def recompute_keys(self, communities: np.ndarray, active: np.ndarray) -> np.ndarray:
        """Smallest key of the given communities over sites where ``active`` is true."""
        starts, stops = self._col_ptr[communities], self._col_ptr[communities + 1]
        if len(communities) <= 64:  # a few communities: slicing beats building index ranges
            keys = np.concatenate([self._col_key[a:b] for a, b in zip(starts.tolist(), stops.tolist())]
                                  or [np.zeros(0, np.int64)])
        else:
            keys = self._col_key[_ranges(starts, stops)]
        usable = active[self.layout.site(keys)]
        segment = np.repeat(np.arange(len(communities)), stops - starts)
        best = np.full(len(communities), NO_HUB, dtype=np.int64)
        np.minimum.at(best, segment[usable], keys[usable])
        if len(self._virtual_rows) and active[self.n_sites:].any():
            position = np.full(self.n_communities, -1, dtype=np.int64)
            position[communities] = np.arange(len(communities))
            for site in np.flatnonzero(active[self.n_sites:]) + self.n_sites:
                cols, keys = self._virtual_rows[site - self.n_sites]
                where = position[cols]
                hit = where >= 0
                np.minimum.at(best, where[hit], keys[hit])
        return best

    def evaluate(self, hub_sites: Sequence[int], travel: TravelModel,
                 hub_ids: Sequence[str] | None = None) -> "Coverage":
        """Coverage of hubs at these site indices (scenario order) under a travel model."""
        self.check_travel(travel)
        sites = np.asarray(hub_sites, dtype=np.int64)
        ids = tuple(hub_ids) if hub_ids is not None else tuple(f"h{i + 1}" for i in range(len(sites)))
        return Coverage._fresh(self, sites, ids, travel)

    def check_travel(self, travel: TravelModel) -> None:
        """Raise :class:`RadiusTooSmall` when ``travel`` reaches past the built radius, or is another kind of model."""
        if travel.unit != self.unit:
            raise OtherTravelModel(f"this engine holds {self.unit}; the {travel.mode} model needs another")
        if self.matrix is not None:
            if travel.matrix is not None and travel.matrix != self.matrix.fingerprint:
                raise OtherTravelModel(f"this plan was made with travel matrix {travel.matrix}; the matrix given is "
                                       f"{self.matrix.fingerprint} ({self.matrix.source})")
            return  # a matrix's pairs are all there: any threshold applies
        if travel.threshold_miles[1] > self.reach_limit * (1 + 1e-12):
            raise RadiusTooSmall(f"next-day radius {travel.threshold_miles[1]:.1f} mi exceeds the engine's "
                                 f"{self.reach_limit:.1f} mi")

    def minutes_of(self, keys: np.ndarray, travel: TravelModel) -> np.ndarray:
        """Drive minutes the travel model gives for pairs' keys (NaN where there is no hub)."""
        values = self.layout.miles(keys)
        return values if self.unit == "minutes" else travel.drive_minutes(values)

    def miles_of(self, keys: np.ndarray) -> np.ndarray:
        """Great-circle miles between each key's site and community (NaN where there is no hub)."""
        if self.unit == "miles":
            return self.layout.miles(keys)
        miles = np.full(len(keys), np.nan)
        real = keys != NO_HUB
        lat, lon = self.site_coordinates(self.layout.site(keys[real]))
        community = self.layout.community(keys[real])
        miles[real] = haversine_miles(lat, lon, self.communities["lat"].to_numpy()[community],
                                      self.communities["lon"].to_numpy()[community])
        return miles

    # -- beyond the radius -----------------------------------------------------------
    def nearest_beyond(self, communities: np.ndarray, sites: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest site (and great-circle miles) on the same landmass, for communities with none in range."""
        site_out = np.full(len(communities), -1, dtype=np.int64)
        miles_out = np.full(len(communities), np.nan)
        sites = np.unique(np.asarray(sites, dtype=np.int64))
        if not len(communities) or not len(sites) or self.matrix is not None:  # a pair a matrix omits: no road
            return site_out, miles_out
        site_land = self._site_land(sites)
        site_xyz = self._site_xyz(sites)
        community_land = self._community.land[communities]
        for land in np.unique(community_land):
            on_land = sites[site_land == land]
            if not len(on_land):
                continue
            which = np.flatnonzero(community_land == land)
            chord, nearest = cKDTree(site_xyz[site_land == land]).query(self._community.xyz[communities[which]])
            site_out[which] = on_land[nearest]
            miles_out[which] = chord_to_miles(chord)
        return site_out, miles_out


class Coverage:
    """One evaluation of a set of hubs: immutable; changes return a new ``Coverage``.

    ``keys`` holds each community's nearest-site key (see the module notes), ``tier``
    its tier code (0 same-day, 1 next-day, 2 none).  Totals by tier are kept up to
    date by every change, so the key figures cost nothing to read.
    """

    __slots__ = ("engine", "travel", "hub_sites", "hub_ids", "keys", "tier", "_limits",
                 "_count", "_population", "_site_count", "_beyond", "_backup")
    engine: CoverageEngine
    travel: TravelModel
    hub_sites: np.ndarray
    hub_ids: tuple
    keys: np.ndarray
    tier: np.ndarray
    _limits: tuple[int, int]
    _count: np.ndarray
    _population: np.ndarray
    _site_count: np.ndarray
    _beyond: tuple[np.ndarray, np.ndarray, np.ndarray] | None
    _backup: np.ndarray | None

    @classmethod
    def _fresh(cls, engine: CoverageEngine, hub_sites: np.ndarray, hub_ids: tuple, travel: TravelModel) -> "Coverage":
        self = cls.__new__(cls)
        self.engine, self.travel, self.hub_sites, self.hub_ids = engine, travel, hub_sites, hub_ids
        self._site_count = np.bincount(hub_sites, minlength=engine.n_sites_total())
        self.keys = engine.nearest_keys(np.flatnonzero(self._site_count))
        self._backup = None  # second-nearest keys, worked out on the first removal
        self._set_travel(travel)
        return self

    def _set_travel(self, travel: TravelModel) -> None:
        self.travel, self._limits, self._beyond = travel, self.engine.layout.tier_limits(travel), None
        self.tier = tiers_of(self.keys, self._limits)
        self._count = np.bincount(self.tier, minlength=3)
        self._population = np.bincount(self.tier, weights=self.engine._population_weights, minlength=3)

    def _changed(self, hub_sites: np.ndarray, hub_ids: tuple, removed: int | None, added: int | None) -> "Coverage":
        """A new coverage after one hub left ``removed`` and/or one arrived at ``added``.

        Removals promote each orphaned community's second-nearest key (``_backup``, kept
        up to date by adds, ``STALE`` once used) and recompute from the pair table only
        where a backup is spent.
        """
        engine = self.engine
        other = Coverage.__new__(Coverage)
        other.engine, other.travel, other._limits, other._beyond = engine, self.travel, self._limits, None
        other.hub_sites, other.hub_ids = hub_sites, hub_ids
        other.keys, other.tier, other._count, other._population = self.keys, self.tier, self._count, self._population
        counts = self._site_count
        if removed is not None and removed == added:  # a hub moved onto its own site: nothing changes
            other._site_count, other._backup = counts, self._backup
            return other
        if added is not None and added >= len(counts):
            counts = np.pad(counts, (0, engine.n_sites_total() - len(counts)))
        else:
            counts = counts.copy()
        other._site_count = counts
        backup = self._backup
        if removed is not None:
            counts[removed] -= 1
            if counts[removed] == 0 and backup is None:
                backup = self._backup = engine.second_keys(np.flatnonzero(self._site_count), self.keys)
        if added is not None:
            counts[added] += 1
        if removed is not None and counts[removed] == 0:
            cols, keys = engine._row(removed)
            current = other.keys[cols]
            lost = cols[current == keys]  # keys are unique per pair: equal means this site was the nearest
            assert backup is not None  # worked out above when the removed site's last hub left
            backup = backup.copy()
            backup[cols[backup[cols] == keys]] = STALE  # a backup at the removed site is gone too
            if len(lost):
                new_keys = backup[lost]
                spent = new_keys == STALE
                if spent.any():
                    new_keys[spent] = engine.recompute_keys(lost[spent], counts > 0)
                backup[lost] = STALE
                other._update(lost, new_keys)
        if added is not None and counts[added] == 1:
            cols, keys = engine._row(added)
            current = other.keys[cols]
            better = keys < current
            if backup is not None:
                backup = backup.copy() if backup is self._backup else backup
                # STALE (-1) is below every key, so the minimum keeps an unknown backup unknown
                backup[cols] = np.where(better, current, np.minimum(backup[cols], keys))
            if better.any():
                other._update(cols[better], keys[better])
        other._backup = backup
        return other

    def _update(self, where: np.ndarray, keys: np.ndarray) -> None:
        """Give communities ``where`` new keys, keeping tiers and totals in step (copy on first write)."""
        old_tier = self.tier[where]
        new_tier = tiers_of(keys, self._limits)
        population = self.engine._population_weights[where]
        self.keys = self.keys.copy()
        self.keys[where] = keys
        self.tier = self.tier.copy()
        self.tier[where] = new_tier
        self._count = self._count + np.bincount(new_tier, minlength=3) - np.bincount(old_tier, minlength=3)
        self._population = self._population + (np.bincount(new_tier, weights=population, minlength=3)
                                               - np.bincount(old_tier, weights=population, minlength=3))

    # -- changes ---------------------------------------------------------------------
    def with_hub_added(self, site: int, hub_id: str | None = None) -> "Coverage":
        """This coverage with one more hub at ``site`` (appended to the hub list)."""
        hub_id = hub_id if hub_id is not None else f"h{len(self.hub_ids) + 1}"
        return self._changed(np.append(self.hub_sites, int(site)), self.hub_ids + (hub_id,), None, int(site))

    def with_hub_removed(self, position: int) -> "Coverage":
        """This coverage without the hub at ``position`` in the hub list."""
        ids = self.hub_ids[:position] + self.hub_ids[position + 1:]
        sites = np.concatenate((self.hub_sites[:position], self.hub_sites[position + 1:]))
        return self._changed(sites, ids, int(self.hub_sites[position]), None)

    def with_hub_moved(self, position: int, site: int) -> "Coverage":
        """This coverage with the hub at ``position`` moved to ``site`` (same place in the list)."""
        sites = self.hub_sites.copy()
        sites[position] = int(site)
        return self._changed(sites, self.hub_ids, int(self.hub_sites[position]), int(site))

    def with_travel(self, travel: TravelModel) -> "Coverage":
        """The same hubs under other thresholds (no rebuild while within the engine's radius)."""
        self.engine.check_travel(travel)
        other = Coverage.__new__(Coverage)
        other.engine, other.hub_sites, other.hub_ids = self.engine, self.hub_sites, self.hub_ids
        other.keys, other._site_count, other._backup = self.keys, self._site_count, self._backup
        other._set_travel(travel)
        return other

    # -- figures -----------------------------------------------------------------------
    def totals(self) -> dict:
        """Communities and population by tier: ``{"communities": {...}, "population": {...}}``."""
        return {"communities": {t: int(n) for t, n in zip(TIERS, self._count)},
                "population": {t: int(round(p)) for t, p in zip(TIERS, self._population)}}

    @property
    def nearest_site(self) -> np.ndarray:
        """Index of the nearest hub's site within the radius (-1 where none)."""
        return np.where(self.keys == NO_HUB, -1, self.engine.layout.site(self.keys))

    def _beyond_radius(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._beyond is None:
            outside = np.flatnonzero(self.keys == NO_HUB)
            sites, miles = self.engine.nearest_beyond(outside, self.hub_sites)
            self._beyond = (outside, sites, miles)
        return self._beyond

    @property
    def distance_miles(self) -> np.ndarray:
        """Great-circle miles to the nearest hub on the same landmass (NaN where none)."""
        miles = self.engine.miles_of(self.keys)
        outside, _, far = self._beyond_radius()
        miles[outside] = far
        return miles

    @property
    def drive_minutes(self) -> np.ndarray:
        """Minutes to the nearest reachable hub by the travel model (NaN where none)."""
        if self.engine.unit == "minutes":
            return self.engine.minutes_of(self.keys, self.travel)
        return self.travel.drive_minutes(self.distance_miles)

    @property
    def nearest_hub_site(self) -> np.ndarray:
        """Site of the nearest hub on the same landmass, within the radius or beyond (-1 where none)."""
        sites = self.nearest_site
        outside, far_sites, _ = self._beyond_radius()
        sites[outside] = far_sites
        return sites

    def nearest_hub_ids(self) -> np.ndarray:
        """Id of the nearest hub ('' where none); of several hubs on one site, the first listed."""
        first: dict[int, str] = {}
        for site, hub_id in zip(self.hub_sites.tolist(), self.hub_ids):
            first.setdefault(site, hub_id)
        sites = self.nearest_hub_site
        lookup = np.array([""] + [first.get(s, "") for s in range(int(sites.max()) + 1)] if len(sites) and
                          sites.max() >= 0 else [""], dtype=object)
        return lookup[sites + 1]

    def table(self) -> pd.DataFrame:
        """The per-community table of the contract: columns in order, then ``landmass``."""
        communities = self.engine.communities
        miles = self.distance_miles
        table = pd.DataFrame({
            "community_id": communities["community_id"].astype(str),
            "name": communities["name"], "state": communities["state"], "county": communities["county"],
            "lat": communities["lat"], "lon": communities["lon"], "population": communities["population"],
            "tier": np.array(TIERS, dtype=object)[self.tier],
            "drive_minutes": self.drive_minutes,
            "distance_miles": miles,
            "nearest_hub_id": self.nearest_hub_ids(),
        })
        table["landmass"] = self.engine.community_landmass
        return table

    def _by(self, codes: np.ndarray, labels) -> tuple[np.ndarray, np.ndarray]:
        n = len(labels)
        flat = codes * 3 + self.tier
        count = np.bincount(flat, minlength=n * 3).reshape(n, 3)
        population = np.bincount(flat, weights=self.engine.population, minlength=n * 3).reshape(n, 3)
        return count, population

    def _grouped(self, codes: np.ndarray, labels, index: dict) -> pd.DataFrame:
        count, population = self._by(codes, labels)
        frame = pd.DataFrame(index)
        for i, tier in enumerate(TIERS):
            frame[f"communities_{tier}"] = count[:, i]
        frame["communities"] = count.sum(axis=1)
        for i, tier in enumerate(TIERS):
            frame[f"population_{tier}"] = population[:, i].round().astype(np.int64)
        frame["population"] = frame[[f"population_{t}" for t in TIERS]].sum(axis=1)
        covered = frame["population_same_day"] + frame["population_next_day"]
        frame["population_covered_share"] = np.where(frame["population"] > 0, covered / frame["population"], 0.0)
        return frame

    def by_state(self) -> pd.DataFrame:
        """Communities and population by tier for each state."""
        return self._grouped(self.engine.state_codes, self.engine.states, {"state": list(self.engine.states)})

    def by_county(self) -> pd.DataFrame:
        """Communities and population by tier for each county (state, county name)."""
        parts = [label.split("|", 1) for label in self.engine.counties]
        return self._grouped(self.engine.county_codes, self.engine.counties,
                             {"state": [p[0] for p in parts], "county": [p[1] for p in parts]})

    def hub_catchments(self) -> pd.DataFrame:
        """For each hub: communities and population it serves as nearest hub, by tier."""
        first: dict[int, int] = {}
        for position, site in enumerate(self.hub_sites.tolist()):
            first.setdefault(site, position)
        covered = self.tier < NONE
        sites = self.engine.layout.site(self.keys[covered])
        owner = np.array([first[s] for s in sites.tolist()], dtype=np.int64)
        n = len(self.hub_ids)
        flat = owner * 2 + self.tier[covered]
        count = np.bincount(flat, minlength=2 * n).reshape(n, 2) if n else np.zeros((0, 2), int)
        population = (np.bincount(flat, weights=self.engine.population[covered], minlength=2 * n).reshape(n, 2)
                      if n else np.zeros((0, 2)))
        return pd.DataFrame({
            "hub_id": list(self.hub_ids),
            "communities_same_day": count[:, 0], "communities_next_day": count[:, 1],
            "population_same_day": population[:, 0].round().astype(np.int64),
            "population_next_day": population[:, 1].round().astype(np.int64),
        })
