"""A travel-time matrix: ``site_id, community_id, minutes``, from the planner's GIS or an OSM road network.

CSV (plain, or gzip-compressed as ``.csv.gz``) or Parquet.  A pair the matrix does not
list is unreachable; a pair it lists is reachable in its minutes (landmass rules are the
matrix's business).  Reading checks everything a planner can get wrong and lists every
problem as ``file:row:column``: a header that is not understood, ids that are not the
data's sites or communities, minutes that are not numbers, negative, missing or beyond
a week, the same pair twice.  Ids are text, exactly as written (a Census GEOID such as
``060750311.00`` keeps its leading zero and its decimals), held as categories (codes
into the distinct ids), so 30,000 x 30,000 matrices of tens of millions of pairs load
in seconds and take 16 bytes a pair.

Limits (``coverage/limits.py``) are checked before the pairs are decoded: the rows a
Parquet footer states or a CSV's lines (``COVERAGE_MAX_MATRIX_PAIRS``), and what a
Parquet file or a ``.gz`` unpacks to (``COVERAGE_MAX_UNPACKED_MB``).
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import numpy as np
import pandas as pd

from coverage.bounds import bound
from coverage.errors import InputError, Problem
from coverage.files import read_bytes
from coverage.limits import check as check_limit
from coverage.limits import exceeded, limit, limit_bytes

if TYPE_CHECKING:
    import pyarrow as pa

COLUMNS = {"site_id": ("site_id", "site", "origin", "origin_id", "from_id", "hub_id"),
           "community_id": ("community_id", "community", "destination", "destination_id", "to_id"),
           "minutes": ("minutes", "drive_minutes", "time_minutes", "travel_minutes", "duration_minutes")}
MAX_PROBLEMS = 200


@dataclass(frozen=True, eq=False)
class TravelMatrix:
    """Pairs of a travel-time matrix, ids as codes into their distinct values."""

    site_categories: np.ndarray        # distinct site ids (text)
    site_codes: np.ndarray             # int32 code of each pair's site
    community_categories: np.ndarray
    community_codes: np.ndarray
    minutes: np.ndarray                # float64
    fingerprint: str
    source: str = "matrix"

    def __len__(self) -> int:
        return len(self.minutes)

    def bind_sites(self, site_ids: np.ndarray) -> np.ndarray:
        """Engine site index of each distinct site id (-1 where the data has none)."""
        return pd.Index(np.asarray(site_ids, dtype=str)).get_indexer(self.site_categories)

    def bind_communities(self, community_ids: np.ndarray) -> np.ndarray:
        """Engine community index of each distinct community id (-1 where the data has none)."""
        return pd.Index(np.asarray(community_ids, dtype=str)).get_indexer(self.community_categories)

    def check(self, site_ids: np.ndarray, community_ids: np.ndarray) -> None:
        """InputError naming the rows whose ids the data does not have."""
        problems = unknown_ids(self.site_categories, self.site_codes, self.community_categories, self.community_codes,
                               site_ids, community_ids, self.source)
        if problems:
            raise InputError(problems)

    def pairs_frame(self) -> pd.DataFrame:
        """The matrix as a table (for writing it out)."""
        return pd.DataFrame({"site_id": self.site_categories[self.site_codes],
                             "community_id": self.community_categories[self.community_codes],
                             "minutes": self.minutes})


def unknown_ids(site_categories, site_codes, community_categories, community_codes, site_ids, community_ids,
                source: str) -> list[Problem]:
    """Problems for the rows whose site or community id the data does not have."""
    problems = []
    for name, ids, codes, categories in (("site_id", site_ids, site_codes, site_categories),
                                         ("community_id", community_ids, community_codes, community_categories)):
        bound = pd.Index(np.asarray(ids, dtype=str)).get_indexer(np.asarray(categories, dtype=str))
        unknown = np.flatnonzero(bound < 0)
        if len(unknown):
            rows = np.flatnonzero(np.isin(codes, unknown))
            kind = "candidate site" if name == "site_id" else "community"
            for row in rows[:MAX_PROBLEMS // 2].tolist():
                problems.append(Problem(f"{str(categories[codes[row]])!r} is not a {kind} of the data it is used with",
                                        file=source, row=row + 2, column=name))
            if len(rows) > MAX_PROBLEMS // 2:
                problems.append(Problem(f"... and {len(rows) - MAX_PROBLEMS // 2:,} more rows with unknown {name}s",
                                        file=source, column=name))
    return problems


def _columns(names: list[str], label: str) -> dict[str, str]:
    """Which header holds each of site_id, community_id, minutes (InputError naming what is missing)."""
    headers = {str(c).strip().lower(): c for c in names}
    chosen, problems = {}, []
    for column, aliases in COLUMNS.items():
        found = next((headers[a] for a in aliases if a in headers), None)
        if found is None:
            problems.append(Problem(f"missing column {column!r} (found: {', '.join(map(str, names))}; a matrix has "
                                    "site_id, community_id, minutes)", file=label, row=1, column=column))
        chosen[column] = found
    if problems:
        raise InputError(problems)
    return chosen


def _unpacked(data: bytes, label: str) -> bytes:
    """A gzip-compressed matrix unpacked, refused as soon as it unpacks past the limit (a small .gz can hold
    gigabytes); anything else as it is."""
    if data[:2] != b"\x1f\x8b":
        return data
    most = limit_bytes("unpacked_mb")
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacking:
            text = unpacking.read(most + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(Problem(f"is not a readable gzip file ({error})", file=label)) from None
    if len(text) > most:
        raise exceeded("unpacked_mb", f"more than {most // 2 ** 20:,}", file=label, what="MB unpacked")
    return text


def _as_text(column: "pa.ChunkedArray") -> "pa.ChunkedArray":
    """Ids as text, dictionary-encoded: text stays exactly as written (``060750311.00`` keeps its zero and its
    decimals); a column a tool stored as numbers reads as the spreadsheet would show it (5445298.0 is 5445298)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_dictionary(column.type):
        if pa.types.is_string(column.type.value_type) or pa.types.is_large_string(column.type.value_type):
            return column  # text already, and cheap: what Parquet and the CSV reader give for tens of millions
        column = column.cast(column.type.value_type)
    if pa.types.is_floating(column.type):
        values = column.to_numpy(zero_copy_only=False)
        integral = np.isfinite(values) & (np.mod(values, 1) == 0) & (np.abs(values) < 2 ** 63)
        text = np.where(integral, np.char.mod("%d", np.where(integral, values, 0).astype(np.int64)),
                        values.astype(str))
        column = pa.chunked_array([pa.array(text, pa.string())])
    elif not (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)):
        column = pc.cast(column, pa.string())
    return pc.dictionary_encode(column)


