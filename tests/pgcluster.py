"""A throw-away PostgreSQL cluster (initdb + pg_ctl on a free port in a temporary folder).

Used by the test fixture and by ``benchmarks/bench_store.py``.  As root (CI), the
server runs as the ``postgres`` user, because initdb refuses root.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator


def binaries() -> Path | None:
    """The newest installed PostgreSQL server's bin folder (Debian's layout), or None."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]))
    return found[-1].parent if found else None


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Cluster:
    """A running throw-away cluster that a test may stop and start again (same data, same port)."""

    url: str
    folder: Path
    port: int
    fsync: bool
    as_postgres: list[str]
    bin: Path

    def _pg_ctl(self, *args: str) -> None:
        subprocess.run([*self.as_postgres, str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), *args],
                       check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        options += "" if self.fsync else " -c fsync=off"
        self._pg_ctl("-l", str(self.folder / "server.log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "stop")


@contextlib.contextmanager
def stoppable_cluster(fsync: bool = False) -> Iterator[Cluster]:
    """Start a cluster; yield it (its ``url`` is ``postgresql://coverage@127.0.0.1:PORT``); remove it after."""
    folder_bin = binaries()
    if folder_bin is None:
        raise RuntimeError("PostgreSQL server is not installed (Debian package 'postgresql')")
    folder = Path(tempfile.mkdtemp(prefix="coverage-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    subprocess.run([*as_postgres, str(folder_bin / "initdb"), "-D", str(folder / "data"), "-A", "trust", "-U",
                    "coverage", "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    cluster = Cluster(f"postgresql://coverage@127.0.0.1:{port}", folder, port, fsync, as_postgres, folder_bin)
    cluster.start()
    try:
        yield cluster
    finally:
        subprocess.run([*as_postgres, str(folder_bin / "pg_ctl"), "-D", str(folder / "data"), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def throwaway_cluster(fsync: bool = False) -> Iterator[str]:
    """Start a cluster; yield its base URL (``postgresql://coverage@127.0.0.1:PORT``); remove it after."""
    with stoppable_cluster(fsync) as cluster:
        yield cluster.url


def create_database(server: str, name: str) -> str:
    """A new empty database on the server; returns its URL."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"
