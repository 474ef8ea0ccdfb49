"""Faults: a full disk, a file-size limit, a damaged or empty or read-only store, a PostgreSQL server that goes away.

The rule: a fault never destroys a file or a stored version, the command says why (exit
status 2), and the store recovers by itself when the fault is gone.  Everything here is
real: files on a real (small) tmpfs and under a real RLIMIT_FSIZE, real SQLite files, a
real PostgreSQL cluster stopped and started by the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from coverage.store import DataRef, ScenarioStore, StoreUnavailable

from .conftest import ROOT, require_system
from .hostile import run_cli, snapshot, store_content

EXAMPLE = ROOT / "examples" / "plains_pilot.json"
NATIONAL = ROOT / "examples" / "national_rollout.json"
TOO_LARGE = "the file would exceed the file-size limit (ulimit -f)"


def leftovers(folder: Path) -> list[str]:
    """Temporary files a write left behind (there must be none)."""
    return [p.name for p in folder.iterdir() if p.name.endswith((".part", ".new"))]


# -- every file written atomically: a file-size limit (ulimit -f) ---------------------------------------------------
def test_optimize_out_over_its_own_input_under_a_file_size_limit_leaves_the_input_whole(tmp_path):
    plan = tmp_path / "plan.json"
    shutil.copy(EXAMPLE, plan)
    before = plan.read_bytes()
    result = run_cli("optimize", str(plan), "--greedy", "--budget", "5e8", "--out", str(plan), file_size_limit=1024)
    assert result.returncode == 2, result.stderr
    assert f"plan.json: cannot be written ({TOO_LARGE}); the file was left as it was" in result.stderr
    assert plan.read_bytes() == before and json.loads(before)  # the original, whole and valid
    assert not leftovers(tmp_path)


@pytest.mark.parametrize("command, out", [
    (["evaluate", str(EXAMPLE)], "table.xlsx"),
    (["evaluate", str(EXAMPLE)], "table.gpkg"),
    (["report", str(EXAMPLE)], "report.pdf"),
    (["compare", str(EXAMPLE), str(NATIONAL)], "diff.xlsx"),
])
def test_an_export_that_cannot_be_written_leaves_the_old_file(tmp_path, command, out):
    target = tmp_path / out
    target.write_bytes(b"the previous export")
    result = run_cli(*command, "--out", str(target), file_size_limit=2048)
    assert result.returncode == 2 and TOO_LARGE in result.stderr, result.stderr
    assert target.read_bytes() == b"the previous export"
    assert not leftovers(tmp_path)


def test_a_save_that_cannot_grow_the_store_changes_nothing(tmp_path, isolated_store):
    assert run_cli("scenarios", "save", str(EXAMPLE)).returncode == 0
    database = Path(isolated_store.removeprefix("sqlite:///"))
    before = store_content(database)
    result = run_cli("scenarios", "save", str(NATIONAL), file_size_limit=8192)
    assert result.returncode == 2, result.stderr
    assert "scenario store" in result.stderr and "Traceback" not in result.stderr
    assert store_content(database) == before
    assert run_cli("scenarios", "save", str(NATIONAL)).returncode == 0  # the limit gone, saving works again


# -- a full disk: a real tmpfs of 2 MB -----------------------------------------------------------------------------
@pytest.fixture
def small_disk():
    """A 2 MB tmpfs (as root); skipped where mounting is not allowed (the file-size limit tests cover the path)."""
    folder = Path(tempfile.mkdtemp(prefix="coverage-full-"))
    mounted = os.geteuid() == 0 and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m,mode=0755", "tmpfs",
                                                    str(folder)], capture_output=True).returncode == 0
    if not mounted:
        folder.rmdir()
        pytest.skip("cannot mount a tmpfs here (needs root); RLIMIT_FSIZE tests cover the same path")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        folder.rmdir()


def fill(folder: Path, leave: int) -> Path:
    """Fill the disk under ``folder`` until about ``leave`` bytes are free."""
    filler = folder / "filler"
    free = shutil.disk_usage(folder).free
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(free - leave, 0))
    return filler


def test_on_a_full_disk_nothing_written_is_lost_and_the_reason_is_given(small_disk):
    plan = small_disk / "plan.json"
    shutil.copy(EXAMPLE, plan)
    store = f"sqlite:///{small_disk / 'store' / 'scenarios.db'}"
    saved = run_cli("scenarios", "save", str(plan), "--store", store, "--json")
    assert saved.returncode == 0, saved.stderr
    identifier = json.loads(saved.stdout)["id"]
    filler = fill(small_disk, leave=4096)
    before = snapshot(small_disk)
    optimized = run_cli("optimize", str(plan), "--greedy", "--budget", "1e9", "--out", str(plan))
    assert optimized.returncode == 2 and "plan.json: cannot be written (the disk is full)" in optimized.stderr
    report = run_cli("report", str(plan), "--out", str(small_disk / "r.pdf"))
    assert report.returncode == 2 and "the disk is full" in report.stderr
    resaved = run_cli("scenarios", "save", str(NATIONAL), "--id", identifier, "--store", store)
    assert resaved.returncode == 2 and "Traceback" not in resaved.stderr, resaved.stderr
    assert snapshot(small_disk) == before and not leftovers(small_disk)
    filler.unlink()  # space again: the same store takes the save
    assert run_cli("scenarios", "save", str(NATIONAL), "--id", identifier, "--store", store).returncode == 0
    assert json.loads(run_cli("scenarios", "history", identifier, "--store", store, "--json").stdout)[-1]["version"] \
        == 2


# -- SQLite stores that cannot keep anything, or that are damaged ----------------------------------------------------
def test_a_new_store_is_owner_only(tmp_path):
    folder = tmp_path / "private" / "store"
    store = ScenarioStore(f"sqlite:///{folder / 'scenarios.db'}")
    store.save({"schema": "rural-coverage/scenario@1", "name": "x", "hubs": []}, figures={}, data=DataRef("t:1"))
    with store.engine.connect():  # while a connection is open, SQLite's -wal and -shm files exist
        files = sorted(folder.iterdir())
        assert {p.name for p in files} >= {"scenarios.db", "scenarios.db-wal", "scenarios.db-shm"}
        for path in files:
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    store.close()


def test_an_empty_store_file_is_not_replaced_by_a_new_store(tmp_path):
    empty = tmp_path / "scenarios.db"
    empty.touch()
    for command in (["scenarios", "list"], ["scenarios", "save", str(EXAMPLE)]):
        result = run_cli(*command, "--store", f"sqlite:///{empty}")
        assert result.returncode == 2 and "is an empty file (0 bytes)" in result.stderr, result.stderr
        assert "delete the empty file to start a new store" in result.stderr
    assert empty.stat().st_size == 0 and sorted(p.name for p in tmp_path.iterdir()) == ["scenarios.db"]


def a_store_of_40_plans(database: Path) -> str:
    url = f"sqlite:///{database}"
    store = ScenarioStore(url)
    for index in range(40):
        store.save({"schema": "rural-coverage/scenario@1", "name": f"plan {index}", "hubs": [
            {"id": f"h{k}", "site_id": str(5445298 + k)} for k in range(60)]},
            figures={"hubs": 60, "cost_usd": 0, "population": {"same_day": 0, "next_day": 0}}, data=DataRef("t:1"))
    store.close()  # checkpointed: everything is in the file itself
    return url


def overwrite(database: Path, offset: int, garbage: bytes) -> None:
    """Damage the file in place, as a bad disk or an interrupted copy would."""
    with open(database, "r+b") as handle:
        handle.seek(offset)
        handle.write(garbage)


def test_a_store_quick_check_finds_damaged_lists_with_a_warning_and_is_never_written(tmp_path):
    database = tmp_path / "scenarios.db"
    url = a_store_of_40_plans(database)
    overwrite(database, 10 * 4096, b"\x0d\x00\x00\x00\x05\x0f\xff")  # a page header whose cells point nowhere
    before = database.read_bytes()
    listed = run_cli("scenarios", "list", "--store", url, "--json")
    assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 40  # what can be read, for recovery
    assert "warning: the scenario store" in listed.stderr and "is damaged" in listed.stderr
    saved = run_cli("scenarios", "save", str(EXAMPLE), "--store", url)
    assert saved.returncode == 2, saved.stderr
    assert "is damaged" in saved.stderr and "nothing will be written" in saved.stderr and ".recover" in saved.stderr
    assert database.read_bytes() == before
    opened = ScenarioStore(url)  # the API says so too: read-only, with what is damaged and how to recover
    assert not opened.writable and opened.damage and "sqlite3" in opened.read_only_reason
    opened.close()


def test_a_store_too_damaged_to_open_is_refused_untouched(tmp_path):
    database = tmp_path / "scenarios.db"
    url = a_store_of_40_plans(database)
    overwrite(database, database.stat().st_size // 2, b"\xde\xad\xbe\xef" * 2048)
    before = database.read_bytes()
    for command in (["scenarios", "list"], ["scenarios", "save", str(EXAMPLE)]):
        result = run_cli(*command, "--store", url)
        assert result.returncode == 2, result.stderr
        assert "is damaged" in result.stderr and "nothing will be written" in result.stderr, result.stderr
    assert database.read_bytes() == before
    with pytest.raises(StoreUnavailable, match="recover"):
        ScenarioStore(url)


@contextlib.contextmanager
def read_only(folder: Path):
    """``folder`` as the planner may only read it: permissions for an ordinary user; for root (which ignores
    permissions) a read-only bind mount of it, where writes fail as on a read-only disk."""
    if os.geteuid() != 0:
        for path in folder.iterdir():
            os.chmod(path, 0o444)
        os.chmod(folder, 0o555)
        try:
            yield folder
        finally:
            os.chmod(folder, 0o755)
        return
    view = Path(tempfile.mkdtemp(prefix="coverage-ro-view-"))
    mounted = subprocess.run(["mount", "--bind", str(folder), str(view)], capture_output=True).returncode == 0
    if not mounted or subprocess.run(["mount", "-o", "remount,bind,ro", str(view)],
                                     capture_output=True).returncode != 0:
        if mounted:
            subprocess.run(["umount", str(view)], capture_output=True)
        view.rmdir()
        pytest.skip("cannot make a read-only mount here")
    try:
        yield view
    finally:
        subprocess.run(["umount", str(view)], capture_output=True)
        view.rmdir()


def test_a_store_the_planner_may_only_read_opens_read_only(tmp_path):
    shared = tmp_path / "shared"
    store = ScenarioStore(f"sqlite:///{shared / 'scenarios.db'}")
    saved = store.save({"schema": "rural-coverage/scenario@1", "name": "Shared plan", "hubs": []},
                       figures={"hubs": 0, "cost_usd": 0, "population": {"same_day": 0, "next_day": 0}},
                       data=DataRef("t:1"))
    store.close()
    with read_only(shared) as folder:
        url = f"sqlite:///{folder / 'scenarios.db'}"
        listed = run_cli("scenarios", "list", "--store", url, "--json")
        assert listed.returncode == 0, listed.stderr
        assert [item["id"] for item in json.loads(listed.stdout)] == [saved.id]
        shown = run_cli("scenarios", "show", saved.id, "--store", url)
        assert shown.returncode == 0 and json.loads(shown.stdout)["name"] == "Shared plan"
        refused = run_cli("scenarios", "save", str(EXAMPLE), "--store", url)
        assert refused.returncode == 2 and "is read-only for you" in refused.stderr, refused.stderr
        opened = ScenarioStore(url)
        assert not opened.writable and opened.get(saved.id).name == "Shared plan"
        opened.close()
    assert sorted(p.name for p in shared.iterdir()) == ["scenarios.db"]


# -- PostgreSQL stopped after the store was opened, then started again ------------------------------------------------
@pytest.fixture
def stoppable_postgres():
    """A PostgreSQL cluster of this test's own, which it may stop and start."""
    from .pgcluster import binaries, stoppable_cluster

    require_system("PostgreSQL server (Debian package 'postgresql')", binaries())
    with stoppable_cluster() as cluster:
        yield cluster


