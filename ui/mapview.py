"""The map: communities by tier, hubs, drive-time rings and state outlines, drawn by pydeck.

No remote basemap unless the planner turns one on: the state outlines are drawn from
the bundled file, so the map works offline.  Colours are the Okabe-Ito palette,
safe for colour-blind readers.  Tooltips are plain text built here (deck.gl shows
them as text, never as HTML), so a community name cannot run script.

What a change costs (:func:`deck`)
---------------------------------
The map's JSON is made once per plan state (kept on the :class:`Evaluation`, so a rerun
that changes nothing on the map sends the very same spec: Streamlit sends a reference to
what the browser holds, and the chart does not parse or redraw it).  What never changes
for a data set leaves the spec: the state outlines and, for the bundled communities, their
places, sizes and names are files under ``static/map/`` (``server.enableStaticServing``),
which the browser fetches once; a community's colour comes from its tier, one character
of a string in the spec (4,000 bytes).  Rings are positions with one radius per layer.
So a hub change sends the hubs, the rings and the tiers (tens of kilobytes, compressed
much further by the websocket), not the 800 kB communities layer.  Uploaded communities
stay inline (their names are not published as files).
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from coverage.data import bundled
from coverage.dataset import STATES_FILE, state_outlines
from coverage.evaluation import Evaluation
from coverage.travel import TIERS

METRES_PER_MILE = 1609.344
TIER_COLOURS = {"same_day": (0, 114, 178), "next_day": (230, 159, 0), "none": (136, 136, 136)}
TIER_NAMES = {"same_day": "same-day", "next_day": "next-day", "none": "not covered"}
RING_COLOURS = {"same_day": (0, 114, 178), "next_day": (230, 159, 0)}
HUB_COLOUR, LOCKED_OUTLINE, HUB_OUTLINE = (20, 20, 20), (204, 121, 167), (255, 255, 255)
ADDED_COLOUR = (213, 94, 0)
LAND, OUTLINE = (244, 244, 240), (150, 150, 150)
CARTO_LIGHT = "https://basemaps.cartocdn.com/gl/positron-gl-style/style.json"


class CompactDeck(pdk.Deck):
    """A Deck that serialises without indentation: the same spec in about half the bytes and time."""

    def to_json(self) -> str:
        return json.dumps(self, default=default_serialize, separators=(",", ":"))


class SpecDeck(pdk.Deck):
    """A Deck whose JSON is made already (``st.pydeck_chart`` asks only for ``to_json`` and the tooltip)."""

    def __init__(self, spec: str, tooltip: dict | None = None):  # noqa: D107 - pdk.Deck's set-up is not needed
        self.spec = spec
        self.layers: list = []
        self.deck_widget = None
        self._tooltip = tooltip or {"text": "{label}"}

    def to_json(self) -> str:
        return self.spec


def _dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), default=default_serialize)


# -- the static part: files the browser fetches once per data set --------------------------------------------------
STATIC_DIR = Path(__file__).resolve().parent.parent / "static" / "map"
STATIC_URL = "app/static/map/"  # relative to the page, so a base URL path (behind a proxy) still holds
_PUBLISH_LOCK = threading.Lock()
#: Streamlit serves ``static/`` with no Cache-Control and answers a revalidation in full (200, never 304), so a
#: browser keeps a file only as long as its Last-Modified heuristic allows (a tenth of its age).  A freshly
#: written file would be fetched again, in full, on the next change of the map; these files are named by their
#: content and never change, so they are dated long ago: the browser keeps them for years.
_LAST_MODIFIED = 946_684_800  # 2000-01-01


def static_serving() -> bool:
    """Whether the server serves ``static/`` (``server.enableStaticServing`` in ``.streamlit/config.toml``)."""
    try:
        import streamlit as st

        return bool(st.get_option("server.enableStaticServing"))
    except Exception:  # noqa: BLE001 - outside a Streamlit server: inline everything
        return False


def _publish(name: str, build) -> str:
    """The URL of ``static/map/<name>``, written (atomically, once per process at most) from ``build()``."""
    path = STATIC_DIR / name
    if not path.exists():
        with _PUBLISH_LOCK:
            if not path.exists():
                STATIC_DIR.mkdir(parents=True, exist_ok=True)
                partial = path.with_name(f".{name}.{os.getpid()}.{threading.get_ident()}")
                partial.write_text(_dumps(build()), encoding="utf-8")
                os.utime(partial, (_LAST_MODIFIED, _LAST_MODIFIED))
                os.replace(partial, path)
    return STATIC_URL + name


def states_data():
    """The state outlines: a file served once when the server serves static files, else inline.

    The file is named by its content (a new outline file is a new name), so a browser may keep it.
    """
    if not static_serving():
        return state_outlines()
    return _publish(f"states-{_states_digest()}.json", state_outlines)


@functools.cache
def _states_digest() -> str:
    return hashlib.sha256(STATES_FILE.read_bytes()).hexdigest()[:16]


def _community_rows(table: pd.DataFrame) -> list[dict]:
    """What never changes about a community on the map: its place, size, id and name (``i``: its row)."""
    county = table["county"].astype(str).where(table["county"].astype(str) == "", table["county"].astype(str) + "\n")
    label = (table["name"].astype(str) + ", " + table["state"].astype(str) + "\n" + county
             + table["population"].map("{:,} people".format) + "\nclick for its tier and drive time")
    frame = pd.DataFrame({"i": np.arange(len(table)), "community_id": table["community_id"].astype(str),
                          "lon": table["lon"].round(5), "lat": table["lat"].round(5),
                          "radius": (np.sqrt(table["population"].to_numpy()) * 45.0).round(), "label": label})
    return frame.to_dict(orient="records")


def _memo(evaluation: Evaluation, key, build):
    """``build()`` once per plan state (the evaluation) and key."""
    memo = evaluation.memo
    if key not in memo:
        memo[key] = build()
    return memo[key]


def hub_table(evaluation: Evaluation) -> pd.DataFrame:
    """``evaluation.hub_table()``, made once per plan state (read it, do not change it)."""
    return _memo(evaluation, "hub_table", evaluation.hub_table)


def tier_codes(evaluation: Evaluation) -> str:
    """Each community's tier as one character (0 same-day, 1 next-day, 2 not covered), in row order."""
    return (np.asarray(evaluation.coverage.tier, dtype=np.uint8) + 48).tobytes().decode("ascii")


