"""No road, no coverage: hubs never reach across water."""

from __future__ import annotations

import pandas as pd
import pytest

from coverage.dataset import default_communities
from coverage.engine import CoverageEngine
from coverage.landmass import MAINLAND, landmass_labels
from coverage.travel import TravelModel

PLACES = {  # name: (lat, lon)
    "Kahului, Maui": (20.88933, -156.47293), "Kaunakakai, Molokai": (21.08939, -157.02255),
    "Lahaina, Maui": (20.87526, -156.67982), "Lanai City, Lanai": (20.82757, -156.92399),
    "Hilo, Hawaii": (19.72991, -155.09073), "Kailua-Kona, Hawaii": (19.64016, -155.99912),
    "Honolulu, Oahu": (21.3069, -157.8583),
    "Valdez": (61.13083, -146.34833), "Cordova": (60.5428, -145.7575),
    "Homer": (59.64250, -151.54940), "Kodiak": (57.78852, -152.40533), "Kenai": (60.55444, -151.25833),
    "Soldotna": (60.48778, -151.05833), "Haines": (59.2358, -135.4450), "Juneau": (58.30194, -134.41972),
    "Fairbanks": (64.83778, -147.71639), "Dutch Harbor": (53.88980, -166.54220), "Unalaska": (53.87413, -166.53408),
    "Falmouth, MA": (41.5515, -70.6148), "Edgartown, MA": (41.38901, -70.51336),
    "Nantucket, MA": (41.28346, -70.09946), "Hyannis, MA": (41.6525, -70.2881),
    "Marathon, FL": (24.71375, -81.09035), "Key West, FL": (24.55524, -81.78163),
    "Long Beach, CA": (33.7701, -118.1937), "Avalon, CA": (33.34281, -118.32785),
    "Bellingham, WA": (48.7519, -122.4787), "Ketchikan": (55.34180, -131.64757),
}


@pytest.fixture(scope="module")
def engine() -> CoverageEngine:
    names = list(PLACES)
    frame = pd.DataFrame({"community_id": names, "name": names, "state": "", "county": "",
                          "lat": [PLACES[n][0] for n in names], "lon": [PLACES[n][1] for n in names],
                          "population": 1000})
    return CoverageEngine(frame, radius_miles=TravelModel(mode="radius", next_day_miles=400).threshold_miles[1])


def tier(engine, hub: str, community: str) -> str:
    result = engine.evaluate([engine.site_index[hub]], TravelModel(mode="radius", same_day_miles=62.5,
                                                                    next_day_miles=400))
    return result.table().set_index("community_id").loc[community, "tier"]


@pytest.mark.parametrize("hub, community", [
    ("Kahului, Maui", "Kaunakakai, Molokai"),  # 45 miles over the Pailolo Channel
    ("Lahaina, Maui", "Lanai City, Lanai"),  # 15 miles over the Auau Channel
    ("Honolulu, Oahu", "Kaunakakai, Molokai"),
    ("Valdez", "Cordova"),  # 45 miles; Cordova has no road out
    ("Homer", "Kodiak"),  # Kodiak Island
    ("Haines", "Juneau"),  # Juneau has no road out
    ("Falmouth, MA", "Edgartown, MA"),  # Martha's Vineyard, 11 miles by ferry
    ("Hyannis, MA", "Nantucket, MA"),
    ("Long Beach, CA", "Avalon, CA"),  # Santa Catalina Island
    ("Bellingham, WA", "Ketchikan"),
    ("Fairbanks", "Bellingham, WA"),  # Alaska's road system is kept apart from the lower 48
])
def test_no_road_no_coverage(engine, hub, community):
    assert tier(engine, hub, community) == "none"
    assert tier(engine, community, hub) == "none"


@pytest.mark.parametrize("hub, community, expected", [
    ("Hilo, Hawaii", "Kailua-Kona, Hawaii", "same_day"),
    ("Kenai", "Soldotna", "same_day"),
    ("Homer", "Fairbanks", "next_day"),  # 400-mile radius, one road system
    ("Dutch Harbor", "Unalaska", "same_day"),  # joined by a bridge
    ("Marathon, FL", "Key West, FL", "same_day"),  # the Overseas Highway
    ("Haines", "Valdez", "next_day"),  # Haines joins the Alaska road system through Canada
])
def test_roads_join_these(engine, hub, community, expected):
    assert tier(engine, hub, community) == expected


def test_a_hawaii_hub_never_covers_the_lower_48_or_alaska():
    communities = default_communities()
    labels = landmass_labels(communities.lat, communities.lon)
    hawaii = set(labels[communities.state == "HI"])
    assert hawaii <= {"HI:Hawaii", "HI:Maui", "HI:Lanai", "HI:Molokai", "HI:Oahu", "HI:Kauai", "HI:Niihau"}
    assert not hawaii & set(labels[communities.state != "HI"])
    lower_48 = ~communities.state.isin(["AK", "HI"])
    assert set(labels[lower_48]) - {MAINLAND} == {"island:Nantucket", "island:Martha's Vineyard",
                                                 "island:Santa Catalina"}


def test_a_hub_on_a_remote_alaska_town_covers_that_town():
    labels = landmass_labels([66.89846, 66.8985, 67.10], [-162.59809, -162.5981, -162.9])  # the last 27 km out
    assert labels[0] == labels[1] == "AK:Kotzebue" and labels[2] != labels[0]
    isolated = landmass_labels([62.10, 62.10, 62.2], [-163.6, -163.6, -163.6])
    assert isolated[0] == isolated[1] != isolated[2]
