"""Teams, roles, review and the audit log in the store, on a real SQLite file and a real PostgreSQL server.

Two people, two teams: ana owns team alpha, ben owns team beta.  Nothing is mocked: each
test opens the store as each person (``store.acting(Person(...))``) and checks what they
see and what they may change, and that the rows of the other's plans did not move.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coverage.scenario import load_scenario
from coverage.store import DataRef, NoAccess, NotAllowed, Person, ScenarioStore, StoreError
from coverage.store.access import AccessError, check_team
from coverage.store.data import default_fingerprint, open_version

from .conftest import ROOT
from .test_store import save_pilot

ANA, BEN, VERA, ED = "ana@example.org", "ben@example.org", "vera@example.org", "ed@example.org"
DATA = DataRef(default_fingerprint())
TABLES = ("scenarios", "versions", "comments", "datasets", "dataset_spaces", "sweeps", "sweep_runs", "drafts",
          "teams", "members")


def document(name: str = "Plains pilot") -> dict:
    return {"schema": "rural-coverage/scenario@1", "name": name, "hubs": []}


def people(url: str):
    """The administrator's store, ana's and ben's views; ana owns alpha, ben owns beta."""
    admin = ScenarioStore(url)
    ana, ben = admin.acting(Person(ANA)), admin.acting(Person(BEN))
    ana.add_member("alpha", ANA, "owner")
    ben.add_member("beta", BEN, "owner")
    return admin, ana, ben


def rows(store: ScenarioStore) -> dict:
    """Every row of every table but the audit log."""
    with store.engine.connect() as conn:
        return {table: sorted(map(tuple, conn.execute(sa.text(f"SELECT * FROM {table}")).all()), key=repr)
                for table in TABLES}


def refused(call, *args, **kwargs) -> str:
    """The message a refused call gives (NoAccess or NotAllowed)."""
    with pytest.raises((NoAccess, NotAllowed)) as caught:
        call(*args, **kwargs)
    return str(caught.value)


def test_a_persons_private_and_team_plans_are_invisible_to_another(store_url):
    admin, ana, ben = people(store_url)
    private = save_pilot(ana)
    team = save_pilot(ana, space="team:alpha")
    ana.propose(team.id, 1, "have a look")
    ana.comment(team.id, 1, "numbers checked")
    own = save_pilot(ben)
    assert {info.id for info in ana.list()} == {private.id, team.id}
    assert [info.id for info in ben.list()] == [own.id]                       # the list
    assert ben.list(deleted=True) == [] and ben.list(sweeps=True)[0].id == own.id
    for hidden in (private.id, team.id):
        message = f"id: not found or no access: {hidden}"
        assert refused(ben.get, hidden) == message                    # open
        assert refused(ben.get, hidden, 1) == message
        assert refused(ben.info, hidden) == message
        assert refused(ben.history, hidden) == message                # history
        assert refused(ben.comments, hidden) == message
        assert refused(ben.approved_version, hidden) == message
        assert refused(open_version, ben, hidden, 1) == message       # store:ID@V (compare, links, report, sweeps)
        assert refused(ben.copy, hidden, 1) == message
        assert ben.record("share-link", f"store:{hidden}@1")     # logged in ben's own space, not attached to it
        assert (ben.audit()[0].space, ben.audit()[0].scenario) == (f"user:{BEN}", None)
    assert refused(lambda: ben.members("alpha")) == "team: not found or no access: team alpha"
    assert [team.name for team in ben.teams()] == ["beta"]
    assert ben.audit() and all(entry.space in ("user:" + BEN, "team:beta") for entry in ben.audit())
    assert refused(lambda: ben.audit("alpha")) == "team: not found or no access: team alpha"
    # the administrator sees everything
    assert {info.id for info in admin.list()} == {private.id, team.id, own.id}


def test_hidden_and_missing_read_the_same_byte_for_byte(store_url):
    _, ana, ben = people(store_url)
    hidden = save_pilot(ana).id
    calls = (ben.get, ben.info, ben.history, ben.delete, ben.restore, ben.purge, ben.comments, ben.approved_version)
    before = [refused(call, hidden) for call in calls] + [refused(ben.rename, hidden, "x")]
    ana.delete(hidden)
    ana.purge(hidden)                       # now it is not there at all
    with pytest.raises(StoreError):
        ana.get(hidden)
    after = [refused(call, hidden) for call in calls] + [refused(ben.rename, hidden, "x")]
    assert before == after and len(set(before)) == 1
    assert before[0].encode() == f"id: not found or no access: {hidden}".encode()


