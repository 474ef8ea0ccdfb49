"""Data sets and the store: keep what a planner uploads, and reopen a version on the data it was made on.

A version records the fingerprints of its communities and candidate sites
(:class:`~coverage.store.store.DataRef`).  The bundled 4,000 communities are known by
their fingerprint and never copied into the store; an uploaded table is kept as the
bytes the planner gave, under the fingerprint of the table those bytes load as, and
is read back through the same loader, so it comes back exactly as it was.
"""

from __future__ import annotations

import functools

import pandas as pd

from coverage.errors import InputError, Problem
from coverage.evaluation import fingerprint
from coverage.store.store import DataRef, ScenarioStore

KINDS = ("communities", "sites")


@functools.cache
def default_fingerprint() -> str:
    """Fingerprint of the bundled communities."""
    from coverage.dataset import default_communities

    return fingerprint(default_communities())


def data_ref(communities: pd.DataFrame, sites: pd.DataFrame | None = None, matrix=None) -> DataRef:
    """The fingerprints of a data set (sites None when every community is a site; matrix when one is used)."""
    return DataRef(fingerprint(communities), fingerprint(sites) if sites is not None else None,
                   matrix.fingerprint if matrix is not None else None)


def keep_matrix(store: ScenarioStore, matrix, content: bytes, author: str = "local") -> str:
    """Keep a travel matrix's bytes in the store under its fingerprint."""
    store.put_dataset(matrix.fingerprint, "matrix", matrix.source, len(matrix), content, author=author)
    return matrix.fingerprint


def open_matrix(store: ScenarioStore, ref: DataRef, communities: pd.DataFrame, sites: pd.DataFrame | None):
    """The travel matrix a version was made with, from the store; MissingData when it is not there."""
    from coverage.travel.matrix import load_travel_matrix

    if not ref.matrix:
        return None
    kept = store.get_dataset(ref.matrix)
    if kept is None:
        raise MissingData([("travel matrix", ref.matrix)])
    site_ids = (sites["site_id"] if sites is not None else communities["community_id"]).astype(str).to_numpy()
    return load_travel_matrix(kept.content, name=kept.name, site_ids=site_ids,
                              community_ids=communities["community_id"].astype(str).to_numpy())


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
         author: str = "local") -> str:
    """Keep an uploaded table's bytes in the store (unless it is the bundled data); returns its fingerprint."""
    key = fingerprint(table)
    if kind == "communities" and key == default_fingerprint():
        return key
    store.put_dataset(key, kind, name, len(table), content, author=author)
    return key


class MissingData(InputError):
    """A version's data is neither the bundled data nor kept in the store."""

    def __init__(self, missing: list[tuple[str, str]]):
        self.missing = missing
        super().__init__([Problem(f"the {kind} this plan was made on ({key}) are not in the scenario store; "
                                  f"upload that file again", column=kind) for kind, key in missing])


def open_data(store: ScenarioStore, ref: DataRef) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The communities and sites of a version, from the bundled data or the store; MissingData otherwise."""
    from coverage.dataset import default_communities
    from coverage.loaders import load_communities, load_sites

    missing: list[tuple[str, str]] = []
    communities = sites = None
    if ref.communities == default_fingerprint():
        communities = default_communities()
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
    if missing:
        raise MissingData(missing)
    return communities, sites