def _read_parquet(data: bytes, label: str) -> "pa.Table":
    """The three columns of a Parquet matrix; its rows and unpacked size checked from its footer first."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(io.BytesIO(data))
        meta = parquet.metadata
        check_limit("matrix_pairs", meta.num_rows, file=label, what="rows")
        unpacked = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
        if unpacked > limit_bytes("unpacked_mb"):
            raise exceeded("unpacked_mb", f"{unpacked / 2 ** 20:,.0f}", file=label, what="MB unpacked")
        chosen = _columns(parquet.schema_arrow.names, label)
        schema = parquet.schema_arrow
        text_ids = [chosen[c] for c in ("site_id", "community_id")
                    if pa.types.is_string(schema.field(chosen[c]).type)
                    or pa.types.is_large_string(schema.field(chosen[c]).type)]
        if text_ids:  # decoded straight into codes and distinct ids: 16 bytes a pair, not a string each
            parquet = pq.ParquetFile(io.BytesIO(data), read_dictionary=text_ids)
        table = parquet.read(columns=list(chosen.values()))
    except InputError:
        raise
    except Exception as error:  # pyarrow's errors name the damage; the planner needs the file named
        raise InputError(Problem(f"is not a readable Parquet file ({str(error)[:200]})", file=label)) from None
    return table.select(list(chosen.values())).rename_columns(list(chosen))


def _read_csv(data: bytes, label: str) -> "pa.Table":
    """The three columns of a CSV matrix, read by Arrow: ids as dictionary-encoded text, minutes as numbers when
    every row has one (as text otherwise, for the messages)."""
    import pyarrow as pa
    import pyarrow.csv as arrow_csv

    if not data.strip():
        raise InputError(Problem("is empty", file=label))
    lines = data.count(b"\n") - 1  # less the header
    if lines > limit("matrix_pairs") + 1_000:  # refused before parsing (blank lines allowed for)
        raise exceeded("matrix_pairs", f"about {lines:,}", file=label, what="rows")
    data = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    first = data.split(b"\n", 1)[0].rstrip(b"\r")
    try:
        header = next(csv.reader([first.decode("utf-8")]))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        raise InputError(Problem("is not a well-formed CSV table (its header is not UTF-8 text)", file=label,
                                 row=1)) from None
    chosen = _columns(header, label)
    ids = pa.dictionary(pa.int32(), pa.string())
    try:
        table = arrow_csv.read_csv(io.BytesIO(data), convert_options=arrow_csv.ConvertOptions(
            include_columns=list(chosen.values()), strings_can_be_null=False,
            column_types={chosen["site_id"]: ids, chosen["community_id"]: ids}))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError) as error:
        raise InputError(Problem(f"is not a well-formed CSV table ({str(error).splitlines()[0][:200]})",
                                 file=label)) from None
    return table.select(list(chosen.values())).rename_columns(list(chosen))


def _read(data: bytes, label: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The three columns: ids as categoricals of text (cheap for tens of millions of rows), minutes as read."""
    import pyarrow as pa

    suffix = Path(label).suffix.lower()
    inner = Path(Path(label).stem).suffix.lower() if suffix == ".gz" else suffix
    if inner not in (".csv", ".txt", ".parquet", "") and data[:4] != b"PAR1":
        raise InputError(Problem(f"unsupported matrix type '{suffix}': use .csv, .csv.gz or .parquet", file=label))
    data = _unpacked(data, label)
    table = _read_parquet(data, label) if data[:4] == b"PAR1" or inner == ".parquet" else _read_csv(data, label)
    check_limit("matrix_pairs", table.num_rows, file=label, what="rows")
    sites = _as_text(table.column("site_id")).to_pandas()
    communities = _as_text(table.column("community_id")).to_pandas()
    minutes = table.column("minutes")
    is_number = pa.types.is_integer(minutes.type) or pa.types.is_floating(minutes.type)
    minutes = minutes.to_pandas() if is_number else pd.Series(minutes.to_pandas(), dtype=object)
    return sites.astype("category"), communities.astype("category"), minutes


