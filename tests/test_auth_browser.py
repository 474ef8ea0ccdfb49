"""Sign-in with real parts: a real OpenID Connect provider, Streamlit's real callback, Chromium (via Playwright).

The provider is ``oidc-provider-mock`` (PyPI), started in this process on a free port with
predefined users; the app is ``streamlit run app.py`` in a child process whose secrets come
from a file in a temporary folder (Streamlit's ``secrets.files`` option), never the
repository's ``.streamlit``.  Each person signs in through the provider's own page (a click on
their predefined user), Streamlit's ``/oauth2callback`` sets its signed cookie, and the app
then acts as that person on the store.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import pytest

from coverage.store import ScenarioStore

from .conftest import ARTIFACTS, ROOT, free_port, require_system
from .test_browser import shown, to_page, wait_for
from .test_browser_store import NATIONAL, PILOT, click_first_row, open_link

#: The people of these tests: sub (the provider's button), claims (email and name from the profile and email scopes,
#: groups as the identity provider would send them).
PEOPLE = {"alice": {"email": "alice@example.com", "name": "Alice Archer"},
          "bob": {"email": "bob@example.com", "name": "Bob Baker", "groups": ["south-planners"]},
          "carol": {"email": "carol@example.com", "name": "Carol Cole"},
          "dave": {"email": "dave@example.com", "name": "Dave Dunn"}}
COOKIE_SECRET = "the-shared-cookie-secret-of-the-sign-in-tests"


def secrets_text(provider: str, redirect_uri: str = "http://127.0.0.1:{port}/oauth2callback") -> str:
    return (f'[auth]\nredirect_uri = "{redirect_uri}"\ncookie_secret = "{COOKIE_SECRET}"\n'
            f'client_id = "rural-coverage"\nclient_secret = "a-client-secret"\n'
            f'server_metadata_url = "{provider}/.well-known/openid-configuration"\n\n'
            '[teams]\n"south-planners" = "south:editor"\n')


@pytest.fixture(scope="module")
def provider():
    """The OpenID provider on a free port, with the predefined people; yields its address."""
    try:
        from oidc_provider_mock import User, run_server_in_thread
    except ImportError:
        require_system("the PyPI package oidc-provider-mock (requirements-test.txt)", None)
    before = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"  # the provider speaks plain http on localhost
    users = [User(sub=sub, claims=claims) for sub, claims in PEOPLE.items()]
    try:
        with run_server_in_thread(port=free_port(), user_claims=users) as server:
            yield f"http://localhost:{server.server_port}"
    finally:
        if before is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = before


@pytest.fixture(scope="module")
def signed_app(provider, chromium_path):
    """The app with sign-in configured, on its own SQLite store with team north (alice owner, dave editor, carol
    viewer); yields (url, store url)."""
    from ui.serve import serving

    folder = Path(tempfile.mkdtemp(prefix="coverage-auth-"))
    (folder / "secrets.toml").write_text(secrets_text(provider))
    store_url = f"sqlite:///{folder / 'scenarios.db'}"
    admin = ScenarioStore(store_url)
    admin.add_member("north", "alice@example.com", "owner")
    admin.add_member("north", "dave@example.com", "editor")
    admin.add_member("north", "carol@example.com", "viewer")
    admin.close()
    ARTIFACTS.mkdir(exist_ok=True)
    with open(ARTIFACTS / "streamlit-auth-server.log", "w") as log, contextlib.ExitStack() as stack:
        try:
            url = stack.enter_context(serving(log, environment={"COVERAGE_STORE_URL": store_url},
                                              options=["--secrets.files", str(folder / "secrets.toml")]))
        except RuntimeError as error:
            pytest.fail(f"{error}; see {log.name}")
        yield url, store_url


def sign_in(browser, url: str, who: str, path: str = "", height: int = 1000, cookies: list | None = None,
            at_the_provider=None):
    """A new browser (context) signed in as ``who`` through the provider's own page; returns (context, page).

    ``cookies`` are set first; ``at_the_provider(context)`` runs while the provider's page shows (before the
    callback)."""
    context = browser.new_context(viewport={"width": 1400, "height": height})
    if cookies:
        context.add_cookies(cookies)
    page = context.new_page()
    page.goto(f"{url}/{path}")
    page.get_by_role("button", name="Sign in").click(timeout=90_000)
    person = page.get_by_role("button", name=who, exact=True)  # the provider's page: the predefined user
    person.wait_for(timeout=90_000)
    if at_the_provider is not None:
        at_the_provider(context)
    person.click()
    page.locator(".st-key-signed-in").wait_for(timeout=90_000)
    assert PEOPLE[who]["name"] in page.locator(".st-key-signed-in").inner_text()
    return context, page


def alert(page, text: str, timeout_s: float = 90) -> str:
    """The text of the first message that says ``text`` (waited for)."""
    found = page.locator("[data-testid='stAlert']").filter(has_text=text).first
    found.wait_for(timeout=timeout_s * 1000)
    return found.inner_text()


def choose(page, label: str, option: str) -> None:
    """Pick an option of a selectbox by its label."""
    page.locator("[data-testid='stSelectbox']").filter(has_text=label).first.click()
    page.get_by_role("option", name=option).first.click()


def save_plan(page, url: str, path: Path, space: str | None = None) -> None:
    open_link(page, url, path)
    to_page(page, "Scenarios")
    page.get_by_text("Saved scenarios", exact=True).wait_for(timeout=90_000)
    if space:
        choose(page, "Save new scenarios into", space)
        page.wait_for_timeout(500)
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("saved as a new scenario").first.wait_for(timeout=90_000)


def test_nothing_is_shown_before_signing_in(signed_app, browser):
    url, _ = signed_app
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{url}/scenarios")
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    assert page.locator("[data-testid='stMetric']").count() == 0
    assert page.locator("[data-testid='stDeckGlJsonChart']").count() == 0
    assert page.get_by_text("Saved scenarios", exact=True).count() == 0
    context.close()


def test_two_people_see_only_what_is_theirs_and_a_viewer_cannot_save(signed_app, browser):
    url, store_url = signed_app
    alice, page = sign_in(browser, url, "alice")
    save_plan(page, url, NATIONAL)  # her private space (the default)
    save_plan(page, url, PILOT, space="Team north")
    page.screenshot(path=str(ARTIFACTS / "auth-alice-scenarios.png"), full_page=True)
    alice.close()
    admin = ScenarioStore(store_url)
    plans = {info.space: info for info in admin.list()}
    private, team = plans["user:alice@example.com"], plans["team:north"]
    before = {info.id: admin.history(info.id) for info in (private, team)}

    bob, page = sign_in(browser, url, "bob")  # another team (south, from his groups claim): sees none of it
    to_page(page, "Scenarios")
    shown(page, page.get_by_text("No saved scenarios yet"), "auth-bob-scenarios")
    assert page.get_by_text(private.name).count() == 0 and page.get_by_text(team.name).count() == 0
    page.goto(f"{url}/?id={private.id}&v=1")  # the link to Alice's private plan
    assert f"not found or no access: {private.id}" in alert(page, "not found or no access")
    page.goto(f"{url}/?id={team.id}&v=1")  # and to her team's
    assert f"not found or no access: {team.id}" in alert(page, "not found or no access")
    page.goto(f"{url}/?id=nothing-here&v=1")  # the same words when there is nothing
    assert "not found or no access: nothing-here" in alert(page, "not found or no access")
    to_page(page, "Compare")
    page.get_by_text("Put two to four plans side by side").wait_for(timeout=90_000)
    page.wait_for_timeout(1000)
    assert page.get_by_text(private.name).count() == 0 and page.get_by_text(team.name).count() == 0
    page.screenshot(path=str(ARTIFACTS / "auth-bob-sees-nothing.png"), full_page=True)
    bob.close()
    assert [m.role for m in admin.members("south") if m.email == "bob@example.com"] == ["editor"]

    carol, page = sign_in(browser, url, "carol")  # a viewer of north: sees the team's plan, cannot change it
    to_page(page, "Scenarios")
    page.get_by_text("Saved scenarios", exact=True).wait_for(timeout=90_000)
    assert page.get_by_text(private.name).count() == 0
    click_first_row(page, "scenario-list")
    page.get_by_role("button", name="Open the latest version").click()
    page.get_by_text("Opened").first.wait_for(timeout=90_000)
    page.get_by_role("button", name="Save version 2").click()
    refused = alert(page, "Not saved")
    assert "editor" in refused, refused
    # Rename and Bin refused to a viewer: tests/test_auth.py (AppTest), where no rerun races the popover
    page.screenshot(path=str(ARTIFACTS / "auth-viewer-refused.png"), full_page=True)
    carol.close()
    assert {info.id: admin.history(info.id) for info in (private, team)} == before  # nothing of Alice's changed
    actions = [(e.who, e.action) for e in admin.audit()]
    assert {("alice@example.com", "sign-in"), ("bob@example.com", "sign-in"), ("carol@example.com", "sign-in"),
            ("alice@example.com", "save")} <= set(actions), actions


def test_sign_out_leaves_the_sign_in_page_only(signed_app, browser):
    url, _ = signed_app
    context, page = sign_in(browser, url, "dave")
    page.get_by_role("button", name="Sign out").click()
    end = page.get_by_role("button", name="End session")  # the provider's own end-session page, then back
    with contextlib.suppress(Exception):
        end.click(timeout=15_000)
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    page.goto(url)  # the cookie is gone: a fresh visit is not signed in either
    page.get_by_role("button", name="Sign in").wait_for(timeout=60_000)
    assert page.locator(".st-key-signed-in").count() == 0
    assert page.locator("[data-testid='stMetric']").count() == 0
    context.close()


def test_screenshot_of_the_scenarios_page_signed_in_as_an_editor(signed_app, browser):
    """docs/screenshot-scenarios-team.png: an editor's Scenarios page with a proposed and an approved plan."""
    from coverage.store.access import Person

    url, store_url = signed_app
    context, page = sign_in(browser, url, "dave")
    save_plan(page, url, PILOT, space="Team north")
    save_plan(page, url, NATIONAL, space="Team north")
    admin = ScenarioStore(store_url)
    mine = sorted((info for info in admin.list() if info.space == "team:north" and info.updated_by ==
                   "dave@example.com"), key=lambda i: i.updated_at)
    dave, alice = admin.acting(Person("dave@example.com")), admin.acting(Person("alice@example.com"))
    approved, proposed = mine[-2], mine[-1]
    dave.propose(approved.id, approved.latest_version, "Pilot for the Plains states, ready for the board")
    alice.review(approved.id, approved.latest_version, True, "Approved: start with the conversions in Q3")
    dave.propose(proposed.id, proposed.latest_version, "The national plan at $1B: please review")
    alice.comment(proposed.id, proposed.latest_version, "Can we keep the Montana hubs within budget?")
    context.close()
    context, page = sign_in(browser, url, "dave", height=1450)  # a fresh browser: nothing kept aside
    to_page(page, "Scenarios")
    page.get_by_text("Saved scenarios", exact=True).wait_for(timeout=90_000)
    click_first_row(page, "scenario-list")
    page.get_by_role("button", name="Open the latest version").click()
    page.get_by_text("Opened").first.wait_for(timeout=90_000)
    click_first_row(page, "scenario-list")
    page.get_by_text("Comments on version").wait_for(timeout=90_000)
    assert wait_for(lambda: page.get_by_text("Montana hubs").count() > 0, 10)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(ARTIFACTS / "screenshot-scenarios-team.png"))
    context.close()
    assert (admin.info(approved.id).status, admin.info(proposed.id).status) == ("approved", "proposed")


def test_the_example_secrets_file_is_what_the_readme_shows():
    readme = (ROOT / "README.md").read_text()
    assert "## Sign-in for a team" in readme and "[auth]" in readme and "cookie_secret" in readme
