"""Coverage reports: one evaluated plan as a PDF, an Excel workbook, GIS layers or a CSV table.

What is inside
--------------
``content.py``
    :class:`ReportContent`: every table and figure of a report, gathered once from one
    evaluation (the same figures as ``evaluate --json``).
``pdf.py``
    The PDF a director reads (fpdf2; the module says why).
``figures.py``
    The PDF's national map and charts (matplotlib), from the same tables as the app's.
``xlsx.py``
    The workbook: Summary, Communities, Hubs, By state, By county, By quarter, Assumptions.
``gis.py``
    GeoPackage layers (communities, hubs, same-day and next-day rings, states), or the
    same as GeoJSON files in a zip.

:func:`report_bytes` picks the format from a file name; :func:`write_report` writes to
a temporary file beside the target and renames it, so a failure leaves no half-written
file.
"""

from __future__ import annotations

from pathlib import Path

from coverage.errors import InputError, Problem
from coverage.evaluation import Evaluation
from coverage.reports.content import ReportContent, gather

#: File endings and what they hold.
FORMATS = {".pdf": "PDF report", ".xlsx": "Excel workbook", ".csv": "CSV table of communities",
           ".gpkg": "GeoPackage", ".geojson.zip": "GeoJSON layers in a zip"}


def report_format(name: str) -> str:
    """The report format a file name asks for (``.geojson.zip`` counts as one ending)."""
    lower = name.lower()
    for ending in sorted(FORMATS, key=len, reverse=True):
        if lower.endswith(ending):
            return ending
    raise InputError(Problem(f"unsupported report type; use {', '.join(FORMATS)}", file=name, column="--out"))


def report_bytes(content: ReportContent | Evaluation, fmt: str) -> bytes:
    """The report in one format (``.pdf``, ``.xlsx``, ``.csv``, ``.gpkg``, ``.geojson.zip``)."""
    if isinstance(content, Evaluation):
        content = gather(content)
    fmt = report_format(fmt if fmt.startswith(".") else "." + fmt)
    if fmt == ".pdf":
        from coverage.reports.pdf import pdf_bytes

        return pdf_bytes(content)
    if fmt == ".xlsx":
        from coverage.reports.xlsx import workbook_bytes

        return workbook_bytes(content)
    if fmt == ".csv":
        from coverage.exports import csv_bytes

        return csv_bytes(content.communities())
    from coverage.reports.gis import geojson_zip_bytes, gpkg_bytes

    return gpkg_bytes(content) if fmt == ".gpkg" else geojson_zip_bytes(content)


def write_report(content: ReportContent | Evaluation, path: str | Path) -> Path:
    """Write the report in the format the file name asks for; nothing is left behind when it fails."""
    from coverage.files import write_atomic

    fmt = report_format(str(path))
    return write_atomic(path, report_bytes(content, fmt))


def file_name(scenario_name: str, made_at: str, fmt: str) -> str:
    """``plains-pilot-2026-11-25.pdf``: the scenario's name and the date."""
    import re

    slug = re.sub(r"[^A-Za-z0-9]+", "-", scenario_name).strip("-").lower()[:60] or "scenario"
    return f"{slug}-{made_at[:10]}{fmt}"


__all__ = ["FORMATS", "ReportContent", "comparison_bytes", "file_name", "gather", "report_bytes", "report_format",
           "write_report"]


def comparison_bytes(comparison, fmt: str) -> bytes:
    """A comparison of plans as a PDF or an Excel workbook."""
    if fmt == ".pdf":
        from coverage.reports.pdf import comparison_pdf_bytes

        return comparison_pdf_bytes(comparison)
    if fmt == ".xlsx":
        from coverage.exports import xlsx_bytes

        return xlsx_bytes(comparison.sheets())
    raise InputError(Problem(f"a comparison is written as .pdf or .xlsx, not {fmt}", column="--out"))
