"""Real drive times: a travel-time matrix in the same engine, and matrices built from OpenStreetMap roads."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from coverage.errors import InputError
from coverage.evaluation import evaluate
from coverage.geo import haversine_miles
from coverage.loaders import load_communities
from coverage.optimize import optimize
from coverage.scenario import Hub, Scenario, load_scenario
from coverage.travel.matrix import load_travel_matrix
from coverage.travel.roads import build_matrix, read_graph

from .conftest import ROOT
from .osm_fixtures import grid, write_osm

NATIONAL = ROOT / "examples" / "national_rollout.json"


def matrix_mode(scenario: Scenario) -> Scenario:
    return scenario.replace(travel=dataclasses.replace(scenario.travel, mode="matrix"))


@pytest.fixture(scope="module")
def circuity_matrix(tmp_path_factory):
    """The circuity model's own pairs within next-day reach, written as a Parquet matrix."""
    scenario = load_scenario(NATIONAL)
    engine = evaluate(scenario).engine
    keys = engine._row_key
    keep = keys <= engine.layout.tier_limits(scenario.travel)[1]
    keys = keys[keep]
    frame = pd.DataFrame({"site_id": engine.sites["site_id"].to_numpy()[engine.layout.site(keys)],
                          "community_id": engine.communities["community_id"].to_numpy()[engine.layout.community(keys)],
                          "minutes": scenario.travel.drive_minutes(engine.layout.miles(keys))})
    path = tmp_path_factory.mktemp("matrix") / "circuity.parquet"
    frame.to_parquet(path, index=False)
    return path, frame


def test_a_matrix_of_the_circuity_models_minutes_gives_exactly_its_tiers(circuity_matrix):
    path, _ = circuity_matrix
    scenario = load_scenario(NATIONAL)
    circuity = evaluate(scenario)
    matrix = evaluate(matrix_mode(scenario), matrix=load_travel_matrix(path))
    assert np.array_equal(matrix.coverage.tier, circuity.coverage.tier)
    assert matrix.coverage.totals() == circuity.coverage.totals()
    within = circuity.coverage.tier < 2
    assert np.allclose(matrix.coverage.drive_minutes[within], circuity.coverage.drive_minutes[within], atol=1e-4)
    assert matrix.served().weighted_parcels == pytest.approx(circuity.served().weighted_parcels, rel=1e-9)
    # thresholds apply to the matrix's minutes as to the circuity model's
    shorter = dataclasses.replace(scenario.travel, same_day_minutes=60)
    assert np.array_equal(evaluate(matrix_mode(scenario.replace(travel=shorter)), matrix=load_travel_matrix(path))
                          .coverage.tier, evaluate(scenario.replace(travel=shorter)).coverage.tier)


def test_the_optimiser_works_on_a_matrix(circuity_matrix):
    path, _ = circuity_matrix
    scenario = Scenario(respect_capacity=False)
    plain = optimize(scenario, budget=5e8, time_limit=30)
    matrix = optimize(matrix_mode(scenario), budget=5e8, time_limit=30, matrix=load_travel_matrix(path))
    # the same problem under the same limit: on a busy machine either may stop at the limit, so compare what both
    # prove (each plan is feasible, so neither objective can beat the other's proven bound)
    assert matrix.objective <= plain.bound * (1 + 1e-4) and plain.objective <= matrix.bound * (1 + 1e-4)
    if matrix.status == plain.status == "optimal":
        assert matrix.objective == pytest.approx(plain.objective, rel=1e-4)


def test_a_pair_the_matrix_does_not_list_is_unreachable(tmp_path):
    towns = load_communities(b"id,name,lat,lon,population\na,A,38,-99,5000\nb,B,38.1,-99,6000\nc,C,38.2,-99,7000\n",
                             name="t.csv")
    (tmp_path / "m.csv").write_text("site_id,community_id,minutes\na,a,0\na,b,30\nb,b,0\n")
    matrix = load_travel_matrix(tmp_path / "m.csv")
    scenario = matrix_mode(Scenario(hubs=(Hub(id="h1", site_id="a"),)))
    table = evaluate(scenario, towns, matrix=matrix).coverage.table()
    assert table["tier"].tolist() == ["same_day", "same_day", "none"]
    assert table["drive_minutes"].iloc[1] == 30 and np.isnan(table["drive_minutes"].iloc[2])
    assert table["distance_miles"].iloc[1] == pytest.approx(haversine_miles(38, -99, 38.1, -99))