def coverage_table(evaluation: Evaluation) -> pd.DataFrame:
    """``evaluation.coverage.table()``, made once per plan state (read it, do not change it)."""
    return _memo(evaluation, "coverage_table", evaluation.coverage.table)


def community_label(evaluation: Evaluation, community_id: str) -> str:
    """The full text of one community: place, people, tier, minutes and its nearest hub ("" when unknown).

    The selection bar asks on every run of the map while a community is selected: the row comes from the
    engine's index and the table is made once per plan state.
    """
    row = evaluation.engine.community_index.get(str(community_id))
    if row is None:
        return ""
    return str(_labels(evaluation, coverage_table(evaluation).iloc[[row]]).iloc[0])


def view_for(lat: pd.Series, lon: pd.Series, width_px: int = 1000, height_px: int = 620,
             lower48_first: bool = True) -> pdk.ViewState:
    """A view that fits the points, ignoring a few far outliers (Alaska, Hawaii) when most are in the lower 48."""
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    if len(lat) == 0:
        return pdk.ViewState(latitude=38.5, longitude=-96.5, zoom=3.4)
    keep = (lat > 24) & (lat < 50) & (lon > -125) & (lon < -66)
    if lower48_first and keep.mean() > 0.9:
        lat, lon = lat[keep], lon[keep]
    south, north, west, east = lat.min(), lat.max(), lon.min(), lon.max()

    def mercator_y(phi):
        return math.log(math.tan(math.pi / 4 + math.radians(phi) / 2))

    span_x = max(east - west, 0.05) / 360
    span_y = max(mercator_y(north) - mercator_y(south), 0.001) / (2 * math.pi)
    zoom = math.log2(min(width_px / 512 / span_x, height_px / 512 / span_y)) - 0.15
    centre_y = (mercator_y(north) + mercator_y(south)) / 2
    return pdk.ViewState(latitude=round(math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2), 4),
                         longitude=round((west + east) / 2, 4), zoom=round(min(max(zoom, 1.0), 12.0), 2))


