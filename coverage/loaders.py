"""Read communities and candidate sites from the files planners have: CSV, Excel, GeoJSON, GeoPackage.

Bad input is normal input.  Every problem is reported at once as
``file:row:column: message`` (an :class:`~coverage.errors.InputError`), never as a
traceback: an empty file, a file that is not what its extension says, text that
is not UTF-8, missing columns, numbers that are not numbers, coordinates out of
range, repeated ids.  ``row`` is the row a spreadsheet shows (the header is row 1,
so the first data row is row 2); for GeoJSON and GeoPackage it is the feature
number, counting from 1.

The engine never opens a file: the app, the CLI and the API all come through here.
"""

from __future__ import annotations

import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable

import numpy as np
import pandas as pd

from coverage.bounds import bound
from coverage.defaults import HUB_TYPES
from coverage.errors import InputError, Problem
from coverage.files import read_bytes
from coverage.jsontext import read_json
from coverage.limits import check as check_limit
from coverage.limits import exceeded, limit, limit_bytes

__all__ = ["FORMATS", "check_communities", "check_sites", "load_communities", "load_sites", "read_bytes",
           "read_table"]

FORMATS = {".csv": "CSV", ".xlsx": "Excel", ".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage"}
MAX_PROBLEMS = 200
US_STATES = frozenset((
    "AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA", "HI", "IA", "ID", "IL", "IN", "KS", "KY",
    "LA", "MA", "MD", "ME", "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM", "NV", "NY", "OH",
    "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VA", "VT", "WA", "WI", "WV", "WY",
))


@dataclass(frozen=True)
class Column:
    """A column of a table kind: its name, the other headers accepted for it, and whether it must be there."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = True


COMMUNITY_COLUMNS = (
    Column("community_id", ("id", "geonameid", "geoid", "place_id")),
    Column("name", ("community", "place", "town", "city")),
    Column("state", ("state_code", "st", "stusps"), required=False),
    Column("county", ("county_name",), required=False),
    Column("county_fips", ("fips", "countyfp"), required=False),
    Column("lat", ("latitude", "y")),
    Column("lon", ("lng", "long", "longitude", "x")),
    Column("population", ("pop", "residents")),
)
SITE_COLUMNS = (
    Column("site_id", ("id", "community_id", "geonameid")),
    Column("name", ("site", "site_name", "place", "town"), required=False),
    Column("state", ("state_code", "st", "stusps"), required=False),
    Column("lat", ("latitude", "y")),
    Column("lon", ("lng", "long", "longitude", "x")),
    Column("type", ("hub_type", "site_type"), required=False),
)


# -- reading raw tables ------------------------------------------------------------------
def _sniff(data: bytes) -> str:
    head = data[:16]
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive (an Excel workbook?)"
    if head.startswith(b"SQLite format 3\x00"):
        return "an SQLite database (a GeoPackage?)"
    if head.startswith(b"%PDF"):
        return "a PDF document"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "an old Excel (.xls) workbook; save it as .xlsx"
    if b"\x00" in data[:4096]:
        return "binary data"
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return "JSON text"
    return "text"


def _wrong_kind(label: str, expected: str, data: bytes) -> InputError:
    return InputError(Problem(f"is not {expected} file: it looks like {_sniff(data)}", file=label))


def _decode(data: bytes, label: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(Problem(
            f"is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); "
            "save it as 'CSV UTF-8' and upload it again", file=label, row=line)) from None


def _check_header(header: list[str], label: str) -> None:
    """A header wider than the column limit, or one that names a column twice, is refused before any row is read."""
    check_limit("columns", len(header), file=label, column=None, what="columns")
    seen: dict[str, int] = {}
    problems = []
    for position, name in enumerate(header, start=1):
        key = str(name).strip().lower()
        if key and key in seen:
            problems.append(Problem(f"the column {str(name).strip()[:40]!r} appears twice (columns {seen[key]} and "
                                    f"{position}); give each column once", file=label, row=1, column=str(name)[:40]))
        seen.setdefault(key, position)
    if problems:
        raise InputError(problems)


def _read_csv(data: bytes, label: str, rows_key: str) -> tuple[pd.DataFrame, list]:
    kind = _sniff(data)
    if kind not in ("text", "JSON text"):
        raise _wrong_kind(label, "a CSV", data)
    most = limit(rows_key)
    lines = data.count(b"\n") - 1  # less the header
    if lines > most + 1_000:  # far over the limit: refused before the file is parsed (blank lines allowed for)
        raise exceeded(rows_key, f"about {lines:,}", file=label, what="rows")
    text = _decode(data, label)
    if not text.strip():
        raise InputError(Problem("is empty", file=label))
    first = re.match(r"[^\r\n]*", text.lstrip())  # always matches (perhaps the empty string)
    first_line = first.group(0) if first else ""
    delimiter = max(",;\t", key=first_line.count) if any(d in first_line for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records, rows, problems = [], [], []
    try:
        for record in reader:
            if not any(field.strip() for field in record):
                continue
            if header is None:
                header = [field.strip() for field in record]
                _check_header(header, label)
                continue
            if len(record) != len(header):
                problems.append(Problem(f"has {len(record)} fields where the header has {len(header)}",
                                        file=label, row=reader.line_num))
                if len(problems) > MAX_PROBLEMS:
                    break
                continue
            records.append(record)
            rows.append(reader.line_num)
            if len(records) > most:
                raise exceeded(rows_key, f"more than {most:,}", file=label, what="rows")
    except csv.Error as error:
        raise InputError(Problem(f"is not a well-formed CSV table ({error})", file=label,
                                 row=reader.line_num)) from None
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    frame = pd.DataFrame(records, columns=header, dtype=object) if header else pd.DataFrame()
    frame.attrs["decimal_comma"] = delimiter == ";"  # European spreadsheets: 40,5 means 40.5
    return frame, rows


def check_unpacked_size(data: bytes, label: str) -> None:
    """A zip archive (an .xlsx workbook) whose members unpack to more than the limit is refused before unpacking.

    The sizes come from the archive's directory; Python's zipfile never returns more than
    a member's stated size, so a member that lies about it cannot unpack further.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise InputError(Problem(f"is a damaged zip archive ({str(error)[:80]})", file=label)) from None
    if unpacked > limit_bytes("unpacked_mb"):
        raise exceeded("unpacked_mb", f"{unpacked / 2 ** 20:,.0f}", file=label, what="MB unpacked")