def load_travel_matrix(source: str | Path | bytes | BinaryIO, name: str | None = None,
                       site_ids: np.ndarray | None = None, community_ids: np.ndarray | None = None) -> TravelMatrix:
    """Read and check a matrix; with the data's ids, also that every id is the data's (every problem listed)."""
    data, label = read_bytes(source, name, default="matrix")
    sites, communities, raw = _read(data, label)
    if len(raw) == 0:
        raise InputError(Problem("has a header but no pairs", file=label))
    minutes = (raw.to_numpy(dtype=float) if pd.api.types.is_numeric_dtype(raw)
               else pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float))
    rows = np.arange(len(raw)) + 2  # the header is row 1
    problems = []
    for label_column, values in (("site_id", sites), ("community_id", communities)):
        categories = values.cat.categories.astype(str)
        blank = np.flatnonzero(categories.str.strip() == "")
        for i in np.flatnonzero(np.isin(values.cat.codes.to_numpy(), blank) | (values.cat.codes.to_numpy() < 0))[
                :MAX_PROBLEMS].tolist():
            problems.append(Problem("is empty", file=label, row=int(rows[i]), column=label_column))
    bad = ~np.isfinite(minutes)
    for i in np.flatnonzero(bad)[:MAX_PROBLEMS].tolist():
        text = str(raw.iloc[i]).strip()
        problems.append(Problem("is empty" if text in ("", "nan", "NaN", "None") else f"{text[:30]!r} is not a number "
                                "of minutes", file=label, row=int(rows[i]), column="minutes"))
    for i in np.flatnonzero(~bad & (minutes < 0))[:MAX_PROBLEMS].tolist():
        problems.append(Problem(f"{minutes[i]:g} is negative: minutes of driving cannot be negative", file=label,
                                row=int(rows[i]), column="minutes"))
    longest = bound("matrix.minutes")
    for i in np.flatnonzero(~bad & (minutes > longest.maximum))[:MAX_PROBLEMS].tolist():
        problems.append(Problem(f"{minutes[i]:g} is more than {longest.maximum:,} minutes ({longest.range_text()}: "
                                f"{longest.reason})", file=label, row=int(rows[i]), column="minutes"))
    site_codes, site_categories = sites.cat.codes.to_numpy(), sites.cat.categories.astype(str).str.strip()
    community_codes = communities.cat.codes.to_numpy()
    community_categories = communities.cat.categories.astype(str).str.strip()
    pair = pd.Series(site_codes.astype(np.int64) * max(len(community_categories), 1) + community_codes)
    repeated = np.flatnonzero(pair.duplicated().to_numpy())  # hashing: fast for tens of millions of pairs
    if len(repeated):
        wanted = set(pair.iloc[repeated[:MAX_PROBLEMS]].tolist())
        first_of = {}
        for i, value in enumerate(pair.tolist()):
            if value in wanted:
                first_of.setdefault(value, i)
        for i in repeated[:MAX_PROBLEMS].tolist():
            problems.append(Problem(f"repeats the pair of row {int(rows[first_of[int(pair.iloc[i])]])} "
                                    f"({str(site_categories[site_codes[i]])!r} to "
                                    f"{str(community_categories[community_codes[i]])!r})", file=label,
                                    row=int(rows[i]), column="site_id"))
    if site_ids is not None and community_ids is not None:  # every problem at once, unknown ids too
        problems += unknown_ids(np.asarray(site_categories, dtype=object).astype(str), site_codes,
                                np.asarray(community_categories, dtype=object).astype(str), community_codes,
                                site_ids, community_ids, label)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise InputError(problems[:MAX_PROBLEMS] + ([Problem("... and more problems", file=label)]
                                                     if len(problems) > MAX_PROBLEMS else []))
    fingerprint = f"matrix:{hashlib.sha256(data).hexdigest()[:20]}:{len(minutes)}"
    matrix = TravelMatrix(np.asarray(site_categories, dtype=object).astype(str), site_codes.astype(np.int32),
                          np.asarray(community_categories, dtype=object).astype(str),
                          community_codes.astype(np.int32), minutes, fingerprint, label)
    return matrix