@pytest.mark.parametrize("content, messages", [
    ("from,to,time\n1,2,3\n", ["m.csv:1:site_id: missing column 'site_id'", "m.csv:1:minutes: missing column"]),
    ("site_id,community_id,minutes\n5445298,5445298,-3\n5445298,nowhere,4\nnope,5445298,abc\n5445298,5445298,5\n"
     "5445298,4272782,\n",
     ["m.csv:2:minutes: -3 is negative", "m.csv:3:community_id: 'nowhere' is not a community",
      "m.csv:4:minutes: 'abc' is not a number of minutes", "m.csv:4:site_id: 'nope' is not a candidate site",
      "m.csv:5:site_id: repeats the pair of row 2", "m.csv:6:minutes: is empty"]),
    ("site_id,community_id,minutes\n", ["m.csv: has a header but no pairs"]),
    ("", ["m.csv: is empty"]),
])
def test_bad_matrices_name_every_problem(tmp_path, content, messages):
    (tmp_path / "m.csv").write_text(content)
    communities = load_communities()
    ids = communities["community_id"].to_numpy()
    with pytest.raises(InputError) as caught:
        load_travel_matrix(tmp_path / "m.csv", site_ids=ids, community_ids=ids)
    found = [str(p) for p in caught.value.problems]
    for message in messages:
        assert any(line.startswith(message) for line in found), (message, found)


def test_a_plan_never_silently_meets_another_matrix(tmp_path, circuity_matrix):
    path, frame = circuity_matrix
    first = load_travel_matrix(path)
    other_path = tmp_path / "other.parquet"
    frame.assign(minutes=frame["minutes"] * 1.1).to_parquet(other_path, index=False)
    scenario = matrix_mode(Scenario())
    named = scenario.replace(travel=dataclasses.replace(scenario.travel, matrix=first.fingerprint))
    evaluate(named, matrix=first)
    with pytest.raises(InputError, match="made with travel matrix"):
        evaluate(named, matrix=load_travel_matrix(other_path))
    with pytest.raises(InputError, match="give one"):
        evaluate(scenario)
    with pytest.raises(InputError, match="hub must stand on a candidate site"):
        evaluate(scenario.replace(hubs=(Hub(id="h1", lat=38.5, lon=-99.5),)), matrix=first)


def test_the_cli_takes_a_matrix_wherever_it_takes_sites(tmp_path, circuity_matrix):
    path, _ = circuity_matrix
    document = json.loads(NATIONAL.read_text())
    document["travel"]["mode"] = "matrix"
    (tmp_path / "plan.json").write_text(json.dumps(document))
    direct = json.loads(subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(NATIONAL), "--json"],
                                       cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    via = subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(tmp_path / "plan.json"), "--travel-matrix",
                          str(path), "--json"], cwd=ROOT, capture_output=True, text=True)
    assert via.returncode == 0, via.stderr
    assert json.loads(via.stdout)["communities"] == direct["communities"]
    missing = subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(tmp_path / "plan.json")], cwd=ROOT,
                             capture_output=True, text=True)
    assert missing.returncode == 2 and "--travel-matrix" in missing.stderr
    report = subprocess.run([sys.executable, "-m", "coverage", "report", str(tmp_path / "plan.json"),
                             "--travel-matrix", str(path), "--out", str(tmp_path / "r.xlsx")], cwd=ROOT,
                            capture_output=True, text=True)
    assert report.returncode == 0, report.stderr


# -- OpenStreetMap roads ------------------------------------------------------------------------------------
def road_network(tmp_path):
    """A primary road A-B-C (50 mph), a one-way motorway C->D (65 mph), a maxspeed 30 mph spur B-E, a private
    road to F, and G across a river no road crosses."""
    nodes = {1: (38.0, -100.0), 2: (38.0, -99.9), 3: (38.0, -99.8), 4: (38.0, -99.6), 5: (38.05, -99.9),
             6: (37.95, -99.9), 7: (38.3, -99.8), 8: (38.3, -99.7)}
    ways = [(10, [1, 2, 3], {"highway": "primary"}), (11, [3, 4], {"highway": "motorway"}),
            (12, [2, 5], {"highway": "secondary", "maxspeed": "30 mph"}),
            (13, [2, 6], {"highway": "residential", "access": "private"}),
            (14, [7, 8], {"highway": "primary"})]
    write_osm(tmp_path / "roads.osm.pbf", nodes, ways)
    places = {"A": nodes[1], "B": nodes[2], "C": nodes[3], "D": nodes[4], "E": nodes[5], "F": nodes[6], "G": nodes[7]}
    towns = pd.DataFrame({"id": list(places), "name": list(places), "state": "KS",
                          "lat": [p[0] for p in places.values()], "lon": [p[1] for p in places.values()],
                          "population": 5000})
    (tmp_path / "towns.csv").write_text(towns.to_csv(index=False))
    return tmp_path / "roads.osm.pbf", tmp_path / "towns.csv", nodes


def minutes(nodes, a, b, mph):
    return haversine_miles(*nodes[a], *nodes[b]) / mph * 60