#: Excel's own last row: a sheet that claims a row beyond it is damaged or hostile.
EXCEL_MAX_ROW = 1_048_576


def _read_excel(data: bytes, label: str, rows_key: str) -> tuple[pd.DataFrame, list]:
    """The first sheet, streamed row by row (openpyxl read-only), stopping at the row limit."""
    import openpyxl

    if not data:
        raise InputError(Problem("is empty", file=label))
    if not data.startswith(b"PK\x03\x04"):
        raise _wrong_kind(label, "an Excel (.xlsx)", data)
    check_unpacked_size(data, label)
    most = limit(rows_key)
    header: list[str] | None = None
    records, rows = [], []
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book.worksheets[0]
            stated = sheet.max_row  # the size the sheet states: a quick refusal for an honest workbook
            if stated is not None and stated - 1 > most:
                raise exceeded(rows_key, stated - 1, file=label, what="rows (as the workbook states)")
            sheet.reset_dimensions()  # the stated size may lie: then the rows themselves decide, up to the limit
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > EXCEL_MAX_ROW:
                    raise InputError(Problem(f"has rows beyond row {EXCEL_MAX_ROW:,}, Excel's last; it is damaged",
                                             file=label))
                cells = ["" if v is None or (isinstance(v, float) and np.isnan(v)) else v for v in values]
                if not any(str(v).strip() for v in cells):
                    continue
                if header is None:
                    header = [str(v).strip() or f"column {i}" for i, v in enumerate(cells, start=1)]
                    while header and header[-1].startswith("column "):
                        header.pop()  # empty cells at the end of the header row
                    _check_header(header, label)
                    continue
                records.append((cells + [""] * len(header))[: len(header)])
                rows.append(number)
                if len(records) > most:
                    raise exceeded(rows_key, f"more than {most:,}", file=label, what="rows")
        finally:
            book.close()
    except InputError:
        raise
    except Exception as error:  # openpyxl raises many kinds for damaged workbooks
        raise InputError(Problem(f"cannot be read as an Excel workbook ({type(error).__name__})",
                                 file=label)) from None
    frame = pd.DataFrame(records, columns=header, dtype=object) if header else pd.DataFrame()
    return frame, rows


