"""Sign-in in the app (AppTest): the sign-in page, who is signed in, and the store's permissions honoured by the pages.

Every test with a store runs on SQLite and on PostgreSQL.

With an ``[auth]`` section in the secrets the app shows nothing but a sign-in page until
``st.user`` says someone is signed in (here AppTest's ``user``, as Streamlit fills it from the
identity provider's claims); every store call then acts as that person, and what the store
refuses reaches the planner as the store's own message.  The real provider, the real
callback and Chromium are in ``test_auth_browser.py``.
"""

from __future__ import annotations

import time

import pytest
from streamlit.testing.v1 import AppTest

from coverage.links import encode
from coverage.scenario import load_scenario
from coverage.store import ScenarioStore

from .conftest import ROOT
from .test_app import add_by_search, plain, run, said, workspace
from .test_app_store import go, pick

AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "a-cookie-secret-for-the-tests",
        "client_id": "rural-coverage", "client_secret": "not-used-here",
        "server_metadata_url": "http://localhost:1/.well-known/openid-configuration"}
ALICE = {"email": "Alice@Example.com", "name": "Alice Archer", "sub": "a-1"}
BOB = {"email": "bob@example.com", "name": "Bob Baker", "sub": "b-2"}
CAROL = {"email": "carol@example.com", "name": "Carol Cole", "sub": "c-3"}
DAVE = {"email": "dave@example.com", "name": "Dave Dunn", "sub": "d-4"}


def session(user: dict | None, *, browser: str | None = None, query: dict | None = None,
            secrets: dict | None = None) -> AppTest:
    """A browser tab with sign-in configured, signed in as ``user`` (None: nobody signed in yet)."""
    test = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    test.secrets["auth"] = AUTH
    for name, value in (secrets or {}).items():
        test.secrets[name] = value
    test.user = {"is_logged_in": True, **user} if user is not None else {}
    if query:
        test.query_params.update(query)
    run(test)
    if browser:
        test.session_state["browser"] = {"key": browser, "tab": "tab1", "tabs": ["tab1"]}
        run(test)
    return test


def errors(app: AppTest) -> str:
    return " ".join(said(app.error))


def everything(app: AppTest) -> str:
    return " ".join(plain(e.value) for kind in ("error", "warning", "info", "success", "markdown", "caption", "toast")
                    for e in app.get(kind))


def audit_logs(app: AppTest) -> list:
    """The tables the Audit page shows (its log)."""
    return [d.value for d in app.dataframe if "action" in d.value.columns]


def save_a_plan(app: AppTest, town: str = "Dodge City, KS", space: str | None = None, name: str | None = None):
    go(app, "map_hubs")
    add_by_search(app, town)
    go(app, "scenarios")
    if name:
        app.text_input(key=f"scenario-name-{workspace(app).revision}").input(name)
        run(app)
    if space:
        app.selectbox(key="save-space").set_value(space)
        run(app)
    app.button(key="save").click()
    run(app)
    assert not app.error, errors(app)
    return workspace(app).origin


