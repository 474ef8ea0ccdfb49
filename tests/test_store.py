"""The scenario store on real databases: a SQLite file and a throw-away PostgreSQL server, every test on both."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest
import sqlalchemy as sa

from coverage.errors import InputError
from coverage.evaluation import evaluate
from coverage.loaders import load_communities
from coverage.scenario import load_scenario
from coverage.store import DataRef, ScenarioStore, StoreError, StoreUnavailable
from coverage.store.data import MissingData, data_ref, default_fingerprint, keep, open_data

from .conftest import ROOT, free_port
from .store_worker import digest, document

PILOT = ROOT / "examples" / "plains_pilot.json"


def save_pilot(store: ScenarioStore, **kwargs):
    scenario = load_scenario(PILOT)
    evaluation = evaluate(scenario)
    return store.save(scenario.to_dict(), figures=evaluation.key_figures(),
                      data=data_ref(evaluation.engine.communities), **kwargs)


def test_a_new_store_is_created_and_says_so(store_url):
    store = ScenarioStore(store_url)
    assert store.writable
    assert store.messages and store.messages[0].startswith("created a new scenario store")
    assert ScenarioStore(store_url).messages == []  # the second opening has nothing to say


def test_save_list_show_history_and_every_save_is_a_new_version(store_url):
    store = ScenarioStore(store_url)
    first = save_pilot(store, author="ana")
    assert (first.version, first.created, first.conflict) == (1, True, False)
    document_1 = store.get(first.id).document
    assert document_1 == load_scenario(PILOT).to_dict()
    changed = {**document_1, "name": "Plains pilot, wider", "hubs": document_1["hubs"][:2]}
    second = store.save(changed, figures={"hubs": 2}, data=DataRef(default_fingerprint()), scenario_id=first.id,
                        based_on=1, author="ben")
    assert (second.version, second.created, second.conflict) == (2, False, False)
    assert store.get(first.id, 1).document == document_1  # nothing overwritten
    assert store.get(first.id).document == changed
    history = store.history(first.id)
    assert [(v.version, v.author, v.name) for v in history] == [(1, "ana", "Plains pilot"),
                                                               (2, "ben", "Plains pilot, wider")]
    (listed,) = store.list()
    assert (listed.id, listed.latest_version, listed.name, listed.figures["hubs"]) == (first.id, 2,
                                                                                       "Plains pilot, wider", 2)
    assert listed.figures == store.get(first.id).figures
    assert store.list(search="WIDER")[0].id == first.id and store.list(search="nothing like it") == []


def test_two_tabs_saving_the_same_version_both_keep_theirs(store_url):
    store = ScenarioStore(store_url)
    first = save_pilot(store)
    doc = store.get(first.id).document
    tab_one = store.save({**doc, "name": "tab one"}, figures={}, data=DataRef("x"), scenario_id=first.id, based_on=1)
    tab_two = store.save({**doc, "name": "tab two"}, figures={}, data=DataRef("x"), scenario_id=first.id, based_on=1)
    assert (tab_one.version, tab_one.conflict) == (2, False)
    assert (tab_two.version, tab_two.conflict) == (3, True)
    assert tab_two.message == "another save came in between; yours is version 3"
    assert store.get(first.id, 2).name == "tab one" and store.get(first.id, 3).name == "tab two"


def test_rename_delete_to_the_bin_and_restore(store_url):
    store = ScenarioStore(store_url)
    first = save_pilot(store)
    renamed = store.rename(first.id, "Plains, renamed", author="cy")
    assert renamed.version == 2 and store.get(first.id).document["name"] == "Plains, renamed"
    assert store.history(first.id)[-1].note == "renamed from Plains pilot"
    store.delete(first.id, author="cy")
    assert store.list() == [] and [s.id for s in store.list(deleted=True)] == [first.id]
    assert store.list(deleted=True)[0].deleted_by == "cy"
    with pytest.raises(StoreError, match="is in the bin"):
        store.save({"name": "x"}, figures={}, data=DataRef("x"), scenario_id=first.id)
    store.restore(first.id)
    assert [s.id for s in store.list()] == [first.id] and store.get(first.id).version == 2


@pytest.mark.parametrize("call, message", [
    (lambda s: s.get("nope"), "there is no scenario 'nope'"),
    (lambda s: s.history("nope"), "there is no scenario 'nope'"),
    (lambda s: s.delete("nope"), "there is no scenario 'nope'"),
    (lambda s: s.rename("nope", "x"), "there is no scenario 'nope'"),
    (lambda s: s.save({"name": "x"}, figures={}, data=DataRef("x"), scenario_id="bad id!"), "is not a scenario id"),
    (lambda s: s.save({"name": "x"}, figures={}, data=DataRef("x"), scenario_id="ghost", create=False),
     "there is no scenario 'ghost'"),
])
def test_store_mistakes_are_named(store_url, call, message):
    with pytest.raises(StoreError, match=message):
        call(ScenarioStore(store_url))


def test_a_missing_version_names_the_versions_there_are(store_url):
    store = ScenarioStore(store_url)
    first = save_pilot(store)
    with pytest.raises(StoreError, match=r"has no version 7 \(its versions are 1 to 1\)"):
        store.get(first.id, 7)


def test_uploaded_data_is_kept_and_a_version_reopens_on_it(store_url, tmp_path):
    store = ScenarioStore(store_url)
    content = ("id,name,lat,lon,population\n" + "\n".join(
        f"t{i},Kīhei {i},{38 + 0.3 * i:.2f},-99.5,{3000 + 10 * i}" for i in range(40)) + "\n").encode()
    towns = load_communities(content, name="towns.csv")
    key = keep(store, "communities", towns, "towns.csv", content)
    assert store.dataset_info(key) == {"kind": "communities", "name": "towns.csv", "rows": 40}
    keep(store, "communities", towns, "towns.csv", content)  # kept once
    communities, sites = open_data(store, DataRef(key))
    assert sites is None and communities.equals(towns)
    with pytest.raises(MissingData, match="not in the scenario store"):
        open_data(store, DataRef("12345:40"))
    default, _ = open_data(store, DataRef(default_fingerprint()))
    assert len(default) == 4000 and not store.dataset_info(default_fingerprint())  # never copied


def test_drafts_are_replaced_not_versioned(store_url):
    store = ScenarioStore(store_url)
    assert store.get_draft("browser-1") is None
    store.save_draft("browser-1", {"name": "one"}, DataRef("a"))
    store.save_draft("browser-1", {"name": "two"}, DataRef("a", "b"), "plains-1", 3)
    draft = store.get_draft("browser-1")
    assert (draft.document, draft.data, draft.origin_id, draft.origin_version) == ({"name": "two"}, DataRef("a", "b"),
                                                                                   "plains-1", 3)
    assert store.list() == []


def test_a_store_newer_than_the_code_is_refused_and_left_untouched(store_url, tmp_path):
    store = ScenarioStore(store_url)
    save_pilot(store)
    with store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    store.close()
    before = _snapshot(store_url)
    with pytest.raises(StoreUnavailable, match="newer than this version of the planner.*left untouched"):
        ScenarioStore(store_url)
    assert _snapshot(store_url) == before


def test_an_older_store_is_upgraded_on_open_and_says_so(store_url):
    from alembic import command
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from coverage.store.store import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    first = list(ScriptDirectory.from_config(config).walk_revisions())[-1].revision
    engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, first)
    engine.dispose()
    store = ScenarioStore(store_url)
    head = ScriptDirectory.from_config(config).get_current_head()
    if head == first:
        assert store.messages == []
    else:
        assert store.messages == [f"upgraded the scenario store at {store.display_url} from schema revision "
                                  f"{first} to {head}"]
    assert save_pilot(store).version == 1


def test_the_teams_migration_goes_down_and_up_again_keeping_the_plans(store_url):
    """0003 (teams, spaces, audit) undone to 0002 and done again: the plans and their versions are kept, and the
    store then works as a team store (the plans in team ``local``), on SQLite and PostgreSQL alike."""
    from alembic import command

    from coverage.store.access import LOCAL_TEAM, team_space
    from coverage.store.store import _alembic_config

    store = ScenarioStore(store_url)
    saved = save_pilot(store)
    store.close()
    engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    config = _alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    with engine.connect() as conn:
        tables = set(sa.inspect(conn).get_table_names())
        assert not {"teams", "members", "audit", "comments", "dataset_spaces"} & tables
        assert "space" not in {column["name"] for column in sa.inspect(conn).get_columns("scenarios")}
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0002"
        assert conn.execute(sa.text("SELECT count(*) FROM versions")).scalar() == 1
    engine.dispose()
    store = ScenarioStore(store_url)  # opened at 0002: upgraded to the head again
    assert any("from schema revision 0002" in message for message in store.messages)
    (info,) = store.list()
    assert (info.id, info.name, info.latest_version) == (saved.id, "Plains pilot", 1)
    assert info.space == team_space(LOCAL_TEAM)
    assert save_pilot(store, scenario_id=saved.id, based_on=1).version == 2  # and it takes new versions
    assert [entry.action for entry in store.audit()] == ["save"]  # the audit log starts again at 0003
    store.close()


def test_the_store_knows_its_newest_schema_without_alembic():
    """The fast open (no Alembic) compares with SCHEMA_HEAD: it must be Alembic's head, or a migration is skipped."""
    from alembic.script import ScriptDirectory

    from coverage.store.store import SCHEMA_HEAD, _alembic_config

    assert SCHEMA_HEAD == ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _snapshot(url: str):
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        wal = path + "-wal"
        return open(path, "rb").read(), os.path.getsize(wal) if os.path.exists(wal) else 0
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        tables = {table: conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY 1")).all()
                  for table in ("alembic_version", "scenarios", "versions")}
    engine.dispose()
    return tables


