"""Teams, roles, review and the audit log from the command line (``python -m coverage`` as a subprocess), on a real
SQLite file and a real PostgreSQL server.  The sweep of refused commands and the roles test call the same
``main()`` in this process (``cli_here``): a second apiece saved, over a hundred times.  The rest, the byte-for-byte
test among them, run ``python -m coverage`` as a subprocess.

Without ``--as`` the command line is the administrator (the operating-system user); with ``--as EMAIL`` it has that
person's rights.  ana owns team alpha, ben owns team beta; vera is a viewer and ed an editor of alpha.
"""

from __future__ import annotations

import getpass
import json
import subprocess
import sys

import pytest
import sqlalchemy as sa

from coverage.store import ScenarioStore

from .conftest import ROOT

EXAMPLE = str(ROOT / "examples" / "plains_pilot.json")
ANA, BEN, VERA, ED = "ana@example.org", "ben@example.org", "vera@example.org", "ed@example.org"
TABLES = ("scenarios", "versions", "comments", "datasets", "dataset_spaces", "sweeps", "sweep_runs", "teams",
          "members")


def cli(url: str, *args: str, person: str | None = None) -> subprocess.CompletedProcess:
    """``python -m coverage ARGS --store URL [--as PERSON]``; never a traceback."""
    acting = ["--as", person] if person else []
    result = subprocess.run([sys.executable, "-m", "coverage", *args, "--store", url, *acting], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def cli_here(url: str, *args: str, person: str | None = None) -> subprocess.CompletedProcess:
    """What ``cli`` runs, through ``coverage.cli.main`` in this process (its stores closed after)."""
    import contextlib
    import gc
    import io

    from coverage.cli import main

    argv = [*args, "--store", url, *(["--as", person] if person else [])]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    gc.collect()  # the command's store (and its database connections) goes with it, as at a process's exit
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def ok(result: subprocess.CompletedProcess):
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout) if result.stdout.lstrip().startswith(("{", "[")) else result.stdout


def refused(result: subprocess.CompletedProcess, message: str) -> None:
    assert (result.returncode, result.stderr, result.stdout) == (2, f"error: {message}\n", ""), result


def rows(url: str) -> dict:
    store = ScenarioStore(url)
    try:
        with store.engine.connect() as conn:
            return {table: sorted(map(tuple, conn.execute(sa.text(f"SELECT * FROM {table}")).all()), key=repr)
                    for table in TABLES}
    finally:
        store.close()


def two_teams(url: str) -> None:
    ok(cli(url, "team", "add", "alpha", ANA, "--role", "owner"))
    ok(cli(url, "team", "add", "beta", BEN, "--role", "owner"))


def test_ana_s_plans_are_invisible_to_ben_and_ben_cannot_change_them(store_url, tmp_path):
    two_teams(store_url)
    private = ok(cli(store_url, "scenarios", "save", EXAMPLE, "--json", person=ANA))["id"]
    team = ok(cli(store_url, "scenarios", "save", EXAMPLE, "--team", "alpha", "--json", person=ANA))["id"]
    assert {s["id"] for s in ok(cli(store_url, "scenarios", "list", "--json", person=ANA))} == {private, team}
    assert ok(cli(store_url, "scenarios", "list", "--json", person=BEN)) == []
    before = rows(store_url)
    for hidden in (private, team):
        message = f"id: not found or no access: {hidden}"
        for args in (("scenarios", "show", hidden), ("scenarios", "show", f"{hidden}@1"),
                     ("scenarios", "history", hidden), ("scenarios", "comments", hidden),
                     ("evaluate", f"store:{hidden}"), ("compare", f"store:{hidden}", EXAMPLE),
                     ("link", f"store:{hidden}@1"), ("report", f"store:{hidden}", "--out", str(tmp_path / "r.csv")),
                     ("scenarios", "save", EXAMPLE, "--id", hidden), ("scenarios", "delete", hidden),
                     ("scenarios", "restore", hidden), ("scenarios", "purge", hidden),
                     ("scenarios", "propose", f"{hidden}@1"), ("scenarios", "approve", f"{hidden}@1"),
                     ("scenarios", "comment", f"{hidden}@1", "mine"), ("scenarios", "copy", hidden),
                     ("scenarios", "move", hidden, "--team", "beta")):
            refused(cli_here(store_url, *args, person=BEN), message)
    refused(cli_here(store_url, "team", "add", "alpha", BEN, "--role", "owner", person=BEN),
            "team: not found or no access: team alpha")
    refused(cli_here(store_url, "audit", "--team", "alpha", person=BEN), "team: not found or no access: team alpha")
    assert not (tmp_path / "r.csv").exists()
    assert rows(store_url) == before                    # nothing of ana's changed
    # the administrator (no --as) sees both
    assert {s["id"] for s in ok(cli(store_url, "scenarios", "list", "--json"))} == {private, team}


