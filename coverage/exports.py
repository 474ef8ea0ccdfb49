"""Write the per-community table in the format its file name asks for.

``.csv`` and ``.xlsx`` for spreadsheets (text cells that a spreadsheet would read as
a formula are prefixed with an apostrophe, so an uploaded name like ``=HYPERLINK(...)``
stays text), ``.geojson`` and ``.gpkg`` for GIS colleagues (points in WGS84, the
GeoPackage with a ``hubs`` layer too).  Columns follow the contract's order.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from coverage.errors import InputError, Problem
from coverage.files import scratch_file, write_atomic

TABLE_FORMATS = (".csv", ".xlsx", ".geojson", ".gpkg")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def formula_safe(value):
    """Text that a spreadsheet could run as a formula, made inert; other values unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells can never start a formula."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(formula_safe)
    safe.columns = [formula_safe(str(c)) for c in safe.columns]
    return safe


def csv_bytes(table: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with a byte-order mark so that Excel reads accents right)."""
    return spreadsheet_safe(table).to_csv(index=False, float_format="%.6g").encode("utf-8-sig")


#: Excel number formats by kind of figure.
MONEY, PEOPLE, SHARE, DECIMAL, DEGREES = '"$"#,##0', "#,##0", "0.0%", "0.0", "0.00000"
UNIT_FORMATS = {"USD": MONEY, "people": PEOPLE, "communities": PEOPLE, "hubs": PEOPLE, "share": SHARE,
                "parcels": PEOPLE}


def number_format(column: str) -> str | None:
    """The Excel number format a column's name calls for (None: leave it General)."""
    name = column.lower()
    if name.endswith("_usd"):
        return MONEY
    if "share" in name or name == "utilisation":
        return SHARE
    if name in ("lat", "lon"):
        return DEGREES
    if name in ("drive_minutes", "distance_miles", "minutes", "miles"):
        return DECIMAL
    if name.startswith(("population", "communities", "people", "parcels", "capacity", "hubs", "load")) or \
            name.endswith(("_parcels_per_day", "parcels_per_day")) or name in ("rows", "population"):
        return PEOPLE
    return None


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per table: header frozen, autofilter, number formats, columns sized.

    Written with XlsxWriter (several times faster than openpyxl for the 4,000-row
    tables), with its conversion of text to formulas and links turned off; on top of
    that no text cell can start a formula (:func:`spreadsheet_safe`).  A sheet with
    ``value`` and ``unit`` columns (key figures) is formatted row by row from its unit.
    """
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": True}  # no temporary files
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        book = writer.book
        formats: dict[str, object] = {}

        def style(number_format: str):
            if number_format not in formats:
                formats[number_format] = book.add_format({"num_format": number_format})
            return formats[number_format]

        for name, frame in sheets.items():
            safe = spreadsheet_safe(frame)
            title = name[:31]
            safe.to_excel(writer, sheet_name=title, index=False)
            sheet = writer.sheets[title]
            sheet.freeze_panes(1, 0)
            if len(safe.columns):
                sheet.autofilter(0, 0, max(len(safe), 1), len(safe.columns) - 1)
            for i, column in enumerate(safe.columns):
                width = max([len(str(column))] + [len(str(v)) for v in safe[column].head(200)])
                fmt = number_format(str(column))
                numeric = fmt and pd.api.types.is_numeric_dtype(safe[column])
                sheet.set_column(i, i, min(max(width + 2, 8), 45), style(fmt) if numeric else None)
            if {"value", "unit"} <= set(safe.columns):
                value_col = list(safe.columns).index("value")
                for row, (value, unit) in enumerate(zip(safe["value"].tolist(), safe["unit"].tolist()), start=1):
                    if unit in UNIT_FORMATS and isinstance(value, (int, float)):
                        sheet.write_number(row, value_col, value, style(UNIT_FORMATS[unit]))
    return buffer.getvalue()


def geo_frame(table: pd.DataFrame, lat: str = "lat", lon: str = "lon"):
    """The table as a GeoDataFrame of WGS84 points."""
    import geopandas as gpd

    return gpd.GeoDataFrame(table.copy(), geometry=gpd.points_from_xy(table[lon], table[lat]), crs=4326)


def geojson_bytes(table: pd.DataFrame) -> bytes:
    """A GeoJSON FeatureCollection of points."""
    return geo_frame(table).to_json(na="null", drop_id=True).encode("utf-8")


def gpkg_bytes(layers: dict[str, pd.DataFrame]) -> bytes:
    """A GeoPackage with one point layer per table (empty tables are left out)."""
    with scratch_file("export.gpkg") as path:
        for name, frame in layers.items():
            if len(frame):
                geo_frame(frame).to_file(path, layer=name, driver="GPKG")
        return path.read_bytes()


def table_bytes(table: pd.DataFrame, suffix: str, summary: pd.DataFrame | None = None,
                hubs: pd.DataFrame | None = None) -> bytes:
    """The per-community table encoded for a file suffix (``.csv``, ``.xlsx``, ``.geojson``, ``.gpkg``)."""
    suffix = suffix.lower()
    if suffix == ".csv":
        return csv_bytes(table)
    if suffix == ".xlsx":
        sheets = {"Summary": summary} if summary is not None else {}
        sheets["Communities"] = table
        if hubs is not None:
            sheets["Hubs"] = hubs
        return xlsx_bytes(sheets)
    if suffix == ".geojson":
        return geojson_bytes(table)
    if suffix == ".gpkg":
        return gpkg_bytes({"communities": table, "hubs": hubs if hubs is not None else table.iloc[:0]})
    raise InputError(Problem(f"unsupported output type '{suffix}': use {', '.join(TABLE_FORMATS)}",
                             column="--out"))


#: The one atomic write (``coverage/files.py``), under the name callers of this module know.
write_bytes = write_atomic


def write_table(path: str | Path, table: pd.DataFrame, **extra) -> Path:
    """Write the table to ``path`` in the format its suffix names."""
    return write_atomic(path, table_bytes(table, Path(path).suffix, **extra))