@pytest.fixture(params=["sqlite", "postgresql"])
def isolated_store(request, tmp_path, monkeypatch) -> str:
    """The app's store for one test, once a SQLite file and once a PostgreSQL database (a team's deployment):
    the pages must honour the same permissions on both."""
    url = (f"sqlite:///{tmp_path / 'store' / 'scenarios.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    monkeypatch.setenv("COVERAGE_STORE_URL", url)
    return url


@pytest.fixture
def admin(isolated_store) -> ScenarioStore:
    """The store as its administrator (the command line without --as) sets teams up."""
    store = ScenarioStore(isolated_store)
    store.add_member("north", "alice@example.com", "owner")
    store.add_member("north", "dave@example.com", "editor")
    store.add_member("north", "carol@example.com", "viewer")
    return store


def test_without_auth_the_local_planner_needs_no_sign_in():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    run(app)
    assert app.get("metric") and not [b for b in app.button if b.key in ("sign-out", "sign-in-default")]
    go(app, "scenarios")
    assert [t.key for t in app.text_input if t.key == "author-input"] == ["author-input"]  # the free-text name
    assert not [s for s in app.selectbox if s.key == "save-space"]  # one space for all


def test_a_scenario_link_carries_its_plan_and_opens_for_anyone_signed_in():
    app = session(BOB, query={"scenario": encode(load_scenario(ROOT / "examples" / "plains_pilot.json"))})
    assert len(workspace(app).scenario.hubs) == 3 and not app.error


def test_with_auth_nothing_is_shown_before_signing_in():
    app = session(None)
    assert [t.value for t in app.title] == ["Rural Coverage Planner"]
    assert [b.label for b in app.button] == ["Sign in"]
    assert not app.get("metric") and not app.dataframe and not app.sidebar.markdown
    assert "workspace" not in app.session_state  # no plan, no data set, no figure was even made


def test_named_providers_each_get_a_sign_in_button():
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.secrets["auth"] = {"redirect_uri": AUTH["redirect_uri"], "cookie_secret": AUTH["cookie_secret"],
                           "google": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")},
                           "keycloak": {k: AUTH[k] for k in ("client_id", "client_secret", "server_metadata_url")}}
    app.user = {}
    run(app)
    assert sorted(plain(b.label) for b in app.button) == ["Sign in with Google", "Sign in with Keycloak"]


def test_an_identity_the_store_cannot_take_shows_nothing_but_a_message():
    app = session({"email": "two words@example.com", "name": "Odd"})
    assert "no identity the planner can use" in " ".join(plain(e.value) for e in app.error)
    assert not app.get("metric") and "workspace" not in app.session_state


def test_a_share_link_before_signing_in_says_to_sign_in_first():
    app = session(None, query={"id": "abc", "v": "1"})
    assert "sign in, then open the link again" in " ".join(plain(i.value) for i in app.info)
    assert not app.get("metric")


def test_signed_in_the_sidebar_shows_who_and_a_sign_out(isolated_store):
    app = session(ALICE)
    sidebar = " ".join(plain(m.value) for m in app.sidebar.markdown)
    assert "Alice Archer" in sidebar
    assert app.sidebar.button(key="sign-out").label == "Sign out"
    app.sidebar.button(key="sign-out").click()
    app.run()
    assert not app.user.get("is_logged_in")  # st.logout() emptied the session's user


def test_a_person_saves_into_their_private_space_under_their_own_email(isolated_store):
    app = session(ALICE)
    scenario_id = save_a_plan(app, name="Alice's pilot")
    info = ScenarioStore(isolated_store).info(scenario_id)
    assert info.space == "user:alice@example.com" and info.updated_by == "alice@example.com"
    go(app, "scenarios")
    listed = app.dataframe(key="scenario-list-0").value
    assert listed["space"].tolist() == ["Private"] and listed["by"].tolist() == ["alice@example.com"]
    assert not [t for t in app.text_input if t.key == "author-input"]  # no free-text name: the identity is real


def test_another_person_sees_nothing_of_it_not_in_the_list_nor_through_a_link(isolated_store):
    alice = session(ALICE)
    scenario_id = save_a_plan(alice, name="Alice's pilot")
    before = ScenarioStore(isolated_store).history(scenario_id)

    bob = session(BOB)
    go(bob, "scenarios")
    assert not bob.dataframe, "Bob's list shows Alice's plan"
    assert "No saved scenarios yet" in everything(bob)
    go(bob, "compare")
    assert all("Alice" not in o for box in bob.selectbox for o in box.options)

    linked = session(BOB, query={"id": scenario_id, "v": "1"})
    assert f"not found or no access: {scenario_id}" in errors(linked)
    assert not workspace(linked).scenario.hubs  # nothing of Alice's opened
    missing = session(BOB, query={"id": "no-such-plan", "v": "1"})
    assert "not found or no access: no-such-plan" in errors(missing)  # the same words whether it exists or not
    assert ScenarioStore(isolated_store).history(scenario_id) == before  # nothing of Alice's changed


def test_a_viewer_cannot_save_rename_or_bin_a_team_plan_and_sees_the_stores_reason(admin, isolated_store):
    alice = session(ALICE)
    scenario_id = save_a_plan(alice, space="team:north", name="North plan")
    carol = session(CAROL)
    go(carol, "scenarios")
    assert carol.dataframe(key="scenario-list-0").value["space"].tolist() == ["Team north"]
    pick(carol, "scenario-list")
    carol.button(key="open-latest").click()
    run(carol)
    go(carol, "map_hubs")
    add_by_search(carol, "Hays, KS")
    go(carol, "scenarios")
    carol.button(key="save").click()
    run(carol)
    refused = errors(carol)
    assert refused.startswith("Not saved:") and "editor" in refused, refused
    pick(carol, "scenario-list")
    carol.text_input(key=f"rename-{scenario_id}").input("Carol's name for it")
    carol.button(key="rename-scenario").click()
    run(carol)
    assert "Not renamed:" in errors(carol) and "editor" in errors(carol)
    pick(carol, "scenario-list")
    carol.button(key="delete-scenario").click()
    run(carol)
    assert "editor" in errors(carol) and "bin" in errors(carol), errors(carol)
    assert [info.id for info in ScenarioStore(isolated_store).list(deleted=True)] == []
    info = ScenarioStore(isolated_store).info(scenario_id)
    assert (info.name, info.latest_version) == ("North plan", 1)


def test_an_editor_proposes_an_owner_approves_and_compare_offers_the_approved_version(admin, isolated_store):
    dave = session(DAVE)
    scenario_id = save_a_plan(dave, space="team:north", name="North plan")
    go(dave, "scenarios")
    pick(dave, "scenario-list")
    dave.text_input(key=f"propose-note-{scenario_id}").input("Ready for the board")
    dave.button(key="propose").click()
    run(dave)
    assert not dave.error, errors(dave)
    assert "proposed" in dave.dataframe(key="scenario-list-1").value["status"].iloc[0]
    pick(dave, "scenario-list")
    dave.button(key="approve").click()
    run(dave)
    assert "Not approved:" in errors(dave) and "owner" in errors(dave)  # an editor cannot approve

    alice = session(ALICE)
    go(alice, "scenarios")
    pick(alice, "scenario-list")
    alice.text_input(key=f"review-comment-{scenario_id}").input("Approved for Q3")
    alice.button(key="approve").click()
    run(alice)
    assert not alice.error, errors(alice)
    assert "approved" in alice.dataframe(key="scenario-list-1").value["status"].iloc[0]
    assert ScenarioStore(isolated_store).approved_version(scenario_id) == 1
    go(alice, "compare")
    versions = alice.selectbox(key="compare-B-version")
    assert versions.options[0] == "the approved version (1)"


def test_comments_sit_beside_the_versions_with_who_and_what(admin, isolated_store):
    alice = session(ALICE)
    scenario_id = save_a_plan(alice, space="team:north", name="North plan")
    carol = session(CAROL)
    go(carol, "scenarios")
    pick(carol, "scenario-list")
    carol.text_area(key=f"comment-text-{scenario_id}").input("Why not <b>Hays</b>?")
    carol.button(key="comment").click()
    run(carol)
    assert not carol.error, errors(carol)
    thread = " ".join(plain(m.value) for m in carol.get("markdown") if "Carol" in plain(m.value) or "carol" in
                      plain(m.value))
    assert "Why not <b>Hays</b>?" in thread  # shown as the text it is, never markup
    (comment,) = ScenarioStore(isolated_store).comments(scenario_id, 1)
    assert (comment.who, comment.text) == ("carol@example.com", "Why not <b>Hays</b>?")


def test_drafts_are_per_person_in_one_browser(isolated_store):
    alice = session(ALICE, browser="b" * 32)
    go(alice, "map_hubs")
    add_by_search(alice, "Dodge City, KS")
    run(alice)  # autosaved as Alice's draft of this browser tab
    bob = session(BOB, browser="b" * 32)  # Bob signs in on the same browser, same tab
    assert not workspace(bob).scenario.hubs
    again = session(ALICE, browser="b" * 32)  # Alice comes back: her own plan
    assert len(workspace(again).scenario.hubs) == 1


def test_groups_from_the_identity_provider_give_team_roles(isolated_store):
    session({**BOB, "groups": ["south-planners", "unrelated"]},
            secrets={"teams": {"south-planners": "south:editor", "bad": "nonsense"}})
    (member,) = ScenarioStore(isolated_store).members("south")
    assert (member.email, member.role) == ("bob@example.com", "editor")


def test_sign_in_and_share_links_are_in_the_audit_log_and_owners_read_it(admin, isolated_store):
    alice = session({**ALICE, "iat": int(time.time())})
    scenario_id = save_a_plan(alice, space="team:north", name="North plan")
    go(alice, "scenarios")  # the stored link shown in "Share this plan" is made
    entries = ScenarioStore(isolated_store).audit()
    actions = {(e.who, e.action) for e in entries}
    assert ("alice@example.com", "sign-in") in actions
    assert any(e.action == "share-link" and e.target == scenario_id for e in entries)
    go(alice, "audit")
    assert alice.selectbox(key="audit-team").value == "north"  # the team she owns, first
    (log,) = audit_logs(alice)
    assert {"save", "share-link"} <= set(log["action"]), log["action"].tolist()
    assert set(log["space"]) == {"team:north"}

    carol = session(CAROL)  # a viewer of north: its log is not hers to read; she reads only her own
    go(carol, "audit")
    assert carol.selectbox(key="audit-team").options == ["Everything you may read"]
    assert all(set(log["space"]) <= {"user:carol@example.com"} for log in audit_logs(carol))


def test_an_owner_manages_members_on_the_team_page_and_a_viewer_is_refused(admin, isolated_store):
    alice = session(ALICE)
    go(alice, "team")
    alice.text_input(key="member-email").input("erin@example.com")
    alice.selectbox(key="member-role").set_value("editor")
    alice.button(key="member-add").click()
    run(alice)
    assert not alice.error, errors(alice)
    assert ("erin@example.com", "editor") in {(m.email, m.role) for m in ScenarioStore(isolated_store).members("north")}
    carol = session(CAROL)
    go(carol, "team")
    carol.text_input(key="member-email").input("mallory@example.com")
    carol.selectbox(key="member-role").set_value("owner")
    carol.button(key="member-add").click()
    run(carol)
    assert "Not changed:" in errors(carol) and "owner" in errors(carol)
    assert "mallory@example.com" not in {m.email for m in ScenarioStore(isolated_store).members("north")}