def test_an_existing_hidden_id_and_a_missing_id_read_the_same_byte_for_byte(store_url):
    two_teams(store_url)
    hidden = ok(cli(store_url, "scenarios", "save", EXAMPLE, "--json", person=ANA))["id"]
    commands = (("scenarios", "show", hidden), ("scenarios", "history", hidden), ("evaluate", f"store:{hidden}"),
                ("scenarios", "delete", hidden))
    existing = [cli(store_url, *args, person=BEN) for args in commands]
    ok(cli(store_url, "scenarios", "delete", hidden, person=ANA))
    ok(cli(store_url, "scenarios", "purge", hidden, person=ANA))
    refused(cli(store_url, "scenarios", "show", hidden, person=ANA), f"id: not found or no access: {hidden}")
    missing = [cli(store_url, *args, person=BEN) for args in commands]
    for shown, gone in zip(existing, missing):
        assert (shown.returncode, shown.stdout, shown.stderr.encode()) == (gone.returncode, gone.stdout,
                                                                           gone.stderr.encode())
        assert shown.returncode == 2 and shown.stderr == f"error: id: not found or no access: {hidden}\n"


def test_a_viewer_cannot_save_an_editor_cannot_approve_the_owner_can_and_the_audit_log_names_each(store_url):
    two_teams(store_url)
    ok(cli_here(store_url, "team", "add", "alpha", VERA, "--role", "viewer", person=ANA))     # an owner adds members
    ok(cli_here(store_url, "team", "add", "alpha", ED, "--role", "editor"))  # so does the administrator
    plan = ok(cli_here(store_url, "scenarios", "save", EXAMPLE, "--team", "alpha", "--json", person=ANA))["id"]
    refused(cli_here(store_url, "scenarios", "save", EXAMPLE, "--id", plan, person=VERA),
            "role: editors of team alpha may save versions; you are a viewer there")
    refused(cli_here(store_url, "scenarios", "save", EXAMPLE, "--team", "alpha", person=VERA),
            "role: editors of team alpha may save scenarios; you are a viewer there")
    refused(cli_here(store_url, "scenarios", "delete", plan, person=VERA),
            "role: editors of team alpha may move scenarios to the bin and back; you are a viewer there")
    assert ok(cli_here(store_url, "scenarios", "show", plan, person=VERA))["name"] == "Plains pilot"  # a viewer opens
    ok(cli_here(store_url, "compare", f"store:{plan}", EXAMPLE, "--json", person=VERA))                 # and compares
    copied = ok(cli_here(store_url, "scenarios", "copy", f"{plan}@1", "--json", person=VERA))["id"]      # and copies
    second = ok(cli_here(store_url, "scenarios", "save", EXAMPLE, "--id", plan, "--name", "Pilot, edited",
                         "--author", "someone else", "--json", person=ED))
    assert second["version"] == 2
    ok(cli_here(store_url, "scenarios", "propose", f"{plan}@2", "--note", "ready for review", person=ED))
    refused(cli_here(store_url, "scenarios", "approve", f"{plan}@2", person=ED),
            "role: owners of team alpha may approve or reject versions; you are an editor there")
    ok(cli_here(store_url, "scenarios", "approve", f"{plan}@2", "--comment", "good", person=ANA))
    listed = ok(cli_here(store_url, "scenarios", "list", "--team", "alpha", "--json", person=VERA))
    assert [(s["id"], s["status"], s["space"]) for s in listed] == [(plan, "approved", "team:alpha")]
    history = ok(cli_here(store_url, "scenarios", "history", plan, "--json", person=ANA))
    assert [(v["version"], v["author"], v["status"]) for v in history] == [(1, ANA, None), (2, ED, "approved")]
    ok(cli_here(store_url, "link", f"store:{plan}@2", person=VERA))
    log = ok(cli_here(store_url, "audit", "--team", "alpha", "--json", person=ANA))
    assert [(e["who"], e["action"]) for e in reversed(log)] == [
        (getpass.getuser(), "team-create"), (getpass.getuser(), "member-add"), (ANA, "member-add"),
        (getpass.getuser(), "member-add"), (ANA, "save"), (ED, "save"), (ED, "propose"), (ANA, "approve"),
        (VERA, "share-link")]
    assert {"at", "who", "action", "scenario", "version", "detail"} <= set(log[0])
    refused(cli_here(store_url, "audit", "--team", "alpha", person=ED),
            "role: owners of team alpha may read the audit log; you are an editor there")
    assert [e["action"] for e in ok(cli_here(store_url, "audit", "--json", person=VERA))] == ["copy"]  # her own space
    assert copied in {e["scenario"] for e in ok(cli_here(store_url, "audit", "--json"))}             # the admin: all
    teams = ok(cli_here(store_url, "team", "list", "--json", person=VERA))
    assert [(t["team"], t["role"], len(t["members"])) for t in teams] == [("alpha", "viewer", 3)]
    ok(cli_here(store_url, "team", "remove", "alpha", VERA, person=ANA))
    refused(cli_here(store_url, "scenarios", "show", plan, person=VERA), f"id: not found or no access: {plan}")


