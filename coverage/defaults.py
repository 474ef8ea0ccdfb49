"""Every default number of the planner, in one place, with its source and reasoning.

A scenario that leaves a setting out gets the value here; the app shows where each
figure comes from by pointing at these notes.  All of them are planning assumptions
that a scenario can override.

Travel model
------------
Drive minutes are estimated as great-circle miles x circuity / speed x 60.

``CIRCUITY = 1.2``
    The ratio of road distance to great-circle distance.  Ballou, Rahardja & Sakai
    (2002, *Transportation Research A* 36(9)) report 1.20 for the United States;
    Newell (1980) finds about 1.2 for random point pairs.  Checked against the
    Rand McNally highway mileage of 1949 between the 128 cities of the Stanford
    GraphBase (``miles.dat``): the median over the 7,626 US city pairs is 1.217
    (1.215 for pairs under 200 miles); today's Interstate network is straighter than
    1949's, so 1.2 is the rounded, slightly lower figure.  ``data/calibrate_circuity.py``
    reproduces the check.
``SPEED_MPH = 50``
    Average door-to-door road speed of a delivery van leaving a rural hub.  NHTSA's
    *National Traffic Speeds Survey III: 2015* (DOT HS 812 485) measured free-flow
    means of 70.4 mph on freeways, 56.4 mph on major arterials and 49.7 mph on minor
    arterials and collectors.  A rural trip uses all three and slows through towns,
    so 50 mph is a conservative trip average.
``SAME_DAY_MINUTES = 90`` and ``NEXT_DAY_MINUTES = 240``
    Same-day: a van can leave after the morning inventory wave and reach the
    community in 1.5 hours; next-day: within a 4-hour linehaul or overnight route.
    With the defaults above they are 62.5 and 166.7 great-circle miles.
``SAME_DAY_MILES = 60`` and ``NEXT_DAY_MILES = 180``
    The plain radius mode's rule-of-thumb radii (great-circle miles).
"""

from __future__ import annotations

CIRCUITY = 1.2
SPEED_MPH = 50.0
SAME_DAY_MINUTES = 90.0
NEXT_DAY_MINUTES = 240.0
SAME_DAY_MILES = 60.0
NEXT_DAY_MILES = 180.0
TRAVEL_MODE = "drive"

#: Hub types: conversion of an existing rural delivery station, or a new build.
HUB_TYPES = ("conversion", "new")

# ---------------------------------------------------------------------------
# Hubs, costs and budget
# ---------------------------------------------------------------------------
#: The seed: about $4 billion through 2026, coverage live by the end of 2025.
BUDGET_USD = 4_000_000_000
HORIZON_END = "2026Q4"
TARGET_QUARTER = "2025Q4"
#: End-2025 target: share of the communities within next-day (or better) drive time.
TARGET_COVERED_SHARE = 0.95

#: A new hub opens in the last quarter that still meets the end-2025 target.
OPEN_QUARTER = "2025Q4"
HUB_TYPE = "conversion"

#: Capex by hub type (USD).  A conversion adds on-site inventory (racking, a
#: mezzanine, sortation and stock) to an existing rural delivery station: about
#: $8M.  A new build is a ~100,000 sq ft station at roughly $150-200 per sq ft plus
#: equipment: about $20M.  Planning assumptions, checked against the seed: $4B over
#: roughly 200 hubs (the announced "200+ delivery stations") is $15-25M a hub with
#: two years of opex, which these figures reproduce.
CAPEX_USD = {"conversion": 8_000_000, "new": 20_000_000}
#: Annual opex by hub type (USD): inventory holding, site staff and lease for a
#: converted station; a full station's fixed running cost for a new build.
OPEX_USD_PER_YEAR = {"conversion": 3_000_000, "new": 5_000_000}
#: Variable cost per parcel delivered from a hub (USD), reported apart from cost_usd:
#: rural last-mile cost is commonly quoted at $1-3 a parcel; $1.50 is mid-range.
COST_PER_PARCEL_USD = 1.50
#: Daily parcel capacity by hub type.
CAPACITY_PARCELS_PER_DAY = {"conversion": 10_000, "new": 25_000}
#: The retailer's parcels per person per year in a catchment: US parcel volume is
#: about 22 billion a year (Pitney Bowes Parcel Shipping Index, 2023) for 335 million
#: people, 65 a person; a large retailer's own network carries roughly a quarter.
PARCELS_PER_PERSON_PER_YEAR = 18.0

#: Optimiser: weight of next-day coverage relative to same-day (contract default).
NEXT_DAY_WEIGHT = 0.5