def _read_geo(data: bytes, label: str, kind: str, rows_key: str) -> tuple[pd.DataFrame, list]:
    """GeoJSON or GeoPackage points: counted and checked before GDAL reads them."""
    import geopandas as gpd
    import pyogrio

    if not data.strip():
        raise InputError(Problem("is empty", file=label))
    if kind == "GeoPackage" and not data.startswith(b"SQLite format 3\x00"):
        raise _wrong_kind(label, "a GeoPackage", data)
    layer = None
    if kind == "GeoJSON":
        document = read_json(data, label)
        if not isinstance(document, dict) or document.get("type") not in ("FeatureCollection", "Feature"):
            raise InputError(Problem("is JSON but not GeoJSON (expected a FeatureCollection)", file=label))
        features = document.get("features") if document.get("type") == "FeatureCollection" else [document]
        if not isinstance(features, list) or not features:
            raise InputError(Problem("has no features", file=label))
        check_limit(rows_key, len(features), file=label, what="features")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            if kind == "GeoPackage":
                layers = [(str(name), geometry) for name, geometry in pyogrio.list_layers(io.BytesIO(data))]
                spatial = [name for name, geometry in layers if geometry]
                if not spatial:
                    found = ", ".join(name for name, _ in layers[:10]) or "none"
                    raise InputError(Problem(f"has no layer of points (its tables: {found})", file=label))
                preferred = [n for n in spatial if n.lower() in ("communities", "sites", "candidate_sites")]
                layer = (preferred or spatial)[0]
                count = pyogrio.read_info(io.BytesIO(data), layer=layer)["features"]
                check_limit(rows_key, int(count), file=label, what="features")
            frame = gpd.read_file(io.BytesIO(data), layer=layer)
    except InputError:
        raise
    except Exception as error:
        raise InputError(Problem(f"cannot be read as {kind} ({str(error).split(';')[0][:160]})",
                                 file=label)) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.name not in frame:
        raise InputError(Problem("has no point geometry", file=label))
    _check_header([str(c) for c in frame.columns if c != frame.geometry.name], label)
    if frame.crs is not None and frame.crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    problems = []
    table = pd.DataFrame(frame.drop(columns=frame.geometry.name))
    lat = np.full(len(frame), np.nan)
    lon = np.full(len(frame), np.nan)
    for i, geometry in enumerate(frame.geometry):
        if geometry is None or geometry.is_empty:
            continue
        if geometry.geom_type != "Point":
            problems.append(Problem(f"geometry is a {geometry.geom_type}; expected a Point", file=label,
                                    row=i + 1, column="geometry"))
            if len(problems) > MAX_PROBLEMS:
                break
            continue
        lon[i], lat[i] = geometry.x, geometry.y
    lower = {c.lower() for c in table.columns}
    if not {"lat", "latitude", "y"} & lower:
        table["lat"] = lat
    if not {"lon", "lng", "long", "longitude", "x"} & lower:
        table["lon"] = lon
    if problems:
        raise InputError(problems[:MAX_PROBLEMS])
    return table, list(range(1, len(table) + 1))


def read_table(source: str | Path | bytes | BinaryIO, name: str | None = None,
               rows_key: str = "communities") -> tuple[pd.DataFrame, list, str]:
    """Raw table of a file in any supported format: (frame, row number of each row, label).

    ``rows_key`` names the row limit that applies (``communities`` or ``sites``, see
    ``coverage/limits.py``); it is checked before the rows are decoded.
    """
    data, label = read_bytes(source, name)
    suffix = Path(label).suffix.lower()
    kind = FORMATS.get(suffix)
    if kind is None:
        raise InputError(Problem(f"unsupported file type '{suffix or '(none)'}': use .csv, .xlsx, .geojson or "
                                 ".gpkg", file=label))
    if kind == "CSV":
        frame, rows = _read_csv(data, label, rows_key)
    elif kind == "Excel":
        frame, rows = _read_excel(data, label, rows_key)
    else:
        frame, rows = _read_geo(data, label, kind, rows_key)
    if frame.empty:
        raise InputError(Problem("has a header but no rows" if len(frame.columns) else "has no rows", file=label))
    return frame, rows, label


