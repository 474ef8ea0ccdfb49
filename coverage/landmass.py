"""No road, no coverage: which points a road joins, modelled offline.

Every point gets a *landmass* label; a hub covers a community only when both carry
the same label.  The labels come from plain geography written out below, so that a
reviewer can check each one against a map:

* **North American mainland** (``mainland``): the lower 48 and DC, with the Canadian
  and Mexican road network they join (and the islands that bridges join: the Florida
  Keys, Long Island, the Outer Banks north of Ocracoke, Whidbey and Fidalgo...).
* **Each Hawaiian island on its own** (``HI:Oahu``, ``HI:Maui``...): bounding boxes.
* **The Alaska road system** (``AK:road-system``): points within 20 km of a highway of
  the connected Alaska network (the Seward, Sterling, Glenn, Parks, Richardson, Alaska,
  Tok Cut-off, Steese, Elliott, Dalton, Denali, Edgerton, Taylor highways, and the
  Haines and Klondike highways that join it through Canada).  Polylines traced from
  the state highway map at town precision.  It joins the lower 48 only through about
  1,400 miles of Alaska Highway in Canada, where great-circle distance x circuity
  would badly understate the drive, so it is kept apart from ``mainland``.
* **Alaska towns with only a local road network** (``AK:Juneau``, ``AK:Kodiak``,
  ``AK:Ketchikan``...): a circle around each local network.  Juneau, Sitka, Ketchikan,
  Kodiak, Bethel, Nome, Utqiagvik and the like are reached by sea or air only.
* **Ferry-only islands of the lower 48** (``island:Nantucket``, ``island:Santa
  Catalina``...): bounding boxes.  Puerto Rico, the Virgin Islands, Guam and the other
  territories get their own islands too, for uploaded data.
* Any other point in Alaska or Hawaii, or anywhere outside North America, reaches only
  its own 0.01-degree cell (about 1 km): a hub placed on such a town covers that town.
"""

from __future__ import annotations

import numpy as np

MAINLAND = "mainland"
KM_PER_DEGREE = 111.195  # mean Earth radius x pi / 180

# (label, lat_min, lat_max, lon_min, lon_max); checked in order, first match wins.
_HAWAII_ISLANDS = [
    ("HI:Kahoolawe", 20.50, 20.62, -156.72, -156.52),
    ("HI:Hawaii", 18.85, 20.30, -156.10, -154.75),
    ("HI:Maui", 20.55, 21.04, -156.72, -155.95),
    ("HI:Lanai", 20.70, 20.95, -157.08, -156.78),
    ("HI:Molokai", 21.04, 21.25, -157.33, -156.70),
    ("HI:Oahu", 21.23, 21.73, -158.30, -157.63),
    ("HI:Kauai", 21.85, 22.25, -159.82, -159.27),
    ("HI:Niihau", 21.75, 22.03, -160.25, -160.05),
]
_HAWAII_REGION = (18.5, 23.2, -161.0, -154.5)

_FERRY_ISLANDS = [
    ("island:Nantucket", 41.23, 41.33, -70.25, -69.94),
    ("island:Martha's Vineyard", 41.30, 41.48, -70.84, -70.44),
    ("island:Block Island", 41.14, 41.24, -71.62, -71.53),
    ("island:Fishers Island", 41.24, 41.30, -72.05, -71.91),
    ("island:Shelter Island", 41.035, 41.095, -72.41, -72.29),
    ("island:Santa Catalina", 33.29, 33.49, -118.61, -118.29),
    ("island:San Juan Islands", 48.40, 48.80, -123.25, -122.76),
    ("island:Vashon-Maury", 47.32, 47.505, -122.54, -122.41),
    ("island:Mackinac Island", 45.83, 45.89, -84.67, -84.59),
    ("island:Beaver Island", 45.57, 45.80, -85.62, -85.45),
    ("island:Washington Island", 45.33, 45.42, -86.98, -86.82),
    ("island:Madeline Island", 46.72, 46.85, -90.80, -90.55),
    ("island:Bass Islands", 41.63, 41.72, -82.86, -82.78),
    ("island:Kelleys Island", 41.58, 41.63, -82.75, -82.66),
    ("island:Ocracoke", 35.05, 35.20, -76.10, -75.75),
    ("island:Smith and Tangier", 37.85, 38.05, -76.07, -75.95),
    ("island:Daufuskie", 32.08, 32.15, -80.92, -80.84),
    ("island:Vinalhaven and North Haven", 43.99, 44.18, -68.98, -68.75),
    ("island:Islesboro", 44.24, 44.35, -68.95, -68.87),
    ("island:Peaks Island", 43.64, 43.67, -70.21, -70.18),
    ("island:Chebeague", 43.71, 43.77, -70.16, -70.09),
    ("island:Vancouver Island", 48.30, 50.80, -128.50, -123.30),
    ("island:Puerto Rico", 17.88, 18.53, -67.30, -65.58),
    ("island:Vieques", 18.07, 18.17, -65.60, -65.25),
    ("island:Culebra", 18.28, 18.35, -65.34, -65.22),
    ("island:St Thomas", 18.29, 18.40, -65.10, -64.83),
    ("island:St John", 18.30, 18.37, -64.80, -64.66),
    ("island:St Croix", 17.67, 17.80, -64.90, -64.55),
    ("island:Guam", 13.20, 13.70, 144.60, 145.00),
    ("island:Saipan", 15.08, 15.30, 145.68, 145.85),
    ("island:Tutuila", -14.38, -14.22, -170.85, -170.55),
]

