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


@contextlib.contextmanager
def throwaway_cluster(fsync: bool = False) -> Iterator[str]:
    """Start a cluster; yield its base URL (``postgresql://coverage@127.0.0.1:PORT``); remove it after."""
    folder_bin = binaries()
    if folder_bin is None:
        raise RuntimeError("PostgreSQL server is not installed (Debian package 'postgresql')")
    folder = Path(tempfile.mkdtemp(prefix="coverage-pg-"))
    as_postgres: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data, port = folder / "data", free_port()
    subprocess.run([*as_postgres, str(folder_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "coverage",
                    "-E", "UTF8", "--no-sync"], check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
    options += "" if fsync else " -c fsync=off"
    subprocess.run([*as_postgres, str(folder_bin / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
                    "-o", options, "start"], check=True, capture_output=True)
    try:
        yield f"postgresql://coverage@127.0.0.1:{port}"
    finally:
        subprocess.run([*as_postgres, str(folder_bin / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server: str, name: str) -> str:
    """A new empty database on the server; returns its URL."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{server}/{name}"
