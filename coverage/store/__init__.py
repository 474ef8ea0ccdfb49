"""The scenario store: plans that last beyond one browser tab, kept in a database.

What is inside
--------------
``store.py``
    :class:`ScenarioStore` over any SQLAlchemy URL: SQLite by default (one file in
    the user's data folder, WAL mode), PostgreSQL (psycopg 3) for a team.  Every save
    is a new immutable version; delete moves a scenario to a bin it can be restored
    from; uploaded data sets are kept by fingerprint; the working plan's draft is
    autosaved per browser.
``access.py``
    Who acts (:class:`Person`; ``store.acting(person)``), spaces (``team:<name>``,
    ``user:<email>``), roles (viewer, editor, owner) and the permission errors
    (:class:`NoAccess` reads "not found or no access" whether the thing exists or not).
    Every store call checks the acting person; a store opened without ``acting`` acts
    as the administrator (the command line, local mode).
``schema.py``
    The tables, as SQLAlchemy Core (the code reads and writes through these).
``migrations/``
    Alembic migrations, from the first table on.  Opening a store upgrades an older
    one (and says so); a store newer than this code is refused, never touched.
``url.py``
    Which store to open: ``--store URL``, ``COVERAGE_STORE_URL``, ``[store] url`` in
    ``.streamlit/secrets.toml``, else ``scenarios.db`` in the user data folder.

To add a migration, copy ``migrations/versions/0001_first_tables.py`` to the next
number, set ``down_revision`` to the previous ``revision``, and write the change
with ``alembic.op``; update ``schema.py`` to match.  Tests open a store at the
previous revision and check that it upgrades.

The names below are imported on first use (PEP 562): ``store:ID`` references and store URLs
are read without loading SQLAlchemy, which a command on a scenario file never needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from coverage.lazy import exports

_HOMES = {
    **dict.fromkeys(("ROLES", "AuditEntry", "Comment", "Member", "NoAccess", "NotAllowed", "Person", "TeamInfo",
                     "team_space"), "coverage.store.access"),
    **dict.fromkeys(("Conflict", "SavedVersion", "ScenarioInfo", "ScenarioStore", "StoreError", "StoreUnavailable",
                     "VersionInfo"), "coverage.store.store"),
    "DataRef": "coverage.data",
    **dict.fromkeys(("default_store_url", "parse_reference", "store_url"), "coverage.store.url"),
}
__getattr__, __dir__ = exports(__name__, _HOMES)


if TYPE_CHECKING:
    from coverage.data import DataRef
    from coverage.store.access import (
        ROLES,
        AuditEntry,
        Comment,
        Member,
        NoAccess,
        NotAllowed,
        Person,
        TeamInfo,
        team_space,
    )
    from coverage.store.store import (
        Conflict,
        SavedVersion,
        ScenarioInfo,
        ScenarioStore,
        StoreError,
        StoreUnavailable,
        VersionInfo,
    )
    from coverage.store.url import default_store_url, parse_reference, store_url

__all__ = ["ROLES", "AuditEntry", "Comment", "Conflict", "DataRef", "Member", "NoAccess", "NotAllowed", "Person",
           "SavedVersion", "ScenarioInfo", "ScenarioStore", "StoreError", "StoreUnavailable", "TeamInfo", "VersionInfo",
           "default_store_url", "parse_reference", "store_url", "team_space"]
