"""The data a plan is evaluated on, as one value: communities, candidate sites, and a travel matrix.

A :class:`DataSet` travels together everywhere a plan goes (the workspace, the command
line's plan reader, the store, sweeps and their workers, the app's cache), the way a
GeoDataFrame carries its CRS.  It holds

* **its reference** (:attr:`DataSet.ref`, a :class:`DataRef`): content fingerprints of
  the communities, the sites (None when every community is a site) and the matrix, which
  is what a stored version records and what recognises the same data again;
* **its checks**: :meth:`DataSet.check` (a travel model meets the matrix it needs, and
  only that one), :meth:`DataSet.missing_hubs` (hubs on sites this data lacks),
  :meth:`DataSet.load_matrix` (a matrix read and bound to these ids);
* **one engine factory**: :meth:`DataSet.engine` builds the coverage engine that reaches
  as far as a travel model needs (or holds the matrix), keyed by :meth:`DataSet.engine_key`.
  :func:`build_engine` builds one; :func:`cached_engine` keeps a few per process (the
  command line, the Python API and each Dask worker); the app wraps :func:`build_engine`
  in ``st.cache_resource`` under the same key (``ui/state.py``), so every session on the
  same data shares one engine.

A data set is immutable: a new matrix, or new communities, make a new one.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Hashable

from coverage.errors import InputError, Problem
from coverage.travel import TravelModel

if TYPE_CHECKING:  # pandas comes with the tables; the store imports DataRef alone and needs neither
    import numpy as np
    import pandas as pd

    from coverage.engine import CoverageEngine
    from coverage.scenario import Hub, Scenario
    from coverage.travel.matrix import TravelMatrix

#: Engines are built with their radius rounded up to this step (miles), so that small
#: threshold changes reuse the engine.
RADIUS_STEP_MILES = 10.0
#: Engines kept per process by :func:`cached_engine` (each is tens of MB for 4,000 communities).
ENGINE_CACHE_SIZE = 4


def fingerprint(frame: pd.DataFrame) -> str:
    """A content hash of a table, to recognise the same data set again (``'<hash>:<rows>'``).

    Remembered on the frame; the memo carries the frame's ``id`` because pandas copies
    ``attrs`` onto every frame derived from this one, whose content differs.
    """
    memo = frame.attrs.get("fingerprint")
    if isinstance(memo, tuple) and memo[0] == id(frame):
        return memo[1]
    import pandas as pd

    value = str(int(pd.util.hash_pandas_object(frame, index=False).sum() % (1 << 63))) + f":{len(frame)}"
    frame.attrs["fingerprint"] = (id(frame), value)
    return value


def bundled(communities: pd.DataFrame) -> bool:
    """Whether these are the bundled communities (the public GeoNames places), by their content."""
    return fingerprint(communities) == _bundled_fingerprint()


@functools.cache
def _bundled_fingerprint() -> str:
    """The bundled communities' fingerprint (``default_communities()`` is a new copy on every call)."""
    from coverage.dataset import default_communities

    return fingerprint(default_communities())


def radius_for(travel: TravelModel) -> float:
    """The engine radius that serves ``travel``: its next-day radius rounded up to the step (geometric modes)."""
    return math.ceil(travel.threshold_miles[1] / RADIUS_STEP_MILES - 1e-9) * RADIUS_STEP_MILES


@dataclass(frozen=True)
class DataRef:
    """Which data a plan was evaluated on: content fingerprints of its tables (what the store records)."""

    communities: str
    sites: str | None = None
    matrix: str | None = None

    def as_dict(self) -> dict:
        return {"communities": self.communities, "sites": self.sites, "matrix": self.matrix}

    @classmethod
    def from_dict(cls, data: dict) -> "DataRef":
        return cls(data["communities"], data.get("sites"), data.get("matrix"))

    @property
    def tables(self) -> tuple[str, str | None]:
        """The fingerprints of the communities and sites (the data, whichever travel model runs on it)."""
        return self.communities, self.sites