# -- stores that cannot be used --------------------------------------------------------------------------
def test_a_store_that_cannot_be_reached_or_opened_gets_a_clear_message(tmp_path):
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"this is not a database " * 200)
    cases = [
        ("not a url at all", "is not a database URL"),
        ("nosuchdb://host/x", "cannot use the store URL"),
        (f"postgresql://nobody@127.0.0.1:{free_port()}/none", "cannot use the scenario store at postgresql"),
        (f"sqlite:///{corrupt}", "file is not a database"),
        (f"sqlite:///{tmp_path}", "is a folder, not a database file"),
    ]
    for url, message in cases:
        with pytest.raises(StoreUnavailable, match=message):
            ScenarioStore(url)
    assert corrupt.read_bytes() == b"this is not a database " * 200


def test_a_read_only_store_opens_with_saving_off(tmp_path):
    path = tmp_path / "scenarios.db"
    save_pilot(ScenarioStore(f"sqlite:///{path}"))
    store = ScenarioStore(f"sqlite:///file:{path}?mode=ro&uri=true")
    assert not store.writable and "readonly" in store.read_only_reason.replace("-", "")
    assert len(store.list()) == 1  # reading still works
    with pytest.raises(StoreError, match="saving is off"):
        save_pilot(store)


def test_the_cli_says_why_a_store_cannot_be_used_and_exits_2(tmp_path):
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"garbage" * 500)
    for url in (f"sqlite:///{corrupt}", f"postgresql://x@127.0.0.1:{free_port()}/db"):
        result = subprocess.run([sys.executable, "-m", "coverage", "scenarios", "list", "--store", url], cwd=ROOT,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode == 2 and "cannot use the scenario store" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr


def test_a_read_only_file_refuses_to_save_from_the_cli(tmp_path):
    """A store opened read-only (SQLite's mode=ro; and, when not root, a file without write permission)."""
    path = tmp_path / "store" / "scenarios.db"
    save_pilot(ScenarioStore(f"sqlite:///{path}"))
    urls = [f"sqlite:///file:{path}?mode=ro&uri=true"]
    if os.geteuid() != 0:  # root may write any file, so permissions only bind other users
        os.chmod(path.parent, 0o555)
        for name in os.listdir(path.parent):
            os.chmod(path.parent / name, 0o444)
        urls.append(f"sqlite:///{path}")
    try:
        for url in urls:
            result = subprocess.run([sys.executable, "-m", "coverage", "scenarios", "save", str(PILOT), "--store", url],
                                    cwd=ROOT, capture_output=True, text=True, timeout=60)
            assert result.returncode == 2, result.stderr
            assert "Traceback" not in result.stderr
            assert "saving is off" in result.stderr and "cannot be written" in result.stderr, result.stderr
            listed = subprocess.run([sys.executable, "-m", "coverage", "scenarios", "list", "--store", url, "--json"],
                                    cwd=ROOT, capture_output=True, text=True, timeout=60)
            assert listed.returncode == 0 and len(json.loads(listed.stdout)) == 1, listed.stderr
    finally:
        os.chmod(path.parent, 0o755)


# -- many writers, and a crash ---------------------------------------------------------------------------
def test_eight_processes_saving_a_hundred_versions_each_lose_nothing(store_url):
    store = ScenarioStore(store_url)
    first = store.save({"name": "shared"}, figures={}, data=DataRef("test:1"), scenario_id="shared")
    workers = [subprocess.Popen([sys.executable, "-m", "tests.store_worker", store_url, first.id, str(w), "100"],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for w in range(8)]
    saved = {}
    for worker, process in enumerate(workers):
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        for index, line in enumerate(out.split("\n")[:-1]):
            version, sha = line.split()
            assert int(version) not in saved
            saved[int(version)] = (sha, digest(document(worker, index)))
    assert len(saved) == 800
    assert sorted(saved) == list(range(2, 802))
    assert store.info(first.id).latest_version == 801
    for version, (reported, expected) in saved.items():
        assert reported == expected
        assert digest(store.get(first.id, version).document) == expected
    assert store.integrity_problems() == []


def test_kill_9_in_the_middle_of_saves_keeps_every_returned_version(store_url):
    store = ScenarioStore(store_url)
    store.save({"name": "crash"}, figures={}, data=DataRef("test:1"), scenario_id="crash")
    process = subprocess.Popen([sys.executable, "-m", "tests.store_worker", store_url, "crash", "0", "100000"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    returned = []
    while len(returned) < 60:
        line = process.stdout.readline()
        assert line, process.stderr.read()
        returned.append(line.split())
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    process.stdout.close()
    process.stderr.close()
    reopened = ScenarioStore(store_url)
    assert reopened.integrity_problems() == []
    for index, (version, sha) in enumerate(returned):
        kept = reopened.get("crash", int(version))
        assert hashlib.sha256(json.dumps(kept.document, sort_keys=True).encode()).hexdigest() == sha
        assert kept.document == document(0, index)
    latest = reopened.info("crash").latest_version
    assert latest >= 61
    assert [v.version for v in reopened.history("crash")] == list(range(1, latest + 1))
    time.sleep(0)  # the store keeps working after the crash
    assert reopened.save({"name": "after"}, figures={}, data=DataRef("x"), scenario_id="crash").version == latest + 1


def test_store_errors_are_input_errors_so_faces_show_them_as_messages():
    assert issubclass(StoreUnavailable, InputError) and issubclass(StoreError, InputError)
