"""The engine against brute force, its properties, and known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage.dataset import default_communities
from coverage.engine import CoverageEngine, RadiusTooSmall
from coverage.landmass import landmass_labels
from coverage.travel import TravelModel

# Places where geography gets interesting: Kansas, Maui/Molokai, the Kenai and Kodiak,
# Cape Cod and the islands, the Florida Keys.
ANCHORS = [(38.5, -99.0), (20.9, -156.6), (60.3, -151.5), (57.7, -152.5), (41.4, -70.4), (24.7, -81.0)]


@st.composite
def points(draw, n_min=1, n_max=40):
    n = draw(st.integers(n_min, n_max))
    anchor = draw(st.lists(st.sampled_from(ANCHORS), min_size=n, max_size=n))
    jitter = draw(st.lists(st.tuples(st.floats(-1.5, 1.5), st.floats(-2.0, 2.0)), min_size=n, max_size=n))
    return [(a[0] + j[0], a[1] + j[1]) for a, j in zip(anchor, jitter)]


def frame(coordinates, prefix="c") -> pd.DataFrame:
    lat, lon = zip(*coordinates)
    return pd.DataFrame({"community_id": [f"{prefix}{i}" for i in range(len(lat))], "name": "x", "state": "KS",
                         "county": "K", "lat": lat, "lon": lon, "population": np.arange(len(lat)) * 100 + 7})


def haversine(lat1, lon1, lat2, lon2):
    """Great-circle miles, written independently of the engine (law of haversines)."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dl = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 3958.7613 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))


def brute_force(communities, sites, hubs, same_miles, next_miles):
    """Dense all-pairs tiers and distances, for comparison."""
    d = haversine(communities.lat.to_numpy(), communities.lon.to_numpy(),
                  sites.lat.to_numpy()[hubs], sites.lon.to_numpy()[hubs])
    land_c = landmass_labels(communities.lat, communities.lon)
    land_h = landmass_labels(sites.lat.to_numpy()[hubs], sites.lon.to_numpy()[hubs])
    d[land_c[:, None] != land_h[None, :]] = np.inf
    nearest = d.min(axis=1) if len(hubs) else np.full(len(communities), np.inf)
    tiers = np.where(nearest <= same_miles, 0, np.where(nearest <= next_miles, 1, 2))
    return tiers, nearest


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(community_points=points(), site_points=points(), data=st.data())
def test_engine_equals_dense_all_pairs(community_points, site_points, data):
    communities = frame(community_points)
    sites = frame(site_points, "s").rename(columns={"community_id": "site_id"})
    radius = data.draw(st.floats(5, 400))
    same = data.draw(st.floats(1, radius))
    nxt = data.draw(st.floats(same, radius))
    hubs = data.draw(st.lists(st.integers(0, len(sites) - 1), max_size=12))
    engine = CoverageEngine(communities, sites, radius_miles=radius)
    travel = TravelModel(mode="radius", same_day_miles=same, next_day_miles=nxt)
    result = engine.evaluate(hubs, travel)
    tiers, nearest = brute_force(communities, sites, np.array(hubs, dtype=int), same, nxt)
    # Distances are resolved to 2**-20 mile; allow that much at a threshold.
    clear = (np.abs(nearest - same) > 1e-5) & (np.abs(nearest - nxt) > 1e-5)
    assert np.array_equal(result.tier[clear], tiers[clear])
    reachable = np.isfinite(nearest)
    assert np.allclose(result.distance_miles[reachable], nearest[reachable], atol=1e-5)
    assert np.isnan(result.distance_miles[~reachable]).all()
    totals = result.totals()
    assert sum(totals["communities"].values()) == len(communities)
    assert sum(totals["population"].values()) == communities.population.sum()


@pytest.fixture(scope="module")
def engine() -> CoverageEngine:
    return CoverageEngine(default_communities(), radius_miles=TravelModel().threshold_miles[1])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3999), min_size=1, max_size=60, unique=True), st.integers(0, 3999))
def test_adding_a_hub_never_worsens_any_community(engine, hubs, extra):
    travel = TravelModel()
    before = engine.evaluate(hubs, travel)
    after = before.with_hub_added(extra)
    assert (after.tier <= before.tier).all()
    assert (np.nan_to_num(after.distance_miles, nan=np.inf) <= np.nan_to_num(before.distance_miles, nan=np.inf)).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(0, 3999), min_size=1, max_size=60), st.floats(10, 90), st.floats(0, 150))