def every_store_call(store: ScenarioStore, identifier: str) -> dict:
    """Each public store call, by name, ready to run."""
    document = {"schema": "rural-coverage/scenario@1", "name": "while down", "hubs": []}
    return {
        "list": lambda: store.list(), "info": lambda: store.info(identifier), "history": lambda: store.history(
            identifier), "get": lambda: store.get(identifier), "save": lambda: store.save(
            document, figures={}, data=DataRef("t:1"), scenario_id=identifier),
        "rename": lambda: store.rename(identifier, "renamed"), "delete": lambda: store.delete(identifier),
        "restore": lambda: store.restore(identifier),
        "put_dataset": lambda: store.put_dataset("f:1", "communities", "t.csv", 1, b"x"),
        "get_dataset": lambda: store.get_dataset("f:1"), "dataset_info": lambda: store.dataset_info("f:1"),
        "save_draft": lambda: store.save_draft("tab", document, DataRef("t:1")),
        "get_draft": lambda: store.get_draft("tab"), "delete_draft": lambda: store.delete_draft("tab"),
        "create_sweep": lambda: store.create_sweep("s1", "s", {}, {}, 1),
        "record_run": lambda: store.record_run("s1", "r1", 0, {}, "done", {}),
        "sweep_runs": lambda: store.sweep_runs("s1"), "sweeps": lambda: store.sweeps(),
        "sweep": lambda: store.sweep("s1"),
    }


