"""Ids are text everywhere (issue 21, item 22): Census GEOIDs such as ``060750311.00``, leading zeros, dots and
long digit strings come out of every loader exactly as they went in: CSV, Excel, GeoJSON, GeoPackage, a CSV,
gzip or Parquet travel matrix, a share link and the scenario store."""

from __future__ import annotations

import gzip
import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from coverage.evaluation import evaluate
from coverage.links import decode, encode
from coverage.loaders import load_communities, load_sites
from coverage.scenario import SCHEMA, Hub, Scenario, load_scenario
from coverage.travel.matrix import load_travel_matrix

from .hostile import run_cli

#: Ids a number parser would mangle: a GEOID with its leading zero and decimals, zero-padded codes, a digit string
#: longer than any integer type, a decimal that is not 1.5, and an id that reads as a float in exponent form.
IDS = ["060750311.00", "0012", "12345678901234567890123", "1.50", "00501", "1e5"]
TOWNS = pd.DataFrame({"id": IDS, "name": [f"Town {i}" for i in range(len(IDS))],
                      "lat": [38.50 + 0.05 * i for i in range(len(IDS))], "lon": -99.5,
                      "population": [1000 + i for i in range(len(IDS))]})


def towns_csv(folder) -> str:
    path = folder / "towns.csv"
    TOWNS.to_csv(path, index=False)
    return str(path)


def matrix_rows() -> pd.DataFrame:
    """Every community reached from the first one, in minutes by position."""
    return pd.DataFrame({"site_id": IDS[0], "community_id": IDS, "minutes": [10.0 * i for i in range(len(IDS))]})


def test_csv_keeps_ids_as_written(tmp_path):
    assert load_communities(towns_csv(tmp_path))["community_id"].tolist() == IDS
    sites = tmp_path / "sites.csv"
    TOWNS.rename(columns={"id": "site_id"}).to_csv(sites, index=False)
    assert load_sites(sites)["site_id"].tolist() == IDS


def test_excel_keeps_text_ids_as_written(tmp_path):
    TOWNS.to_excel(tmp_path / "towns.xlsx", index=False)  # text cells, as a planner types an id with '
    assert openpyxl.load_workbook(tmp_path / "towns.xlsx").active["A2"].data_type == "s"
    assert load_communities(tmp_path / "towns.xlsx")["community_id"].tolist() == IDS


@pytest.mark.parametrize("suffix", [".geojson", ".gpkg"])
def test_gis_files_keep_ids_as_written(tmp_path, suffix):
    path = tmp_path / f"towns{suffix}"
    frame = gpd.GeoDataFrame(TOWNS.drop(columns=["lat", "lon"]),
                             geometry=gpd.points_from_xy(TOWNS["lon"], TOWNS["lat"]), crs=4326)
    frame.to_file(path, layer="communities" if suffix == ".gpkg" else None,
                  driver="GPKG" if suffix == ".gpkg" else "GeoJSON")
    assert load_communities(path)["community_id"].tolist() == IDS


@pytest.mark.parametrize("form", ["csv", "csv.gz", "parquet"])
def test_travel_matrices_keep_ids_as_written(tmp_path, form):
    path = tmp_path / f"m.{form}"
    rows = matrix_rows()
    if form == "parquet":
        rows.to_parquet(path)
    else:
        text = rows.to_csv(index=False).encode()
        path.write_bytes(gzip.compress(text) if form.endswith(".gz") else text)
    matrix = load_travel_matrix(path, site_ids=TOWNS["id"].to_numpy(), community_ids=TOWNS["id"].to_numpy())
    assert sorted(matrix.community_categories.tolist()) == sorted(IDS)
    assert matrix.site_categories.tolist() == [IDS[0]]
    assert dict(zip(matrix.pairs_frame()["community_id"], matrix.pairs_frame()["minutes"])) == \
        dict(zip(rows["community_id"], rows["minutes"]))


def test_a_parquet_matrix_whose_tool_stored_ids_as_numbers_reads_them_as_a_spreadsheet_shows_them(tmp_path):
    path = tmp_path / "m.parquet"
    pd.DataFrame({"site_id": [5445298.0, 4272782.0], "community_id": [5445298, 4272782],
                  "minutes": [0.0, 30.0]}).to_parquet(path)
    matrix = load_travel_matrix(path)
    assert sorted(matrix.site_categories.tolist()) == ["4272782", "5445298"]
    assert sorted(matrix.community_categories.tolist()) == ["4272782", "5445298"]


def test_links_keep_site_ids_as_written():
    scenario = Scenario(hubs=tuple(Hub(id=f"h{i}", site_id=site) for i, site in enumerate(IDS, 1)))
    assert [hub.site_id for hub in decode(encode(scenario)).hubs] == IDS


def test_a_geoid_matrix_plan_runs_from_the_cli_and_from_the_store(tmp_path, isolated_store):
    communities = towns_csv(tmp_path)
    matrix = tmp_path / "m.csv"
    matrix_rows().to_csv(matrix, index=False)
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"schema": SCHEMA, "name": "GEOIDs", "travel": {"mode": "matrix"},
                                "hubs": [{"id": "h1", "site_id": IDS[0]}]}))
    direct = run_cli("evaluate", str(plan), "--communities", communities, "--travel-matrix", str(matrix), "--json")
    assert direct.returncode == 0, direct.stderr
    figures = json.loads(direct.stdout)
    assert figures["hubs"][0]["site_id"] == IDS[0]
    assert figures["communities"] == {"same_day": len(IDS), "next_day": 0, "none": 0}
    saved = run_cli("scenarios", "save", str(plan), "--communities", communities, "--travel-matrix", str(matrix),
                    "--json")
    assert saved.returncode == 0, saved.stderr
    identifier = json.loads(saved.stdout)["id"]
    stored = run_cli("evaluate", f"store:{identifier}", "--json")
    assert stored.returncode == 0, stored.stderr
    assert json.loads(stored.stdout)["communities"] == figures["communities"]
    table = tmp_path / "t.csv"
    assert run_cli("evaluate", f"store:{identifier}", "--out", str(table)).returncode == 0
    assert pd.read_csv(table, dtype=str)["community_id"].tolist() == IDS
    document = json.loads(run_cli("scenarios", "show", identifier).stdout)
    assert load_scenario(json.dumps(document)).hubs[0].site_id == IDS[0]
    assert evaluate(load_scenario(plan), load_communities(communities),
                    matrix=load_travel_matrix(matrix)).coverage.totals()["communities"]["same_day"] == len(IDS)
