"""The hostile-input corpus of issue 22, run through the command line as a planner or an attacker would.

Every case asserts: exit status 2 (never 1, never a traceback), the message (file, row and
column where there is one; for a size limit, the limit and the variable that raises it),
that no file and no stored version changed, and a time and memory ceiling measured on
the command's own process (``os.wait4``).  The ceilings are generous on purpose: these
inputs once cost 12-13 GB or minutes; a busy machine never fails them, a regression does.

The module writes ``test-artifacts/hostile-corpus.json`` and ``.md``: every case with its
outcome, seconds and peak memory, and the counts of the closing table (tried, clear
message, exit 1, traceback, over a ceiling, anything lost).
"""

from __future__ import annotations

import base64
import json
import sqlite3
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from coverage.errors import InputError
from coverage.links import decode, encode
from coverage.scenario import SCHEMA, Hub, Scenario
from coverage.store import DataRef, ScenarioStore

from .conftest import ARTIFACTS, ROOT
from .hostile import CEILING_MB, CEILING_SECONDS, parquet_bomb, run_cli, snapshot, sparse_file, workbook

SITE = "5445298"           # Dodge City, KS: a community (so a site) of the bundled data
OTHER = "4272782"          # Hays, KS
EXAMPLE = str(ROOT / "examples" / "plains_pilot.json")
HEADER = "id,name,lat,lon,population\n"


def plan(**extra) -> dict:
    """A one-hub scenario document with some sections replaced."""
    return {"schema": SCHEMA, "name": "Hostile", "hubs": [{"id": "h1", "site_id": SITE}], **extra}


def write(folder: Path, name: str, content: str | bytes) -> str:
    path = folder / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return str(path)


def scenario_file(folder: Path, document: dict | str, name: str = "plan.json") -> str:
    return write(folder, name, document if isinstance(document, str) else json.dumps(document))


def matrix_plan(folder: Path) -> str:
    return scenario_file(folder, plan(travel={"mode": "matrix"}), "matrix-plan.json")


@dataclass
class Case:
    """One hostile input: how to make it (returns the command's arguments) and what the message must say."""

    id: str
    group: str
    build: Callable[[Path], list[str]]
    expect: list[str]
    size: bool = False            # a size case: the ceilings are its point
    store: bool = False           # seed the store with a version first (nothing stored may change)
    env: dict[str, str] = field(default_factory=dict)


def _deep(folder: Path) -> list[str]:
    return ["evaluate", scenario_file(folder, "[" * 100_000)]


def _csv(name: str, body: str) -> Callable[[Path], list[str]]:
    return lambda folder: ["validate", write(folder, name, body), "--kind", "communities"]


def _scenario(document: dict | str) -> Callable[[Path], list[str]]:
    return lambda folder: ["evaluate", scenario_file(folder, document)]


def _matrix(name: str, content: str | bytes) -> Callable[[Path], list[str]]:
    return lambda folder: ["evaluate", matrix_plan(folder), "--travel-matrix", write(folder, name, content)]


def _many_hubs(count: int) -> dict:
    return plan(hubs=[{"id": f"h{i}", "site_id": str(i)} for i in range(count)])


def _geojson(features: list[str]) -> str:
    return '{"type": "FeatureCollection", "features": [' + ",".join(features) + "]}"


def _feature(population: str = "1000", lon: str = "-99.5", fid: str = '"a"') -> str:
    return ('{"type": "Feature", "geometry": {"type": "Point", "coordinates": [' + lon + ', 38.5]}, '
            '"properties": {"id": ' + fid + ', "name": "A", "population": ' + population + "}}")


def _gpkg_without_points(folder: Path) -> list[str]:
    import pyogrio

    path = folder / "towns.gpkg"
    pyogrio.write_dataframe(pd.DataFrame({"id": ["1"], "name": ["A"], "lat": [38.0], "lon": [-99.0],
                                          "population": [5]}), path, layer="towns", driver="GPKG")
    return ["validate", str(path), "--kind", "communities"]


