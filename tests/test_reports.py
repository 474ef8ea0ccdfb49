"""Coverage reports, opened with the libraries a reader would use: pypdf, openpyxl, pyogrio."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
import shapely
from pypdf import PdfReader

from coverage.errors import InputError
from coverage.evaluation import evaluate
from coverage.loaders import load_communities
from coverage.reports import gather, report_bytes, write_report
from coverage.scenario import Hub, Scenario, load_scenario

from .conftest import ROOT

NATIONAL = ROOT / "examples" / "national_rollout.json"
HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "@SUM(A1)", "-2+3", "<script>alert(1)</script>"]


@pytest.fixture(scope="module")
def national():
    return gather(evaluate(load_scenario(NATIONAL)))


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_holds_the_key_figures_exactly_as_evaluate_gives_them(national):
    data = report_bytes(national, ".pdf")
    text = pdf_text(data)
    cli = json.loads(subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(NATIONAL), "--json"],
                                    cwd=ROOT, capture_output=True, text=True, check=True).stdout)
    for tier in ("same_day", "next_day", "none"):
        assert f"{cli['communities'][tier]:,}" in text and f"{cli['population'][tier]:,}" in text
    assert f"${cli['cost_usd']:,.0f}" in text and f"${cli['budget']['budget_usd']:,.0f}" in text
    assert f"${cli['budget']['headroom_usd']:,.0f}" in text
    assert f"{cli['budget']['target']['achieved_share']:.1%} of communities" in text
    assert "National rollout, $1B (optimiser plan, people in reach)" in text and national.data_fingerprint in text
    pages = PdfReader(io.BytesIO(data)).pages
    assert f"page 1 of {len(pages)}" in text and f"page {len(pages)} of {len(pages)}" in text
    for heading in ("Spend and rollout", "Coverage by state", "Hubs (85)", "Assumptions", "Data and credits",
                    "GeoNames", "CC BY 4.0", "TIGER"):
        assert heading in text
    assert "Hub at DeKalb, IL" in text  # the hub table


def test_every_name_prints_and_untrusted_names_stay_text(tmp_path):
    towns = pd.DataFrame({"id": ["k", "e", "u", "x"], "name": ["Kīhei", "Española", "Utqiaġvik", HOSTILE[4]],
                          "state": ["HI", "NM", "AK", "KS"], "lat": [20.76, 35.99, 71.29, 38.0],
                          "lon": [-156.45, -106.08, -156.79, -99.0], "population": [20881, 10224, 4384, 5000]})
    communities = load_communities(towns.to_csv(index=False).encode(), name="towns.csv")
    scenario = Scenario(name=HOSTILE[4], hubs=(Hub(id="h1", name="Hub at Kīhei, HI", site_id="k"),
                                              Hub(id="h2", name="Hub at Española, NM", site_id="e"),
                                              Hub(id="h3", name="Utqiaġvik hub", site_id="u"),
                                              Hub(id="h4", name=HOSTILE[4], site_id="x")))
    data = report_bytes(evaluate(scenario, communities), ".pdf")
    text = pdf_text(data)
    for name in ("Hub at Kīhei, HI", "Hub at Española, NM", "Utqiaġvik hub", "<script>alert(1)</script>"):
        assert name in text, name
    raw = data.decode("latin-1")
    assert not re.search(r"/(JavaScript|JS|URI|Launch|SubmitForm|GoToR|Annots|AA)\b", raw)  # no scripts or links
    assert re.search(r"/OpenAction \[\d+ 0 R /FitH null\]", raw)  # fpdf2's "open at page 1", not an action
    assert "/FontFile2" in raw  # the TrueType font is embedded


@pytest.mark.parametrize("hubs", [0, 1, 1000])
def test_a_plan_of_any_size_gives_a_valid_report_in_every_format(hubs, tmp_path):
    sites = pd.read_csv(ROOT / "data" / "communities.csv", dtype={"community_id": str})["community_id"]
    scenario = Scenario(name=f"{hubs} hubs", hubs=tuple(Hub(id=f"h{i + 1}", name=f"Hub {i + 1}", site_id=s)
                                                        for i, s in enumerate(sites[:hubs])))
    content = gather(evaluate(scenario))
    for fmt in (".pdf", ".xlsx", ".csv", ".gpkg", ".geojson.zip"):
        path = write_report(content, tmp_path / f"report{fmt}")
        assert path.stat().st_size > 0
    assert len(PdfReader(tmp_path / "report.pdf").pages) >= 3
    assert openpyxl.load_workbook(tmp_path / "report.xlsx").sheetnames == [
        "Summary", "Communities", "Hubs", "By state", "By county", "By quarter", "Assumptions"]
    assert len(pyogrio.read_dataframe(tmp_path / "report.gpkg", layer="hubs")) == hubs
    assert len(pyogrio.read_dataframe(tmp_path / "report.gpkg", layer="next_day_rings")) == hubs


def test_the_workbook_equals_the_per_community_table_and_is_formatted(national, tmp_path):
    path = write_report(national, tmp_path / "report.xlsx")
    book = openpyxl.load_workbook(path)
    sheet = book["Communities"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref.startswith("A1:")
    header = [c.value for c in sheet[1]]
    assert header[:11] == ["community_id", "name", "state", "county", "lat", "lon", "population", "tier",
                           "drive_minutes", "distance_miles", "nearest_hub_id"]
    read = pd.read_excel(path, sheet_name="Communities", dtype={"community_id": str, "nearest_hub_id": str},
                         keep_default_na=False, na_values=[""])
    table = national.communities()
    assert read["community_id"].tolist() == table["community_id"].tolist()
    assert read["tier"].tolist() == table["tier"].tolist()
    assert read["population"].tolist() == table["population"].tolist()
    assert np.allclose(read["drive_minutes"].to_numpy(float), table["drive_minutes"].to_numpy(float), equal_nan=True)
    column = header.index("population") + 1
    assert sheet.cell(row=2, column=column).number_format == "#,##0"
    assert sheet.cell(row=2, column=header.index("drive_minutes") + 1).number_format == "0.0"
    summary = {row[0].value: row[1] for row in book["Summary"].iter_rows(min_row=2)}
    assert summary["Cost"].value == national.summary["cost_usd"] and summary["Cost"].number_format == '"$"#,##0'
    assert summary["Same-day people"].value == national.summary["population"]["same_day"]
    hubs = pd.read_excel(path, sheet_name="Hubs")
    assert len(hubs) == 85 and {"parcels_per_day", "capacity_parcels_per_day", "utilisation"} <= set(hubs.columns)
    assert set(pd.read_excel(path, sheet_name="By quarter")["quarter"]) >= {"2025Q4", "2026Q4"}


def test_spreadsheet_cells_never_start_a_formula_and_numbers_stay_numbers(tmp_path):
    towns = pd.DataFrame({"id": [f"t{i}" for i in range(5)], "name": HOSTILE, "state": ["KS"] * 5,
                          "lat": [38.0, 38.5, 39.0, 39.5, 37.5], "lon": [-99.0, -99.5, -100.0, -98.5, -98.0],
                          "population": [5000, 6000, 7000, 8000, 9000]})
    communities = load_communities(towns.to_csv(index=False).encode(), name="towns.csv")
    scenario = Scenario(name=HOSTILE[0], hubs=tuple(Hub(id=f"h{i + 1}", name=HOSTILE[i], site_id=f"t{i}")
                                                    for i in range(4)))
    content = gather(evaluate(scenario, communities))
    book = openpyxl.load_workbook(io.BytesIO(report_bytes(content, ".xlsx")))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert all(c.data_type != "f" for c in cells)
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))], texts
    assert "'=HYPERLINK(\"http://x\",\"y\")" in texts and "'-2+3" in texts and "'@SUM(A1)" in texts
    population = [c.value for c in book["Communities"]["G"][1:]]
    assert population == [5000, 6000, 7000, 8000, 9000]
    csv_text = report_bytes(content, ".csv").decode("utf-8-sig")
    rows = list(pd.read_csv(io.StringIO(csv_text), dtype=str)["name"])
    assert rows[:4] == ["'" + h for h in HOSTILE[:4]] and rows[4] == HOSTILE[4]


def test_gis_layers_open_with_valid_geometry_and_one_ring_per_hub(national, tmp_path):
    path = write_report(national, tmp_path / "report.gpkg")
    layers = dict(pyogrio.list_layers(path))
    assert set(layers) == {"communities", "hubs", "same_day_rings", "next_day_rings", "states"}
    for name in layers:
        frame = pyogrio.read_dataframe(path, layer=name)
        assert frame.crs.to_epsg() == 4326 and frame.geometry.is_valid.all() and len(frame), name
    assert len(pyogrio.read_dataframe(path, layer="communities")) == 4000
    for tier in ("same_day", "next_day"):
        rings = pyogrio.read_dataframe(path, layer=f"{tier}_rings")
        assert rings["hub_id"].tolist() == [h.id for h in national.scenario.hubs]
    assert "Not clipped to landmass" in _gpkg_description(path)
    states = pyogrio.read_dataframe(path, layer="states")
    assert states.set_index("state").loc["KS", "population_same_day"] == \
        national.by_state().set_index("state").loc["KS", "population_same_day"]


def _gpkg_description(path) -> str:
    import sqlite3

    with sqlite3.connect(path) as db:
        return db.execute("SELECT description FROM gpkg_contents WHERE table_name = 'next_day_rings'").fetchone()[0]


def test_rings_are_right_for_alaska_and_across_the_antimeridian(tmp_path):
    from pyproj import Geod

    from coverage.geo import EARTH_RADIUS_MILES, geodesic_circle

    geod = Geod(a=EARTH_RADIUS_MILES * 1609.344, b=EARTH_RADIUS_MILES * 1609.344)
    for lat, lon in ((51.88, -176.66), (71.29, -156.79), (20.76, -156.45)):  # Adak, Utqiagvik, Kihei
        ring = geodesic_circle(lat, lon, 166.7)
        assert ring.is_valid and -180 <= ring.bounds[0] and ring.bounds[2] <= 180
        expected = 2 * np.pi * (EARTH_RADIUS_MILES * 1609.344) ** 2 * (1 - np.cos(166.7 / EARTH_RADIUS_MILES))
        assert abs(geod.geometry_area_perimeter(ring)[0]) == pytest.approx(expected, rel=0.002)
        assert ring.contains(shapely.Point(lon, lat))
    assert geodesic_circle(51.88, -176.66, 166.7).geom_type == "MultiPolygon"


def test_the_geojson_zip_holds_one_collection_per_layer(national):
    with zipfile.ZipFile(io.BytesIO(report_bytes(national, ".geojson.zip"))) as archive:
        assert sorted(archive.namelist()) == sorted(f"{name}.geojson" for name in (
            "communities", "hubs", "same_day_rings", "next_day_rings", "states"))
        rings = json.loads(archive.read("next_day_rings.geojson"))
        assert rings["type"] == "FeatureCollection" and len(rings["features"]) == 85
        assert "Not clipped to landmass" in rings["description"]


def test_a_failed_report_leaves_no_file(tmp_path, monkeypatch):
    def broken(_content):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("coverage.reports.pdf.pdf_bytes", broken)
    with pytest.raises(RuntimeError):
        write_report(evaluate(Scenario()), tmp_path / "report.pdf")
    assert list(tmp_path.iterdir()) == []


def test_the_report_command_writes_every_format_and_refuses_bad_input(tmp_path):
    for fmt in (".pdf", ".xlsx", ".csv", ".gpkg", ".geojson.zip"):
        out = tmp_path / f"plan{fmt}"
        result = subprocess.run([sys.executable, "-m", "coverage", "report",
                                 str(ROOT / "examples" / "plains_pilot.json"), "--out", str(out)],
                                cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert result.returncode == 0 and out.stat().st_size > 0, result.stderr
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"schema": "rural-coverage/scenario@1", "hubs": [{"site_id": "nope"}]}))
    for args in ([str(bad), "--out", str(tmp_path / "bad.pdf")],
                 [str(ROOT / "examples" / "plains_pilot.json"), "--out", str(tmp_path / "plan.docx")]):
        result = subprocess.run([sys.executable, "-m", "coverage", "report", *args], cwd=ROOT, capture_output=True,
                                text=True, timeout=120)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    assert not (tmp_path / "bad.pdf").exists() and not (tmp_path / "plan.docx").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_a_comparison_report_reads_as_the_comparison(tmp_path):
    out = tmp_path / "comparison.pdf"
    result = subprocess.run([sys.executable, "-m", "coverage", "compare", str(ROOT / "examples" / "plains_pilot.json"),
                             str(NATIONAL), "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    text = pdf_text(out.read_bytes())
    assert "B against A" in text and "82 hubs added" in text and "People covered by state" in text


def test_unknown_report_types_are_refused():
    with pytest.raises(InputError, match="unsupported report type"):
        report_bytes(evaluate(Scenario()), ".docx")


def test_the_pdf_speaks_of_the_demand_in_reach_and_this_plans_budget(national):
    """Issue 21.2-3: '... against 1,864,778 ordered' (the whole country's demand) and a $1B budget beside
    'About $4 billion through 2026, as announced'."""
    text = re.sub(r"\s+", " ", pdf_text(report_bytes(national, ".pdf")))
    summary = national.summary
    in_reach = national.plan.summary["demand_in_reach_parcels_per_day"]
    shipped = summary["served"]["parcels_per_day"]["same_day"] + summary["served"]["parcels_per_day"]["next_day"]
    assert f"they ship {shipped:,.0f} of the {in_reach:,.0f} parcels a day that the communities in reach order" in text
    assert in_reach == pytest.approx(national.hubs()["parcels_per_day"].sum(), abs=0.1)
    assumptions = national.assumptions().set_index("setting")["source"]
    assert national.scenario.budget.total_usd == 1e9
    assert assumptions["budget.total_usd"].startswith("Set for this plan. The default is $4,000M: About $4 billion")
    assert "Set for this plan. The default is $4,000M" in text
    assert assumptions["travel.circuity"].startswith("Ballou")  # a default keeps its own source