@pytest.mark.parametrize("args, message", [
    (["scenarios", "list", "--as", ""], "error: --as: the --as is empty"),
    (["scenarios", "list", "--as", "a b@x.org"], "error: --as: the --as contains a space"),
    (["scenarios", "list", "--as", "a\x1b@x.org"], "error: --as: the --as contains the control character U+001B"),
    (["scenarios", "list", "--as", "a" * 300], "error: --as: the --as is 300 characters long; at most 254"),
    (["team", "add", "t\x07", ANA, "--role", "viewer"], "error: TEAM: the TEAM contains the control character U+0007"),
    (["team", "add", "t" * 65, ANA, "--role", "viewer"], "error: TEAM: the TEAM is 65 characters long; at most 64"),
    (["team", "add", "t", "not an email", "--role", "viewer"], "error: EMAIL: the EMAIL contains a space"),
    (["team", "add", "t", ANA, "--role", "boss"], "error: --role: the --role must be one of viewer, editor, owner"),
    (["team", "remove", "nosuch", ANA], "error: team: there is no team 'nosuch' in the store"),
    (["audit", "--limit", "0"], "error: --limit: 0 must be from 1 to 1,000,000"),
    (["scenarios", "save", EXAMPLE, "--team", "\u202e"], "error: --team: the --team contains the control character"),
])
def test_bad_names_exit_2_with_a_message_naming_the_field(args, message):
    result = subprocess.run([sys.executable, "-m", "coverage", *args], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_sweep_as_a_person_runs_in_their_space_and_cannot_start_from_a_hidden_plan(tmp_path, isolated_store):
    url = isolated_store
    two_teams(url)
    hidden = ok(cli(url, "scenarios", "save", EXAMPLE, "--json", person=ANA))["id"]
    sweep = tmp_path / "sweep.json"
    sweep.write_text(json.dumps({"schema": "rural-coverage/sweep@1", "name": "Ben's try", "base": f"store:{hidden}",
                                 "vary": {"budget.total_usd": [1e8]}, "time_limit_s": 5}))
    refused(cli(url, "sweep", str(sweep), "--serial", person=BEN), f"id: not found or no access: {hidden}")
    (tmp_path / "base.json").write_text(open(EXAMPLE).read())
    sweep.write_text(json.dumps({"schema": "rural-coverage/sweep@1", "name": "Ana's sweep", "base": "base.json",
                                 "vary": {"budget.total_usd": [1e8]}, "time_limit_s": 5}))
    ran = ok(cli(url, "sweep", str(sweep), "--serial", "--json", person=ANA))
    assert len(ran) == 1 and ran[0]["status"] in ("optimal", "time_limit")
    store = ScenarioStore(url)
    from coverage.store import Person

    ana, ben = store.acting(Person(ANA)), store.acting(Person(BEN))
    (mine,) = ana.sweeps()
    assert mine["space"] == f"user:{ANA}" and ben.sweeps() == []
    assert {s.space for s in ana.list(sweeps=True)} == {f"user:{ANA}"} and ben.list(sweeps=True) == []