def _gpkg_rows(count: int) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        import geopandas as gpd

        path = folder / "towns.gpkg"
        frame = pd.DataFrame({"id": [str(i) for i in range(count)], "name": "Town", "population": 1000})
        gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy([-99.5] * count, [38.5] * count), crs=4326) \
            .to_file(path, layer="communities", driver="GPKG")
        return ["validate", str(path), "--kind", "communities"]
    return build


def _parquet_matrix(minutes: float) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        path = folder / "m.parquet"
        pd.DataFrame({"site_id": [SITE], "community_id": [SITE], "minutes": [minutes]}).to_parquet(path)
        return ["evaluate", matrix_plan(folder), "--travel-matrix", str(path)]
    return build


def _sweep(document: str, *extra: str) -> Callable[[Path], list[str]]:
    def build(folder: Path) -> list[str]:
        scenario_file(folder, plan(), "base.json")
        return ["sweep", write(folder, "sweep.json", document), "--results", str(folder / "runs.jsonl"), *extra]
    return build


SWEEP = '{"schema": "rural-coverage/sweep@1", "base": "base.json", "vary": {"budget.total_usd": [%s]}%s}'

CASES = [
    # -- 1. JSON that crashed the parser: nesting, huge numbers, non-JSON numbers ---------------------------------
    Case("scenario-nested-100000", "JSON", _deep, ["plan.json: nests arrays or objects more than 64 levels deep",
                                                    "COVERAGE_MAX_JSON_DEPTH"]),
    Case("scenario-nested-objects", "JSON", _scenario('{"a":' * 100_000 + "1" + "}" * 100_000),
         ["nests arrays or objects more than 64 levels deep"]),
    Case("scenario-nested-100", "JSON", _scenario('{"x": ' + "[" * 100 + "]" * 100 + "}"),
         ["nests arrays or objects more than 64 levels deep"]),
    Case("scenario-400-digit-integer", "JSON", _scenario('{"schema": "%s", "budget": {"total_usd": %s}}'
                                                         % (SCHEMA, "9" * 400)),
         ["plan.json:1: has a number of 400 digits; the limit is 30 digits", "COVERAGE_MAX_JSON_DIGITS"]),
    Case("scenario-5000-digit-integer", "JSON", _scenario('{"schema": "%s", "budget": {"total_usd": %s}}'
                                                          % (SCHEMA, "9" * 5000)),
         ["plan.json:1: has a number of 5,000 digits"]),
    Case("scenario-5000-digit-site-id", "JSON", _scenario('{"schema": "%s", "hubs": [{"site_id": %s}]}'
                                                          % (SCHEMA, "1" * 5000)),
         ["has a number of 5,000 digits"]),
    Case("scenario-1e999", "JSON", _scenario('{"schema": "%s", "costs": {"capex_usd": {"new": 1e999}}}' % SCHEMA),
         ["plan.json:1: has the number 1e999, too large for any setting"]),
    Case("scenario-NaN", "JSON", _scenario('{"schema": "%s", "thresholds": {"same_day_minutes": NaN}}' % SCHEMA),
         ["has NaN, which is not a JSON number"]),
    Case("scenario-Infinity", "JSON", _scenario('{"schema": "%s", "budget": {"total_usd": -Infinity}}' % SCHEMA),
         ["has -Infinity, which is not a JSON number"]),
    Case("scenario-not-utf8", "JSON", lambda folder: ["evaluate", write(folder, "plan.json", b'{"name": "\xff"}')],
         ["plan.json:1: is not UTF-8 text (byte 0xff on line 1)"]),
    Case("scenario-array-of-a-million", "JSON", _scenario("[" + "0," * 1_000_000 + "0]"),
         ["plan.json: must be an object {...}, not list"]),
    # -- 2./3. numbers out of any sane range -------------------------------------------------------------------------
    Case("capex-1e308", "bounds", _scenario(plan(costs={"capex_usd": {"new": 1e308}})),
         ["plan.json:costs.capex_usd.new: 1e+308 must be at most 10,000,000,000 (from 0 to 10,000,000,000 USD"]),
    Case("opex-1e308", "bounds", _scenario(plan(costs={"opex_usd_per_year": {"conversion": 1e308}})),
         ["costs.opex_usd_per_year.conversion: 1e+308 must be at most 10,000,000,000"]),
    Case("capacity-1e308", "bounds", _scenario(plan(costs={"capacity_parcels_per_day": {"new": 1e308}})),
         ["costs.capacity_parcels_per_day.new: 1e+308 must be at most 10,000,000"]),
    Case("parcels-per-person-1e308", "bounds", _scenario(plan(costs={"parcels_per_person_per_year": 1e308})),
         ["costs.parcels_per_person_per_year: 1e+308 must be at most 10,000"]),
    Case("cost-per-parcel-1e308", "bounds", _scenario(plan(costs={"cost_per_parcel_usd": 1e308})),
         ["costs.cost_per_parcel_usd: 1e+308 must be at most 1,000"]),
    Case("budget-1e308", "bounds", _scenario(plan(budget={"total_usd": 1e308})),
         ["budget.total_usd: 1e+308 must be at most 1,000,000,000,000"]),
    Case("budget-2**63", "bounds", _scenario(plan(budget={"total_usd": 9223372036854775808})),
         ["budget.total_usd: 9223372036854775808 must be at most 1,000,000,000,000"]),
    Case("threshold-1e308", "bounds", _scenario(plan(thresholds={"same_day_minutes": 1e308})),
         ["thresholds.same_day_minutes: 1e+308 must be at most 1,440"]),
    Case("speed-1e308", "bounds", _scenario(plan(travel={"speed_mph": 1e308})),
         ["travel.speed_mph: 1e+308 must be at most 100 (above 0 to 100 mph"]),
    Case("hub-lat-1e308", "bounds", _scenario(plan(hubs=[{"id": "h1", "lat": 1e308, "lon": 0}])),
         ["hubs[0].lat: 1e+308 must be at most 90"]),
    Case("population-1e30", "bounds", _csv("t.csv", HEADER + "1,A,38,-99,1e30\n"),
         ["t.csv:2:population: 1e30 is more than 50,000,000 people"]),
    Case("population-2**63", "bounds", _csv("t.csv", HEADER + "1,A,38,-99,9223372036854775808\n"),
         ["t.csv:2:population: 9223372036854775808 is more than 50,000,000 people"]),
    Case("population-5000-digits", "bounds", _csv("t.csv", HEADER + "1,A,38,-99," + "9" * 5000 + "\n"),
         ["t.csv:2:population: '9999", "is not a number"]),
    Case("lat-1e308", "bounds", _csv("t.csv", HEADER + "1,A,1e308,-99,5\n"),
         ["t.csv:2:lat: 1e308 is outside -90..90 degrees"]),
    Case("matrix-minutes-1e308", "bounds", _matrix("m.csv", f"site_id,community_id,minutes\n{SITE},{SITE},1e308\n"),
         ["m.csv:2:minutes: 1e+308 is more than 10,000 minutes"]),
    Case("matrix-minutes-inf", "bounds", _matrix("m.csv", f"site_id,community_id,minutes\n{SITE},{SITE},inf\n"),
         ["m.csv:2:minutes: 'inf' is not a number of minutes"]),
    Case("parquet-minutes-1e308", "bounds", _parquet_matrix(1e308), ["m.parquet:2:minutes: 1e+308 is more than"]),
    # -- 2. other crashes: headers, layers, flags, references, URLs --------------------------------------------------
    Case("csv-lat-twice", "crash", _csv("t.csv", "id,name,lat,lon,lat,population\n1,A,38,-99,38,5\n"),
         ["t.csv:1:lat: the column 'lat' appears twice (columns 3 and 5)"]),
    Case("xlsx-lat-twice", "crash", lambda folder: ["validate", str(workbook(
        folder / "t.xlsx", 1, header=("id", "name", "lat", "lat", "lon", "population"))), "--kind", "communities"],
         ["t.xlsx:1:lat: the column 'lat' appears twice (columns 3 and 4)"]),
    Case("gpkg-without-points", "crash", _gpkg_without_points, ["towns.gpkg: has no layer of points (its tables: "
                                                                "towns)"]),
    Case("xlsx-row-beyond-excel", "crash", lambda folder: ["validate", str(workbook(
        folder / "t.xlsx", 1, first_row_number=2_000_000)), "--kind", "communities"],
         ["t.xlsx: has rows beyond row 1,048,576"]),
    Case("csv-huge-field", "crash", _csv("t.csv", HEADER + "1," + "A" * 200_000 + ",38,-99,5\n"),
         ["t.csv:2: is not a well-formed CSV table (field larger than field limit"]),
    Case("matrix-xlsx", "crash", _matrix("m.xlsx", b"PK\x03\x04"), ["m.xlsx: unsupported matrix type '.xlsx'"]),
    Case("matrix-truncated-gz", "crash", _matrix("m.csv.gz", b"\x1f\x8b\x08\x00\x00\x00"),
         ["m.csv.gz: is not a readable gzip file"]),
    Case("time-limit-inf-greedy", "flags", lambda folder: ["optimize", "--time-limit", "inf", "--greedy"],
         ["--time-limit: inf is not a number (above 0 to 86,400 seconds)"]),
    Case("time-limit-nan", "flags", lambda folder: ["optimize", "--time-limit", "nan"],
         ["--time-limit: NaN is not a number (above 0 to 86,400 seconds)"]),
    Case("time-limit-1e9", "flags", lambda folder: ["optimize", "--time-limit", "1e9"],
         ["--time-limit: 1000000000.0 must be at most 86,400 (above 0 to 86,400 seconds; a day)"]),
    Case("budget-flag-inf", "flags", lambda folder: ["optimize", "--budget", "inf"],
         ["--budget: inf is not a number (from 0 to 1,000,000,000,000 USD)"]),
    Case("budget-flag-1e300", "flags", lambda folder: ["optimize", "--budget", "1e300"],
         ["--budget: 1e+300 must be at most 1,000,000,000,000"]),
    Case("workers-0", "flags", _sweep(SWEEP % ("1e9", ""), "--workers", "0"), ["--workers: 0 must be at least 1"]),
    Case("limit-minutes-inf", "flags", lambda folder: ["travel-matrix", "--osm", "x.osm.pbf", "--out",
                                                       str(folder / "m.parquet"), "--limit-minutes", "inf"],
         ["--limit-minutes: inf is not a number (above 0 to 2,880 minutes)"]),
    Case("store-version-23-digits", "flags", lambda folder: ["evaluate", "store:kept@99999999999999999999999"],
         ["scenario 'kept' has no version 99999999999999999999999"], store=True),
    Case("show-version-23-digits", "flags", lambda folder: ["scenarios", "show", "kept@99999999999999999999999"],
         ["scenario 'kept' has no version 99999999999999999999999"], store=True),
    Case("sweep-results-missing-folder", "flags", _sweep(SWEEP % ("1e9", ""), "--results", "/nonexistent/r.jsonl"),
         ["/nonexistent/r.jsonl:--results: cannot be written: the folder /nonexistent does not exist"]),
    Case("sweep-results-folder", "flags", lambda folder: _sweep(SWEEP % ("1e9", ""))(folder)[:2] + [
        "--results", str(folder)], ["--results: is a folder"]),
    Case("store-url-broken-ipv6", "flags", lambda folder: ["scenarios", "list", "--store",
                                                           "postgresql://u@[::1:8732/x"],
         ["is not a database URL"]),
    Case("store-sqlite-nothing", "flags", lambda folder: ["scenarios", "save", EXAMPLE, "--store", "sqlite:///"],
         ["keeps nothing (SQLite in memory): give a file"]),
    Case("store-sqlite-memory", "flags", lambda folder: ["scenarios", "save", EXAMPLE, "--store",
                                                         "sqlite:///:memory:"], ["keeps nothing"]),
    Case("sweep-nested", "JSON", _sweep("[" * 100_000), ["sweep.json: nests arrays or objects more than 64"]),
    Case("sweep-5000-digits", "JSON", _sweep(SWEEP % ("9" * 5000, "")), ["sweep.json:1: has a number of 5,000"]),
    Case("sweep-400-digits", "JSON", _sweep(SWEEP % ("9" * 400, "")), ["sweep.json:1: has a number of 400 digits"]),
    Case("sweep-time-limit-1e6", "flags", _sweep(SWEEP % ("1e9", ', "time_limit_s": 1e6')),
         ["sweep.json:time_limit_s: 1000000.0 must be at most 86,400 (above 0 to 86,400 seconds; a day)"]),
    Case("geojson-nested", "JSON", lambda folder: ["validate", write(folder, "t.geojson", "[" * 100_000)],
         ["t.geojson: nests arrays or objects more than 64"]),
    Case("geojson-400-digit-population", "JSON", lambda folder: ["validate", write(
        folder, "t.geojson", _geojson([_feature(population="9" * 400)]))], ["t.geojson:1: has a number of 400"]),
    Case("geojson-5000-digit-coordinate", "JSON", lambda folder: ["validate", write(
        folder, "t.geojson", _geojson([_feature(lon="1" * 5000)]))], ["t.geojson:1: has a number of 5,000"]),
    Case("geojson-1e999-coordinate", "JSON", lambda folder: ["validate", write(
        folder, "t.geojson", _geojson([_feature(lon="1e999")]))], ["t.geojson:1: has the number 1e999"]),
    # -- 4. one rule each, on every path -------------------------------------------------------------------------
    Case("three-hubs-one-site", "rules", _scenario(plan(hubs=[{"id": f"h{i}", "site_id": SITE} for i in (1, 2, 3)])),
         ["plan.json:hubs[1].site_id: h2 is on the same site as h1 (hubs[0]); one hub a site",
          "plan.json:hubs[2].site_id: h3 is on the same site as h1 (hubs[0])"]),
    Case("save-name-600", "rules", lambda folder: ["scenarios", "save", EXAMPLE, "--name", "N" * 600],
         ["--name: is 600 characters long; a name has at most 500"], store=True),
    Case("hub-name-600", "rules", _scenario(plan(hubs=[{"id": "h1", "site_id": SITE, "name": "N" * 600}])),
         ["plan.json:hubs[0].name: is 600 characters long; a name has at most 500"]),
    Case("hub-id-1000", "rules", _scenario(plan(hubs=[{"id": "h" * 1000, "site_id": SITE}])),
         ["plan.json:hubs[0].id: is 1,000 characters long; an id has at most 100"]),
    Case("community-id-1000", "rules", _csv("t.csv", HEADER + "i" * 1000 + ",A,38,-99,5\n"),
         ["t.csv:2:community_id: is 1,000 characters long; an id has at most 100"]),
    Case("scenario-name-5MB", "rules", _scenario(plan(name="N" * 5_000_000)),
         ["plan.json:name: is 5,000,000 characters long; a name has at most 500"]),
    # -- 5./6. size: refused before the work, in seconds and megabytes ------------------------------------------------
    Case("scenario-100000-hubs", "size", _scenario(_many_hubs(100_000)),
         ["plan.json:hubs: has 100,000 hubs; the limit is 1,000 hubs", "COVERAGE_MAX_HUBS"], size=True),
    Case("scenario-4000-hubs", "size", _scenario(_many_hubs(4_000)), ["has 4,000 hubs", "COVERAGE_MAX_HUBS"],
         size=True),
    Case("scenario-file-101MB", "size", lambda folder: ["evaluate", str(sparse_file(folder / "plan.json", 101 << 20))],
         ["plan.json: has 101.0 MB; the limit is 100 MB", "COVERAGE_MAX_FILE_MB"], size=True),
    Case("communities-csv-1M-rows", "size", lambda folder: ["evaluate", EXAMPLE, "--communities", write(
        folder, "towns.csv", HEADER + "".join(f"{i},Town {i},38.5,-99.5,1000\n" for i in range(1_000_000)))],
         ["towns.csv: has about 1,000,000 rows; the limit is 30,000 communities", "COVERAGE_MAX_COMMUNITIES"],
         size=True),
    Case("communities-csv-101MB", "size", lambda folder: ["validate", str(sparse_file(folder / "t.csv", 101 << 20))],
         ["t.csv: has 101.0 MB; the limit is 100 MB", "COVERAGE_MAX_FILE_MB"], size=True),
    Case("communities-csv-100000-columns", "size", _csv("t.csv", ",".join(f"c{i}" for i in range(100_000)) + "\n"),
         ["t.csv: has 100,000 columns; the limit is 500 columns", "COVERAGE_MAX_COLUMNS"], size=True),
    Case("communities-xlsx-3M-rows", "size", lambda folder: ["evaluate", EXAMPLE, "--communities",
                                                             str(workbook(folder / "towns.xlsx", 3_000_000))],
         ["towns.xlsx: has 349 MB unpacked; the limit is 200 MB", "COVERAGE_MAX_UNPACKED_MB"], size=True),
    Case("communities-xlsx-40000-rows", "size", lambda folder: ["validate", str(workbook(folder / "towns.xlsx",
                                                                                         40_000))],
         ["towns.xlsx: has more than 30,000 rows; the limit is 30,000 communities"], size=True),
    Case("communities-geojson-40000", "size", lambda folder: ["validate", write(
        folder, "t.geojson", _geojson([_feature(fid=f'"{i}"') for i in range(40_000)]))],
         ["t.geojson: has 40,000 features; the limit is 30,000 communities"], size=True),
    Case("communities-gpkg-40000", "size", _gpkg_rows(40_000),
         ["towns.gpkg: has 40,000 features; the limit is 30,000 communities"], size=True),
    Case("sites-csv-40000", "size", lambda folder: ["validate", write(folder, "s.csv", "site_id,lat,lon\n" + "".join(
        f"{i},38.5,-99.5\n" for i in range(40_000))), "--kind", "sites"],
         ["s.csv: has about 40,000 rows; the limit is 30,000 candidate sites", "COVERAGE_MAX_SITES"], size=True),
    Case("matrix-parquet-200M-rows", "size", lambda folder: ["evaluate", matrix_plan(folder), "--travel-matrix",
                                                             str(folder / "bomb.parquet")],
         ["bomb.parquet: has 200,000,000 rows; the limit is 10,000,000 pairs", "COVERAGE_MAX_MATRIX_PAIRS"],
         size=True),
    Case("matrix-gz-2GB", "size", lambda folder: ["evaluate", matrix_plan(folder), "--travel-matrix",
                                                  str(_gz(folder))],
         ["m.csv.gz: has more than 200 MB unpacked; the limit is 200 MB", "COVERAGE_MAX_UNPACKED_MB"], size=True),
    Case("matrix-csv-10M-lines", "size", _matrix("m.csv", b"site_id,community_id,minutes\n" + b"a,b,5\n" * 10_100_000),
         ["m.csv: has about 10,100,000 rows; the limit is 10,000,000 pairs", "COVERAGE_MAX_MATRIX_PAIRS"], size=True),
]