# Highways of the connected Alaska road system, as (lat, lon) polylines.
_ALASKA_HIGHWAYS = {
    "Seward": [(60.104, -149.443), (60.488, -149.369), (60.532, -149.546), (60.640, -149.500), (60.790, -149.185),
               (60.834, -148.980), (60.942, -149.166), (60.994, -149.500), (61.070, -149.800), (61.218, -149.900)],
    "Whittier access": [(60.834, -148.980), (60.773, -148.684)],
    "Sterling": [(60.532, -149.546), (60.490, -149.834), (60.537, -150.765), (60.487, -151.058), (60.337, -151.274),
                 (60.230, -151.390), (60.046, -151.667), (59.777, -151.831), (59.643, -151.548)],
    "Kenai Spur": [(60.487, -151.058), (60.554, -151.258), (60.690, -151.289), (60.800, -151.030)],
    "Glenn": [(61.218, -149.900), (61.321, -149.568), (61.480, -149.250), (61.600, -149.113), (61.711, -148.894),
              (61.790, -148.460), (61.810, -147.510), (61.940, -147.170), (62.100, -146.050), (62.109, -145.546)],
    "Parks": [(61.480, -149.250), (61.581, -149.441), (61.630, -149.818), (61.747, -150.038), (62.195, -150.080),
              (62.320, -150.230), (62.740, -150.120), (63.000, -149.600), (63.220, -149.200), (63.392, -148.950),
              (63.730, -148.910), (63.857, -148.966), (64.340, -149.190), (64.564, -149.093), (64.847, -148.014),
              (64.838, -147.716)],
    "Talkeetna Spur": [(62.195, -150.080), (62.324, -150.109)],
    "Knik-Goose Bay": [(61.581, -149.441), (61.460, -149.730), (61.360, -149.980)],
    "Richardson": [(61.131, -146.348), (61.120, -145.990), (61.130, -145.745), (61.350, -145.300), (61.660, -145.170),
                   (61.955, -145.308), (62.109, -145.546), (62.270, -145.380), (62.300, -145.300), (62.530, -145.520),
                   (63.030, -145.500), (63.150, -145.530), (63.700, -145.880), (64.038, -145.733), (64.150, -145.840),
                   (64.300, -146.380), (64.520, -146.930), (64.660, -147.090), (64.751, -147.349), (64.838, -147.716)],
    "Edgerton and McCarthy": [(61.675, -145.175), (61.730, -144.950), (61.515, -144.437), (61.433, -142.922)],
    "Tok Cut-off": [(62.300, -145.300), (62.570, -144.660), (62.930, -143.730), (63.337, -142.985)],
    "Alaska": [(64.038, -145.733), (63.660, -144.060), (63.380, -143.360), (63.337, -142.985), (63.306, -142.622),
               (62.960, -141.940), (62.615, -141.000)],
    "Taylor": [(63.306, -142.622), (64.073, -141.936), (64.788, -141.200)],
    "Steese": [(64.838, -147.716), (64.960, -147.620), (65.110, -147.480), (65.380, -146.050), (65.460, -145.390),
               (65.570, -144.800), (65.826, -144.061)],
    "Elliott": [(64.960, -147.620), (65.080, -147.750), (65.520, -148.550), (65.150, -149.350), (65.000, -150.630)],
    "Dalton": [(65.520, -148.550), (65.880, -149.720), (66.810, -150.670), (67.250, -150.180), (67.410, -150.110),
               (68.130, -149.480), (68.450, -149.480), (70.200, -148.460)],
    "Chena Hot Springs": [(64.840, -147.550), (64.850, -146.900), (65.050, -146.060)],
    "Denali": [(63.030, -145.500), (63.050, -146.500), (63.200, -147.500), (63.392, -148.950)],
    "Haines (via Canada)": [(59.236, -135.445), (59.400, -135.900), (59.450, -136.360)],
    "Klondike (via Canada)": [(59.458, -135.314), (59.620, -135.140)],
}
_ALASKA_CORRIDOR_KM = 20.0

