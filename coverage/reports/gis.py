"""GIS layers for QGIS or ArcGIS: a GeoPackage, or the same layers as GeoJSON files in a zip.

Layers (EPSG:4326): ``communities`` (points: tier, drive minutes, nearest hub),
``hubs`` (points), ``same_day_rings`` and ``next_day_rings`` (one polygon per hub: the
great-circle circle of the threshold's miles, split at the antimeridian and closed over
a pole where needed, not clipped to landmass), and ``states`` (outlines with coverage
by state).  Each layer carries a description saying what it is.
"""

from __future__ import annotations

import io
import json
import zipfile

import geopandas as gpd
import pandas as pd
import shapely

from coverage.dataset import state_outlines
from coverage.geo import geodesic_circle
from coverage.reports.content import ReportContent

LAYERS = ("communities", "hubs", "same_day_rings", "next_day_rings", "states")


def rings(hubs: pd.DataFrame, miles: float, tier: str, threshold: str) -> gpd.GeoDataFrame:
    """One great-circle circle of ``miles`` around each hub."""
    geometry = [geodesic_circle(lat, lon, miles) for lat, lon in zip(hubs["lat"], hubs["lon"])]
    frame = pd.DataFrame({"hub_id": hubs["hub_id"].to_numpy(), "name": hubs["name"].to_numpy(), "tier": tier,
                          "radius_miles": round(float(miles), 3), "threshold": threshold})
    return gpd.GeoDataFrame(frame, geometry=geometry, crs=4326)


def layers(content: ReportContent) -> dict[str, tuple[gpd.GeoDataFrame, str]]:
    """Every layer with its description."""
    travel = content.scenario.travel
    table = content.communities()
    communities = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(table["lon"], table["lat"]), crs=4326)
    hubs = content.hubs()
    hub_points = gpd.GeoDataFrame(hubs, geometry=gpd.points_from_xy(hubs["lon"], hubs["lat"]), crs=4326)
    same, nxt = travel.threshold_miles
    if travel.mode.outline == "lines":
        from coverage.reach import reach_lines

        thresholds = (f"{travel.same_day_minutes:g} minutes", f"{travel.next_day_minutes:g} minutes")
        frame = pd.DataFrame({"hub_id": hubs["hub_id"].to_numpy(), "name": hubs["name"].to_numpy()})
        outline = ("lines from each hub to every community its travel matrix reaches within {} (the matrix's reach "
                   "follows the roads: no circle or outline would be true)")
        layers_rings = {tier: gpd.GeoDataFrame(frame.assign(tier=tier, threshold=threshold),
                                               geometry=reach_lines(content.evaluation, tier), crs=4326)
                        for tier, threshold in zip(("same_day", "next_day"), thresholds)}
    elif travel.mode.uses_road_model:
        thresholds = (f"{travel.same_day_minutes:g} drive minutes", f"{travel.next_day_minutes:g} drive minutes")
        how = (f"the great-circle distance that the drive-time threshold reaches at {travel.speed_mph:g} mph and "
               f"circuity {travel.circuity:g}")
    else:
        thresholds = (f"{travel.same_day_miles:g} miles", f"{travel.next_day_miles:g} miles")
        how = "the threshold's great-circle radius"
    not_clipped = ("Not clipped to landmass: a hub never covers a community that no road reaches from it (another "
                   "island, most of Alaska from the lower 48), even inside its ring.")
    by_state = content.by_state().set_index("state")
    features = state_outlines()["features"]
    states = gpd.GeoDataFrame(
        [{"state": f["properties"]["code"], "state_name": f["properties"]["name"]} for f in features],
        # the simplified outlines hold a few self-touching rings: made valid, so GIS tools accept them
        geometry=[_polygonal(shapely.make_valid(shapely.geometry.shape(f["geometry"]))) for f in features], crs=4326)
    states = states.join(by_state, on="state")
    numeric = [c for c in by_state.columns]
    states[numeric] = states[numeric].fillna(0)
    return {
        "communities": (communities, "One point per community: its tier (same_day, next_day, none), drive minutes "
                                     "and great-circle miles to the nearest reachable hub, and that hub's id."),
        "hubs": (hub_points, "One point per hub: type, opening quarter, cost (USD), communities and people it is the "
                             "nearest hub of, parcels a day against capacity."),
        "same_day_rings": (layers_rings["same_day"], f"Same-day reach of each hub: {outline.format(thresholds[0])}.")
        if travel.mode.outline == "lines" else (rings(hubs, same, "same_day", thresholds[0]),
                                         f"Same-day reach of each hub: a circle of {same:.1f} miles, {how}. "
                                         f"{not_clipped}"),
        "next_day_rings": (layers_rings["next_day"], f"Next-day reach of each hub: {outline.format(thresholds[1])}.")
        if travel.mode.outline == "lines" else (rings(hubs, nxt, "next_day", thresholds[1]),
                                         f"Next-day reach of each hub: a circle of {nxt:.1f} miles, {how}. "
                                         f"{not_clipped}"),
        "states": (states, "State outlines (U.S. Census Bureau TIGER, simplified) with communities and people by "
                           "tier in each state."),
    }


def _polygonal(geometry):
    """The polygons of a geometry that ``make_valid`` may have turned into a collection."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in getattr(geometry, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts)


def _safe_columns(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Plain column types GIS formats hold (booleans as integers, objects as text)."""
    out = frame.copy()
    for column in out.columns:
        if column == out.geometry.name:
            continue
        if out[column].dtype == bool:
            out[column] = out[column].astype("int32")
    return out


def gpkg_bytes(content: ReportContent) -> bytes:
    """A GeoPackage with every layer (empty layers are written too, so the set is always the same)."""
    import pyogrio

    from coverage.files import scratch_file

    with scratch_file("report.gpkg") as path:
        for name, (frame, description) in layers(content).items():
            pyogrio.write_dataframe(_safe_columns(frame), path, layer=name, driver="GPKG",
                                    layer_options={"DESCRIPTION": description, "IDENTIFIER": name},
                                    promote_to_multi=name.endswith("rings"))
        return path.read_bytes()


def geojson_zip_bytes(content: ReportContent) -> bytes:
    """The same layers, one GeoJSON FeatureCollection each (with its name and description), in a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, (frame, description) in layers(content).items():
            collection = json.loads(_safe_columns(frame).to_json(na="null", drop_id=True))
            collection = {"type": "FeatureCollection", "name": name, "description": description,
                          **{k: v for k, v in collection.items() if k != "type"}}
            archive.writestr(f"{name}.geojson", json.dumps(collection, ensure_ascii=False))
    return buffer.getvalue()