def _gz(folder: Path) -> Path:
    from .hostile import gzip_bomb

    return gzip_bomb(folder / "m.csv.gz", 2_000)


RESULTS: list[dict] = []


@pytest.fixture(scope="module", autouse=True)
def corpus_table():
    """Write every case's outcome and the closing table's counts when the module is done."""
    yield
    if not RESULTS:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    counts = {"tried": len(RESULTS), "clear message": sum(r["clear"] for r in RESULTS),
              "exit 1": sum(r["status"] == 1 for r in RESULTS),
              "traceback": sum(r["traceback"] for r in RESULTS),
              "over a ceiling": sum(r["over"] for r in RESULTS), "anything lost": sum(r["lost"] for r in RESULTS)}
    (ARTIFACTS / "hostile-corpus.json").write_text(json.dumps({"counts": counts, "cases": RESULTS}, indent=1))
    lines = ["| case | group | exit | clear | seconds | peak MB |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['case']} | {r['group']} | {r['status']} | {'yes' if r['clear'] else 'NO'} | {r['seconds']:.1f} | "
              f"{r['peak_mb']:.0f} |" for r in RESULTS]
    lines += ["", " / ".join(f"{k} {v}" for k, v in counts.items())]
    (ARTIFACTS / "hostile-corpus.md").write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def parquet_200m(tmp_path_factory) -> Path:
    """The issue's 2.3 MB Parquet matrix of 200 million rows (made once, in about ten seconds)."""
    return parquet_bomb(tmp_path_factory.mktemp("bomb") / "bomb.parquet", 200)


