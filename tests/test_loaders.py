"""Loading communities and sites from real files, good and bad."""

from __future__ import annotations

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from coverage.errors import InputError
from coverage.loaders import load_communities, load_sites

GOOD = pd.DataFrame({"id": ["a1", "a2", "a3"], "name": ["Alpha", "Béta", "Gamma"],
                     "lat": [38.88, 37.75, 41.12], "lon": [-99.33, -100.02, -100.77],
                     "population": [21092, 27912, 24194]})


def problems(path) -> list[str]:
    with pytest.raises(InputError) as error:
        load_communities(path)
    return [str(p) for p in error.value.problems]


def check_good(table: pd.DataFrame) -> None:
    assert list(table.community_id) == ["a1", "a2", "a3"]
    assert list(table.state) == ["KS", "KS", "NE"]  # filled in from the coordinates
    assert table.population.tolist() == [21092, 27912, 24194]
    assert table.name[1] == "Béta"


def test_csv(tmp_path):
    GOOD.to_csv(tmp_path / "towns.csv", index=False)
    check_good(load_communities(tmp_path / "towns.csv"))


def test_excel_written_by_openpyxl(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(GOOD.columns))
    for row in GOOD.itertuples(index=False):
        sheet.append(list(row))
    book.save(tmp_path / "towns.xlsx")
    check_good(load_communities(tmp_path / "towns.xlsx"))


@pytest.mark.parametrize("suffix, driver", [(".geojson", "GeoJSON"), (".gpkg", "GPKG")])
def test_gis_formats_written_by_geopandas(tmp_path, suffix, driver):
    frame = gpd.GeoDataFrame(GOOD.drop(columns=["lat", "lon"]),
                             geometry=gpd.points_from_xy(GOOD.lon, GOOD.lat), crs=4326)
    frame.to_file(tmp_path / f"towns{suffix}", driver=driver)
    check_good(load_communities(tmp_path / f"towns{suffix}"))


def test_projected_gis_files_are_brought_to_wgs84(tmp_path):
    frame = gpd.GeoDataFrame(GOOD.drop(columns=["lat", "lon"]),
                             geometry=gpd.points_from_xy(GOOD.lon, GOOD.lat), crs=4326).to_crs(5070)
    frame.to_file(tmp_path / "towns.gpkg", driver="GPKG")
    table = load_communities(tmp_path / "towns.gpkg")
    assert table.lat.tolist() == pytest.approx(GOOD.lat.tolist(), abs=1e-6)


def test_bad_rows_are_all_reported_with_row_and_column(tmp_path):
    (tmp_path / "bad.csv").write_text("id,name,lat,lon,population\n"
                                      "1,A,40,-100,100\n"
                                      "1,B,95,-100,x\n"
                                      "3,,40,abc,-5\n"
                                      "4,D,-100.5,40.2,10\n")
    found = problems(tmp_path / "bad.csv")
    for message in ["bad.csv:3:community_id: '1' repeats the id of row 2",
                    "bad.csv:3:lat: 95 is outside -90..90 degrees",
                    "bad.csv:3:population: 'x' is not a number",
                    "bad.csv:4:name: is empty",
                    "bad.csv:4:lon: 'abc' is not a number",
                    "bad.csv:4:population: -5 is negative: a population counts people",
                    "bad.csv:5:lat: -100.5 is outside -90..90 degrees (are lat and lon swapped?)"]:
        assert any(line.startswith(message) for line in found), (message, found)