# -- checking ---------------------------------------------------------------------------
def _match_columns(frame: pd.DataFrame, spec: tuple[Column, ...], label: str) -> tuple[dict[str, str], list]:
    headers = {str(c).strip().lower(): c for c in frame.columns}
    chosen: dict[str, str] = {}
    problems: list[Problem] = []
    for column in spec:
        for candidate in (column.name, *column.aliases):
            if candidate in headers:
                chosen[column.name] = headers[candidate]
                break
        else:
            if column.required:
                accepted = " or ".join(repr(a) for a in (column.name, *column.aliases[:2]))
                problems.append(Problem(f"missing column {accepted} (found: {', '.join(map(str, frame.columns))})",
                                        file=label, row=1, column=column.name))
    return chosen, problems


def _text_column(values: pd.Series) -> pd.Series:
    def as_text(value) -> str:
        if isinstance(value, float):  # a number typed into a spreadsheet: 5445298.0 is the id 5445298
            return "" if np.isnan(value) else str(int(value)) if value.is_integer() else str(value)
        return "" if value is None else str(value).strip()
    return values.map(as_text)


def _number_column(values: pd.Series, decimal_comma: bool = False) -> pd.Series:
    comma = "." if decimal_comma else ""  # a decimal mark, or a thousands separator
    text = values.map(lambda v: v.replace(",", comma).strip() if isinstance(v, str) else v)
    return pd.to_numeric(text, errors="coerce")


def _shown(value) -> str:
    """A cell as the user wrote it, shortened."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()[:40]


class _Checker:
    """Accumulates row problems for one file."""

    def __init__(self, label: str, rows: list):
        self.label, self.rows = label, rows
        self.problems: list[Problem] = []

    def flag(self, mask, column: str, message: Callable[[int], str]) -> None:
        for i in np.flatnonzero(np.asarray(mask)).tolist():
            self.problems.append(Problem(message(i), file=self.label, row=self.rows[i], column=column))

    def raise_if_any(self) -> None:
        if self.problems:
            self.problems.sort(key=lambda p: (p.row or 0))
            shown = self.problems[:MAX_PROBLEMS]
            if len(self.problems) > MAX_PROBLEMS:
                shown.append(Problem(f"... and {len(self.problems) - MAX_PROBLEMS:,} more problems", file=self.label))
            raise InputError(shown)


def _check_common(frame: pd.DataFrame, columns: dict, checker: _Checker, id_column: str) -> pd.DataFrame:
    """Id, coordinates and state: every column that is there is checked, even when another is missing."""
    out = pd.DataFrame(index=frame.index)
    if id_column in columns:
        ids = _text_column(frame[columns[id_column]])
        checker.flag(ids == "", id_column, lambda i: "is empty")
        longest = limit("id_chars")
        checker.flag(ids.str.len() > longest, id_column, lambda i: f"is {len(ids.iloc[i]):,} characters long; an id "
                     f"has at most {longest} (set COVERAGE_MAX_ID_CHARS to raise it)")
        first_row: dict[str, int] = {}
        for i, value in enumerate(ids):
            if value and value in first_row:
                checker.problems.append(Problem(f"{value!r} repeats the id of row {first_row[value]}",
                                                file=checker.label, row=checker.rows[i], column=id_column))
            first_row.setdefault(value, checker.rows[i])
        out[id_column] = ids
    for axis in ("lat", "lon"):
        if axis not in columns:
            continue
        most = bound(axis).maximum
        raw = frame[columns[axis]]
        number = _number_column(raw, frame.attrs.get("decimal_comma", False))
        blank = _text_column(raw) == ""
        checker.flag(blank, axis, lambda i: "is empty")
        checker.flag(number.isna() & ~blank, axis,
                     lambda i, raw=raw: f"{str(raw.iloc[i])[:40]!r} is not a number")  # type: ignore[misc]
        hint = " (are lat and lon swapped?)" if axis == "lat" else ""
        checker.flag(number.abs() > most, axis, lambda i, raw=raw, lim=most, hint=hint:  # type: ignore[misc]
                     f"{_shown(raw.iloc[i])} is outside -{lim:g}..{lim:g} degrees{hint}")
        out[axis] = number
    if "state" in columns:
        state = _text_column(frame[columns["state"]]).str.upper()
        checker.flag((state != "") & ~state.isin(US_STATES), "state",
                     lambda i: f"{state.iloc[i][:20]!r} is not a US state code (AL ... WY, DC)")
        out["state"] = state
    return out


def _fill_states(out: pd.DataFrame) -> pd.DataFrame:
    from coverage.geography import state_at

    missing = (out["state"] == "") if "state" in out else pd.Series(True, index=out.index)
    if missing.any():
        if "state" not in out:
            out["state"] = ""
        out.loc[missing, "state"] = state_at(out.loc[missing, "lat"], out.loc[missing, "lon"])
    return out


def check_communities(frame: pd.DataFrame, rows: list, label: str) -> pd.DataFrame:
    """A raw table as the engine's community table, or InputError with every problem."""
    columns, problems = _match_columns(frame, COMMUNITY_COLUMNS, label)
    checker = _Checker(label, rows)
    checker.problems.extend(problems)  # a missing column, and every problem in the columns that are there
    out = _check_common(frame, columns, checker, "community_id")
    if "name" in columns:
        names = _text_column(frame[columns["name"]])
        checker.flag(names == "", "name", lambda i: "is empty")
        out["name"] = names
    if "population" in columns:
        raw = frame[columns["population"]]
        population = _number_column(raw)
        checker.flag(population.isna(), "population",
                     lambda i: f"{str(raw.iloc[i])[:40]!r} is not a number" if str(raw.iloc[i]).strip()
                     else "is empty")
        checker.flag(population < 0, "population", lambda i: f"{_shown(raw.iloc[i])} is negative: a population "
                     "counts people")
        checker.flag((population >= 0) & (population % 1 != 0) & np.isfinite(population), "population",
                     lambda i: f"{_shown(raw.iloc[i])} is not a whole number of people")
        people = bound("population")
        checker.flag(population > people.maximum, "population",
                     lambda i: f"{_shown(raw.iloc[i])} is more than {people.maximum:,} people ({people.range_text()}: "
                     f"{people.reason})")
    checker.raise_if_any()
    out["population"] = population.astype(np.int64)
    out["county"] = _text_column(frame[columns["county"]]) if "county" in columns else ""
    out["county_fips"] = _text_column(frame[columns["county_fips"]]) if "county_fips" in columns else ""
    out = _fill_states(out)
    return out[["community_id", "name", "state", "county", "county_fips", "lat", "lon", "population"]] \
        .reset_index(drop=True)