def _seed_store(url: str) -> None:
    ScenarioStore(url).save(plan(), figures={"hubs": 1}, data=DataRef("test:1"), scenario_id="kept")


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input_is_refused_clearly_and_changes_nothing(case: Case, tmp_path, isolated_store, request):
    if case.store:
        _seed_store(isolated_store)
    args = case.build(tmp_path)
    if case.id == "matrix-parquet-200M-rows":
        (tmp_path / "bomb.parquet").symlink_to(request.getfixturevalue("parquet_200m"))
    before = snapshot(tmp_path)
    result = run_cli(*args, env=case.env)
    after = snapshot(tmp_path)
    clear = result.returncode == 2 and all(text in result.stderr for text in case.expect)
    over = result.seconds > CEILING_SECONDS or result.peak_mb > CEILING_MB
    RESULTS.append({"case": case.id, "group": case.group, "status": result.returncode, "clear": clear,
                    "traceback": "Traceback" in result.stderr, "over": over, "lost": before != after,
                    "seconds": round(result.seconds, 2), "peak_mb": round(result.peak_mb),
                    "stderr": result.stderr[:400]})
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 2, (result.returncode, result.stderr)
    for text in case.expect:
        assert text in result.stderr, (text, result.stderr)
    assert before == after, "a file or a stored version changed"
    assert result.seconds < CEILING_SECONDS and result.peak_mb < CEILING_MB, (result.seconds, result.peak_mb)


