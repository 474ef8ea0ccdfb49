"""The scenario store: every save a new immutable version, over any SQLAlchemy URL.

Guarantees
----------
* **Nothing is overwritten.**  A save adds version N+1 of its scenario in one
  transaction (``UPDATE scenarios SET latest_version = latest_version + 1 ...
  RETURNING``, then ``INSERT`` the version).  Two tabs that save the same scenario
  both keep their version; the later one learns that another save came in between
  (:attr:`SaveResult.conflict`).  Renaming is a new version too.  Delete moves a
  scenario to the bin (``deleted_at``); restore takes it out.
* **Concurrent writers wait, they do not fail.**  SQLite runs in WAL mode (readers
  never block) and every write transaction starts with ``BEGIN IMMEDIATE``, so
  writers queue on the file lock (30 s busy timeout) instead of failing when two
  deferred transactions both try to upgrade; PostgreSQL serialises the version
  counter on the scenario's row lock.
* **A crash never damages a returned save.**  SQLite commits with
  ``synchronous=FULL``; PostgreSQL commits durably by default.
* **A store it cannot use is refused with a message**, never a traceback:
  :class:`StoreUnavailable` (bad URL, server down, corrupt file, a schema newer than
  this code) is an :class:`~coverage.errors.InputError`, so the CLI exits with 2.  A
  store that opens but cannot be written (a read-only file) opens with
  ``writable = False`` and the reason.
"""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import secrets
import urllib.parse
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from coverage import bounds
from coverage.data import DataRef
from coverage.errors import InputError
from coverage.store import schema
from coverage.store.access import (
    LOCAL_TEAM,
    ROLES,
    AccessError,
    AuditEntry,
    Comment,
    Member,
    NoAccess,
    NotAllowed,
    Person,
    TeamInfo,
    at_least,
    check_email,
    check_note,
    check_role,
    check_team,
    space_label,
    space_team,
    team_space,
)
from coverage.store.errors import Conflict, StoreError, StoreUnavailable  # noqa: F401 (importable from here)
from coverage.store.url import display, normalise, parse_reference, store_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
#: Versions are numbered from 1; the largest an INTEGER column holds everywhere (SQLite and PostgreSQL).
MAX_VERSION = 2 ** 31 - 1
DEFAULT_AUTHOR = "local"
_ADVISORY_LOCK = 7_281_766  # PostgreSQL advisory lock held while migrating


@dataclass(frozen=True)
class ScenarioInfo:
    """One scenario as listed: its latest version's name and key figures."""

    id: str
    name: str
    latest_version: int
    figures: dict
    created_at: str
    created_by: str
    updated_at: str
    updated_by: str
    deleted_at: str | None = None
    deleted_by: str | None = None
    space: str = team_space(LOCAL_TEAM)   # the team or private space it belongs to
    status: str | None = None             # the latest version's review status: proposed, approved, rejected

    def as_dict(self) -> dict:
        """The ``scenarios list --json`` object."""
        return {"id": self.id, "name": self.name, "latest_version": self.latest_version,
                "updated": self.updated_at, "updated_by": self.updated_by, "created": self.created_at,
                "created_by": self.created_by, "deleted": self.deleted_at, "space": self.space,
                "status": self.status, **self.figures}


@dataclass(frozen=True)
class VersionInfo:
    """One saved version, without its document."""

    scenario_id: str
    version: int
    name: str
    figures: dict
    data: DataRef
    based_on: int | None
    note: str
    author: str
    created_at: str
    status: str | None = None      # the newest review step: proposed, approved, rejected (None: never proposed)

    def as_dict(self) -> dict:
        """The ``scenarios history --json`` object."""
        return {"id": self.scenario_id, "version": self.version, "name": self.name, "created": self.created_at,
                "author": self.author, "note": self.note, "based_on": self.based_on, "data": self.data.as_dict(),
                "status": self.status, **self.figures}


@dataclass(frozen=True)
class SavedVersion(VersionInfo):
    """A version with its scenario document."""

    document: dict = field(default_factory=dict)


@dataclass(frozen=True)
class SaveResult:
    """What a save made: the scenario id and the new version's number."""

    id: str
    version: int
    created: bool
    conflict: bool     # a save came in between the version this one was based on and this one

    @property
    def message(self) -> str:
        """What to tell the planner."""
        if self.conflict:
            return f"another save came in between; yours is version {self.version}"
        return f"saved as version {self.version}" if not self.created else "saved as a new scenario (version 1)"

    def as_dict(self) -> dict:
        return {"id": self.id, "version": self.version, "created": self.created, "conflict": self.conflict}


@dataclass(frozen=True)
class Dataset:
    """An uploaded table as the planner gave it."""

    fingerprint: str
    kind: str
    name: str
    rows: int
    content: bytes


@dataclass(frozen=True)
class Draft:
    """One browser's autosaved working plan."""

    key: str
    document: dict
    data: DataRef
    origin_id: str | None
    origin_version: int | None
    updated_at: str


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _dump(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:24].strip("-")
    return slug or "scenario"