def test_a_matrix_from_roads_has_the_times_worked_out_by_hand(tmp_path):
    osm, towns_file, nodes = road_network(tmp_path)
    towns = load_communities(towns_file)
    graph = read_graph(osm)
    sites = towns.rename(columns={"community_id": "site_id"})
    frame, summary = build_matrix(graph, sites, towns, limit_minutes=240)
    times = {(r.site_id, r.community_id): r.minutes for r in frame.itertuples()}
    ab, bc, cd = minutes(nodes, 1, 2, 50), minutes(nodes, 2, 3, 50), minutes(nodes, 3, 4, 65)
    be = minutes(nodes, 2, 5, 30)
    expected = {("A", "B"): ab, ("A", "C"): ab + bc, ("A", "D"): ab + bc + cd, ("A", "E"): ab + be,
                ("B", "A"): ab, ("C", "A"): ab + bc, ("E", "C"): be + bc, ("C", "D"): cd}
    for pair, value in expected.items():
        assert times[pair] == pytest.approx(value, abs=1 / 60), pair  # to the second
    assert ("D", "C") not in times  # the motorway is one way
    assert not [p for p in times if "F" in p]  # only a private road reaches F: refused, 5.5 km from a road
    assert summary["refused_communities_count"] == 1 and summary["refused_communities"][0].startswith("F F")
    assert not [p for p in times if "G" in p and p != ("G", "G")]  # no bridge
    assert summary["snap_km_max"] < 0.01


def test_points_far_from_any_road_are_refused_and_listed(tmp_path):
    osm, _, _ = road_network(tmp_path)
    towns = load_communities(b"id,name,lat,lon,population\na,Near,38.0,-100.0,5000\nb,Far Away,41.0,-95.0,5000\n",
                             name="t.csv")
    frame, summary = build_matrix(read_graph(osm), towns.rename(columns={"community_id": "site_id"}), towns, 240)
    assert summary["refused_communities_count"] == 1 and summary["refused_communities"][0].startswith("b Far Away")
    assert set(frame["community_id"]) == {"a"}


def test_the_travel_matrix_command_then_evaluate(tmp_path):
    osm, towns_file, _ = road_network(tmp_path)
    out = tmp_path / "m.parquet"
    result = subprocess.run([sys.executable, "-m", "coverage", "travel-matrix", "--osm", str(osm), "--communities",
                             str(towns_file), "--out", str(out), "--json"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pairs"] == len(pd.read_parquet(out))
    (tmp_path / "plan.json").write_text(json.dumps({"schema": "rural-coverage/scenario@1", "travel": {"mode": "matrix"},
                                                    "hubs": [{"site_id": "A"}]}))
    evaluated = subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(tmp_path / "plan.json"),
                                "--communities", str(towns_file), "--travel-matrix", str(out), "--json"], cwd=ROOT,
                               capture_output=True, text=True, timeout=120)
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["communities"] == {"same_day": 5, "next_day": 0, "none": 2}
    bad = subprocess.run([sys.executable, "-m", "coverage", "travel-matrix", "--osm", str(towns_file), "--out",
                          str(tmp_path / "x.parquet")], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "is not a readable OpenStreetMap extract" in bad.stderr


def test_a_grid_graph_gives_manhattan_times(tmp_path):
    path = grid(tmp_path / "grid.osm.pbf", 30, spacing_deg=0.01)
    graph = read_graph(path)
    assert graph.nodes == 900
    towns = load_communities(b"id,name,lat,lon,population\na,A,38.0,-100.0,5000\nb,B,38.05,-99.9,5000\n", name="g.csv")
    frame, _ = build_matrix(graph, towns.rename(columns={"community_id": "site_id"}), towns, 240)
    ab = frame[(frame.site_id == "a") & (frame.community_id == "b")]["minutes"].iloc[0]
    # five blocks north and ten east at 25 mph, each block its own great-circle length
    north = haversine_miles(38.0, -100.0, 38.05, -100.0)
    east = sum(haversine_miles(38.05, -100 + 0.01 * k, 38.05, -100 + 0.01 * (k + 1)) for k in range(10))
    assert ab == pytest.approx(min(north + east, haversine_miles(38.0, -100.0, 38.0, -99.9) +
                                   haversine_miles(38.0, -99.9, 38.05, -99.9)) / 25 * 60, abs=1 / 60)


def test_the_histogram_bins_a_matrixs_own_minutes_at_its_thresholds(circuity_matrix, tmp_path):
    """Issue 23 part 4: the histogram's unit and column come from the travel mode.  A matrix whose drives take half
    the circuity model's minutes tiers differently from the great-circle miles, and the histogram must count the
    matrix's tiers (in minutes), as the Coverage page and the PDF draw it."""
    from coverage import charts

    _, frame = circuity_matrix
    path = tmp_path / "faster.parquet"
    frame.assign(minutes=frame["minutes"] / 2).to_parquet(path, index=False)
    scenario = load_scenario(NATIONAL)
    faster = evaluate(matrix_mode(scenario), matrix=load_travel_matrix(path))
    circuity = evaluate(scenario)
    assert faster.coverage.totals()["communities"] != circuity.coverage.totals()["communities"]
    bins, note = charts.drive_time_bins(faster.coverage)
    assert note["unit"] == "minutes" and note["thresholds"] == (90.0, 240.0)
    totals = faster.coverage.totals()["communities"]
    assert bins.loc[bins["tier"] == "same_day", "communities"].sum() == totals["same_day"]
    assert bins.loc[bins["tier"] == "next_day", "communities"].sum() == totals["next_day"]
    radius = charts.drive_time_bins(evaluate(scenario.replace(travel=dataclasses.replace(scenario.travel,
                                                                                          mode="radius"))).coverage)
    assert radius[1]["unit"] == "miles" and radius[1]["thresholds"] == (60.0, 180.0)