# -- the same limits in the app's paths: links and uploads raise InputError, never anything else ---------------------
@pytest.mark.parametrize("document, message", [
    ("[" * 100_000, "nests arrays or objects more than 64 levels deep"),
    ('{"schema": "%s", "budget": {"total_usd": %s}}' % (SCHEMA, "9" * 5000), "has a number of 5,000 digits"),
    ('{"schema": "%s", "budget": {"total_usd": %s}}' % (SCHEMA, "9" * 400), "has a number of 400 digits"),
    ('{"schema": "%s", "budget": {"total_usd": NaN}}' % SCHEMA, "has NaN"),
])
def test_a_share_link_holding_hostile_json_is_an_input_error(document, message):
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    value = base64.urlsafe_b64encode(packer.compress(document.encode()) + packer.flush()).decode().rstrip("=")
    assert len(value) < 2_000  # the link was 286 characters
    with pytest.raises(InputError, match=message):
        decode(value)


def test_a_share_link_of_4000_hubs_is_refused_in_well_under_a_second():
    scenario = Scenario(hubs=tuple(Hub(id=f"h{i}", site_id=str(i)) for i in range(4_000)))
    value = encode(scenario)
    started = time.monotonic()
    with pytest.raises(InputError, match="has 4,000 hubs; the limit is 1,000 hubs"):
        decode(value)
    assert time.monotonic() - started < 5  # once 113 s of server time


