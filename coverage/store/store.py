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
from coverage.errors import InputError, Problem
from coverage.store import schema
from coverage.store.url import display, normalise, store_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
REFERENCE = re.compile(r"^store:(?P<id>[^@]+?)(?:@(?P<version>\d{1,100}))?$")
#: Versions are numbered from 1; the largest an INTEGER column holds everywhere (SQLite and PostgreSQL).
MAX_VERSION = 2 ** 31 - 1
DEFAULT_AUTHOR = "local"
_ADVISORY_LOCK = 7_281_766  # PostgreSQL advisory lock held while migrating


class StoreError(InputError):
    """A store operation that cannot be done (no such scenario, a read-only store...)."""

    def __init__(self, message: str, column: str | None = None):
        super().__init__(Problem(message, column=column))


class StoreUnavailable(StoreError):
    """The store cannot be opened or reached; the message says why."""


class Conflict(StoreError):
    """Kept for callers that want to treat a save that raced another as an error (the store never does)."""


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

    def as_dict(self) -> dict:
        """The ``scenarios list --json`` object."""
        return {"id": self.id, "name": self.name, "latest_version": self.latest_version,
                "updated": self.updated_at, "updated_by": self.updated_by, "created": self.created_at,
                "created_by": self.created_by, "deleted": self.deleted_at, **self.figures}


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

    def as_dict(self) -> dict:
        """The ``scenarios history --json`` object."""
        return {"id": self.scenario_id, "version": self.version, "name": self.name, "created": self.created_at,
                "author": self.author, "note": self.note, "based_on": self.based_on, "data": self.data.as_dict(),
                **self.figures}


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