#: Fixed views for the parts of the country the lower-48 view leaves out.
ALASKA = pdk.ViewState(latitude=62.5, longitude=-152.0, zoom=3.2)
HAWAII = pdk.ViewState(latitude=20.6, longitude=-157.4, zoom=5.9)
VIEWS = ("Lower 48", "Alaska", "Hawaii", "Fit to hubs")


def named_view(name: str, communities: pd.DataFrame, hubs: pd.DataFrame, nudge: int = 0,
               width_px: int = 1000, height_px: int = 620) -> pdk.ViewState:
    """The map's view by name; ``nudge`` (a reset count) changes it invisibly so deck.gl re-centres.

    Every field is nudged: the chart applies only the fields of the view that changed, so a
    nudge of the zoom alone brought the zoom back but left the centre where the mouse wheel
    had moved it (the lower 48 off-centre, its east coast cut off).
    """
    if name == "Alaska":
        view = ALASKA
    elif name == "Hawaii":
        view = HAWAII
    elif name == "Fit to hubs" and len(hubs):
        view = view_for(hubs["lat"], hubs["lon"], width_px, height_px, lower48_first=False)
    else:
        view = view_for(communities["lat"], communities["lon"], width_px, height_px)
    step = 1e-6 * (nudge % 2)  # back and forth: the view never drifts, however often it is reset
    return pdk.ViewState(latitude=round(view.latitude + step, 7), longitude=round(view.longitude + step, 7),
                         zoom=round(view.zoom + 100 * step, 5), pitch=0, bearing=0)


def outside_lower48(hubs: pd.DataFrame) -> int:
    """How many hubs the lower-48 view does not show (Alaska, Hawaii, territories)."""
    if hubs.empty:
        return 0
    inside = (hubs["lat"] > 24) & (hubs["lat"] < 50) & (hubs["lon"] > -125) & (hubs["lon"] < -66)
    return int((~inside).sum())


def pixel_offset(lat: float, lon: float, view: pdk.ViewState) -> tuple[float, float]:
    """Where deck.gl draws a point: pixels right and down from the map's centre (Web Mercator, 512-pixel tiles)."""
    scale = 512 * 2 ** view.zoom

    def mercator(lat_: float, lon_: float) -> tuple[float, float]:
        return ((lon_ + 180) / 360 * scale,
                (1 - math.log(math.tan(math.pi / 4 + math.radians(lat_) / 2)) / math.pi) / 2 * scale)

    centre_x, centre_y = mercator(view.latitude, view.longitude)
    x, y = mercator(lat, lon)
    return x - centre_x, y - centre_y


def _labels(evaluation: Evaluation, table: pd.DataFrame) -> pd.Series:
    """Plain-text tooltips of rows of the coverage table: place, people, tier, minutes and nearest hub."""
    hub_names = {hub.id: hub.name for hub in evaluation.scenario.hubs}
    tier_name = table["tier"].map(TIER_NAMES)
    minutes = table["drive_minutes"].round().astype("Int64").astype(str).replace("<NA>", "-")
    hub = table["nearest_hub_id"].map(lambda hub_id: hub_names.get(hub_id, ""))
    county = table["county"].where(table["county"] == "", table["county"] + "\n")
    return (table["name"] + ", " + table["state"] + "\n" + county
            + table["population"].map("{:,} people".format) + "\n" + tier_name + " · "
            + np.where(hub != "", minutes + " min from " + hub, "no hub reachable by road"))


