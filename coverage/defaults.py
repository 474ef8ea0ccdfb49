"""Why every default of the planner is what it is: the reasoning behind the settings' values.

Each setting is declared once, with its value, unit, bounds, help and a one-sentence
source, in ``coverage/settings.py``; that is what a scenario that leaves a setting out
gets, what the app's widgets, the reports' assumptions and the README's table show.  The
names below are those values, for the code that reads them; these notes are the longer
reasons.  All of them are planning assumptions that a scenario can override.

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

from coverage.settings import HUB_TYPES, default, sources

CIRCUITY = default("travel.circuity")
SPEED_MPH = default("travel.speed_mph")
SAME_DAY_MINUTES = default("thresholds.same_day_minutes")
NEXT_DAY_MINUTES = default("thresholds.next_day_minutes")
SAME_DAY_MILES = default("travel.same_day_miles")
NEXT_DAY_MILES = default("travel.next_day_miles")
TRAVEL_MODE = default("travel.mode")

__all__ = ["BUDGET_USD", "CAPACITY_PARCELS_PER_DAY", "CAPEX_USD", "CIRCUITY", "COST_PER_PARCEL_USD", "DAYS_PER_YEAR",
           "HORIZON_END", "HUB_TYPE", "HUB_TYPES", "NEXT_DAY_MILES", "NEXT_DAY_MINUTES", "NEXT_DAY_WEIGHT",
           "OPEN_QUARTER", "OPEX_USD_PER_YEAR", "PARCELS_PER_PERSON_PER_YEAR", "PEAK_FACTOR", "RESPECT_CAPACITY",
           "SAME_DAY_MILES", "SAME_DAY_MINUTES", "SOURCES", "SPEED_MPH", "TARGET_COVERED_SHARE", "TARGET_QUARTER",
           "TRAVEL_MODE"]

# ---------------------------------------------------------------------------
# Hubs, costs and budget
# ---------------------------------------------------------------------------
#: The seed: about $4 billion through 2026, coverage live by the end of 2025.
BUDGET_USD = default("budget.total_usd")
HORIZON_END = default("budget.horizon_end")
TARGET_QUARTER = default("budget.target_quarter")
#: End-2025 target: share of the communities within next-day (or better) drive time.
TARGET_COVERED_SHARE = default("budget.target_covered_share")

#: A new hub opens in the last quarter that still meets the end-2025 target.
OPEN_QUARTER = default("optimizer.open_quarter")
HUB_TYPE = default("optimizer.hub_type")

#: Capex by hub type (USD).  A conversion adds on-site inventory (racking, a
#: mezzanine, sortation and stock) to an existing rural delivery station: about
#: $8M.  A new build is a ~100,000 sq ft station at roughly $150-200 per sq ft plus
#: equipment: about $20M.  Planning assumptions, checked against the seed: $4B over
#: roughly 200 hubs (the announced "200+ delivery stations") is $15-25M a hub with
#: two years of opex, which these figures reproduce.
CAPEX_USD = default("costs.capex_usd")
#: Annual opex by hub type (USD): inventory holding, site staff and lease for a
#: converted station; a full station's fixed running cost for a new build.
OPEX_USD_PER_YEAR = default("costs.opex_usd_per_year")
#: Variable cost per parcel delivered from a hub (USD), reported apart from cost_usd:
#: rural last-mile cost is commonly quoted at $1-3 a parcel; $1.50 is mid-range.
COST_PER_PARCEL_USD = default("costs.cost_per_parcel_usd")
#: Daily parcel capacity by hub type.
CAPACITY_PARCELS_PER_DAY = default("costs.capacity_parcels_per_day")
#: The retailer's parcels per person per year in a catchment: US parcel volume is
#: about 22 billion a year (Pitney Bowes Parcel Shipping Index, 2023) for 335 million
#: people, 65 a person; a large retailer's own network carries roughly a quarter.
PARCELS_PER_PERSON_PER_YEAR = default("costs.parcels_per_person_per_year")

#: Demand on a peak day relative to an average day.  1.0 plans for an average day.  Parcel
#: carriers plan the weeks before Christmas at roughly 1.5 to 2 times an average day's
#: volume, so 1.5 is a sensible check that a plan still serves its communities in peak
#: season (a planning assumption: set it from your own network's peak-to-average ratio).
PEAK_FACTOR = default("costs.peak_factor")
#: Days a year, for parcels a day (the contract's "÷ 365").  Not a setting: a fact.
DAYS_PER_YEAR = 365

#: Optimiser: weight of next-day coverage relative to same-day (contract default).
NEXT_DAY_WEIGHT = default("optimizer.next_day_weight")
#: Optimiser: maximise people served within capacity (true) or merely covered (false).
RESPECT_CAPACITY = default("optimizer.respect_capacity")

#: Where each default comes from, in a sentence (declared with each setting in ``coverage/settings.py``).
SOURCES = sources()
