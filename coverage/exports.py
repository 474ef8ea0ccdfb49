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


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """An Excel workbook with one sheet per table, header row frozen and columns sized."""
    from openpyxl.utils import get_column_letter

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe = spreadsheet_safe(frame)
            safe.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            sheet.freeze_panes = "A2"
            for i, column in enumerate(safe.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in safe[column].head(200)])
                sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 45)
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
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.gpkg"
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


def write_bytes(path: str | Path, content: bytes) -> Path:
    """Write a finished file: to a temporary file beside it, then renamed, so no half-written file is left."""
    import os
    import tempfile

    path = Path(path)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent or ".")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(content)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        raise InputError(Problem(f"cannot be written ({error.strerror})", file=str(path))) from None
    return path


def write_table(path: str | Path, table: pd.DataFrame, **extra) -> Path:
    """Write the table to ``path`` in the format its suffix names."""
    return write_bytes(path, table_bytes(table, Path(path).suffix, **extra))


def write_sheets(path: str | Path, sheets: dict[str, pd.DataFrame]) -> Path:
    """Write tables as the sheets of one Excel workbook."""
    return write_bytes(path, xlsx_bytes(sheets))