def community_layer_data(evaluation: Evaluation) -> pd.DataFrame:
    """One row per community: position, size, colour and a plain-text tooltip (all of it, for an inline layer)."""
    table = coverage_table(evaluation)
    colour = table["tier"].map(TIER_COLOURS)
    label = _labels(evaluation, table)
    return pd.DataFrame({
        "community_id": table["community_id"], "lon": table["lon"].round(5), "lat": table["lat"].round(5),
        "radius": (np.sqrt(table["population"].to_numpy()) * 45.0).round(),
        "colour": colour, "label": label,
    })


#: Hub fill by utilisation (load / capacity): a colour-blind-safe ramp from sky blue through orange to vermillion.
UTILISATION_COLOURS = ((0.5, (86, 180, 233)), (0.9, (240, 228, 66)), (0.999, (230, 159, 0)), (9.9, (213, 94, 0)))


def utilisation_colour(share: float) -> tuple[int, int, int]:
    """The fill of a hub that ships ``share`` of its capacity."""
    return next(colour for limit, colour in UTILISATION_COLOURS if share <= limit)


def hub_layer_data(hubs: pd.DataFrame, highlight: set[str] | frozenset = frozenset(),
                   load: np.ndarray | None = None, by_utilisation: bool = False) -> pd.DataFrame:
    """One row per hub of ``Evaluation.hub_table()`` (locked outlined in reddish purple, highlighted in vermillion).

    With ``load`` (the capacity assignment's parcels a day) the tooltip says what the hub ships;
    ``by_utilisation`` fills each hub by the share of its capacity it uses.
    """
    if hubs.empty:
        return pd.DataFrame(columns=["hub_id", "lon", "lat", "fill", "line", "width", "label"])
    label = ("Hub " + hubs["hub_id"] + ": " + hubs["name"] + "\n" + hubs["type"] + ", opens " + hubs["open_quarter"]
             + np.where(hubs["locked"], " · locked", "") + "\n"
             + (hubs["population_same_day"] + hubs["population_next_day"]).map("{:,} people in its catchment".format))
    fill = [list(ADDED_COLOUR if h in highlight else HUB_COLOUR) for h in hubs["hub_id"]]
    if load is not None:
        capacity = hubs["capacity_parcels_per_day"].to_numpy(dtype=float) if "capacity_parcels_per_day" in hubs \
            else None
        if capacity is not None:
            share = np.divide(load, capacity, out=np.zeros(len(load)), where=capacity > 0)
            label = label + "\nships " + pd.Series(load).map("{:,.0f}".format).to_numpy() + " of " \
                + pd.Series(capacity).map("{:,.0f}".format).to_numpy() + " parcels a day (" \
                + pd.Series(share).map("{:.0%}".format).to_numpy() + ")"
            if by_utilisation:
                fill = [list(utilisation_colour(v)) for v in share]
    return pd.DataFrame({
        "hub_id": hubs["hub_id"], "lon": hubs["lon"], "lat": hubs["lat"],
        "fill": fill,
        "line": [list(LOCKED_OUTLINE if locked else HUB_OUTLINE) for locked in hubs["locked"]],
        "width": np.where(hubs["locked"], 40_000, 12_000), "label": label,  # metres, bounded in pixels below
    })


def ring_layer_data(hubs: pd.DataFrame, travel) -> pd.DataFrame:
    """Two circles per hub: the great-circle radius equivalent to each threshold."""
    rows = []
    for tier, miles in zip(("next_day", "same_day"), reversed(travel.threshold_miles)):
        rows.append(pd.DataFrame({"lon": hubs["lon"], "lat": hubs["lat"], "radius": round(miles * METRES_PER_MILE),
                                  "colour": [[*RING_COLOURS[tier], 28]] * len(hubs),
                                  "line": [[*RING_COLOURS[tier], 170]] * len(hubs)}))
    return pd.concat(rows, ignore_index=True)


