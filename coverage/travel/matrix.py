"""A travel-time matrix: ``site_id, community_id, minutes``, from the planner's GIS or an OSM road network.

CSV or Parquet.  A pair the matrix does not list is unreachable; a pair it lists is
reachable in its minutes (landmass rules are the matrix's business).  Reading checks
everything a planner can get wrong and lists every problem as ``file:row:column``:
a header that is not understood, ids that are not the data's sites or communities,
minutes that are not numbers, negative or missing, the same pair twice.  Ids are held
as categories (codes into the distinct ids), so 30,000 x 30,000 matrices of tens of
millions of pairs load in seconds and take 16 bytes a pair.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from coverage.errors import InputError, Problem
from coverage.loaders import read_bytes

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


def _read(data: bytes, label: str) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The three columns: ids as categoricals (cheap for tens of millions of rows), minutes as read."""
    suffix = Path(label).suffix.lower()
    if suffix == ".parquet" or data[:4] == b"PAR1":
        import pyarrow.parquet as pq

        try:
            schema = pq.read_schema(io.BytesIO(data))
            chosen = _columns(schema.names, label)
            table = pq.read_table(io.BytesIO(data), columns=list(chosen.values()),
                                  read_dictionary=[chosen["site_id"], chosen["community_id"]])
        except InputError:
            raise
        except Exception as error:  # pyarrow's errors name the damage; the planner needs the file named
            raise InputError(Problem(f"is not a readable Parquet file ({error})", file=label)) from None
        frame = table.to_pandas()
        sites, communities = frame[chosen["site_id"]], frame[chosen["community_id"]]
        for series in (sites, communities):
            if not isinstance(series.dtype, pd.CategoricalDtype):
                series = series.astype(str).astype("category")
        return (sites.astype("category"), communities.astype("category"), frame[chosen["minutes"]])
    if suffix not in (".csv", ".txt", ".gz", ""):
        raise InputError(Problem(f"unsupported matrix type '{suffix}': use .csv or .parquet", file=label))
    if not data.strip():
        raise InputError(Problem("is empty", file=label))
    try:
        header = pd.read_csv(io.BytesIO(data), nrows=0, compression="infer" if suffix == ".gz" else None)
        chosen = _columns(list(header.columns), label)
        frame = pd.read_csv(io.BytesIO(data), usecols=list(chosen.values()), keep_default_na=False, na_values=[],
                            dtype={chosen["site_id"]: "category", chosen["community_id"]: "category",
                                   chosen["minutes"]: str}, engine="c",
                            compression="infer" if suffix == ".gz" else None)
    except InputError:
        raise
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise InputError(Problem(f"is not a well-formed CSV table ({str(error).splitlines()[0]})",
                                 file=label)) from None
    return frame[chosen["site_id"]], frame[chosen["community_id"]], frame[chosen["minutes"]]


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