def test_another_person_cannot_change_a_plan_and_nothing_of_it_moves(store_url):
    admin, ana, ben = people(store_url)
    private = save_pilot(ana)
    team = save_pilot(ana, space="team:alpha")
    ana.delete(private.id)  # one in the bin, to try restore and purge on
    snapshot = rows(admin)
    for target in (private.id, team.id):
        message = f"id: not found or no access: {target}"
        assert refused(ben.save, document("mine now"), figures={}, data=DATA, scenario_id=target) == message
        assert refused(ben.rename, target, "mine now") == message
        for call in (ben.delete, ben.restore, ben.purge):
            assert refused(call, target) == message
        assert refused(ben.propose, target, 1, "x") == message
        assert refused(ben.review, target, 1, True, "x") == message
        assert refused(ben.comment, target, 1, "x") == message
        assert refused(ben.move, target, ben.person.space) == message
    assert refused(lambda: ben.add_member("alpha", BEN, "owner")) == "team: not found or no access: team alpha"
    assert refused(lambda: ben.remove_member("alpha", ANA)) == "team: not found or no access: team alpha"
    assert refused(lambda: ben.save(document(), figures={}, data=DATA, space="team:alpha")).endswith(
        "not found or no access: team:alpha")
    assert rows(admin) == snapshot          # nothing of ana's changed
    assert ana.get(team.id).document == load_scenario(ROOT / "examples" / "plains_pilot.json").to_dict()


def test_a_viewer_cannot_save_an_editor_cannot_approve_the_owner_can(store_url):
    admin, ana, _ = people(store_url)
    vera, ed = admin.acting(Person(VERA)), admin.acting(Person(ED))
    ana.add_member("alpha", VERA, "viewer")
    ana.add_member("alpha", ED, "editor")
    plan = save_pilot(ana, space="team:alpha")
    snapshot = rows(admin)
    # viewer: sees, cannot change
    assert vera.get(plan.id).version == 1 and [i.id for i in vera.list()] == [plan.id]
    for attempt, needed in ((lambda: save_pilot(vera, scenario_id=plan.id), "editors"),
                            (lambda: vera.rename(plan.id, "v"), "editors"), (lambda: vera.delete(plan.id), "editors"),
                            (lambda: save_pilot(vera, space="team:alpha"), "editors"),
                            (lambda: vera.propose(plan.id, 1), "editors"),
                            (lambda: vera.review(plan.id, 1, True), "owners"),
                            (lambda: vera.add_member("alpha", VERA, "owner"), "owners")):
        with pytest.raises(NotAllowed) as caught:
            attempt()
        assert str(caught.value).startswith(f"role: {needed} of team alpha may ") and "you are a viewer" in str(
            caught.value)
    assert rows(admin) == snapshot
    copied = vera.copy(plan.id, 1)          # a viewer copies into their own space
    assert vera.info(copied.id).space == f"user:{VERA}" and copied.id not in {i.id for i in ana.list()}
    # editor: saves, renames, bins, restores, proposes; cannot approve, purge or manage members
    assert save_pilot(ed, scenario_id=plan.id).version == 2
    assert ed.rename(plan.id, "Pilot, edited").version == 3
    ed.delete(plan.id)
    ed.restore(plan.id)
    ed.propose(plan.id, 3, "ready")
    assert ed.info(plan.id).status == "proposed"
    with pytest.raises(NotAllowed, match="owners of team alpha may approve or reject versions; you are an editor"):
        ed.review(plan.id, 3, True, "self-approved")
    ed.delete(plan.id)
    with pytest.raises(NotAllowed, match="owners of team alpha may delete scenarios from the bin"):
        ed.purge(plan.id)
    ed.restore(plan.id)
    with pytest.raises(NotAllowed, match="owners of team alpha may change members"):
        ed.add_member("alpha", ED, "owner")
    assert ed.approved_version(plan.id) is None
    # owner: approves with a comment; versions stay immutable
    document_3 = ana.get(plan.id, 3).document
    ana.review(plan.id, 3, True, "approved for Q3")
    assert ana.approved_version(plan.id) == 3 and vera.approved_version(plan.id) == 3
    assert [i.status for i in vera.list(space="team:alpha")] == ["approved"]
    assert ana.get(plan.id, 3).document == document_3
    assert [(v.version, v.status) for v in ana.history(plan.id)] == [(1, None), (2, None), (3, "approved")]
    assert [(c.kind, c.who, c.text) for c in vera.comments(plan.id, 3)] == [
        ("proposed", ED, "ready"), ("approved", ANA, "approved for Q3")]
    with pytest.raises(StoreError, match="is approved already"):
        ed.propose(plan.id, 3)
    ed.propose(plan.id, 2)
    ana.review(plan.id, 2, False, "superseded")
    assert ana.history(plan.id)[1].status == "rejected" and ana.approved_version(plan.id) == 3