class ScenarioStore:
    """Scenarios, their versions, uploaded data sets and drafts in one database.

    Parameters
    ----------
    url
        Any SQLAlchemy URL (``sqlite:///path/scenarios.db``,
        ``postgresql://user:password@host/db``); by default the one
        :func:`~coverage.store.url.store_url` picks.

    Opening upgrades an older store (``messages`` says so) and refuses one newer than
    this code.  Examples
    --------
    >>> store = ScenarioStore("sqlite:///tmp/plans.db")
    >>> saved = store.save(scenario.to_dict(), figures=evaluation.key_figures(), data=DataRef("123:4000"))
    >>> store.get(saved.id).document["name"]
    """

    def __init__(self, url: str | None = None):
        self.url = normalise(store_url(url))
        self.display_url = display(self.url)
        self.messages: list[str] = []
        self.writable = True
        self.read_only_reason: str | None = None
        self.path: Path | None = None            # a SQLite store's file
        self.damage: list[str] = []              # what SQLite's quick_check found wrong (empty when sound)
        self.person = Person.local()             # who acts: the administrator unless acting() says otherwise
        self.engine = self._create_engine()
        self._prepare()

    def acting(self, person: Person) -> "ScenarioStore":
        """A view on the same database whose every call acts as ``person`` (their rights, their name).

        A store opened without it acts as :meth:`Person.local`, the administrator, who sees
        and may do everything (the command line without ``--as``, the single-user app).
        """
        if not isinstance(person, Person):
            raise TypeError("acting() takes a coverage.store.access.Person")
        view = copy.copy(self)
        view.person = person
        return view

    # -- opening -------------------------------------------------------------------------------
    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def _create_engine(self) -> sa.Engine:
        try:
            url = sa.engine.make_url(self.url)
        except (sa_exc.ArgumentError, ValueError):
            raise StoreUnavailable(f"{self.display_url!r} is not a database URL (use sqlite:///path/to/file.db "
                                   "or postgresql://user:password@host/database)") from None
        options: dict[str, Any] = {}
        if url.get_backend_name() == "sqlite":
            url = self._sqlite_file(url)
            options["connect_args"] = {"timeout": 30}
        elif url.get_backend_name() == "postgresql":
            # a server that stops and comes back: every call in between raises StoreUnavailable, and the pool
            # tests each connection before use (pre-ping) and replaces dead ones, so the store recovers by itself
            options["connect_args"] = {"connect_timeout": 5}
            options["pool_pre_ping"] = True
        try:
            engine = sa.create_engine(url, **options)
        except (sa_exc.ArgumentError, sa_exc.NoSuchModuleError, ImportError, ValueError) as error:
            raise StoreUnavailable(f"cannot use the store URL {self.display_url}: {error}") from None
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)
        return engine

    def _sqlite_file(self, url: sa.URL) -> sa.URL:
        """Check a SQLite store's file before SQLite touches it; returns the URL to connect with.

        Refused: no file at all (``sqlite:///``, ``:memory:``: a store that keeps nothing), a
        folder, an empty (0-byte) file where a store was (a full disk or a failed copy leaves
        one; SQLite would quietly start a new store on it).  A new store is built whole and
        owner-only (:func:`_create_sqlite_store`: folder 0700, file 0600; SQLite gives the
        ``-wal`` and ``-shm`` files the file's permissions).  A store the planner cannot
        write (a read-only file, folder or disk) is opened read-only.
        """
        database = url.database or ""
        memory = (not database or database == ":memory:" or "mode=memory" in database
                  or url.query.get("mode") == "memory")
        if memory:
            raise StoreUnavailable(f"the store {self.display_url!r} keeps nothing (SQLite in memory): give a file, as "
                                   "in sqlite:///path/to/scenarios.db")
        if database.startswith("file:"):  # a SQLite URI given on purpose: the planner knows what they asked for
            return url
        path = Path(database).expanduser()
        if path.is_dir():
            raise StoreUnavailable(f"the scenario store {path} is a folder, not a database file")
        self.path = path
        if path.exists():
            if path.stat().st_size == 0:
                raise StoreUnavailable(
                    f"the scenario store {path} is an empty file (0 bytes): a full disk or a failed copy can leave "
                    "one where a store was. Restore it from a backup, or delete the empty file to start a new store.")
            folder_writable = os.access(path.parent, os.W_OK)
            if os.access(path, os.W_OK) and folder_writable:
                return url
            self.writable = False
            self.read_only_reason = (f"the scenario store {path} is read-only for you (its "
                                     f"{'folder' if not folder_writable else 'file'} cannot be written); it is open "
                                     "for reading only")
            query = {"uri": "true", "mode": "ro", **({"immutable": "1"} if not folder_writable else {})}
            return url.set(database="file:" + urllib.parse.quote(str(path.resolve())), query=query)
        try:
            if _create_sqlite_store(path):
                self.messages.append(f"created a new scenario store at {self.display_url}")
        except OSError as error:
            raise StoreUnavailable(f"cannot create the scenario store {path}: {error.strerror}") from None
        except sa_exc.DBAPIError as error:
            raise StoreUnavailable(f"cannot create the scenario store {path}: {_reason(error)}") from None
        return self._sqlite_file(url)

    def _prepare(self) -> None:
        """Check a SQLite file, create or upgrade the schema (saying so), refuse a newer one, probe for writing.

        A store at :data:`SCHEMA_HEAD` (the usual case) is recognised by one query, without loading Alembic
        (about 0.2 s of every command on the store).
        """
        if self.is_sqlite:
            self._check_sqlite()
        with self._errors():
            with self.engine.connect() as conn:
                newest = _stamped_revision(conn) == SCHEMA_HEAD
                conn.rollback()
        if not newest:
            self._migrate()
        if self.writable:
            self._probe_writing()

    def _migrate(self) -> None:
        """Create or upgrade the schema with Alembic (saying so); refuse a revision newer than this code knows."""
        from alembic.runtime.migration import MigrationContext

        head, known = _revisions()

        def current(conn: sa.Connection) -> str | None:
            return MigrationContext.configure(conn).get_current_revision()

        with self._errors():
            with self.engine.connect() as conn:
                found = current(conn)
                conn.rollback()
        if found is not None and found not in known:
            self.engine.dispose()
            raise StoreUnavailable(
                f"the scenario store at {self.display_url} has schema revision {found!r}, newer than this version "
                f"of the planner knows (its newest is {head!r}); upgrade the planner to use it. The store was "
                "left untouched.")
        if found != head:
            if not self.writable:
                raise StoreUnavailable(f"the scenario store at {self.display_url} needs an upgrade of its schema "
                                       f"and cannot be written: {self.read_only_reason}")
            with self._errors(), self._transaction(write=True) as conn:
                if not self.is_sqlite and self.engine.dialect.name == "postgresql":
                    conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK})")
                found = current(conn)  # another process may have migrated while we waited
                if found != head:
                    _upgrade(conn)
                    self.messages.append(
                        f"created a new scenario store at {self.display_url}" if found is None else
                        f"upgraded the scenario store at {self.display_url} from schema revision {found} to {head}")

    def _check_sqlite(self) -> None:
        """SQLite's quick_check on open: a damaged store opens for reading only, with how to recover it."""
        try:
            with self.engine.connect() as conn:
                found = [str(row[0]) for row in conn.exec_driver_sql("PRAGMA quick_check(20)")]
                conn.rollback()
        except sa_exc.DBAPIError as error:
            reason = _reason(error)
            raise StoreUnavailable(f"cannot use the scenario store at {self.display_url}: "
                                   f"{self._damaged(reason) if _is_damage(reason) else reason}") from None
        if found != ["ok"]:
            self.damage = [line for row in found for line in row.splitlines() if not line.startswith("***")]
            self.writable = False
            self.read_only_reason = self._damaged("; ".join(self.damage[:3]))
            self.messages.append(f"warning: {self.read_only_reason}")

    def _damaged(self, reason: str) -> str:
        """The message for a damaged SQLite store: what SQLite says, that nothing is written, how to recover."""
        return (f"the scenario store {self.path or self.display_url} is damaged (SQLite: {reason[:200]}); nothing "
                f"will be written to it. {self._recovery()}")

    def _recovery(self) -> str:
        """How to get back what a damaged SQLite store holds (SQLite's own .recover)."""
        where = self.path or self.display_url
        return (f"To recover what it holds, keep a copy of the file, then run: sqlite3 '{where}' .recover | sqlite3 "
                f"'{where}.recovered' and open that with --store sqlite:///{where}.recovered")

    def _probe_writing(self) -> None:
        """Try a write and roll it back: a read-only store opens with ``writable = False``."""

        class _Rollback(Exception):
            pass

        try:
            with self._transaction(write=True) as conn:
                conn.execute(sa.update(schema.store_meta).where(schema.store_meta.c.key == "schema_upgraded")
                             .values(value=schema.store_meta.c.value))
                conn.execute(sa.insert(schema.store_meta).values(key="write_probe", value=_now()))
                raise _Rollback
        except _Rollback:
            return
        except sa_exc.DBAPIError as error:
            self.writable = False
            self.read_only_reason = f"the scenario store at {self.display_url} cannot be written ({_reason(error)})"

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """Database errors become StoreUnavailable with a plain reason."""
        try:
            yield
        except (StoreError, sa_exc.IntegrityError):
            raise
        except (sa_exc.DBAPIError, sa_exc.ArgumentError, sa_exc.DisconnectionError, sa_exc.TimeoutError,
                sa_exc.PendingRollbackError, OverflowError) as error:
            reason = _reason(error)
            if self.is_sqlite and _is_damage(reason):
                raise StoreUnavailable(f"cannot use the scenario store at {self.display_url}: {self._damaged(reason)}"
                                       ) from None
            raise StoreUnavailable(f"cannot use the scenario store at {self.display_url}: {reason}") from None

    @contextlib.contextmanager
    def _transaction(self, write: bool = False) -> Iterator[sa.Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(coverage_write=write)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sa.Connection]:
        if not self.writable:
            raise StoreError(f"saving is off: {self.read_only_reason}")
        with self._errors(), self._transaction(write=True) as conn:
            yield conn

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sa.Connection]:
        with self._errors(), self._transaction() as conn:
            yield conn

    def unavailable_reason(self) -> str | None:
        """None when the store answers now; otherwise why not, for a banner.  Never raises.

        One ``SELECT 1`` through the pool (whose pre-ping replaces connections a restarted
        server dropped), so a page can ask on every rerun: saving goes off while this gives a
        reason and comes back on by itself when it gives None again.
        """
        try:
            with self._reading() as conn:
                conn.exec_driver_sql("SELECT 1")
        except StoreUnavailable as error:
            return str(error)
        return None

    def close(self) -> None:
        """Release the connections."""
        self.engine.dispose()

    # -- who may do what (the one place it is decided) ---------------------------------------------
    @property
    def default_space(self) -> str:
        """Where a new scenario, data set or sweep goes unless told: the administrator's ``team:local``, else
        the person's private space."""
        return team_space(LOCAL_TEAM) if self.person.admin else self.person.space

    def _roles(self, conn: sa.Connection) -> dict[str, str]:
        """Every space the (non-admin) person sees, with their role in it (their private space: owner)."""
        table = schema.members
        rows = conn.execute(sa.select(table.c.team, table.c.role).where(table.c.email == self.person.email)).all()
        return {self.person.space: "owner", **{team_space(team): role for team, role in rows}}

    def _role(self, conn: sa.Connection, space: str) -> str | None:
        """The person's role in a space (None: they do not see it); the administrator is an owner everywhere."""
        return "owner" if self.person.admin else self._roles(conn).get(space)

    def _visible(self, conn: sa.Connection, column: sa.ColumnElement) -> sa.ColumnElement | None:
        """A condition keeping only rows in spaces the person sees (None for the administrator: everything)."""
        return None if self.person.admin else column.in_(sorted(self._roles(conn)))

    def _allow(self, conn: sa.Connection, space: str, needed: str, what: str, target: str) -> str:
        """The person's role in ``space`` if it is at least ``needed``; NoAccess when they do not see the space,
        NotAllowed (naming the role needed) when their role is too low."""
        role = self._role(conn, space)
        if role is None:
            raise NoAccess(target)
        if not at_least(role, needed):
            team = space_team(space)
            raise NotAllowed(f"{needed}s of team {team} may {what}; you are {'an' if role[0] in 'eo' else 'a'} {role} "
                             "there", column="role")
        return role

    def _scenario(self, conn: sa.Connection, scenario_id: str) -> sa.RowMapping:
        """A scenario's row if the person sees it: NoAccess (the same whether it exists or not) else; the
        administrator gets the store's own message for one that is not there."""
        row = conn.execute(sa.select(schema.scenarios).where(schema.scenarios.c.id == scenario_id)).mappings().first()
        if row is None:
            if self.person.admin:
                raise StoreError(f"there is no scenario {scenario_id!r} in the store", column="id")
            raise NoAccess(scenario_id)
        if not self.person.admin and row["space"] not in self._roles(conn):
            raise NoAccess(scenario_id)
        return row

    def _author(self, author: str | None) -> str:
        """The name a change is recorded under: the acting person's email, or for the administrator the
        ``author=`` given (the command line's ``--author``, "local" by default)."""
        if not self.person.admin:
            return self.person.email
        return (author or DEFAULT_AUTHOR).strip()[:200] or DEFAULT_AUTHOR

    def _log(self, conn: sa.Connection, action: str, space: str, *, target: str = "", detail: str = "",
             scenario: str | None = None, version: int | None = None, author: str | None = None) -> None:
        """One audit line, in the caller's transaction (so it is written exactly when the change is)."""
        if author is not None and author != self.person.email:
            detail = f"{detail} (recorded as {author})" if detail else f"recorded as {author}"
        conn.execute(sa.insert(schema.audit).values(at=_now(), who=self.person.email, action=action, target=target,
                                                    detail=detail[:2000], space=space, scenario=scenario,
                                                    version=version))

    def _ensure_team(self, conn: sa.Connection, space: str) -> None:
        """The administrator saving into a team space that has no team yet makes the team (no orphan spaces)."""
        team = space_team(space)
        if team is None or not self.person.admin:
            return
        exists = conn.execute(sa.select(schema.teams.c.name).where(schema.teams.c.name == team)).scalar()
        if exists is None:
            conn.execute(sa.insert(schema.teams).values(name=team, created_at=_now(), created_by=self.person.email))
            self._log(conn, "team-create", space, target=team)

    def _check_space(self, space: str) -> str:
        """A space id as given (``team:<name>`` or ``user:<email>``), checked."""
        if not isinstance(space, str):
            raise AccessError("the space must be text, as in team:NAME or user:EMAIL", column="space")
        kind, _, rest = space.partition(":")
        if kind == "team":
            return team_space(check_team(rest, "space"))
        if kind == "user":
            return f"user:{check_email(rest, 'space')}"
        raise AccessError(f"{space[:80]!r} is not a space (team:NAME or user:EMAIL)", column="space")

    def _status(self, conn: sa.Connection, scenario_id: str) -> dict[int, str]:
        """Each version's review status (its newest review step)."""
        table = schema.comments
        rows = conn.execute(sa.select(table.c.version, table.c.kind)
                            .where(table.c.scenario_id == scenario_id, table.c.kind != "comment")
                            .order_by(table.c.id)).all()
        return {version: kind for version, kind in rows}

    def _link_data(self, conn: sa.Connection, data: DataRef, space: str) -> None:
        """The kept tables a version is made on become visible in its space (when the person sees them)."""
        for key in (data.communities, data.sites, data.matrix):
            if not key:
                continue
            links = schema.dataset_spaces
            found = conn.execute(sa.select(links.c.space).where(links.c.fingerprint == key)).scalars().all()
            if not found or space in found:
                continue
            if self.person.admin or set(found) & set(self._roles(conn)):
                conn.execute(sa.insert(links).values(fingerprint=key, space=space, created_at=_now(),
                                                     created_by=self.person.email))

    # -- scenarios and versions ----------------------------------------------------------------
    def save(self, document: dict, *, figures: dict, data: DataRef, scenario_id: str | None = None,
             based_on: int | None = None, author: str = DEFAULT_AUTHOR, note: str = "",
             create: bool = True, space: str | None = None) -> SaveResult:
        """Save ``document`` (the contract's scenario JSON) as a new version.

        Without ``scenario_id`` a new scenario is made (its id from the name); with it,
        the next version of that scenario, or (``create``) a new scenario with that id.
        ``based_on`` is the version the planner started from: when a later one exists by
        now, the save still happens and the result says so.  A new scenario goes to
        ``space`` (default :attr:`default_space`); a new version stays in its scenario's
        space.  Saving needs the editor role there.
        """
        return self._save(document, figures=figures, data=data, scenario_id=scenario_id, based_on=based_on,
                          author=author, note=note, create=create, space=space, action="save")

    def _save(self, document: dict, *, figures: dict, data: DataRef, scenario_id: str | None, based_on: int | None,
              author: str, note: str, create: bool, space: str | None, action: str) -> SaveResult:
        if scenario_id is not None and not ID_PATTERN.match(scenario_id):
            raise StoreError(f"{scenario_id!r} is not a scenario id (letters, digits, '-', '_', '.'; "
                             "at most 64)", column="id")
        author = self._author(author)
        name = str(document.get("name", "Untitled scenario"))
        _check_name(name)
        note = check_note(note)
        target = self._check_space(space) if space is not None else self.default_space
        document_text, figures_text = _dump(document), _dump(figures)
        for attempt in range(3):
            try:
                with self._writing() as conn:
                    now = _now()
                    identifier, created = scenario_id, False
                    version = None
                    if identifier is not None:
                        existing = conn.execute(sa.select(schema.scenarios.c.space, schema.scenarios.c.deleted_at)
                                                .where(schema.scenarios.c.id == identifier)).first()
                        if existing is not None:
                            self._allow(conn, existing.space, "editor", "save versions", identifier)
                            if existing.deleted_at is not None:
                                raise StoreError(f"scenario {identifier!r} is in the bin; restore it before "
                                                 "saving to it", column="id")
                            target = existing.space
                            version = conn.execute(
                                sa.update(schema.scenarios)
                                .where(schema.scenarios.c.id == identifier, schema.scenarios.c.deleted_at.is_(None))
                                .values(latest_version=schema.scenarios.c.latest_version + 1, name=name,
                                        figures=figures_text, updated_at=now, updated_by=author)
                                .returning(schema.scenarios.c.latest_version)).scalar()
                        elif not create:
                            self._scenario(conn, identifier)  # says "not there" in the person's words
                    else:
                        identifier = self._new_id(conn, name)
                    if version is None:
                        self._allow(conn, target, "editor", "save scenarios", target)
                        self._ensure_team(conn, target)
                        conn.execute(sa.insert(schema.scenarios).values(
                            id=identifier, name=name, latest_version=1, figures=figures_text, created_at=now,
                            created_by=author, updated_at=now, updated_by=author, space=target))
                        version, created = 1, True
                    conn.execute(sa.insert(schema.versions).values(
                        scenario_id=identifier, version=version, name=name, document=document_text,
                        figures=figures_text, communities=data.communities, sites=data.sites, matrix=data.matrix,
                        based_on=based_on, note=note, author=author, created_at=now))
                    self._link_data(conn, data, target)
                    self._log(conn, action, target, target=f"{identifier}@{version}", scenario=identifier,
                              version=int(version), author=author,
                              detail=(note if action != "save" else ("new scenario" if created else note)))
                conflict = based_on is not None and version != based_on + 1
                return SaveResult(identifier, int(version), created, conflict)
            except sa_exc.IntegrityError as error:
                # two first saves of one new id race: the loser's insert fails; its retry finds the row
                if attempt == 2:
                    raise StoreError(f"could not save to the scenario store: {_reason(error)}") from None
        raise AssertionError("unreachable")

    def _new_id(self, conn: sa.Connection, name: str) -> str:
        base = _slug(name)
        while True:
            candidate = f"{base}-{secrets.token_hex(3)}"
            taken = conn.execute(sa.select(schema.scenarios.c.id).where(schema.scenarios.c.id == candidate)).scalar()
            if taken is None:
                return candidate

    def list(self, *, deleted: bool = False, search: str | None = None, sweeps: bool = False,
             space: str | None = None) -> list[ScenarioInfo]:
        """Scenarios the person sees (or, with ``deleted``, those in the bin), most recently updated first.

        What a sweep keeps for itself is listed only with ``sweeps``: a run's plan while its
        latest version is the one the sweep wrote (``sweep_runs``), and a sweep's base (kept
        under the sweep's own id).  A plan a planner saved, on top of a run's or not, is a
        plan: it is listed like any other.  ``space`` lists one space only.
        """
        table = schema.scenarios
        query = sa.select(table).where(table.c.deleted_at.isnot(None) if deleted else table.c.deleted_at.is_(None))
        if space is not None:
            query = query.where(table.c.space == space)
        if not sweeps:
            runs, bases = schema.sweep_runs, schema.sweeps
            query = query.where(
                ~sa.exists().where(runs.c.scenario_id == table.c.id, runs.c.version == table.c.latest_version),
                ~sa.exists().where(bases.c.id == table.c.id))
        if search:  # the planner's text is matched as text: % and _ are not wildcards
            text = search.strip().lower()
            query = query.where(sa.or_(sa.func.lower(table.c.name).contains(text, autoescape=True),
                                       sa.func.lower(table.c.id).contains(text, autoescape=True)))
        reviews = schema.comments
        statuses = (sa.select(reviews.c.scenario_id, reviews.c.kind)
                    .select_from(reviews.join(table, sa.and_(table.c.id == reviews.c.scenario_id,
                                                             table.c.latest_version == reviews.c.version)))
                    .where(reviews.c.kind != "comment").order_by(reviews.c.id))
        with self._reading() as conn:
            visible = self._visible(conn, table.c.space)
            if visible is not None:
                query, statuses = query.where(visible), statuses.where(visible)
            rows = conn.execute(query.order_by(table.c.updated_at.desc(), table.c.id)).mappings().all()
            status = dict(conn.execute(statuses).all()) if rows else {}
        return [_info(r, status.get(r["id"])) for r in rows]

    def info(self, scenario_id: str) -> ScenarioInfo:
        """One scenario's listing (in the bin or not); StoreError when there is none, NoAccess when hidden."""
        with self._reading() as conn:
            row = self._scenario(conn, scenario_id)
            status = self._status(conn, scenario_id).get(row["latest_version"])
        return _info(row, status)

    def history(self, scenario_id: str) -> list[VersionInfo]:
        """Every version of a scenario, oldest first."""
        table = schema.versions
        columns = [c for c in table.c if c.name != "document"]
        with self._reading() as conn:
            self._scenario(conn, scenario_id)
            rows = conn.execute(sa.select(*columns).where(table.c.scenario_id == scenario_id)
                                .order_by(table.c.version)).mappings().all()
            status = self._status(conn, scenario_id)
        return [_version(row, status.get(row["version"])) for row in rows]

    def get(self, scenario_id: str, version: int | None = None) -> SavedVersion:
        """A version with its document (the latest by default)."""
        table = schema.versions
        with self._reading() as conn:
            if not self.person.admin:
                self._scenario(conn, scenario_id)  # one message for hidden and missing, before anything else
            if version is not None and not 1 <= version <= MAX_VERSION:
                raise StoreError(f"scenario {scenario_id!r} has no version {bounds.shown(version)} (versions are "
                                 "numbered from 1)", column="version")
            if version is None:
                version = conn.execute(sa.select(schema.scenarios.c.latest_version)
                                       .where(schema.scenarios.c.id == scenario_id)).scalar()
                if version is None:
                    raise StoreError(f"there is no scenario {scenario_id!r} in the store", column="id")
            row = conn.execute(sa.select(table).where(table.c.scenario_id == scenario_id,
                                                      table.c.version == version)).mappings().first()
            if row is None:
                latest = conn.execute(sa.select(schema.scenarios.c.latest_version)
                                      .where(schema.scenarios.c.id == scenario_id)).scalar()
                if latest is None:
                    raise StoreError(f"there is no scenario {scenario_id!r} in the store", column="id")
                raise StoreError(f"scenario {scenario_id!r} has no version {version} (its versions are 1 to "
                                 f"{latest})", column="version")
            status = self._status(conn, scenario_id).get(version)
        info = _version(row, status)
        return SavedVersion(**{f: getattr(info, f) for f in info.__dataclass_fields__},
                            document=json.loads(row["document"]))

    def rename(self, scenario_id: str, name: str, *, author: str = DEFAULT_AUTHOR) -> SaveResult:
        """A new version whose document carries the new name (names are part of the plan); editors."""
        name = name.strip()
        if not name:
            raise StoreError("a scenario needs a name", column="name")
        _check_name(name)
        latest = self.get(scenario_id)
        if self.info(scenario_id).deleted_at is not None:
            raise StoreError(f"scenario {scenario_id!r} is in the bin; restore it before renaming it", column="id")
        document = {**latest.document, "name": name}
        return self._save(document, figures=latest.figures, data=latest.data, scenario_id=scenario_id,
                          based_on=latest.version, author=author, note=f"renamed from {latest.name}", create=False,
                          space=None, action="rename")

    def delete(self, scenario_id: str, *, author: str = DEFAULT_AUTHOR) -> None:
        """Move a scenario to the bin (its versions stay; :meth:`restore` brings it back); editors."""
        self._set_deleted(scenario_id, True, author)

    def restore(self, scenario_id: str, *, author: str = DEFAULT_AUTHOR) -> None:
        """Take a scenario out of the bin; editors."""
        self._set_deleted(scenario_id, False, author)

    def _set_deleted(self, scenario_id: str, binned: bool, author: str | None) -> None:
        table = schema.scenarios
        author = self._author(author)
        with self._writing() as conn:
            row = self._scenario(conn, scenario_id)
            self._allow(conn, row["space"], "editor", "move scenarios to the bin and back" if binned else
                        "restore scenarios from the bin", scenario_id)
            now = _now()
            values: dict[str, Any] = ({"deleted_at": now, "deleted_by": author} if binned else
                                      {"deleted_at": None, "deleted_by": None, "updated_at": now,
                                       "updated_by": author})
            conn.execute(sa.update(table).where(table.c.id == scenario_id).values(**values))
            self._log(conn, "bin" if binned else "restore", row["space"], target=scenario_id, scenario=scenario_id,
                      author=author)

    def purge(self, scenario_id: str) -> None:
        """Delete a scenario in the bin for good, with its versions and comments; owners (the audit log keeps the
        record that it was deleted)."""
        with self._writing() as conn:
            row = self._scenario(conn, scenario_id)
            self._allow(conn, row["space"], "owner", "delete scenarios from the bin", scenario_id)
            if row["deleted_at"] is None:
                raise StoreError(f"scenario {scenario_id!r} is not in the bin; move it there before deleting it "
                                 "for good", column="id")
            conn.execute(sa.delete(schema.comments).where(schema.comments.c.scenario_id == scenario_id))
            conn.execute(sa.update(schema.drafts).where(schema.drafts.c.origin_id == scenario_id)
                         .values(origin_id=None, origin_version=None))
            conn.execute(sa.delete(schema.versions).where(schema.versions.c.scenario_id == scenario_id))
            conn.execute(sa.delete(schema.scenarios).where(schema.scenarios.c.id == scenario_id))
            self._log(conn, "delete", row["space"], target=scenario_id, scenario=scenario_id,
                      detail=f"{row['name']} ({row['latest_version']} versions) deleted from the bin")

    def move(self, scenario_id: str, space: str) -> None:
        """Move a scenario (all its versions) to another space; editors of both."""
        target = self._check_space(space)
        with self._writing() as conn:
            row = self._scenario(conn, scenario_id)
            self._allow(conn, row["space"], "editor", "move scenarios", scenario_id)
            self._allow(conn, target, "editor", "save scenarios", target)
            if target == row["space"]:
                return
            self._ensure_team(conn, target)
            conn.execute(sa.update(schema.scenarios).where(schema.scenarios.c.id == scenario_id)
                         .values(space=target))
            versions = conn.execute(sa.select(schema.versions.c.communities, schema.versions.c.sites,
                                              schema.versions.c.matrix)
                                    .where(schema.versions.c.scenario_id == scenario_id).distinct()).all()
            for communities, sites, matrix in versions:
                self._link_data(conn, DataRef(communities, sites, matrix), target)
            self._log(conn, "move", row["space"], target=scenario_id, scenario=scenario_id,
                      detail=f"moved from {row['space']} to {target}")
            self._log(conn, "move", target, target=scenario_id, scenario=scenario_id,
                      detail=f"moved from {row['space']} to {target}")

    def copy(self, scenario_id: str, version: int | None = None, space: str | None = None, *,
             name: str | None = None) -> SaveResult:
        """A new scenario from a version the person sees, in ``space`` (default: their own); viewers may copy
        into their private space."""
        source = self.get(scenario_id, version)
        document = {**source.document, **({"name": name} if name else {})}
        return self._save(document, figures=source.figures, data=source.data, scenario_id=None, based_on=None,
                          author=DEFAULT_AUTHOR, note=f"copied from {source.scenario_id}@{source.version}",
                          create=True, space=space if space is not None else self.person.space, action="copy")

    # -- teams ---------------------------------------------------------------------------------------
    def spaces(self) -> list[tuple[str, str]]:
        """The spaces the person may save into, as (space, label); the default first."""
        with self._reading() as conn:
            if self.person.admin:
                teams = conn.execute(sa.select(schema.teams.c.name).order_by(schema.teams.c.name)).scalars().all()
                found = [team_space(team) for team in teams]
            else:
                found = [space for space, role in sorted(self._roles(conn).items()) if space.startswith("team:")
                         and at_least(role, "editor")]
        ordered = [self.default_space, self.person.space] + [s for s in found if s != self.default_space]
        return [(space, space_label(space)) for space in dict.fromkeys(ordered)]

    def teams(self) -> list[TeamInfo]:
        """The person's teams with their role (every team, as owner, for the administrator)."""
        members = schema.members
        count = (sa.select(members.c.team, sa.func.count().label("n")).group_by(members.c.team).subquery())
        with self._reading() as conn:
            query = (sa.select(schema.teams.c.name, count.c.n)
                     .select_from(schema.teams.outerjoin(count, count.c.team == schema.teams.c.name))
                     .order_by(schema.teams.c.name))
            rows = conn.execute(query).all()
            roles = {} if self.person.admin else self._roles(conn)
        if self.person.admin:
            return [TeamInfo(name, "owner", int(n or 0)) for name, n in rows]
        return [TeamInfo(name, roles[team_space(name)], int(n or 0)) for name, n in rows
                if team_space(name) in roles]

    def _team(self, conn: sa.Connection, team: str) -> str | None:
        """A team's name if it exists and the person sees it (NoAccess when it exists and they do not); None when
        there is no such team and nobody is hurt by saying so (the administrator)."""
        exists = conn.execute(sa.select(schema.teams.c.name).where(schema.teams.c.name == team)).scalar()
        if exists is None:
            return None
        if self._role(conn, team_space(team)) is None:
            raise NoAccess(f"team {team}", column="team")
        return team

    def members(self, team: str) -> list[Member]:
        """A team's members and roles (members of the team and the administrator see them)."""
        team = check_team(team)
        table = schema.members
        with self._reading() as conn:
            if self._team(conn, team) is None:
                raise (StoreError(f"there is no team {team!r} in the store", column="team") if self.person.admin
                       else NoAccess(f"team {team}", column="team"))
            rows = conn.execute(sa.select(table).where(table.c.team == team)
                                .order_by(sa.case({role: i for i, role in enumerate(ROLES)}, value=table.c.role)
                                          .desc(), table.c.email)).mappings().all()
        return [Member(r["email"], r["name"], r["role"]) for r in rows]

    def add_member(self, team: str, email: str, role: str, name: str = "") -> bool:
        """Add a member or change their role (owners and the administrator); a new team is created, with the person
        who names it as its owner.  True when something changed."""
        team, email, role = check_team(team), check_email(email), check_role(role)
        name = Person(email, name=name).name
        table = schema.members
        space = team_space(team)
        with self._writing() as conn:
            now = _now()
            if self._team(conn, team) is None:
                conn.execute(sa.insert(schema.teams).values(name=team, created_at=now, created_by=self.person.email))
                self._log(conn, "team-create", space, target=team)
                if not self.person.admin and email != self.person.email:
                    conn.execute(sa.insert(table).values(team=team, email=self.person.email, name=self.person.name,
                                                         role="owner", added_at=now, added_by=self.person.email))
                    self._log(conn, "member-add", space, target=self.person.email, detail="role owner (made the team)")
                elif not self.person.admin:
                    role = "owner"  # whoever makes a team owns it
            else:
                self._allow(conn, space, "owner", "change members and roles", f"team {team}")
            current = conn.execute(sa.select(table.c.role).where(table.c.team == team, table.c.email == email)
                                   ).scalar()
            if current == role:
                return False
            if current is None:
                conn.execute(sa.insert(table).values(team=team, email=email, name=name, role=role, added_at=now,
                                                     added_by=self.person.email))
                self._log(conn, "member-add", space, target=email, detail=f"role {role}")
            else:
                self._keep_an_owner(conn, team, email, role)
                conn.execute(sa.update(table).where(table.c.team == team, table.c.email == email)
                             .values(role=role, **({"name": name} if name else {})))
                self._log(conn, "member-role", space, target=email, detail=f"role {current} -> {role}")
        return True

    def remove_member(self, team: str, email: str) -> None:
        """Take a person out of a team (owners and the administrator)."""
        team, email = check_team(team), check_email(email)
        table = schema.members
        space = team_space(team)
        with self._writing() as conn:
            if self._team(conn, team) is None:
                raise (StoreError(f"there is no team {team!r} in the store", column="team") if self.person.admin
                       else NoAccess(f"team {team}", column="team"))
            self._allow(conn, space, "owner", "change members and roles", f"team {team}")
            current = conn.execute(sa.select(table.c.role).where(table.c.team == team, table.c.email == email)
                                   ).scalar()
            if current is None:
                raise StoreError(f"{email} is not a member of team {team}", column="email")
            self._keep_an_owner(conn, team, email, None)
            conn.execute(sa.delete(table).where(table.c.team == team, table.c.email == email))
            self._log(conn, "member-remove", space, target=email, detail=f"was {current}")

    def _keep_an_owner(self, conn: sa.Connection, team: str, email: str, role: str | None) -> None:
        """A team keeps at least one owner unless the administrator says otherwise."""
        if self.person.admin or role == "owner":
            return
        table = schema.members
        owners = conn.execute(sa.select(table.c.email).where(table.c.team == team, table.c.role == "owner")
                              ).scalars().all()
        if owners == [email]:
            raise NotAllowed(f"{email} is the last owner of team {team}; make another member an owner first",
                             column="role")

    # -- review and comments ---------------------------------------------------------------------
    def _version_row(self, conn: sa.Connection, scenario_id: str, version: int) -> sa.RowMapping:
        """A scenario the person sees, checked to have ``version``; returns the scenario's row."""
        row = self._scenario(conn, scenario_id)
        if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= row["latest_version"]:
            raise StoreError(f"scenario {scenario_id!r} has no version {bounds.shown(version)} (its versions are 1 "
                             f"to {row['latest_version']})", column="version")
        return row

    def _thread(self, conn: sa.Connection, scenario_id: str, version: int, kind: str, text: str) -> None:
        conn.execute(sa.insert(schema.comments).values(scenario_id=scenario_id, version=version, kind=kind,
                                                       who=self.person.email, at=_now(), text=text))

    def propose(self, scenario_id: str, version: int, note: str = "") -> None:
        """Propose a version for approval, with a note (editors)."""
        note = check_note(note)
        with self._writing() as conn:
            row = self._version_row(conn, scenario_id, version)
            self._allow(conn, row["space"], "editor", "propose versions for approval", scenario_id)
            status = self._status(conn, scenario_id).get(version)
            if status in ("proposed", "approved"):
                raise StoreError(f"version {version} of {scenario_id!r} is {status} already", column="version")
            self._thread(conn, scenario_id, version, "proposed", note)
            self._log(conn, "propose", row["space"], target=f"{scenario_id}@{version}", scenario=scenario_id,
                      version=version, detail=note)

    def review(self, scenario_id: str, version: int, approve: bool, comment: str = "") -> None:
        """Approve or reject a proposed version, with a comment (owners)."""
        comment = check_note(comment, "comment")
        with self._writing() as conn:
            row = self._version_row(conn, scenario_id, version)
            self._allow(conn, row["space"], "owner", "approve or reject versions", scenario_id)
            status = self._status(conn, scenario_id).get(version)
            if status != "proposed":
                raise StoreError(f"version {version} of {scenario_id!r} is not proposed for approval"
                                 f"{f' (it is {status})' if status else ''}", column="version")
            kind = "approved" if approve else "rejected"
            self._thread(conn, scenario_id, version, kind, comment)
            self._log(conn, "approve" if approve else "reject", row["space"], target=f"{scenario_id}@{version}",
                      scenario=scenario_id, version=version, detail=comment)

    def approved_version(self, scenario_id: str) -> int | None:
        """The newest approved version of a scenario, or None."""
        with self._reading() as conn:
            self._scenario(conn, scenario_id)
            approved = [v for v, status in self._status(conn, scenario_id).items() if status == "approved"]
        return max(approved) if approved else None

    def comment(self, scenario_id: str, version: int, text: str) -> None:
        """Add a comment to a version's thread (anyone who sees the scenario)."""
        text = check_note(text, "comment", empty=False)
        if not text:
            raise AccessError("the comment is empty", column="comment")
        with self._writing() as conn:
            row = self._version_row(conn, scenario_id, version)
            self._allow(conn, row["space"], "viewer", "comment", scenario_id)
            self._thread(conn, scenario_id, version, "comment", text)
            self._log(conn, "comment", row["space"], target=f"{scenario_id}@{version}", scenario=scenario_id,
                      version=version, detail=text[:200])

    def comments(self, scenario_id: str, version: int | None = None) -> list[Comment]:
        """A scenario's thread (one version's with ``version``), oldest first: comments and review steps."""
        table = schema.comments
        with self._reading() as conn:
            self._scenario(conn, scenario_id)
            query = sa.select(table).where(table.c.scenario_id == scenario_id)
            if version is not None:
                query = query.where(table.c.version == version)
            rows = conn.execute(query.order_by(table.c.id)).mappings().all()
        return [Comment(r["who"], r["at"], r["text"], r["version"], r["kind"]) for r in rows]

    # -- the audit log ---------------------------------------------------------------------------
    def record(self, action: str, target: str = "", detail: str = "") -> bool:
        """Log something the store did not do itself (a sign-in, a share link made); False on a read-only store.

        A ``target`` that names a scenario the person sees (``ID``, ``store:ID@V``) is logged in its space,
        anything else in the person's private space."""
        action = check_team(action, "action")[:32]
        target = check_note(target, "target")[:500]
        detail = check_note(detail, "detail")
        if not self.writable:
            return False
        reference = parse_reference(target) or ((target, None) if ID_PATTERN.match(target) else None)
        with self._writing() as conn:
            space, scenario, version = self.person.space, None, None
            if reference is not None:
                row = conn.execute(sa.select(schema.scenarios.c.space)
                                   .where(schema.scenarios.c.id == reference[0])).scalar()
                if row is not None and self._role(conn, row) is not None:
                    space, scenario, version = row, reference[0], reference[1]
            self._log(conn, action, space, target=target, detail=detail, scenario=scenario, version=version)
        return True

    def audit(self, team: str | None = None, limit: int = 1000, *, scenario: str | None = None) -> list[AuditEntry]:
        """The audit log, newest first: a team's (its owners), or every space the person owns (their private
        space and the teams they own); the administrator sees all."""
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 1_000_000:
            raise StoreError("the limit must be a whole number from 1 to 1,000,000", column="limit")
        table = schema.audit
        query = sa.select(table)
        with self._reading() as conn:
            if team is not None:
                team = check_team(team)
                if self._team(conn, team) is None and not self.person.admin:
                    raise NoAccess(f"team {team}", column="team")
                if not self.person.admin:
                    self._allow(conn, team_space(team), "owner", "read the audit log", f"team {team}")
                query = query.where(table.c.space == team_space(team))
            elif not self.person.admin:
                owned = [space for space, role in self._roles(conn).items() if role == "owner"]
                query = query.where(table.c.space.in_(sorted(owned)))
            if scenario is not None:
                query = query.where(table.c.scenario == scenario)
            rows = conn.execute(query.order_by(table.c.id.desc()).limit(limit)).mappings().all()
        return [AuditEntry(r["at"], r["who"], r["action"], r["target"], r["detail"], r["space"], r["scenario"],
                           r["version"]) for r in rows]

    # -- data sets ------------------------------------------------------------------------------------
    def put_dataset(self, fingerprint: str, kind: str, name: str, rows: int, content: bytes, *,
                    author: str = DEFAULT_AUTHOR, space: str | None = None) -> None:
        """Keep an uploaded table's bytes under its fingerprint (once), visible in ``space`` (default
        :attr:`default_space`); editors of that space."""
        table, links = schema.datasets, schema.dataset_spaces
        target = self._check_space(space) if space is not None else self.default_space
        author = self._author(author)
        for _attempt in range(2):
            try:
                with self._writing() as conn:
                    self._allow(conn, target, "editor", "upload data", target)
                    self._ensure_team(conn, target)
                    exists = conn.execute(sa.select(table.c.fingerprint)
                                          .where(table.c.fingerprint == fingerprint)).scalar()
                    if exists is None:
                        conn.execute(sa.insert(table).values(fingerprint=fingerprint, kind=kind, name=name,
                                                             rows=int(rows), content=zlib.compress(content, 6),
                                                             created_at=_now(), created_by=author))
                    linked = conn.execute(sa.select(links.c.space).where(links.c.fingerprint == fingerprint,
                                                                         links.c.space == target)).scalar()
                    if linked is None:
                        conn.execute(sa.insert(links).values(fingerprint=fingerprint, space=target,
                                                             created_at=_now(), created_by=author))
                        self._log(conn, "upload", target, target=fingerprint, author=author,
                                  detail=f"{kind} {name} ({int(rows):,} rows)")
                return
            except sa_exc.IntegrityError:  # another process kept the same table a moment ago: link it
                continue

    def _dataset_visible(self, conn: sa.Connection, fingerprint: str) -> bool:
        if self.person.admin:
            return True
        links = schema.dataset_spaces
        found = conn.execute(sa.select(links.c.space).where(links.c.fingerprint == fingerprint)).scalars().all()
        return bool(set(found) & set(self._roles(conn)))

    def get_dataset(self, fingerprint: str) -> Dataset | None:
        """The table kept under this fingerprint, or None (also when the person does not see it)."""
        table = schema.datasets
        with self._reading() as conn:
            row = conn.execute(sa.select(table).where(table.c.fingerprint == fingerprint)).mappings().first()
            if row is not None and not self._dataset_visible(conn, fingerprint):
                row = None
        if row is None:
            return None
        return Dataset(row["fingerprint"], row["kind"], row["name"], row["rows"], zlib.decompress(row["content"]))

    def dataset_info(self, fingerprint: str) -> dict | None:
        """Kind, name and rows of a kept table (without its bytes), or None."""
        table = schema.datasets
        with self._reading() as conn:
            row = conn.execute(sa.select(table.c.kind, table.c.name, table.c.rows)
                               .where(table.c.fingerprint == fingerprint)).mappings().first()
            if row is not None and not self._dataset_visible(conn, fingerprint):
                row = None
        return dict(row) if row is not None else None

    # -- drafts ------------------------------------------------------------------------------------------
    def _own_draft(self, table: sa.Table) -> sa.ColumnElement:
        return sa.true() if self.person.admin else table.c.person == self.person.email

    def save_draft(self, key: str, document: dict, data: DataRef, origin_id: str | None = None,
                   origin_version: int | None = None) -> None:
        """Replace one browser's draft (the working plan, not a version); a person writes only their own."""
        table = schema.drafts
        values = {"document": _dump(document), "data": _dump(data.as_dict()), "origin_id": origin_id,
                  "origin_version": origin_version, "updated_at": _now(), "person": self.person.email}
        try:
            with self._writing() as conn:
                updated = conn.execute(sa.update(table).where(table.c.key == key, self._own_draft(table))
                                       .values(**values)).rowcount
                if not updated:
                    conn.execute(sa.insert(table).values(key=key, **values))
        except sa_exc.IntegrityError:  # the key is someone else's draft
            raise NoAccess(f"draft {key}", column="draft") from None

    def get_draft(self, key: str) -> Draft | None:
        """One browser's draft, or None (also when it is someone else's)."""
        table = schema.drafts
        with self._reading() as conn:
            row = conn.execute(sa.select(table).where(table.c.key == key, self._own_draft(table))).mappings().first()
        if row is None:
            return None
        return Draft(row["key"], json.loads(row["document"]), DataRef.from_dict(json.loads(row["data"])),
                     row["origin_id"], row["origin_version"], row["updated_at"])

    def delete_draft(self, key: str) -> None:
        with self._writing() as conn:
            conn.execute(sa.delete(schema.drafts).where(schema.drafts.c.key == key, self._own_draft(schema.drafts)))

    # -- sweeps ------------------------------------------------------------------------------------------
    def _sweep_row(self, conn: sa.Connection, sweep_id: str) -> sa.RowMapping:
        row = conn.execute(sa.select(schema.sweeps).where(schema.sweeps.c.id == sweep_id)).mappings().first()
        if row is None or (not self.person.admin and row["space"] not in self._roles(conn)):
            if self.person.admin:
                raise StoreError(f"there is no sweep {sweep_id!r} in the store", column="sweep")
            raise NoAccess(sweep_id, column="sweep")
        return row

    def create_sweep(self, sweep_id: str, name: str, spec: dict, base: dict, runs: int, *,
                     author: str = DEFAULT_AUTHOR, space: str | None = None) -> bool:
        """Record a sweep in ``space`` (once: False when it was there already, as when a stopped sweep resumes)."""
        table = schema.sweeps
        target = self._check_space(space) if space is not None else self.default_space
        author = self._author(author)
        try:
            with self._writing() as conn:
                existing = conn.execute(sa.select(table.c.space).where(table.c.id == sweep_id)).scalar()
                if existing is not None:
                    self._allow(conn, self._sweep_row(conn, sweep_id)["space"], "editor", "run sweeps", sweep_id)
                    return False
                self._allow(conn, target, "editor", "run sweeps", target)
                self._ensure_team(conn, target)
                conn.execute(sa.insert(table).values(id=sweep_id, name=name, spec=_dump(spec), base=_dump(base),
                                                     runs=runs, created_at=_now(), created_by=author, space=target))
                self._log(conn, "sweep", target, target=sweep_id, detail=f"{name} ({runs} runs)", author=author)
                return True
        except sa_exc.IntegrityError:
            return False

    def record_run(self, sweep_id: str, run_key: str, position: int, settings: dict, status: str, result: dict,
                   scenario_id: str | None = None, version: int | None = None) -> None:
        """Write one finished run (replacing an earlier failed attempt of the same run); editors of its space."""
        table = schema.sweep_runs
        values = {"position": position, "settings": _dump(settings), "status": status, "result": _dump(result),
                  "scenario_id": scenario_id, "version": version, "finished_at": _now()}
        with self._writing() as conn:
            if not self.person.admin:
                self._allow(conn, self._sweep_row(conn, sweep_id)["space"], "editor", "run sweeps", sweep_id)
            changed = conn.execute(sa.update(table).where(table.c.sweep_id == sweep_id, table.c.run_key == run_key)
                                   .values(**values)).rowcount
            if not changed:
                conn.execute(sa.insert(table).values(sweep_id=sweep_id, run_key=run_key, **values))

    def sweep_runs(self, sweep_id: str) -> list[dict]:
        """Every finished run of a sweep, in grid order."""
        table = schema.sweep_runs
        with self._reading() as conn:
            if not self.person.admin:
                self._sweep_row(conn, sweep_id)
            rows = conn.execute(sa.select(table).where(table.c.sweep_id == sweep_id)
                                .order_by(table.c.position)).mappings().all()
        return [{"run_key": r["run_key"], "position": r["position"], "settings": json.loads(r["settings"]),
                 "status": r["status"], "scenario_id": r["scenario_id"], "version": r["version"],
                 "finished_at": r["finished_at"], **json.loads(r["result"])} for r in rows]

    def sweeps(self) -> list[dict]:
        """Every sweep the person sees, newest first, with how many of its runs have finished."""
        runs = schema.sweep_runs
        table = schema.sweeps
        done = (sa.select(runs.c.sweep_id, sa.func.count().label("finished"),
                          sa.func.sum(sa.case((runs.c.status == "failed", 1), else_=0)).label("failed"))
                .group_by(runs.c.sweep_id).subquery())
        query = (sa.select(table, done.c.finished, done.c.failed)
                 .select_from(table.outerjoin(done, done.c.sweep_id == table.c.id)))
        with self._reading() as conn:
            visible = self._visible(conn, table.c.space)
            if visible is not None:
                query = query.where(visible)
            rows = conn.execute(query.order_by(table.c.created_at.desc())).mappings().all()
        return [{"id": r["id"], "name": r["name"], "runs": r["runs"], "finished": int(r["finished"] or 0),
                 "failed": int(r["failed"] or 0), "created": r["created_at"], "created_by": r["created_by"],
                 "space": r["space"], "spec": json.loads(r["spec"])} for r in rows]

    def sweep(self, sweep_id: str) -> dict:
        """One sweep's record (its specification and base document)."""
        with self._reading() as conn:
            row = self._sweep_row(conn, sweep_id)
        return {"id": row["id"], "name": row["name"], "spec": json.loads(row["spec"]), "base": json.loads(row["base"]),
                "runs": row["runs"], "created": row["created_at"], "created_by": row["created_by"],
                "space": row["space"]}

    # -- checks ------------------------------------------------------------------------------------------
    def integrity_problems(self) -> list[str]:
        """What is wrong with the database itself (SQLite's integrity check; empty when fine)."""
        if not self.is_sqlite:
            return []
        with self._reading() as conn:
            result = [row[0] for row in conn.exec_driver_sql("PRAGMA integrity_check")]
        return [] if result == ["ok"] else result