def test_raising_a_threshold_never_lowers_a_tier(engine, hubs, same, extra):
    low = TravelModel(same_day_minutes=same, next_day_minutes=same + extra)
    high = TravelModel(same_day_minutes=same + extra / 2, next_day_minutes=min(same + extra * 1.5, 240))
    a = engine.evaluate(hubs, low)
    b = a.with_travel(high)
    assert (b.tier <= a.tier).all()
    assert np.array_equal(b.tier, engine.evaluate(hubs, high).tier)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3999), min_size=2, max_size=80),
       st.lists(st.tuples(st.sampled_from(["add", "remove", "move"]), st.integers(0, 3999), st.integers(0, 500)),
                max_size=25))
def test_incremental_updates_equal_a_fresh_evaluation(engine, hubs, changes):
    travel = TravelModel()
    current = engine.evaluate(hubs, travel)
    for kind, site, position in changes:
        if kind == "add" or len(current.hub_sites) == 0:
            current = current.with_hub_added(site)
        elif kind == "remove":
            current = current.with_hub_removed(position % len(current.hub_sites))
        else:
            current = current.with_hub_moved(position % len(current.hub_sites), site)
        fresh = engine.evaluate(current.hub_sites, travel, current.hub_ids)
        assert np.array_equal(current.keys, fresh.keys)
        assert np.array_equal(current.tier, fresh.tier)
        assert current.totals() == fresh.totals()
        if current._backup is not None:  # every second-nearest key still known is right
            active = np.flatnonzero(np.bincount(current.hub_sites, minlength=engine.n_sites_total()))
            known = current._backup != -1
            assert np.array_equal(current._backup[known], engine.second_keys(active, fresh.keys)[known])


def test_moving_a_hub_onto_its_own_site_changes_nothing(engine):
    travel = TravelModel()
    result = engine.evaluate([0, 7], travel).with_hub_removed(1).with_hub_added(7)  # backups now in play
    moved = result.with_hub_moved(0, 0).with_hub_removed(1)
    fresh = engine.evaluate([0], travel)
    assert np.array_equal(moved.keys, fresh.keys) and moved.totals() == fresh.totals()


def test_hubs_at_arbitrary_coordinates_behave_like_sites(engine):
    travel = TravelModel()
    dodge = engine.site_index["5445298"]
    lat, lon = engine.site_lat_lon(dodge)
    virtual = engine.site_for_point(lat, lon)
    assert virtual >= engine.n_sites and engine.site_for_point(lat, lon) == virtual
    on_site, off_site = engine.evaluate([dodge], travel), engine.evaluate([virtual], travel)
    assert np.array_equal(on_site.tier, off_site.tier)
    removed = engine.evaluate([dodge, virtual], travel).with_hub_removed(0)
    assert np.array_equal(removed.tier, off_site.tier)


def test_a_threshold_beyond_the_built_radius_asks_for_a_rebuild(engine):
    with pytest.raises(RadiusTooSmall):
        engine.evaluate([0], TravelModel(next_day_minutes=300))


def test_no_hubs_covers_nothing(engine):
    result = engine.evaluate([], TravelModel())
    assert result.totals()["communities"] == {"same_day": 0, "next_day": 0, "none": 4000}
    table = result.table()
    assert table.distance_miles.isna().all() and (table.nearest_hub_id == "").all()


def test_groupings_add_up_to_the_totals(engine):
    result = engine.evaluate(list(range(0, 4000, 37)), TravelModel())
    totals = result.totals()
    for grouping in (result.by_state(), result.by_county()):
        for tier in ("same_day", "next_day", "none"):
            assert grouping[f"communities_{tier}"].sum() == totals["communities"][tier]
            assert grouping[f"population_{tier}"].sum() == totals["population"][tier]
    catchments = result.hub_catchments()
    assert catchments.communities_same_day.sum() == totals["communities"]["same_day"]
    assert catchments.population_next_day.sum() == totals["population"]["next_day"]


def test_nearest_hub_is_the_first_listed_of_hubs_on_one_site(engine):
    site = engine.site_index["5445298"]
    table = engine.evaluate([site, site], TravelModel(), ["first", "second"]).table()
    assert set(table.nearest_hub_id[table.landmass == "mainland"]) == {"first"}
    assert set(table.nearest_hub_id[table.landmass != "mainland"]) == {""}  # no road from Kansas