def test_every_action_is_in_the_audit_log_with_the_right_person(store_url):
    admin, ana, ben = people(store_url)
    ana.add_member("alpha", ED, "editor")
    ed = admin.acting(Person(ED))
    plan = save_pilot(ana, space="team:alpha")
    save_pilot(ed, scenario_id=plan.id)
    ed.rename(plan.id, "Renamed")
    ed.delete(plan.id)
    ed.restore(plan.id)
    ed.propose(plan.id, 3, "please")
    ana.review(plan.id, 3, False, "not yet")
    ed.comment(plan.id, 3, "fixing")
    assert ed.record("share-link", f"store:{plan.id}@3", "http://app/?id=x&v=3")
    assert ana.record("sign-in")
    ana.put_dataset("d" * 16, "communities", "mine.csv", 2, b"id,name\n", space="team:alpha")
    ana.remove_member("alpha", ED)
    ana.delete(plan.id)
    ana.purge(plan.id)
    log = [(e.who, e.action) for e in reversed(admin.audit("alpha"))]
    assert log == [(ANA, "team-create"), (ANA, "member-add"), (ANA, "member-add"), (ANA, "save"), (ED, "save"),
                   (ED, "rename"), (ED, "bin"), (ED, "restore"), (ED, "propose"), (ANA, "reject"), (ED, "comment"),
                   (ED, "share-link"), (ANA, "upload"), (ANA, "member-remove"), (ANA, "bin"), (ANA, "delete")]
    assert (ANA, "sign-in") in [(e.who, e.action) for e in ana.audit()]          # in ana's private space
    assert [e.action for e in admin.audit(scenario=plan.id)][:2] == ["delete", "bin"]
    assert {e.space for e in admin.audit() if e.who == BEN} == {"team:beta"}    # ben only made his team
    assert ana.audit("alpha", limit=2) == admin.audit("alpha", limit=2)
    with pytest.raises(NoAccess):
        ben.audit("alpha")