def parse_reference(text: str) -> tuple[str, int | None] | None:
    """``store:ID`` or ``store:ID@VERSION`` -> (id, version); None for anything else."""
    match = REFERENCE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    return match.group("id"), int(match.group("version")) if match.group("version") else None


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
        self.engine = self._create_engine()
        self._prepare()

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
        """Check a SQLite file, create or upgrade the schema (saying so), refuse a newer one, probe for writing."""
        from alembic.runtime.migration import MigrationContext

        head, known = _revisions()

        def current(conn: sa.Connection) -> str | None:
            return MigrationContext.configure(conn).get_current_revision()

        if self.is_sqlite:
            self._check_sqlite()
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
        if self.writable:
            self._probe_writing()

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

    # -- scenarios and versions ----------------------------------------------------------------
    def save(self, document: dict, *, figures: dict, data: DataRef, scenario_id: str | None = None,
             based_on: int | None = None, author: str = DEFAULT_AUTHOR, note: str = "",
             create: bool = True) -> SaveResult:
        """Save ``document`` (the contract's scenario JSON) as a new version.

        Without ``scenario_id`` a new scenario is made (its id from the name); with it,
        the next version of that scenario, or (``create``) a new scenario with that id.
        ``based_on`` is the version the planner started from: when a later one exists by
        now, the save still happens and the result says so.
        """
        if scenario_id is not None and not ID_PATTERN.match(scenario_id):
            raise StoreError(f"{scenario_id!r} is not a scenario id (letters, digits, '-', '_', '.'; "
                             "at most 64)", column="id")
        author = (author or DEFAULT_AUTHOR).strip()[:200] or DEFAULT_AUTHOR
        name = str(document.get("name", "Untitled scenario"))
        _check_name(name)
        document_text, figures_text = _dump(document), _dump(figures)
        for attempt in range(3):
            try:
                with self._writing() as conn:
                    now = _now()
                    identifier, created = scenario_id, False
                    version = None
                    if identifier is not None:
                        version = conn.execute(
                            sa.update(schema.scenarios)
                            .where(schema.scenarios.c.id == identifier, schema.scenarios.c.deleted_at.is_(None))
                            .values(latest_version=schema.scenarios.c.latest_version + 1, name=name,
                                    figures=figures_text, updated_at=now, updated_by=author)
                            .returning(schema.scenarios.c.latest_version)).scalar()
                        if version is None:
                            binned = conn.execute(sa.select(schema.scenarios.c.id)
                                                  .where(schema.scenarios.c.id == identifier)).scalar()
                            if binned is not None:
                                raise StoreError(f"scenario {identifier!r} is in the bin; restore it before "
                                                 "saving to it", column="id")
                            if not create:
                                raise StoreError(f"there is no scenario {identifier!r} in the store", column="id")
                    else:
                        identifier = self._new_id(conn, name)
                    if version is None:
                        conn.execute(sa.insert(schema.scenarios).values(
                            id=identifier, name=name, latest_version=1, figures=figures_text, created_at=now,
                            created_by=author, updated_at=now, updated_by=author))
                        version, created = 1, True
                    conn.execute(sa.insert(schema.versions).values(
                        scenario_id=identifier, version=version, name=name, document=document_text,
                        figures=figures_text, communities=data.communities, sites=data.sites, matrix=data.matrix,
                        based_on=based_on, note=note, author=author, created_at=now))
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

    def list(self, *, deleted: bool = False, search: str | None = None, sweeps: bool = False) -> list[ScenarioInfo]:
        """Scenarios (or, with ``deleted``, those in the bin), most recently updated first.

        What a sweep keeps for itself is listed only with ``sweeps``: a run's plan while its
        latest version is the one the sweep wrote (``sweep_runs``), and a sweep's base (kept
        under the sweep's own id).  A plan a planner saved, on top of a run's or not, is a
        plan: it is listed like any other.
        """
        table = schema.scenarios
        query = sa.select(table).where(table.c.deleted_at.isnot(None) if deleted else table.c.deleted_at.is_(None))
        if not sweeps:
            runs, bases = schema.sweep_runs, schema.sweeps
            query = query.where(
                ~sa.exists().where(runs.c.scenario_id == table.c.id, runs.c.version == table.c.latest_version),
                ~sa.exists().where(bases.c.id == table.c.id))
        if search:  # the planner's text is matched as text: % and _ are not wildcards
            text = search.strip().lower()
            query = query.where(sa.or_(sa.func.lower(table.c.name).contains(text, autoescape=True),
                                       sa.func.lower(table.c.id).contains(text, autoescape=True)))
        with self._reading() as conn:
            rows = conn.execute(query.order_by(table.c.updated_at.desc(), table.c.id)).mappings().all()
        return [ScenarioInfo(id=r["id"], name=r["name"], latest_version=r["latest_version"],
                             figures=json.loads(r["figures"]), created_at=r["created_at"], created_by=r["created_by"],
                             updated_at=r["updated_at"], updated_by=r["updated_by"], deleted_at=r["deleted_at"],
                             deleted_by=r["deleted_by"]) for r in rows]

    def info(self, scenario_id: str) -> ScenarioInfo:
        """One scenario's listing (in the bin or not); StoreError when there is none."""
        with self._reading() as conn:
            query = sa.select(schema.scenarios).where(schema.scenarios.c.id == scenario_id)
            row = conn.execute(query).mappings().first()
        if row is None:
            raise StoreError(f"there is no scenario {scenario_id!r} in the store", column="id")
        return ScenarioInfo(id=row["id"], name=row["name"], latest_version=row["latest_version"],
                            figures=json.loads(row["figures"]), created_at=row["created_at"],
                            created_by=row["created_by"], updated_at=row["updated_at"], updated_by=row["updated_by"],
                            deleted_at=row["deleted_at"], deleted_by=row["deleted_by"])

    def history(self, scenario_id: str) -> list[VersionInfo]:
        """Every version of a scenario, oldest first."""
        self.info(scenario_id)
        table = schema.versions
        columns = [c for c in table.c if c.name != "document"]
        with self._reading() as conn:
            rows = conn.execute(sa.select(*columns).where(table.c.scenario_id == scenario_id)
                                .order_by(table.c.version)).mappings().all()
        return [_version(row) for row in rows]

    def get(self, scenario_id: str, version: int | None = None) -> SavedVersion:
        """A version with its document (the latest by default)."""
        table = schema.versions
        if version is not None and not 1 <= version <= MAX_VERSION:
            raise StoreError(f"scenario {scenario_id!r} has no version {bounds.shown(version)} (versions are "
                             "numbered from 1)", column="version")
        with self._reading() as conn:
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
        info = _version(row)
        return SavedVersion(**{f: getattr(info, f) for f in info.__dataclass_fields__},
                            document=json.loads(row["document"]))

    def rename(self, scenario_id: str, name: str, *, author: str = DEFAULT_AUTHOR) -> SaveResult:
        """A new version whose document carries the new name (names are part of the plan)."""
        name = name.strip()
        if not name:
            raise StoreError("a scenario needs a name", column="name")
        _check_name(name)
        latest = self.get(scenario_id)
        if self.info(scenario_id).deleted_at is not None:
            raise StoreError(f"scenario {scenario_id!r} is in the bin; restore it before renaming it", column="id")
        document = {**latest.document, "name": name}
        return self.save(document, figures=latest.figures, data=latest.data, scenario_id=scenario_id,
                         based_on=latest.version, author=author, note=f"renamed from {latest.name}", create=False)

    def delete(self, scenario_id: str, *, author: str = DEFAULT_AUTHOR) -> None:
        """Move a scenario to the bin (its versions stay; :meth:`restore` brings it back)."""
        self._set_deleted(scenario_id, _now(), author)

    def restore(self, scenario_id: str, *, author: str = DEFAULT_AUTHOR) -> None:
        """Take a scenario out of the bin."""
        self._set_deleted(scenario_id, None, None, author)

    def _set_deleted(self, scenario_id: str, when: str | None, by: str | None, author: str | None = None) -> None:
        table = schema.scenarios
        with self._writing() as conn:
            values = {"deleted_at": when, "deleted_by": by}
            if author is not None:
                values.update(updated_at=_now(), updated_by=author)
            changed = conn.execute(sa.update(table).where(table.c.id == scenario_id).values(**values)).rowcount
        if not changed:
            raise StoreError(f"there is no scenario {scenario_id!r} in the store", column="id")

    # -- data sets ------------------------------------------------------------------------------------
    def put_dataset(self, fingerprint: str, kind: str, name: str, rows: int, content: bytes, *,
                    author: str = DEFAULT_AUTHOR) -> None:
        """Keep an uploaded table's bytes under its fingerprint (once; later puts change nothing)."""
        table = schema.datasets
        try:
            with self._writing() as conn:
                exists = conn.execute(sa.select(table.c.fingerprint)
                                      .where(table.c.fingerprint == fingerprint)).scalar()
                if exists is None:
                    conn.execute(sa.insert(table).values(fingerprint=fingerprint, kind=kind, name=name,
                                                         rows=int(rows), content=zlib.compress(content, 6),
                                                         created_at=_now(), created_by=author))
        except sa_exc.IntegrityError:  # another process kept the same table a moment ago
            pass

    def get_dataset(self, fingerprint: str) -> Dataset | None:
        """The table kept under this fingerprint, or None."""
        table = schema.datasets
        with self._reading() as conn:
            row = conn.execute(sa.select(table).where(table.c.fingerprint == fingerprint)).mappings().first()
        if row is None:
            return None
        return Dataset(row["fingerprint"], row["kind"], row["name"], row["rows"], zlib.decompress(row["content"]))

    def dataset_info(self, fingerprint: str) -> dict | None:
        """Kind, name and rows of a kept table (without its bytes), or None."""
        table = schema.datasets
        with self._reading() as conn:
            row = conn.execute(sa.select(table.c.kind, table.c.name, table.c.rows)
                               .where(table.c.fingerprint == fingerprint)).mappings().first()
        return dict(row) if row is not None else None

    # -- drafts ------------------------------------------------------------------------------------------
    def save_draft(self, key: str, document: dict, data: DataRef, origin_id: str | None = None,
                   origin_version: int | None = None) -> None:
        """Replace one browser's draft (the working plan, not a version)."""
        table = schema.drafts
        values = {"document": _dump(document), "data": _dump(data.as_dict()), "origin_id": origin_id,
                  "origin_version": origin_version, "updated_at": _now()}
        with self._writing() as conn:
            updated = conn.execute(sa.update(table).where(table.c.key == key).values(**values)).rowcount
            if not updated:
                conn.execute(sa.insert(table).values(key=key, **values))

    def get_draft(self, key: str) -> Draft | None:
        """One browser's draft, or None."""
        table = schema.drafts
        with self._reading() as conn:
            row = conn.execute(sa.select(table).where(table.c.key == key)).mappings().first()
        if row is None:
            return None
        return Draft(row["key"], json.loads(row["document"]), DataRef.from_dict(json.loads(row["data"])),
                     row["origin_id"], row["origin_version"], row["updated_at"])

    def delete_draft(self, key: str) -> None:
        with self._writing() as conn:
            conn.execute(sa.delete(schema.drafts).where(schema.drafts.c.key == key))

    # -- sweeps ------------------------------------------------------------------------------------------
    def create_sweep(self, sweep_id: str, name: str, spec: dict, base: dict, runs: int, *,
                     author: str = DEFAULT_AUTHOR) -> bool:
        """Record a sweep (once: False when it was there already, as when a stopped sweep resumes)."""
        table = schema.sweeps
        try:
            with self._writing() as conn:
                if conn.execute(sa.select(table.c.id).where(table.c.id == sweep_id)).scalar() is not None:
                    return False
                conn.execute(sa.insert(table).values(id=sweep_id, name=name, spec=_dump(spec), base=_dump(base),
                                                     runs=runs, created_at=_now(), created_by=author))
                return True
        except sa_exc.IntegrityError:
            return False

    def record_run(self, sweep_id: str, run_key: str, position: int, settings: dict, status: str, result: dict,
                   scenario_id: str | None = None, version: int | None = None) -> None:
        """Write one finished run (replacing an earlier failed attempt of the same run)."""
        table = schema.sweep_runs
        values = {"position": position, "settings": _dump(settings), "status": status, "result": _dump(result),
                  "scenario_id": scenario_id, "version": version, "finished_at": _now()}
        with self._writing() as conn:
            changed = conn.execute(sa.update(table).where(table.c.sweep_id == sweep_id, table.c.run_key == run_key)
                                   .values(**values)).rowcount
            if not changed:
                conn.execute(sa.insert(table).values(sweep_id=sweep_id, run_key=run_key, **values))

    def sweep_runs(self, sweep_id: str) -> list[dict]:
        """Every finished run of a sweep, in grid order."""
        table = schema.sweep_runs
        with self._reading() as conn:
            rows = conn.execute(sa.select(table).where(table.c.sweep_id == sweep_id)
                                .order_by(table.c.position)).mappings().all()
        return [{"run_key": r["run_key"], "position": r["position"], "settings": json.loads(r["settings"]),
                 "status": r["status"], "scenario_id": r["scenario_id"], "version": r["version"],
                 "finished_at": r["finished_at"], **json.loads(r["result"])} for r in rows]

    def sweeps(self) -> list[dict]:
        """Every sweep, newest first, with how many of its runs have finished."""
        runs = schema.sweep_runs
        table = schema.sweeps
        done = (sa.select(runs.c.sweep_id, sa.func.count().label("finished"),
                          sa.func.sum(sa.case((runs.c.status == "failed", 1), else_=0)).label("failed"))
                .group_by(runs.c.sweep_id).subquery())
        with self._reading() as conn:
            rows = conn.execute(sa.select(table, done.c.finished, done.c.failed)
                                .select_from(table.outerjoin(done, done.c.sweep_id == table.c.id))
                                .order_by(table.c.created_at.desc())).mappings().all()
        return [{"id": r["id"], "name": r["name"], "runs": r["runs"], "finished": int(r["finished"] or 0),
                 "failed": int(r["failed"] or 0), "created": r["created_at"], "created_by": r["created_by"],
                 "spec": json.loads(r["spec"])} for r in rows]

    def sweep(self, sweep_id: str) -> dict:
        """One sweep's record (its specification and base document)."""
        table = schema.sweeps
        with self._reading() as conn:
            row = conn.execute(sa.select(table).where(table.c.id == sweep_id)).mappings().first()
        if row is None:
            raise StoreError(f"there is no sweep {sweep_id!r} in the store", column="sweep")
        return {"id": row["id"], "name": row["name"], "spec": json.loads(row["spec"]), "base": json.loads(row["base"]),
                "runs": row["runs"], "created": row["created_at"], "created_by": row["created_by"]}

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


def _version(row) -> VersionInfo:
    return VersionInfo(scenario_id=row["scenario_id"], version=row["version"], name=row["name"],
                       figures=json.loads(row["figures"]),
                       data=DataRef(row["communities"], row["sites"], row["matrix"]), based_on=row["based_on"],
                       note=row["note"], author=row["author"], created_at=row["created_at"])


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
