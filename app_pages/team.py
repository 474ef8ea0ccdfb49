"""Team: the teams you belong to, their members and roles; owners add, change and remove members.

Roles: **viewer** (open, compare, report, copy into their own space), **editor** (also save
versions, rename, bin and restore in the team), **owner** (also members and roles, approve,
delete from the bin).  The page offers the controls to everyone and the store decides: a
person who is not an owner gets the store's "not allowed" message.  Adding a member to a team
that does not exist yet creates it.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from coverage.errors import InputError
from ui import auth, fmt, storage
from ui.state import keys, show_messages, tell, tell_problems

store = storage.store()
st.title("Team")
show_messages()
ROLES = ("viewer", "editor", "owner")
ROLE_HELP = ("Viewer: open, compare, report, copy into their own space. Editor: also save versions, rename, bin and "
             "restore. Owner: also members and roles, approve, delete from the bin.")


def change(method: str, *args, done: str, refused: str, **values) -> None:
    """A membership change as the person (a callback): the store's answer as a message."""
    try:
        getattr(store, method)(*args)
    except storage.StoreUnavailable as error:
        storage.went_away(error)
        tell_problems(error, refused)
        return
    except InputError as error:
        tell_problems(error, refused)
        return
    tell("success", done, **values)


def add_member(team: str) -> None:
    email = keys.MEMBER_EMAIL.get("").strip().lower()
    role = keys.MEMBER_ROLE.get("viewer")
    team = (keys.NEW_TEAM.get("") if team == NEW else team).strip()
    if not team or not email:
        tell("error", "Give a team name and the member's email address.")
        return
    change("add_member", team, email, role, done=f"{{email}} is now {role} of team {{team}}.",
           refused="Not changed: {problem}", email=email, team=team)


NEW = "\u0000new"  # the "a new team" choice (no team has this name)


if store is None:
    st.info(fmt.say("The scenario store is not available: {reason}", reason=storage.problem()))
    st.stop()

who = auth.person()
if who is not None:
    st.markdown(fmt.say("Signed in as **{name}** ({email}). Your private space is yours alone; a team's plans are "
                        "seen by its members.", name=auth.display_name(who), email=who.email))
else:
    st.markdown("Local mode (no sign-in): you administer every team here, as `python -m coverage team` does.")
st.caption(ROLE_HELP)
teams = store.teams()
names = [t.name for t in teams]
members: list = []
if teams:
    st.dataframe(pd.DataFrame([{"team": t.name, "your role": t.role, "members": t.members} for t in teams]),
                 hide_index=True, key="team-list", width="content")
else:
    st.info("You belong to no team yet. An owner adds you on this page or with "
            "`python -m coverage team add TEAM EMAIL --role editor`.")
if keys.TEAM_CHOSEN.get() not in [*names, NEW]:
    keys.TEAM_CHOSEN.set(names[0] if names else NEW)
team = st.selectbox("Team", [*names, NEW], key="team-chosen",
                    format_func=lambda name: "A new team…" if name == NEW else name)
if team != NEW:
    try:
        members = store.members(team)
    except InputError as error:  # "not found or no access", as the store says it
        st.error(fmt.say("{problem}", problem="; ".join(str(p) for p in error.problems)), icon=":material/error:")
    st.subheader(fmt.say("Members of {team}", team=team))
    st.dataframe(pd.DataFrame([{"email": m.email, "name": m.name, "role": m.role} for m in members],
                              columns=["email", "name", "role"]), hide_index=True, key="member-list",
                 width="stretch")

with st.container(border=True, key="member-form"):
    st.markdown("**Add a member or change a role**" + (fmt.say(" in {team}", team=team) if team != NEW else
                                                        " in a new team"))
    columns = st.columns([2, 3, 2, 2] if team == NEW else [3, 2, 2], vertical_alignment="bottom")
    if team == NEW:
        columns.pop(0).text_input("New team", key="new-team", max_chars=100)
    columns[0].text_input("Email address", key="member-email", max_chars=320, placeholder="name@example.com")
    columns[1].selectbox("Role", ROLES, key="member-role", help=ROLE_HELP)
    columns[2].button("Add or change", key="member-add", type="primary", icon=":material/person_add:",
                      on_click=add_member, args=(team,))
    if team != NEW and members:
        left, right = st.columns([5, 2], vertical_alignment="bottom")
        leaving = left.selectbox("Remove a member", [m.email for m in members], key="member-remove-email")
        right.button("Remove", key="member-remove", icon=":material/person_remove:", on_click=change,
                     args=("remove_member", team, leaving),
                     kwargs={"done": "{email} removed from team {team}.", "refused": "Not removed: {problem}",
                             "email": leaving, "team": team})