def _is_damage(reason: str) -> bool:
    """Whether SQLite's words say the file itself is damaged (rather than busy, full or unreachable)."""
    return any(word in reason for word in ("malformed", "not a database", "corrupt"))


def _check_name(name: str) -> None:
    """The scenario validator's rule for names (``coverage.scenario.check_name``), as a StoreError."""
    from coverage.scenario import check_name

    try:
        check_name(name)
    except InputError as error:
        raise StoreError(f"the name {error.problems[0].message}", column="name") from None


#: The newest schema revision (``migrations/versions/``); a test holds it equal to Alembic's head.
SCHEMA_HEAD = "0003"


def _stamped_revision(conn: sa.Connection) -> str | None:
    """The revision in Alembic's ``alembic_version`` table; None when there is no such table or row."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    rows = conn.exec_driver_sql("SELECT version_num FROM alembic_version").all()
    return str(rows[0][0]) if len(rows) == 1 else None


def _revisions() -> tuple[str, set[str]]:
    """The newest schema revision this code knows, and every one it knows."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config())
    return script.get_current_head(), {revision.revision for revision in script.walk_revisions()}


def _alembic_config():
    """Alembic's configuration for the store's migrations (no alembic.ini: the folder is all it needs)."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config


def _upgrade(conn: sa.Connection) -> None:
    """Migrate the schema to the newest revision inside the caller's transaction, and note when."""
    from alembic import command

    config = _alembic_config()
    config.attributes["connection"] = conn
    command.upgrade(config, "head")
    conn.execute(sa.delete(schema.store_meta).where(schema.store_meta.c.key == "schema_upgraded"))
    conn.execute(sa.insert(schema.store_meta).values(key="schema_upgraded", value=_now()))


