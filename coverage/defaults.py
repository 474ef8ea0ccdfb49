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

#: Demand on a peak day relative to an average day.  1.0 plans for an average day.  Parcel
#: carriers plan the weeks before Christmas at roughly 1.5 to 2 times an average day's
#: volume, so 1.5 is a sensible check that a plan still serves its communities in peak
#: season (a planning assumption: set it from your own network's peak-to-average ratio).
PEAK_FACTOR = 1.0
#: Days a year, for parcels a day (the contract's "÷ 365").
DAYS_PER_YEAR = 365

#: Optimiser: weight of next-day coverage relative to same-day (contract default).
NEXT_DAY_WEIGHT = 0.5
#: Optimiser: maximise people served within capacity (true) or merely covered (false).
RESPECT_CAPACITY = True

#: Where each default comes from, in a sentence: shown beside the figure in the app and the reports.
SOURCES = {
    "thresholds.same_day_minutes": "A van leaves after the morning inventory wave and arrives within 1.5 hours.",
    "thresholds.next_day_minutes": "Within a 4-hour linehaul or overnight route.",
    "travel.circuity": "Ballou, Rahardja & Sakai (2002) give 1.20 for US roads; 1949 Rand McNally highway mileage "
                       "between 128 US cities gives a median of 1.217.",
    "travel.speed_mph": "NHTSA National Traffic Speeds Survey III (2015): free-flow means 70.4 mph on freeways, "
                        "56.4 on major arterials, 49.7 on minor arterials and collectors.",
    "travel.same_day_miles": "Rule-of-thumb radius of the plain radius mode.",
    "travel.next_day_miles": "Rule-of-thumb radius of the plain radius mode.",
    "costs.capex_usd.conversion": "Racking, a mezzanine, sortation and stock added to an existing rural station.",
    "costs.capex_usd.new": "A ~100,000 sq ft station at $150-200 a sq ft, with equipment.",
    "costs.opex_usd_per_year.conversion": "Inventory holding, site staff and lease of a converted station.",
    "costs.opex_usd_per_year.new": "A full station's fixed running cost.",
    "costs.capacity_parcels_per_day.conversion": "Daily parcels a converted station ships (planning assumption).",
    "costs.capacity_parcels_per_day.new": "Daily parcels a new station ships (planning assumption).",
    "costs.parcels_per_person_per_year": "About a quarter of the 65 parcels a person a year the US ships "
                                         "(Pitney Bowes Parcel Shipping Index, 2023).",
    "costs.cost_per_parcel_usd": "Rural last-mile cost is commonly quoted at $1-3 a parcel; reported apart.",
    "budget.total_usd": "About $4 billion through 2026, as announced.",
    "budget.target_covered_share": "Share of communities within next-day drive time by the target quarter.",
    "optimizer.next_day_weight": "How much a next-day community counts against a same-day one (contract default).",
    "costs.peak_factor": "Demand on the day planned for, against an average day: 1.0 average; about 1.5-2 in the "
                         "weeks before Christmas (a planning assumption).",
    "optimizer.respect_capacity": "Maximise the people the hubs can serve within their capacity, not only those in "
                                  "reach.",
}