@pytest.mark.parametrize("name, content", [
    ("t.csv", b"id,name,lat,lat,population\n1,A,38,38,5\n"),
    ("t.csv", b"id,name,lat,lon,population\n1,A,38,-99,1e30\n"),
    ("t.geojson", b"[" * 100_000),
    ("t.geojson", b'{"type": "FeatureCollection", "features": [1e999]}'),
    ("t.xlsx", b"PK\x03\x04 not really a workbook"),
    ("t.gpkg", b"SQLite format 3\x00 not really a geopackage"),
    ("t.csv", b"\xff\xfe binary"),
])
def test_uploads_raise_only_input_errors(name, content):
    from coverage.loaders import load_communities

    with pytest.raises(InputError):
        load_communities(content, name=name)


@pytest.mark.parametrize("name, content", [
    ("s.csv", b"site_id,lat,lat\n1,38,38\n"),
    ("s.geojson", b"[" * 100_000),
    ("s.csv", b"site_id,lat,lon\n1,1e308,-99\n"),
])
def test_site_uploads_raise_only_input_errors(name, content):
    from coverage.loaders import load_sites

    with pytest.raises(InputError):
        load_sites(content, name=name)


# -- 13. names are text on the terminal -------------------------------------------------------------------------------
def test_the_cli_prints_terminal_control_characters_in_names_as_text(tmp_path, isolated_store):
    name = "Evil \x1b]0;owned\x07\x1b[2J\x9b31m\u202e plan"
    path = scenario_file(tmp_path, plan(name=name, hubs=[{"id": "h1", "site_id": SITE, "name": "\x1b[31mred"}]))
    saved = run_cli("scenarios", "save", path, "--author", "\x1b[5mme")
    assert saved.returncode == 0, saved.stderr
    outputs = [run_cli("evaluate", path), run_cli("scenarios", "list"), run_cli("scenarios", "history",
                                                                                 saved.stdout.split()[0]),
               run_cli("compare", path, EXAMPLE), run_cli("optimize", path, "--greedy", "--budget", "1e8"),
               run_cli("evaluate", scenario_file(tmp_path, plan(name=name, hubs=[{"id": "h1", "site_id": "\x1b[2J"}]),
                                                 "bad.json"))]
    for result in outputs:
        text = result.stdout + result.stderr
        assert not any(character in text for character in "\x1b\x07\x9b\u202e"), text
    assert "Evil \\u001b]0;owned\\u0007\\u001b[2J\\u009b31m\\u202e plan" in outputs[0].stdout
    document = json.loads(run_cli("evaluate", path, "--json").stdout)
    assert document["scenario"] == name  # JSON output keeps the name exactly (as valid JSON escapes)