def _create_sqlite_store(path: Path) -> bool:
    """Make a new SQLite store whole beside ``path`` and link it into place; False when another process won.

    The store is built in a temporary file (owner-only, 0600, in a folder created 0700)
    and appears under its name with its schema already in place, so a store file is
    never seen empty: an empty file where a store should be is always damage.
    """
    import tempfile

    if not path.parent.is_dir():
        path.parent.mkdir(mode=0o700, parents=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(handle)
    try:
        engine = sa.create_engine(f"sqlite:///{temporary}")
        _configure_sqlite(engine)
        try:
            with engine.connect() as conn:
                conn.execution_options(coverage_write=True)
                with conn.begin():
                    _upgrade(conn)
        finally:
            engine.dispose()
        try:
            os.link(temporary, path)
            return True
        except FileExistsError:
            return False
    finally:
        for leftover in (temporary, temporary + "-wal", temporary + "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(leftover)


def _version(row, status: str | None = None) -> VersionInfo:
    return VersionInfo(scenario_id=row["scenario_id"], version=row["version"], name=row["name"],
                       figures=json.loads(row["figures"]),
                       data=DataRef(row["communities"], row["sites"], row["matrix"]), based_on=row["based_on"],
                       note=row["note"], author=row["author"], created_at=row["created_at"], status=status)


def _info(row, status: str | None = None) -> ScenarioInfo:
    return ScenarioInfo(id=row["id"], name=row["name"], latest_version=row["latest_version"],
                        figures=json.loads(row["figures"]), created_at=row["created_at"], created_by=row["created_by"],
                        updated_at=row["updated_at"], updated_by=row["updated_by"], deleted_at=row["deleted_at"],
                        deleted_by=row["deleted_by"], space=row["space"], status=status)


def _reason(error: BaseException) -> str:
    """The database's own words, first line only, without SQLAlchemy's boilerplate."""
    original = getattr(error, "orig", None) or error
    text = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    return text


def _configure_sqlite(engine: sa.Engine) -> None:
    """WAL, durable commits, foreign keys, and BEGIN IMMEDIATE for writes (see the module notes)."""

    @sa.event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # we send BEGIN ourselves
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA busy_timeout = 30000")
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute("PRAGMA synchronous = FULL")
            mode = cursor.execute("PRAGMA journal_mode").fetchone()
            if mode and str(mode[0]).lower() != "wal":
                try:
                    cursor.execute("PRAGMA journal_mode = WAL")
                except Exception:  # a read-only file keeps its mode; the write probe reports it
                    pass
        finally:
            cursor.close()

    @sa.event.listens_for(engine, "begin")
    def on_begin(conn: sa.Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("coverage_write") else "BEGIN")