@pytest.mark.parametrize("name, content, message", [
    ("empty.csv", b"", "empty.csv: is empty"),
    ("header.csv", b"id,name,lat,lon,population\n", "header.csv: has a header but no rows"),
    ("latin1.csv", "id,name,lat,lon,population\n1,Espa\u00f1ola,36,-106,10000\n".encode("cp1252"),
     "latin1.csv:2: is not UTF-8 text"),
    ("ragged.csv", b"id,name,lat,lon,population\n1,A,40,-100,5,extra\n", "ragged.csv:2: has 6 fields"),
    ("columns.csv", b"town,pop\nA,5\n", "columns.csv:1:community_id: missing column"),
    ("fake.xlsx", b"id,name\n1,2\n", "fake.xlsx: is not an Excel (.xlsx) file: it looks like text"),
    ("fake.gpkg", b"id,name\n1,2\n", "fake.gpkg: is not a GeoPackage file"),
    ("fake.geojson", b'{"a": 1}', "fake.geojson: is JSON but not GeoJSON"),
    ("broken.geojson", b'{"type": "FeatureCollection", "features": [', "broken.geojson:1: is not valid JSON"),
    ("notes.txt", b"hello", "notes.txt: unsupported file type '.txt'"),
])
def test_bad_files_get_a_clear_message(tmp_path, name, content, message):
    (tmp_path / name).write_bytes(content)
    found = problems(tmp_path / name)
    assert any(line.startswith(message) for line in found), found


def test_a_workbook_saved_as_csv_is_recognised(tmp_path):
    book = openpyxl.Workbook()
    book.save(tmp_path / "towns.csv")
    assert problems(tmp_path / "towns.csv") == ["towns.csv: is not a CSV file: it looks like a zip archive "
                                                "(an Excel workbook?)"]


def test_polygons_are_not_communities(tmp_path):
    frame = gpd.GeoDataFrame({"id": ["a", "b"], "name": ["A", "B"], "population": [1, 2]},
                             geometry=[Point(-100, 40), Polygon([(0, 0), (1, 0), (1, 1)])], crs=4326)
    frame.to_file(tmp_path / "mixed.geojson", driver="GeoJSON")
    assert problems(tmp_path / "mixed.geojson") == ["mixed.geojson:2:geometry: geometry is a Polygon; "
                                                    "expected a Point"]


def test_semicolon_files_with_decimal_commas(tmp_path):
    (tmp_path / "eu.csv").write_text("id;name;lat;lon;population\n1;A;40,5;-100,25;100\n", encoding="utf-8")
    table = load_communities(tmp_path / "eu.csv")
    assert (table.lat[0], table.lon[0]) == (40.5, -100.25)


def test_sites_with_types(tmp_path):
    (tmp_path / "sites.csv").write_text("site_id,lat,lon,type\ns1,40,-100,new\ns2,41,-99,\ns3,42,-98,barn\n")
    with pytest.raises(InputError, match="sites.csv:4:type: 'barn' is not a hub type"):
        load_sites(tmp_path / "sites.csv")
    (tmp_path / "sites.csv").write_text("site_id,lat,lon,type\ns1,40,-100,new\ns2,41,-99,\n")
    sites = load_sites(tmp_path / "sites.csv")
    assert sites.type.tolist() == ["new", ""] and sites.name.tolist() == ["s1", "s2"]


def test_an_upload_as_bytes_is_named_in_messages():
    with pytest.raises(InputError, match="^my upload.csv: is empty"):
        load_communities(b"", name="my upload.csv")


def test_a_missing_column_and_bad_rows_are_all_reported_at_once():
    """Issue 17.16: the missing column no longer hides the bad latitude and the negative population."""
    data = b"id,name,lat,population\n1,A,95,100\n2,B,40,-20\n3,C,41,12.5\n"
    with pytest.raises(InputError) as caught:
        load_communities(data, name="towns.csv")
    lines = [str(p) for p in caught.value.problems]
    assert any(line.startswith("towns.csv:1:lon: missing column") for line in lines), lines
    assert "towns.csv:2:lat: 95 is outside -90..90 degrees (are lat and lon swapped?)" in lines
    assert "towns.csv:3:population: -20 is negative: a population counts people" in lines
    assert "towns.csv:4:population: 12.5 is not a whole number of people" in lines


def test_sites_without_an_id_column_still_report_their_other_problems():
    with pytest.raises(InputError) as caught:
        load_sites(b"name,lat,lon,type\nA,40,-100,warehouse\n", name="sites.csv")
    lines = [str(p) for p in caught.value.problems]
    assert any("sites.csv:1:site_id: missing column" in line for line in lines)
    assert any("sites.csv:2:type: 'warehouse' is not a hub type" in line for line in lines)