def check_sites(frame: pd.DataFrame, rows: list, label: str) -> pd.DataFrame:
    """A raw table as the engine's site table (``site_id, name, state, lat, lon, type``)."""
    columns, problems = _match_columns(frame, SITE_COLUMNS, label)
    checker = _Checker(label, rows)
    checker.problems.extend(problems)
    out = _check_common(frame, columns, checker, "site_id")
    site_ids = out["site_id"] if "site_id" in out else pd.Series("", index=out.index)
    names = _text_column(frame[columns["name"]]) if "name" in columns else site_ids
    out["name"] = names.where(names != "", site_ids)
    if "type" in columns:
        kind = _text_column(frame[columns["type"]]).str.lower()
        checker.flag((kind != "") & ~kind.isin(HUB_TYPES), "type",
                     lambda i: f"{kind.iloc[i][:20]!r} is not a hub type ({', '.join(HUB_TYPES)})")
        out["type"] = kind
    else:
        out["type"] = ""
    checker.raise_if_any()
    out = _fill_states(out)
    return out[["site_id", "name", "state", "lat", "lon", "type"]].reset_index(drop=True)


def load_communities(source: str | Path | bytes | BinaryIO | None = None, name: str | None = None) -> pd.DataFrame:
    """Communities from a file (CSV, Excel, GeoJSON, GeoPackage), or the default 4,000 when ``source`` is None."""
    if source is None:
        from coverage.dataset import default_communities

        return default_communities()
    frame, rows, label = read_table(source, name, rows_key="communities")
    table = check_communities(frame, rows, label)
    table.attrs["source"] = label
    return table


def load_sites(source: str | Path | bytes | BinaryIO | None = None, name: str | None = None,
               communities: pd.DataFrame | None = None) -> pd.DataFrame:
    """Candidate sites from a file, or every community as a site when ``source`` is None."""
    if source is None:
        communities = communities if communities is not None else load_communities()
        sites = communities.rename(columns={"community_id": "site_id"})[["site_id", "name", "state", "lat", "lon"]]
        sites = sites.assign(type="")
        sites.attrs["source"] = communities.attrs.get("source", "default")
        return sites
    frame, rows, label = read_table(source, name, rows_key="sites")
    table = check_sites(frame, rows, label)
    table.attrs["source"] = label
    return table
