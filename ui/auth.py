"""Sign-in: who is using the app, through Streamlit's own OpenID Connect (``st.login``, ``st.user``, ``st.logout``).

Two modes, chosen by the secrets (``.streamlit/secrets.toml``, or the files of Streamlit's
``secrets.files`` option):

* **No ``[auth]`` section** (the default, ``make run``): one local planner, no sign-in; the
  store acts as its own administrator (``Person.local()``), exactly as before.
* **An ``[auth]`` section** (``redirect_uri``, ``cookie_secret`` and ``client_id``,
  ``client_secret``, ``server_metadata_url``, or those three per named provider in
  ``[auth.NAME]``): nobody sees a plan, a data set or a figure before signing in; the app
  shows a sign-in page only (:func:`gate`).  A signed-in person is identified by the
  ``email`` claim (the ``sub`` when there is none), lower-cased, and named by ``name``.

Optional ``[teams]``: roles from the identity provider's ``groups`` claim, for companies that
manage groups there.  Each entry maps a group to ``"TEAM:ROLE"``::

    [teams]
    "kansas-planners" = "kansas:editor"
    "kansas-leads" = "kansas:owner"

A person signing in with such a group is made a member of that team with that role (the
administrator's act, since the secrets are the administrator's; a role given on the Team page
or the command line is never lowered by it).

This module decides nothing about permissions: pages act through ``storage.store()``, which is
``store.acting(person)``, and show the store's own "not found or no access" and "not allowed"
messages.
"""

from __future__ import annotations

import hashlib
import time
from typing import TYPE_CHECKING, Any

import streamlit as st

from ui import fmt

if TYPE_CHECKING:
    from coverage.store.access import Person

#: Keys of a provider's section in ``[auth]`` (a dict holding any of them is a named provider).
_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
#: Seconds after the identity token was issued within which a new session counts as a sign-in (not a reload).
FRESH_SECONDS = 120
#: Sign-ins already recorded by this server process: (email, issued at).
_RECORDED: set[tuple[str, int]] = set()


def _section(name: str) -> dict:
    try:
        value = st.secrets.get(name)
    except Exception:  # no secrets file at all: the usual case on a laptop
        return {}
    return dict(value) if hasattr(value, "keys") else {}


def configured() -> bool:
    """True when the secrets have an ``[auth]`` section: the app then needs a sign-in."""
    return bool(_section("auth"))


def providers() -> list[str | None]:
    """The providers to offer: each named ``[auth.NAME]`` section, or None for the unnamed default."""
    auth = _section("auth")
    named = [name for name, value in auth.items() if hasattr(value, "keys") and any(k in value for k in _PROVIDER_KEYS)]
    if named and not any(key in auth for key in _PROVIDER_KEYS):
        return list(named)
    return [None, *named]


def _claim(name: str) -> Any:
    try:
        return st.user.get(name)
    except Exception:
        return None


def person() -> Person | None:
    """The signed-in person (``email``, else ``sub``; named by ``name``), or None: nobody, or local mode.

    In local mode (no ``[auth]``) this is None: the store is used as it is opened, acting as
    ``Person.local()``.
    """
    if not configured() or not _claim("is_logged_in"):
        return None
    from coverage.store import StoreError
    from coverage.store.access import Person

    identity = _claim("email") or _claim("sub")
    if not identity:
        return None
    groups = _claim("groups")
    groups = tuple(str(g) for g in groups) if isinstance(groups, (list, tuple)) else ()
    name = _claim("name")
    try:
        return Person(email=str(identity).strip().lower(), name=str(name)[:200] if name else "", groups=groups)
    except StoreError:  # an identity the store cannot take (a space or a control character in it): nobody
        return None


def display_name(who: Person) -> str:
    return who.name or who.email


def person_key(who: Person | None) -> str:
    """A short key of the person for draft keys (8 hex digits; empty in local mode)."""
    return hashlib.sha256(who.email.encode()).hexdigest()[:8] if who is not None else ""


def team_roles(who: Person) -> list[tuple[str, str]]:
    """The (team, role) pairs that ``[teams]`` gives this person's groups (bad entries are skipped)."""
    from coverage.store.access import ROLES

    mapping = _section("teams")
    pairs = []
    for group in who.groups:
        target = mapping.get(group)
        if not isinstance(target, str) or ":" not in target:
            continue
        team, role = (part.strip() for part in target.rsplit(":", 1))
        if team and role in ROLES:
            pairs.append((team, role))
    return pairs


def apply_groups(admin_store, who: Person) -> None:
    """Make the person a member of the teams that ``[teams]`` maps their groups to (never lowering a role)."""
    from coverage.store.access import ROLES

    pairs = team_roles(who)
    if not pairs:
        return
    for team, role in pairs:
        current = {member.email: member.role for member in admin_store.members(team)} if any(
            info.name == team for info in admin_store.teams()) else {}
        held = current.get(who.email)
        if held is None or ROLES.index(held) < ROLES.index(role):
            admin_store.add_member(team, who.email, role, who.name)


def fresh_sign_in(who: Person) -> bool:
    """True once per sign-in (per server process): the identity token was issued moments ago and not seen yet.

    A reload or a new tab reuses the sign-in cookie, whose token is older: those are not new sign-ins.
    """
    issued = _claim("iat")
    if not isinstance(issued, (int, float)):
        return False
    key = (who.email, int(issued))
    if key in _RECORDED or time.time() - issued > FRESH_SECONDS:
        return False
    _RECORDED.add(key)
    return True


def gate() -> bool:
    """True when the app may show itself; else the sign-in page is shown (and nothing else)."""
    if not configured():
        return True
    if _claim("is_logged_in"):
        if person() is not None:
            return True
        st.title("Rural Coverage Planner")
        st.error("Your sign-in gave no identity the planner can use (no `email` or `sub` claim, or one with spaces "
                 "or control characters in it). Ask your administrator to check the identity provider's settings.",
                 icon=":material/error:")
        if st.button("Sign out", key="sign-out-unusable"):
            st.logout()
        return False
    st.title("Rural Coverage Planner")
    st.markdown("Sign in with your company account to see your team's plans. Nothing is shown before you sign in.")
    if st.query_params.get("id"):
        st.info("This link opens a saved plan: sign in, then open the link again.", icon=":material/link:")
    for provider in providers():
        label = "Sign in" if provider is None else fmt.say("Sign in with {provider}", provider=provider.title())
        if st.button(label, type="primary", icon=":material/login:", key=f"sign-in-{provider or 'default'}"):
            st.login(provider) if provider else st.login()
    return False


def sign_out_control(who: Person) -> None:
    """The sidebar's 'who is signed in' and its Sign out button."""
    with st.container(key="signed-in"):
        left, right = st.columns([1, 1], vertical_alignment="center")
        left.markdown(fmt.say("**{name}**", name=display_name(who)),
                      help=fmt.say("Signed in as {email}", email=who.email))
        if right.button("Sign out", key="sign-out", width="stretch", help="Sign out of the planner"):
            st.logout()