# Alaska towns with a local road network only: (label, lat, lon, radius km).
_ALASKA_LOCAL_NETWORKS = [
    ("AK:Juneau", 58.45, -134.60, 40.0),
    ("AK:Ketchikan", 55.40, -131.68, 25.0),
    ("AK:Metlakatla", 55.13, -131.57, 10.0),
    ("AK:Prince of Wales Island", 55.60, -132.90, 55.0),
    ("AK:Sitka", 57.06, -135.33, 15.0),
    ("AK:Petersburg", 56.75, -132.92, 25.0),
    ("AK:Wrangell", 56.43, -132.33, 20.0),
    ("AK:Kodiak", 57.72, -152.45, 40.0),
    ("AK:Unalaska", 53.88, -166.54, 15.0),
    ("AK:Bethel", 60.79, -161.76, 15.0),
    ("AK:Nome", 64.50, -165.41, 110.0),
    ("AK:Kotzebue", 66.90, -162.60, 15.0),
    ("AK:Utqiagvik", 71.29, -156.79, 15.0),
    ("AK:Dillingham", 59.10, -158.50, 35.0),
    ("AK:Cordova", 60.54, -145.76, 30.0),
    ("AK:King Salmon and Naknek", 58.71, -156.83, 30.0),
]


def _in_box(lat: np.ndarray, lon: np.ndarray, box: tuple[float, float, float, float]) -> np.ndarray:
    lat_min, lat_max, lon_min, lon_max = box
    return (lat >= lat_min) & (lat <= lat_max) & (lon >= lon_min) & (lon <= lon_max)


def _in_alaska(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    return (lat >= 51.0) & ((lon <= -129.95) | (lon >= 170.0))


def _km_to_polylines(lat: np.ndarray, lon: np.ndarray, polylines) -> np.ndarray:
    """Shortest distance (km) from each point to any segment, on a local equal-scale projection."""
    segments = np.array([(a, b) for line in polylines for a, b in zip(line[:-1], line[1:])], dtype=float)
    scale = np.cos(np.radians(lat))[:, None]
    px, py = lon[:, None] * scale, lat[:, None]
    ax, ay = segments[None, :, 0, 1] * scale, segments[None, :, 0, 0]
    bx, by = segments[None, :, 1, 1] * scale, segments[None, :, 1, 0]
    dx, dy = bx - ax, by - ay
    t = np.clip(((px - ax) * dx + (py - ay) * dy) / np.maximum(dx * dx + dy * dy, 1e-12), 0.0, 1.0)
    return np.hypot(px - (ax + t * dx), py - (ay + t * dy)).min(axis=1) * KM_PER_DEGREE


def _km_to_point(lat: np.ndarray, lon: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    scale = np.cos(np.radians((lat + lat0) / 2))
    return np.hypot((lon - lon0) * scale, lat - lat0) * KM_PER_DEGREE


def _cell(lat: float, lon: float) -> str:
    return f"isolated:{lat:.2f},{lon:.2f}"


def landmass_labels(lat, lon) -> np.ndarray:
    """Landmass label of each point (WGS84 degrees); equal labels mean a road joins them."""
    lat = np.asarray(lat, dtype=float).reshape(-1)
    lon = np.asarray(lon, dtype=float).reshape(-1)
    labels = np.full(lat.shape, "", dtype=object)
    open_ = np.ones(lat.shape, dtype=bool)

    def assign(mask: np.ndarray, label) -> None:
        chosen = mask & open_
        if label is None:  # each point its own cell
            for i in np.flatnonzero(chosen):
                labels[i] = _cell(lat[i], lon[i])
        else:
            labels[chosen] = label
        open_[chosen] = False

    hawaii = _in_box(lat, lon, _HAWAII_REGION)
    for label, *box in _HAWAII_ISLANDS:
        assign(hawaii & _in_box(lat, lon, tuple(box)), label)
    assign(hawaii, None)

    alaska = _in_alaska(lat, lon)
    if alaska.any():
        index = np.flatnonzero(alaska)
        near_road = np.zeros(lat.shape, dtype=bool)
        near_road[index] = _km_to_polylines(lat[index], lon[index], _ALASKA_HIGHWAYS.values()) <= _ALASKA_CORRIDOR_KM
        assign(near_road, "AK:road-system")
        for label, lat0, lon0, radius in _ALASKA_LOCAL_NETWORKS:
            assign(alaska & (_km_to_point(lat, lon, lat0, lon0) <= radius), label)
        assign(alaska, None)

    for label, *box in _FERRY_ISLANDS:
        assign(_in_box(lat, lon, tuple(box)), label)
    assign((lat >= 7.0) & (lat <= 72.0) & (lon >= -170.0) & (lon <= -52.0), MAINLAND)
    assign(np.ones(lat.shape, dtype=bool), None)
    return labels