# -- 4. LIKE wildcards in --search are text ----------------------------------------------------------------------------
def test_search_matches_percent_and_underscore_as_text(tmp_path, isolated_store):
    store = ScenarioStore(isolated_store)
    for name in ("Plains 100% built", "Plains_east", "Plains west"):
        store.save(plan(name=name), figures={"hubs": 1, "cost_usd": 0, "population": {"same_day": 0, "next_day": 0,
                                                                                       "none": 0}},
                   data=DataRef("test:1"))

    def names(text: str) -> list[str]:
        result = run_cli("scenarios", "list", "--search", text, "--json")
        assert result.returncode == 0, result.stderr
        return sorted(item["name"] for item in json.loads(result.stdout))

    assert names("%") == ["Plains 100% built"]
    assert names("_") == ["Plains_east"]
    assert names("s_e") == ["Plains_east"]
    assert names("plains") == ["Plains 100% built", "Plains west", "Plains_east"]


def test_a_refused_save_stores_nothing(tmp_path, isolated_store):
    _seed_store(isolated_store)
    database = Path(isolated_store.removeprefix("sqlite:///"))
    before = sqlite3.connect(database).execute("SELECT count(*) FROM versions").fetchone()
    result = run_cli("scenarios", "save", scenario_file(tmp_path, plan(hubs=[{"id": f"h{i}", "site_id": SITE}
                                                                             for i in (1, 2)])))
    assert result.returncode == 2 and "one hub a site" in result.stderr
    assert sqlite3.connect(database).execute("SELECT count(*) FROM versions").fetchone() == before
