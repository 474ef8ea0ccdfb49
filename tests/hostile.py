"""Helpers for the hostile-input and fault tests: run the CLI measured, snapshot what must not change, make bombs.

The bombs are made by the tests (never committed): a workbook of millions of rows that
zips to a few hundred kilobytes, a Parquet matrix of 200 million rows in 2 MB, a gzip
matrix that unpacks to gigabytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .conftest import ROOT

#: Ceilings for a refusal, generous on purpose: the cases they guard once cost 12-13 GB and minutes; a busy
#: machine must never fail them, a regression to gigabytes or minutes always does.
CEILING_SECONDS = 90.0
CEILING_MB = 1_500.0


@dataclass
class Run:
    """One command's outcome, with its wall time and its peak resident memory (of that process alone)."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float


#: Runs the command as its own child and reports that child's peak memory.  Linux carries a process's peak
#: resident memory across fork and exec, so a command forked straight from a large pytest process would report
#: pytest's size; forked from this small launcher, it reports its own.  ``argv``: file-size limit (-1 for none),
#: the report file, then the command.
_LAUNCHER = """
import json, os, resource, sys
if int(sys.argv[1]) >= 0:
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
child = os.fork()
if child == 0:
    os.execvp(sys.argv[3], sys.argv[3:])
_, status, usage = os.wait4(child, 0)
with open(sys.argv[2], "w") as report:
    json.dump({"peak_kb": usage.ru_maxrss}, report)
code = os.waitstatus_to_exitcode(status)
sys.exit(code if code >= 0 else 128 - code)
"""


def run_cli(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None, file_size_limit: int | None = None,
            as_user: str | None = None, timeout: float = 600.0) -> Run:
    """``python -m coverage ARGS`` in a child process, with its wall time and its own peak memory.

    ``file_size_limit`` sets RLIMIT_FSIZE for it (what ``ulimit -f`` does): a write past
    it fails with EFBIG, as on a full disk.  ``as_user`` runs it as another user
    (``runuser``).
    """
    command = [sys.executable, "-m", "coverage", *args]
    if as_user:
        command = ["runuser", "-u", as_user, "--", *command]
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "usage.json"
        launcher = [sys.executable, "-c", _LAUNCHER, str(-1 if file_size_limit is None else file_size_limit),
                    str(report), *command]
        started = time.monotonic()
        process = subprocess.Popen(launcher, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env={**os.environ, **(env or {})}, start_new_session=True)
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the launcher and the command it runs
            process.communicate()
            raise AssertionError(f"{' '.join(args)[:200]} ran longer than {timeout} s") from None
        seconds = time.monotonic() - started
        peak_kb = json.loads(report.read_text())["peak_kb"] if report.exists() else 0
    return Run(process.returncode, stdout.decode("utf-8", "replace"), stderr.decode("utf-8", "replace"), seconds,
               peak_kb / 1024)


# -- what must not change ------------------------------------------------------------------------------------
def store_content(database: Path) -> str:
    """A digest of everything a SQLite store holds (its logical content, not its bytes), or '' without one."""
    if not database.exists() or database.stat().st_size == 0:
        return ""
    try:
        return _dump_digest(f"file:{database}?mode=ro")
    except sqlite3.OperationalError:  # no room for the -shm file (a full disk): read the file as it is
        return _dump_digest(f"file:{database}?mode=ro&immutable=1")


def _dump_digest(uri: str) -> str:
    connection = sqlite3.connect(uri, uri=True)
    try:
        digest = hashlib.sha256()
        for line in connection.iterdump():
            if "store_meta" not in line:  # the write probe's timestamp row lives here
                digest.update(line.encode())
        return digest.hexdigest()
    finally:
        connection.close()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` by its content (a SQLite store by what it holds; its -wal and -shm skipped)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.name.endswith(("-wal", "-shm", "-journal")):
            continue
        key = str(path.relative_to(folder))
        if path.suffix == ".db":
            found[key] = "store:" + store_content(path)
        else:
            with open(path, "rb") as handle:
                found[key] = hashlib.file_digest(handle, "sha256").hexdigest()
    return found


# -- bombs -------------------------------------------------------------------------------------------------------
def sparse_file(path: Path, size: int) -> Path:
    """A file that says it is ``size`` bytes long and takes no disk (a hole)."""
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


def _zip_member(archive: zipfile.ZipFile, name: str, chunks) -> None:
    info = zipfile.ZipInfo(name, date_time=(2025, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w", force_zip64=True) as member:
        for chunk in chunks:
            member.write(chunk)


def workbook(path: Path, rows: int, header: tuple[str, ...] = ("id", "name", "lat", "lon", "population"),
             row: bytes | None = None, first_row_number: int | None = None) -> Path:
    """An .xlsx whose first sheet has ``header`` and ``rows`` copies of one row, streamed and deflated.

    The other parts come from a real one-row workbook made by openpyxl; the sheet is
    replaced by rows without row numbers (openpyxl counts them), so millions of rows
    take a second and zip to a few hundred kilobytes.  ``first_row_number`` gives the
    data rows an explicit ``r`` (a hostile sheet that claims a row beyond Excel's last).
    """
    import openpyxl

    seed = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append(list(header))
    book.save(seed)
    cells = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in header).encode()
    row = row or (b'<c><v>1</v></c><c t="inlineStr"><is><t>Town</t></is></c><c><v>38.5</v></c><c><v>-99.5</v></c>'
                  b'<c><v>1000</v></c>')
    attribute = f' r="{first_row_number}"'.encode() if first_row_number else b""
    data_row = b"<row" + attribute + b">" + row + b"</row>"

    def sheet():
        yield (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
               b"<row>" + cells + b"</row>")
        block = 10_000
        for start in range(0, rows, block):
            yield data_row * min(block, rows - start)
        yield b"</sheetData></worksheet>"

    with zipfile.ZipFile(seed) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in original.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                _zip_member(out, info.filename, sheet())
            else:
                out.writestr(info, original.read(info.filename))
    return path


def gzip_bomb(path: Path, unpacked_mb: int, line: bytes = b"5445298,5445298,5\n") -> Path:
    """A .csv.gz matrix of one header and the same pair over and over, ``unpacked_mb`` megabytes once unpacked.

    One megabyte is deflated once and its gzip member written again and again (a gzip
    file may hold many members, read one after the other), so gigabytes take a moment.
    """
    block = gzip.compress(line * (1_048_576 // len(line)), compresslevel=9)
    with open(path, "wb") as out:
        out.write(gzip.compress(b"site_id,community_id,minutes\n"))
        for _ in range(unpacked_mb):
            out.write(block)
    return path


def parquet_bomb(path: Path, row_groups: int, rows_per_group: int = 1_000_000) -> Path:
    """A Parquet matrix of ``row_groups`` x ``rows_per_group`` copies of one pair: 200 million rows in 2 MB."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pair = pa.table({"site_id": pa.array(["5445298"] * rows_per_group).dictionary_encode(),
                     "community_id": pa.array(["5445298"] * rows_per_group).dictionary_encode(),
                     "minutes": pa.array([5.0] * rows_per_group)})
    with pq.ParquetWriter(path, pair.schema, compression="zstd") as writer:
        for _ in range(row_groups):
            writer.write_table(pair, row_group_size=rows_per_group)
    return path