def test_the_audit_table_refuses_update_and_delete(store_url):
    admin, ana, _ = people(store_url)
    save_pilot(ana)
    before = admin.audit()
    for statement in ("UPDATE audit SET who = 'nobody'", "DELETE FROM audit"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with admin.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert admin.audit() == before and len(before) >= 3
    assert not [name for name in dir(admin) if "audit" in name and name not in ("audit",)]  # no API to edit it


def test_data_sets_sweeps_and_drafts_belong_to_a_space(store_url):
    admin, ana, ben = people(store_url)
    content = b"id,name,state,lat,lon,population\nx1,Xtown,KS,38.1,-99.2,3000\nx2,Yville,KS,38.6,-99.4,4000\n"
    ana.put_dataset("f" * 16, "communities", "ana.csv", 2, content)
    assert ana.get_dataset("f" * 16).content == content and ana.dataset_info("f" * 16)["name"] == "ana.csv"
    assert ben.get_dataset("f" * 16) is None and ben.dataset_info("f" * 16) is None   # as if it were not there
    assert ben.get_dataset("0" * 16) is None
    ana.add_member("alpha", BEN, "viewer")
    ana.save(document(), figures={}, data=DataRef("f" * 16), space="team:alpha")      # the team's plan brings it in
    assert ben.get_dataset("f" * 16).content == content
    # sweeps
    assert ana.create_sweep("sweep-a", "Ana's sweep", {"vary": {}}, document(), 2)
    ana.record_run("sweep-a", "k1", 0, {}, "optimal", {"objective": 1})
    assert [s["id"] for s in ana.sweeps()] == ["sweep-a"] and ben.sweeps() == []
    for attempt in (lambda: ben.sweep("sweep-a"), lambda: ben.sweep_runs("sweep-a"),
                    lambda: ben.record_run("sweep-a", "k2", 1, {}, "optimal", {}),
                    lambda: ben.create_sweep("sweep-a", "x", {}, {}, 1)):
        assert refused(attempt) == "sweep: not found or no access: sweep-a"
    assert len(admin.sweep_runs("sweep-a")) == 1
    # drafts
    ana.save_draft("tab-1", document("draft"), DATA)
    assert ben.get_draft("tab-1") is None and ana.get_draft("tab-1").document["name"] == "draft"
    message = refused(ben.save_draft, "tab-1", document("overwritten"), DATA)
    assert message == "draft: not found or no access: draft tab-1"
    ben.delete_draft("tab-1")
    assert ana.get_draft("tab-1").document["name"] == "draft"


def test_an_older_store_keeps_its_plans_in_team_local_which_the_administrator_sees(store_url):
    from alembic import command

    from coverage.store.store import _alembic_config

    engine = sa.create_engine(store_url.replace("postgresql://", "postgresql+psycopg://"))
    if store_url.startswith("sqlite"):
        from coverage.store.store import _configure_sqlite

        _configure_sqlite(engine)
    with engine.connect() as conn:
        conn.execution_options(coverage_write=True)
        with conn.begin():
            config = _alembic_config()
            config.attributes["connection"] = conn
            command.upgrade(config, "0002")
            now = "2026-01-01T00:00:00.000000Z"
            conn.execute(sa.text("INSERT INTO scenarios VALUES ('old', 'Old plan', 1, '{}', :t, 'cy', :t, 'cy', "
                                 "NULL, NULL)"), {"t": now})
            conn.execute(sa.text("INSERT INTO versions (scenario_id, version, name, document, figures, communities, "
                                 "note, author, created_at) VALUES ('old', 1, 'Old plan', :d, '{}', :c, '', 'cy', "
                                 ":t)"), {"t": now, "d": '{"name": "Old plan", "hubs": []}', "c": "c" * 16})
            conn.execute(sa.text("INSERT INTO datasets VALUES (:c, 'communities', 'old.csv', 2, :b, :t, 'cy')"),
                         {"c": "c" * 16, "b": b"x", "t": now})
    engine.dispose()
    admin = ScenarioStore(store_url)
    assert any("upgraded the scenario store" in m for m in admin.messages)
    assert [(i.id, i.space) for i in admin.list()] == [("old", "team:local")]
    ben = admin.acting(Person(BEN))
    assert ben.list() == [] and ben.dataset_info("c" * 16) is None
    assert refused(lambda: ben.get("old")) == "id: not found or no access: old"
    admin.add_member("local", BEN, "viewer")       # sharing the old plans is one command
    assert [i.id for i in ben.list()] == ["old"] and ben.dataset_info("c" * 16)["name"] == "old.csv"
    assert save_pilot(admin).id in {i.id for i in ben.list()}     # the administrator saves into team:local


@pytest.mark.parametrize("make, column", [
    (lambda: Person(""), "email"), (lambda: Person("a" * 300), "email"), (lambda: Person("a\x1b@x.org"), "email"),
    (lambda: Person("a b@x.org"), "email"), (lambda: check_team("x" * 65), "team"),
    (lambda: check_team("a\nb"), "team"), (lambda: check_team(" "), "team"),
])
def test_names_are_checked_and_the_message_names_the_field(make, column):
    with pytest.raises(AccessError) as caught:
        make()
    assert caught.value.problems[0].column == column and "Traceback" not in str(caught.value)


def test_names_are_checked_in_the_store_calls(store_url):
    admin, ana, _ = people(store_url)
    with pytest.raises(AccessError, match="role must be one of viewer, editor, owner"):
        ana.add_member("alpha", BEN, "boss")
    with pytest.raises(AccessError, match="email contains"):
        ana.add_member("alpha", "x\u202e@x.org", "viewer")
    with pytest.raises(AccessError, match="the team is 65 characters long"):
        admin.add_member("t" * 65, BEN, "viewer")
    with pytest.raises(AccessError, match="comment is empty"):
        ana.comment(save_pilot(ana).id, 1, "  ")
    with pytest.raises(NotAllowed, match="last owner of team alpha"):
        ana.remove_member("alpha", ANA)
    assert Person("Ana@Example.ORG").email == ANA and Person(ANA, name="Ana\x1b[2J").name == "Ana[2J"