def reach_layer_data(evaluation: Evaluation) -> pd.DataFrame:
    """Matrix mode: a line from each hub to every community it reaches, coloured by the tier it reaches it in."""
    from coverage.reach import reach_pairs

    pairs = reach_pairs(evaluation)
    return pd.DataFrame({"source": pairs[["hub_lon", "hub_lat"]].round(5).to_numpy().tolist(),
                         "target": pairs[["lon", "lat"]].round(5).to_numpy().tolist(),
                         "colour": [[*RING_COLOURS[tier], 150] for tier in pairs["tier"]]})


def _layer(kind: str, layer_id: str, data, **props) -> str:
    """One deck.gl JSON layer, serialised (pydeck's spelling: ``@@type``, camelCase props, ``@@=`` accessors)."""
    return _dumps({"@@type": kind, "id": layer_id, **props, "data": data})


def _communities_layer(evaluation: Evaluation) -> str:
    """Every community, coloured by its tier (a character of a string in the spec); the rest from a file if it can."""
    communities = evaluation.engine.communities
    codes = tier_codes(evaluation)
    palette = _dumps([list(TIER_COLOURS[tier]) for tier in TIERS])
    # deck.gl's expressions index only a name or a bracketed group, hence (palette)[('codes')[i]]
    common = dict(getPosition="@@=[lon, lat]", getRadius="@@=radius", radiusMinPixels=2.5, radiusMaxPixels=14,
                  getFillColor=f"@@=({palette})[('{codes}')[i]]", stroked=True, getLineColor=[255, 255, 255],
                  lineWidthMinPixels=0.5, opacity=0.85, pickable=True, autoHighlight=True)
    if static_serving() and bundled(communities):  # public GeoNames places: fine to publish as a file
        from coverage.data import fingerprint

        name = f"communities-{fingerprint(communities).replace(':', '-')}.json"
        data = _publish(name, lambda: _community_rows(coverage_table(evaluation)))
        return _layer("ScatterplotLayer", "communities", data, **common)
    rows = community_layer_data(evaluation).drop(columns="colour").assign(i=np.arange(len(communities)))
    return _layer("ScatterplotLayer", "communities", rows.to_dict(orient="records"), **common)


def _rings_layers(hubs: pd.DataFrame, travel) -> list[str]:
    """Two layers of circles, next-day under same-day: the hubs' positions, one radius each."""
    places = np.column_stack([hubs["lon"].to_numpy(dtype=float), hubs["lat"].to_numpy(dtype=float)]).round(5).tolist()
    layers = []
    for tier, miles in zip(("next_day", "same_day"), reversed(travel.threshold_miles)):
        layers.append(_layer("ScatterplotLayer", f"rings-{tier.replace('_', '-')}", places, getPosition="@@=-",
                             getRadius=round(miles * METRES_PER_MILE), stroked=True, filled=True,
                             getFillColor=[*RING_COLOURS[tier], 28], getLineColor=[*RING_COLOURS[tier], 170],
                             lineWidthMinPixels=1, pickable=False))
    return layers


def _hubs_layer(evaluation: Evaluation, hubs: pd.DataFrame, highlight, by_utilisation: bool) -> str:
    costs = evaluation.scenario.costs
    hubs = hubs.assign(capacity_parcels_per_day=[costs.capacity_parcels_per_day[t] for t in hubs["type"]])
    load = evaluation.served().load if len(hubs) else None
    rows = hub_layer_data(hubs, highlight, load, by_utilisation)
    rows = rows.assign(lon=rows["lon"].astype(float).round(5), lat=rows["lat"].astype(float).round(5))
    return _layer("ScatterplotLayer", "hubs", rows.to_dict(orient="records"), getPosition="@@=[lon, lat]",
                  getRadius=9000, radiusMinPixels=6, radiusMaxPixels=12, getFillColor="@@=fill", stroked=True,
                  getLineColor="@@=line", getLineWidth="@@=width", lineWidthMinPixels=1.5, lineWidthMaxPixels=4,
                  pickable=True, autoHighlight=True)