def test_a_stopped_server_is_store_unavailable_everywhere_and_the_store_recovers_by_itself(stoppable_postgres):
    from .pgcluster import create_database

    url = create_database(stoppable_postgres.url, f"t{uuid.uuid4().hex[:12]}")
    store = ScenarioStore(url)
    first = store.save({"schema": "rural-coverage/scenario@1", "name": "kept", "hubs": []}, figures={},
                       data=DataRef("t:1"))
    store.save_draft("tab", {"name": "draft"}, DataRef("t:1"))
    store.list(), store.get_draft("tab")  # connections in the pool, as in a running app
    stoppable_postgres.stop()
    try:
        for name, call in every_store_call(store, first.id).items():
            started = time.monotonic()
            with pytest.raises(StoreUnavailable, match="cannot use the scenario store"):
                call()
                pytest.fail(f"{name} did not raise")
            assert time.monotonic() - started < 30, name
        with pytest.raises(StoreUnavailable):
            ScenarioStore(url)
        assert "cannot use the scenario store" in store.unavailable_reason()  # what the app's banner shows
        result = run_cli("scenarios", "list", "--store", url)
        assert result.returncode == 2 and "cannot use the scenario store" in result.stderr, result.stderr
    finally:
        stoppable_postgres.start()
    # the server is back: the same store object works again, with nothing lost
    assert store.unavailable_reason() is None
    assert [info.id for info in store.list()] == [first.id]
    assert store.get_draft("tab").document == {"name": "draft"}
    assert store.save({"schema": "rural-coverage/scenario@1", "name": "after", "hubs": []}, figures={},
                      data=DataRef("t:1"), scenario_id=first.id).version == 2
    assert [v.version for v in store.history(first.id)] == [1, 2]
    with contextlib.suppress(Exception):
        store.close()


def test_a_sweep_whose_results_file_cannot_grow_keeps_the_runs_recorded_before(tmp_path):
    """--results is appended to run by run; a run that cannot be written leaves no half line and the rows before."""
    shutil.copy(EXAMPLE, tmp_path / "base.json")
    sweep = tmp_path / "sweep.json"
    sweep.write_text(json.dumps({"schema": "rural-coverage/sweep@1", "base": "base.json",
                                 "vary": {"budget.total_usd": [5e8]}, "time_limit_s": 2}))
    results = tmp_path / "runs.jsonl"
    earlier = json.dumps({"sweep_id": "sweep-earlier", "run_key": "x", "position": 0, "status": "optimal"}) + "\n"
    results.write_text(earlier)
    run = run_cli("sweep", str(sweep), "--serial", "--results", str(results), file_size_limit=len(earlier) + 200)
    assert run.returncode == 2, run.stderr
    assert f"runs.jsonl: cannot be written ({TOO_LARGE}); the runs recorded before are kept" in run.stderr
    assert "Traceback" not in run.stderr
    assert results.read_text() == earlier  # no half line
