"""Travel models: how long a drive from a hub to a community takes, and so which tier it is in.

What is inside
--------------
``model.py``
    :class:`TravelModel`, the scenario's travel settings and thresholds, and
    :class:`TravelMode` (``drive``, ``radius``, ``matrix``) with what each mode means for the
    tiers, the histogram, the map's outline and the engine's reach.
``pairs.py``
    The one interface the engine builds on: every travel model yields (site, community,
    value) pairs within reach, the value in the unit the thresholds are compared in
    (great-circle miles for the circuity and radius models, minutes for a matrix).
``matrix.py``
    A travel-time matrix (``site_id, community_id, minutes``, CSV or Parquet) read and
    checked against the data it is used with.
``roads.py``
    A matrix built from an OpenStreetMap road network (``python -m coverage
    travel-matrix --osm``).
"""

from coverage.travel.model import FIELDS, LABELS, MODES, TIERS, TravelError, TravelMode, TravelModel

__all__ = ["FIELDS", "LABELS", "MODES", "TIERS", "TravelError", "TravelMode", "TravelModel"]