def _frame(view: pdk.ViewState, basemap: bool) -> tuple[str, str]:
    """The spec around the layers (views, view state, map style), split where the layers go."""
    options = {"map_style": CARTO_LIGHT} if basemap else {"map_provider": None}
    spec = json.loads(CompactDeck(layers=[], initial_view_state=view, **options).to_json())
    spec["layers"] = "@@LAYERS@@"
    head, tail = _dumps(spec).split('"@@LAYERS@@"')
    return head, tail


def deck(evaluation: Evaluation, view: pdk.ViewState, *, basemap: bool = False, rings: bool = True,
         highlight: set[str] | frozenset = frozenset(), communities: pd.DataFrame | None = None,
         hubs: pd.DataFrame | None = None, by_utilisation: bool = False) -> pdk.Deck:
    """The whole map, its JSON made once per plan state and options (``hubs`` may pass in the caller's hub table).

    ``communities`` (a :func:`community_layer_data` table) is accepted for older callers and not needed.
    """
    hubs = hub_table(evaluation) if hubs is None else hubs
    highlight = frozenset(highlight)
    travel = evaluation.scenario.travel

    def layers() -> str:
        parts = [_layer("GeoJsonLayer", "states", states_data(), stroked=True, filled=True,
                        getFillColor=[*LAND, 90] if basemap else list(LAND), getLineColor=list(OUTLINE),
                        lineWidthMinPixels=1)]
        if rings and travel.mode.outline == "lines":  # roads, not circles: a line to each place
            parts.append(_memo(evaluation, "reach", lambda: _layer(
                "LineLayer", "reach", reach_layer_data(evaluation).to_dict(orient="records"),
                getSourcePosition="@@=source", getTargetPosition="@@=target", getColor="@@=colour", getWidth=1.2,
                widthUnits="pixels", pickable=False)))
        elif rings:
            parts += _memo(evaluation, "rings", lambda: _rings_layers(hubs, travel))
        parts.append(_memo(evaluation, "communities", lambda: _communities_layer(evaluation)))
        parts.append(_memo(evaluation, ("hubs", highlight, by_utilisation),
                           lambda: _hubs_layer(evaluation, hubs, highlight, by_utilisation)))
        return "[" + ",".join(parts) + "]"

    view_key = (view.latitude, view.longitude, view.zoom, getattr(view, "pitch", None), getattr(view, "bearing", None))

    def whole() -> str:
        head, tail = _frame(view, basemap)
        return head + layers() + tail

    return SpecDeck(_memo(evaluation, ("deck", view_key, basemap, rings, highlight, by_utilisation), whole))


BETTER, WORSE, UNCHANGED = (0, 158, 115), (213, 94, 0), (190, 190, 190)
HUB_CHANGE_OUTLINES = {"added": (0, 158, 115), "removed": (213, 94, 0), "changed": (204, 121, 167),
                       "moved": (204, 121, 167), "kept": (255, 255, 255)}


def changed_places(comparison, index: int) -> tuple[np.ndarray, np.ndarray]:
    """Latitudes and longitudes of what differs between plan A and plan ``index``: communities whose tier changes,
    hubs added, removed, moved or changed (empty when nothing does), for a difference map fitted to them."""
    table = comparison.evaluations[0].coverage.table()
    changed = comparison.tier_change(index) != "same"
    points = comparison.hub_points(index)
    points = points[points["change"] != "kept"]
    lat = np.concatenate([table["lat"].to_numpy(dtype=float)[changed], points["lat"].to_numpy(dtype=float)])
    lon = np.concatenate([table["lon"].to_numpy(dtype=float)[changed], points["lon"].to_numpy(dtype=float)])
    return lat, lon


