"""How big an input may be: every size limit of the planner, in one place, with its unit and reason.

No small input may cost the server gigabytes or minutes.  Each limit is checked
before the work it guards starts (a file's size before it is read, a workbook's
unpacked size before it is unpacked, a matrix's rows before they are decoded, a
plan's hubs before they are parsed), and a refusal is an
:class:`~coverage.errors.InputError` that names the limit and how to raise it.

Raising a limit
---------------
Every limit is read from its environment variable when it is checked, so the
command line, the app and the Python API all obey the same setting::

    COVERAGE_MAX_COMMUNITIES=1000000 python -m coverage evaluate plan.json --communities towns.csv

The app's upload size is Streamlit's own ``server.maxUploadSize`` (megabytes) in
``.streamlit/config.toml``; keep it at or below ``COVERAGE_MAX_FILE_MB``.

Why these values
----------------
The engine was measured at 30,000 communities by 30,000 sites (14 s, 2.3 GB); a
matrix of 39.9 million pairs loads in 14 s and peaks at 3.9 GB; the capacity figures
of a 1,000-hub plan take about 8 s (4,000 hubs took 100 s).  The defaults stop an
order of magnitude before a server would suffer, and far above the bundled data
(4,000 communities, plans of a few hundred hubs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from coverage.errors import InputError, Problem


@dataclass(frozen=True)
class Limit:
    """One size limit: its default ``value`` in ``unit``, the variable that raises it, and why it is there."""

    key: str
    value: int
    unit: str
    environment: str
    reason: str

    def current(self) -> int:
        """The limit in force: the environment variable when it holds a positive whole number, else the default."""
        text = os.environ.get(self.environment, "").strip().replace("_", "").replace(",", "")
        try:
            value = int(float(text)) if text else self.value
        except (ValueError, OverflowError):
            return self.value
        return value if value > 0 else self.value

    def how_to_raise(self) -> str:
        """The sentence that tells a planner how to allow more."""
        return f"set {self.environment} to raise it"


LIMITS: dict[str, Limit] = {limit.key: limit for limit in (
    Limit("communities", 30_000, "communities", "COVERAGE_MAX_COMMUNITIES",
          "the engine is measured to 30,000 communities x 30,000 sites (14 s, 2.3 GB)"),
    Limit("sites", 30_000, "candidate sites", "COVERAGE_MAX_SITES",
          "the engine is measured to 30,000 communities x 30,000 sites (14 s, 2.3 GB)"),
    Limit("columns", 500, "columns", "COVERAGE_MAX_COLUMNS",
          "a communities or sites table needs eight; thousands only cost memory"),
    Limit("matrix_pairs", 10_000_000, "pairs", "COVERAGE_MAX_MATRIX_PAIRS",
          "about 1 GB while checked; 39.9 million pairs peaked at 3.9 GB"),
    Limit("hubs", 1_000, "hubs", "COVERAGE_MAX_HUBS",
          "the capacity figures of 1,000 hubs take about 8 s, of 4,000 hubs 100 s; plans at $4B have a few hundred"),
    Limit("file_mb", 100, "MB", "COVERAGE_MAX_FILE_MB",
          "the largest file read (the app's upload limit, server.maxUploadSize, matches it)"),
    Limit("unpacked_mb", 200, "MB", "COVERAGE_MAX_UNPACKED_MB",
          "the most a compressed file (.xlsx, .gz, Parquet) may unpack to: a 3 MB workbook can hold 3 million rows"),
    Limit("json_depth", 64, "levels", "COVERAGE_MAX_JSON_DEPTH",
          "a scenario nests 4 levels and GeoJSON 6; deeper nesting only exhausts the parser"),
    Limit("json_number_digits", 30, "digits", "COVERAGE_MAX_JSON_DIGITS",
          "no setting needs more; a 5,000-digit number costs the parser and overflows arithmetic"),
    Limit("link_chars", 400_000, "characters", "COVERAGE_MAX_LINK_CHARS",
          "a 1,000-hub plan's share link takes about 40,000"),
    Limit("link_json_bytes", 8_000_000, "bytes", "COVERAGE_MAX_LINK_JSON_BYTES",
          "the most a share link may inflate to; a 1,000-hub plan is about 200,000"),
    Limit("id_chars", 100, "characters", "COVERAGE_MAX_ID_CHARS",
          "a Census GEOID has at most 15; ids are shown in every table"),
)}


def limit(key: str) -> int:
    """The value in force of the limit ``key`` (see :data:`LIMITS`)."""
    return LIMITS[key].current()


def limit_bytes(key: str) -> int:
    """A megabyte limit in bytes (a megabyte is 2**20 bytes, as Streamlit's ``server.maxUploadSize`` counts it)."""
    return limit(key) * 1024 * 1024


def exceeded(key: str, found: int | str, file: str | None = None, column: str | None = None,
             what: str | None = None) -> InputError:
    """The InputError for an input over the limit ``key``: what was found, the limit, why, and how to raise it.

    ``found`` is a number of the limit's unit or a phrase (``"more than 30,000"``);
    ``what`` names the thing counted when the unit alone would not (``"rows"``).
    """
    return InputError(Problem(describe(key, found, what), file=file, column=column))


def describe(key: str, found: int | str, what: str | None = None) -> str:
    """``has 1,000,000 rows; the limit is 30,000 communities (why); set COVERAGE_MAX_COMMUNITIES to raise it``."""
    spec = LIMITS[key]
    amount = f"{found:,}" if isinstance(found, int) else found
    return (f"has {amount} {what or spec.unit}; the limit is {spec.current():,} {spec.unit} ({spec.reason}); "
            f"{spec.how_to_raise()}")


def check(key: str, count: int, file: str | None = None, column: str | None = None, what: str | None = None) -> None:
    """Raise :func:`exceeded` when ``count`` is over the limit ``key``."""
    if count > limit(key):
        raise exceeded(key, count, file, column, what)


def as_table() -> list[dict]:
    """Every limit with its value in force, for the README, ``--help`` texts and tests."""
    return [{"limit": spec.key, "value": spec.current(), "default": spec.value, "unit": spec.unit,
             "environment": spec.environment, "reason": spec.reason} for spec in LIMITS.values()]
