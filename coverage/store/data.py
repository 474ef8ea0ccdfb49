"""Data sets and the store: keep what a planner uploads, and reopen a version with the data it was made on.

A version records its data's reference (:class:`~coverage.data.DataRef`: the
fingerprints of its communities, candidate sites and travel matrix).  The bundled 4,000
communities are known by their fingerprint and never copied into the store; an uploaded
table or matrix is kept as the bytes the planner gave, under the fingerprint of what those
bytes load as, and is read back through the same loader, so it comes back exactly as it was.

:func:`open_version` is the one way to reopen a stored plan: it returns the
:class:`~coverage.scenario.Scenario` and its :class:`~coverage.data.DataSet` together
(:class:`StoredPlan`); :func:`open_dataset` turns any reference (a version's, a draft's)
into the data set.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import pandas as pd

from coverage.data import DataRef, DataSet, fingerprint
from coverage.errors import InputError, Problem
from coverage.scenario import Scenario, parse_scenario
from coverage.store.store import SavedVersion, ScenarioStore

KINDS = ("communities", "sites")


@functools.cache
def default_fingerprint() -> str:
    """Fingerprint of the bundled communities."""
    return fingerprint(DataSet.default().communities)


def data_ref(communities: pd.DataFrame, sites: pd.DataFrame | None = None, matrix=None) -> DataRef:
    """The fingerprints of a data set given as its parts (``DataSet(...).ref``, for callers holding tables)."""
    return DataSet(communities, sites, matrix).ref


def keep_matrix(store: ScenarioStore, matrix, content: bytes, author: str = "local", space: str | None = None) -> str:
    """Keep a travel matrix's bytes in the store under its fingerprint (in ``space``: the person's default)."""
    store.put_dataset(matrix.fingerprint, "matrix", matrix.source, len(matrix), content, author=author, space=space)
    return matrix.fingerprint


def is_default(ref: DataRef) -> bool:
    """True when the data is the bundled communities, every one a site."""
    return ref.communities == default_fingerprint() and ref.sites is None


def describe(ref: DataRef, store: ScenarioStore | None = None) -> str:
    """'bundled 4,000 communities' or the uploaded files' names, for lists and messages."""
    if ref.communities == default_fingerprint():
        text = "bundled communities"
    else:
        kept = store.dataset_info(ref.communities) if store is not None else None
        text = f"{kept['name']} ({kept['rows']:,} communities)" if kept else f"communities {ref.communities}"
    if ref.sites:
        kept = store.dataset_info(ref.sites) if store is not None else None
        text += f", sites {kept['name'] if kept else ref.sites}"
    return text


def keep(store: ScenarioStore, kind: str, table: pd.DataFrame, name: str, content: bytes,
         author: str = "local", space: str | None = None) -> str:
    """Keep an uploaded table's bytes in the store (unless it is the bundled data), visible in ``space`` (the acting
    person's default space when None); returns its fingerprint."""
    key = fingerprint(table)
    if kind == "communities" and key == default_fingerprint():
        return key
    store.put_dataset(key, kind, name, len(table), content, author=author, space=space)
    return key


class MissingData(InputError):
    """A version's data is neither the bundled data nor kept in the store."""

    def __init__(self, missing: list[tuple[str, str]]):
        self.missing = missing
        super().__init__([Problem(f"the {kind} this plan was made on ({key}) are not in the scenario store; "
                                  f"upload that file again", column=kind) for kind, key in missing])


def open_dataset(store: ScenarioStore, ref: DataRef) -> DataSet:
    """The data set a reference names: the bundled data or the kept tables, and its kept matrix; MissingData else."""
    from coverage.loaders import load_communities, load_sites

    missing: list[tuple[str, str]] = []
    communities = sites = None
    if ref.communities == default_fingerprint():
        communities = DataSet.default().communities
    else:
        kept = store.get_dataset(ref.communities)
        if kept is None:
            missing.append(("communities", ref.communities))
        else:
            communities = load_communities(kept.content, name=kept.name)
    if ref.sites:
        kept = store.get_dataset(ref.sites)
        if kept is None:
            missing.append(("sites", ref.sites))
        else:
            sites = load_sites(kept.content, name=kept.name)
    if missing or communities is None:
        raise MissingData(missing)
    return with_kept_matrix(store, ref, DataSet(communities, sites))


def with_kept_matrix(store: ScenarioStore, ref: DataRef, data: DataSet) -> DataSet:
    """``data`` with the travel matrix ``ref`` names, read from the store and bound to its ids (as it is without)."""
    if not ref.matrix or data.matrix is not None:
        return data
    kept = store.get_dataset(ref.matrix)
    if kept is None:
        raise MissingData([("travel matrix", ref.matrix)])
    return data.with_matrix(data.load_matrix(kept.content, name=kept.name))


def open_data(store: ScenarioStore, ref: DataRef) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The communities and sites of a reference (a thin wrapper of :func:`open_dataset`, for older callers)."""
    data = open_dataset(store, ref)
    return data.communities, data.sites


@dataclass(frozen=True)
class StoredPlan:
    """A stored version reopened: its scenario, the data set it was made on, and the version itself."""

    scenario: Scenario
    data: DataSet
    version: SavedVersion

    @property
    def label(self) -> str:
        """``store:ID@V``, what messages call it."""
        return f"store:{self.version.scenario_id}@{self.version.version}"


def open_version(store: ScenarioStore, scenario_id: str, version: int | None = None, *,
                 data: DataSet | None = None, matrix_file=None) -> StoredPlan:
    """A stored version (the newest when ``version`` is None) with the data it was made on, both checked.

    ``data`` opens it on other data instead (``--communities`` on the command line, the app's
    "open it on the current data"); ``matrix_file`` reads that travel matrix instead of the
    version's own.  Without either, the version's own matrix comes from the store, bound to
    the data's ids.
    """
    saved = store.get(scenario_id, version)
    scenario = parse_scenario(saved.document, source=f"store:{saved.scenario_id}@{saved.version}")
    if data is None:
        data = open_dataset(store, DataRef(*saved.data.tables))
    if matrix_file is not None:
        data = data.with_matrix(data.load_matrix(matrix_file))
    else:
        data = with_kept_matrix(store, saved.data, data)
    return StoredPlan(scenario, data, saved)