def difference_deck(comparison, index: int, view: pdk.ViewState) -> pdk.Deck:
    """Plan A against plan ``index``: communities coloured by their tier change, hubs by added/removed/moved."""
    a, b = comparison.evaluations[0], comparison.evaluations[index]
    table = a.coverage.table()
    change = comparison.tier_change(index)
    after = np.array(TIERS, dtype=object)[b.coverage.tier] if comparison.same_communities else table["tier"]
    palette = {"same": list(UNCHANGED), "better": list(BETTER), "worse": list(WORSE)}
    label = (table["name"] + ", " + table["state"] + "\n" + table["population"].map("{:,} people".format) + "\n"
             + table["tier"].map(TIER_NAMES) + " → " + pd.Series(after).map(TIER_NAMES).to_numpy())
    communities = pd.DataFrame({"lon": table["lon"].round(5), "lat": table["lat"].round(5),
                                "radius": (np.sqrt(table["population"].to_numpy()) * 45.0).round(),
                                "colour": [palette[c] for c in change], "label": label, "changed": change != "same"})
    points = comparison.hub_points(index)
    words = {"added": "added", "removed": "removed", "moved": "moved from here", "changed": "changed", "kept": "kept"}
    hubs = pd.DataFrame({
        "lon": points["lon"], "lat": points["lat"],
        "fill": [list((255, 255, 255) if c in ("removed", "moved") else HUB_COLOUR) for c in points["change"]],
        "line": [list(HUB_CHANGE_OUTLINES[c]) for c in points["change"]],
        "label": "Hub " + points["hub_id"] + ": " + points["name"] + "\n"
                 + points["change"].map(words) + f" in {comparison.labels[index]}"})
    layers = [
        pdk.Layer("GeoJsonLayer", state_outlines(), id="states", stroked=True, filled=True,
                  get_fill_color=list(LAND), get_line_color=list(OUTLINE), line_width_min_pixels=1),
        pdk.Layer("ScatterplotLayer", communities[~communities["changed"]], id="unchanged",
                  get_position=["lon", "lat"], get_radius="radius", radius_min_pixels=1.5, radius_max_pixels=8,
                  get_fill_color="colour", opacity=0.5, pickable=True),
        pdk.Layer("ScatterplotLayer", communities[communities["changed"]], id="changed",
                  get_position=["lon", "lat"], get_radius="radius", radius_min_pixels=3, radius_max_pixels=14,
                  get_fill_color="colour", stroked=True, get_line_color=[255, 255, 255], line_width_min_pixels=0.5,
                  opacity=0.9, pickable=True),
        pdk.Layer("ScatterplotLayer", hubs, id="hubs", get_position=["lon", "lat"], get_radius=9000,
                  radius_min_pixels=6, radius_max_pixels=12, get_fill_color="fill", stroked=True,
                  get_line_color="line", get_line_width=30_000, line_width_min_pixels=2.5, line_width_max_pixels=4,
                  pickable=True),
    ]
    return CompactDeck(layers=layers, initial_view_state=view, tooltip={"text": "{label}"}, map_provider=None)


def legend_markdown(evaluation: Evaluation) -> str:
    """A legend in the map's colours (Streamlit's colour badges are limited, so swatches are text)."""
    same, nxt = evaluation.scenario.travel.threshold_miles
    travel = evaluation.scenario.travel
    unit = "min" if travel.mode.in_minutes else "mi"
    limits = tuple(f"≤ {value:g} {unit}" for value in travel.thresholds)
    if travel.mode.outline == "lines":
        rings = ("reach: a line from each hub to every community its travel matrix reaches, blue within the same-day "
                 "and orange within the next-day threshold (roads, not circles)")
    elif travel.mode.uses_road_model:
        rings = (f"rings: great-circle radius of {same:.0f} and {nxt:.0f} mi, the distance the drive-time thresholds "
                 f"reach at {travel.speed_mph:g} mph and circuity {travel.circuity:g}")
    else:
        rings = f"rings: the {same:g} and {nxt:g} mi radii"
    return (f":blue[●] **same-day** ({limits[0]})  :orange[●] **next-day** ({limits[1]})  "
            f":gray[●] **not covered**  ·  ⬤ hub, :violet[◯] locked hub  ·  {rings}")


__all__ = ["TIERS", "deck", "legend_markdown", "view_for"]