@dataclass(frozen=True, eq=False)
class DataSet:
    """Communities, candidate sites (None: every community is a site) and a travel matrix (or None)."""

    communities: pd.DataFrame
    sites: pd.DataFrame | None = None
    matrix: "TravelMatrix | None" = None

    @classmethod
    def default(cls) -> "DataSet":
        """The bundled 4,000 communities, every one a candidate site."""
        from coverage.dataset import default_communities

        return cls(default_communities())

    @property
    def is_default(self) -> bool:
        """Whether this is :meth:`default`'s data: the bundled communities, every one a site, no matrix."""
        return self.sites is None and self.matrix is None and bundled(self.communities)

    # -- the reference -------------------------------------------------------------------------
    @property
    def ref(self) -> DataRef:
        """The fingerprints of the tables and of the matrix."""
        return DataRef(fingerprint(self.communities), fingerprint(self.sites) if self.sites is not None else None,
                       self.matrix.fingerprint if self.matrix is not None else None)

    def same_tables(self, other: "DataSet") -> bool:
        """True when both hold the same communities and sites (whatever their matrices)."""
        return self.ref.tables == other.ref.tables

    def with_matrix(self, matrix: "TravelMatrix | None") -> "DataSet":
        """The same tables with this travel matrix (None: without one)."""
        return DataSet(self.communities, self.sites, matrix)

    def for_travel(self, travel: TravelModel) -> "DataSet":
        """The data a travel model runs on: the matrix only when the model takes its times from one."""
        if travel.mode.uses_matrix or self.matrix is None:
            return self
        return self.with_matrix(None)

    # -- ids -----------------------------------------------------------------------------------------
    @property
    def site_table(self) -> pd.DataFrame:
        """The candidate sites (the communities, as ``site_id``, when none were given)."""
        return self.sites if self.sites is not None else self.communities.rename(columns={"community_id": "site_id"})

    def site_ids(self) -> np.ndarray:
        """Every candidate site's id, as text, in order."""
        table = self.sites if self.sites is not None else self.communities
        column = "site_id" if self.sites is not None else "community_id"
        return table[column].astype(str).to_numpy()

    def community_ids(self) -> np.ndarray:
        """Every community's id, as text, in order."""
        return self.communities["community_id"].astype(str).to_numpy()

    # -- checks ------------------------------------------------------------------------------------
    def load_matrix(self, source: Any, name: str | None = None) -> "TravelMatrix":
        """A travel matrix file (path or bytes) read and checked against these sites and communities."""
        from coverage.travel.matrix import load_travel_matrix

        return load_travel_matrix(source, name=name, site_ids=self.site_ids(), community_ids=self.community_ids())

    def check(self, travel: TravelModel) -> None:
        """InputError when the travel model needs a matrix this data lacks, or this data's matrix is not its own."""
        matrix = self.matrix
        if travel.mode.uses_matrix and matrix is None:
            raise InputError(Problem("this scenario takes drive times from a travel matrix (travel.mode 'matrix'): "
                                     "give one (--travel-matrix FILE, or upload it on the Data page)",
                                     column="travel.mode"))
        if not travel.mode.uses_matrix and matrix is not None:
            raise InputError(Problem(f"a travel matrix was given, but the scenario's travel mode is "
                                     f"{str(travel.mode)!r}; set travel.mode to 'matrix' to use it",
                                     column="travel.mode"))
        if matrix is not None and travel.matrix is not None and travel.matrix != matrix.fingerprint:
            raise InputError(Problem(f"this plan was made with travel matrix {travel.matrix}, and {matrix.source} is "
                                     f"{matrix.fingerprint}: give the same matrix, or clear travel.matrix to use "
                                     "this one", column="travel.matrix"))

    def missing_hubs(self, scenario: "Scenario") -> "list[Hub]":
        """The scenario's hubs on candidate sites that this data lacks (hubs at coordinates are never missing)."""
        site_ids = set(self.site_ids().tolist())
        return [hub for hub in scenario.hubs if hub.site_id is not None and str(hub.site_id) not in site_ids]

    # -- the engine ----------------------------------------------------------------------------------
    def engine_key(self, travel: TravelModel) -> tuple[str, str | None, Hashable]:
        """What identifies the engine ``travel`` needs on this data: the tables' fingerprints and the reach."""
        reach: Hashable = self.matrix.fingerprint if self.matrix is not None else radius_for(travel)
        return (*self.ref.tables, reach)

    def engine(self, travel: TravelModel) -> "CoverageEngine":
        """This process's engine for ``travel`` on this data (checked, built on first use, a few kept)."""
        return cached_engine(self, travel)


def build_engine(data: DataSet, travel: TravelModel) -> "CoverageEngine":
    """A new engine for ``travel`` on ``data``: the matrix's pairs, or every pair within the rounded reach."""
    from coverage.engine import CoverageEngine  # imported on first build: the store reads DataRef without numpy work

    data.check(travel)
    if data.matrix is not None:
        return CoverageEngine(data.communities, data.sites, matrix=data.matrix)
    return CoverageEngine(data.communities, data.sites, radius_miles=radius_for(travel))


_ENGINES: "OrderedDict[tuple, CoverageEngine]" = OrderedDict()
_LOCK = threading.Lock()


def cached_engine(data: DataSet, travel: TravelModel) -> "CoverageEngine":
    """The engine for ``travel`` on ``data``, kept per process (the CLI, the API, each Dask worker's runs)."""
    data.check(travel)
    key = data.engine_key(travel)
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = build_engine(data, travel)
            while len(_ENGINES) > ENGINE_CACHE_SIZE:
                _ENGINES.popitem(last=False)
        _ENGINES.move_to_end(key)
        return engine
