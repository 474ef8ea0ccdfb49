"""Scenarios: save, open, rename, delete and restore plans; their versions; share links; review and comments.

With sign-in (``[auth]``), every store call here acts as the signed-in person (``storage.store()``
is ``store.acting(person)``): the page offers every action and shows the store's own answer when
the person's role does not allow it.  It never decides who may do what.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pandas as pd
import streamlit as st

from coverage.errors import InputError
from coverage.links import scenario_link, stored_link
from ui import auth, fmt, storage
from ui.state import apply, keys, show_messages, tell, tell_problems, workspace

ws = workspace()
store = storage.store()
writable = store is not None and store.writable
st.title("Scenarios")
show_messages()
#: Bumped after every delete, restore or rename: the lists start unselected and their popovers closed.
generation = keys.SCENARIO_LISTS.get(0)


def lists_changed() -> None:
    keys.SCENARIO_LISTS.set(keys.SCENARIO_LISTS.get(0) + 1)


def act(action, scenario_id: str, done: str, name: str) -> None:
    """Delete or restore a scenario (a callback): the lists then start afresh, with nothing selected."""
    lists_changed()
    try:
        action(scenario_id, author=storage.author())
    except storage.StoreUnavailable as error:
        storage.went_away(error)
        tell_problems(error)
        return
    except InputError as error:
        tell_problems(error)
        return
    tell("success", done, name=name)


def rename_chosen(scenario_id: str) -> None:
    lists_changed()
    storage.rename(scenario_id, keys.RENAME[scenario_id].get(""))


def call(method: str, *args, done: str, refused: str = "{problem}", fresh: bool = True, **values) -> None:
    """One store call as the person (a callback): the store's answer, refusal or confirmation, as a message."""
    if fresh:
        lists_changed()
    try:
        getattr(store, method)(*args)
    except storage.StoreUnavailable as error:
        storage.went_away(error)
        tell_problems(error, refused)
        return
    except InputError as error:  # "not found or no access", "not allowed" (the role it needs), bad input
        tell_problems(error, refused)
        return
    tell("success", done, **values)


def propose(scenario_id: str, version: int, name: str) -> None:
    call("propose", scenario_id, version, keys.PROPOSE_NOTE[scenario_id].get("").strip(),
         done=f"{{name}} version {version} proposed for approval.", refused="Not proposed: {problem}", name=name)


def review(scenario_id: str, version: int, approve: bool, name: str) -> None:
    call("review", scenario_id, version, approve, keys.REVIEW_COMMENT[scenario_id].get("").strip(),
         done=f"{{name}} version {version} " + ("approved." if approve else "rejected."),
         refused="Not " + ("approved" if approve else "rejected") + ": {problem}", name=name)


def comment(scenario_id: str, version: int) -> None:
    text = keys.COMMENT_TEXT[scenario_id].get("").strip()
    if not text:
        tell("error", "Write a comment first.")
        return
    call("comment", scenario_id, version, text, done=f"Comment added to version {version}.",
         refused="Comment not added: {problem}", fresh=False)
    keys.COMMENT_TEXT[scenario_id].set("")


def copy_to_own(scenario_id: str, version: int, name: str) -> None:
    who = auth.person()
    call("copy", scenario_id, version, who.space if who is not None else None,
         done="A copy of {name} is in your private space.", refused="Not copied: {problem}", name=name)


def space_label(space: str | None) -> str:
    """A space for people: "Private" for the person's own, "Team X" for a team's, the owner's address otherwise."""
    if not space:
        return ""
    who = auth.person()
    kind, _, name = space.partition(":")
    if kind == "user":
        return "Private" if who is not None and name == who.email else f"Private ({name})"
    return f"Team {name}" if kind == "team" else space


STATUS = {"proposed": "proposed", "approved": "approved", "rejected": "rejected", None: ""}

# -- the plan you are working on --------------------------------------------------------------------------
with st.container(border=True, key="this-plan"):
    left, right = st.columns([3, 2])
    with left:
        name = st.text_input("Scenario name", ws.scenario.name, max_chars=500, key=f"scenario-name-{ws.revision}")
        if name.strip() and name != ws.scenario.name:
            apply(ws.rename, name, done=("Renamed to {name}", {"name": name.strip()}))
            st.rerun()
        if ws.origin:
            state = "unsaved changes since" if ws.unsaved else "saved as"
            st.caption(fmt.say("Scenario {id} · " + f"{state} version {ws.origin_version}", id=ws.origin))
        else:
            st.caption("Never saved" + (" · unsaved changes" if ws.unsaved else ""))
    with right:
        storage.author_field()
        spaces = storage.spaces()
        if spaces:
            labels = dict(spaces)
            if keys.SAVE_SPACE.get() not in labels:
                keys.SAVE_SPACE.set(spaces[0][0])
            st.selectbox("Save new scenarios into", list(labels), format_func=lambda s: labels[s], key="save-space",
                         help="Your private space (only you see it) or a team you belong to. A new version of a "
                              "saved scenario stays where the scenario is.")
    space = keys.SAVE_SPACE.get() if spaces else None
    buttons = st.columns(4)
    save_label, save_note = storage.save_label()
    buttons[0].button(save_label, type="primary", icon=":material/save:", disabled=not writable, width="stretch",
                      on_click=storage.save, kwargs={"space": space}, key="save",
                      help=(save_note + " Every save is a new version; nothing is overwritten.") if writable
                      else fmt.text(storage.problem()))
    if ws.origin and ws.origin_version != ws.origin_latest:
        st.caption(save_note)
    with buttons[1].popover("Save as new scenario", icon=":material/note_add:", disabled=not writable,
                            width="stretch"):
        with st.form("save-as", border=False):
            new_name = st.text_input("Name of the new scenario", f"{ws.scenario.name} (copy)"
                                     if ws.origin else ws.scenario.name, max_chars=500, key=f"save-as-{ws.revision}")
            if st.form_submit_button("Save as new", type="primary"):
                if apply(ws.rename, new_name):
                    storage.save(as_new=True, space=space)
                st.rerun()
    with buttons[2].popover("New scenario", icon=":material/add_box:", width="stretch"):
        st.markdown("Start an empty plan with the default settings, on the current data. "
                    "The current plan stays one Undo away" + (" and in the store." if ws.origin else "."))
        st.button("Start a new scenario", key="new-scenario", on_click=apply, args=(ws.new_scenario,),
                  kwargs={"done": "New scenario: one undo step"})
    locked = [hub for hub in ws.scenario.hubs if hub.locked]
    with buttons[3].popover("Clear all hubs", icon=":material/layers_clear:", width="stretch",
                            disabled=not ws.scenario.hubs):
        st.markdown(f"Remove the {len(ws.scenario.hubs)} hubs of this plan (one undo step).")
        if locked:
            st.warning(f"{len(locked)} of them are locked.", icon=":material/lock:")
            st.button("Remove only the unlocked hubs", key="clear-unlocked", on_click=apply,
                      args=(ws.clear_hubs,), kwargs={"done": "Unlocked hubs removed"})
        st.button("Remove all hubs" + (", locked ones too" if locked else ""), key="clear-all", on_click=apply,
                  args=(ws.clear_hubs,), kwargs={"remove_locked": True, "done": "All hubs removed"})

# -- share ---------------------------------------------------------------------------------------------------
with st.expander("Share this plan", icon=":material/share:", key="share"):
    address = urlsplit(st.context.url or "http://localhost:8501/")
    base = f"{address.scheme}://{address.netloc}/"
    st.markdown("**Copy link** (the copy button is at the right of the box). It carries the whole plan, so it "
                "opens on any server running the planner, as an unsaved copy: the recipient's own plans are not "
                "touched.")
    st.code(scenario_link(ws.scenario, base), language=None, wrap_lines=True)
    if ws.origin and not ws.unsaved:
        st.markdown(f"Or the link to version {ws.origin_version} in this store (for colleagues using it"
                    + ("; it opens only for those who may see the plan):" if auth.configured() else "):"))
        st.code(stored_link(ws.origin, ws.origin_version, base), language=None)
        made = keys.LINKS_MADE.setdefault(set())
        if (ws.origin, ws.origin_version) not in made:
            made.add((ws.origin, ws.origin_version))
            storage.record("share-link", ws.origin, f"version {ws.origin_version}")

earlier = storage.earlier_draft() if store is not None else None
if earlier is not None:
    st.info(fmt.say("Your earlier unsaved plan “{name}” ({count}) in this tab was kept aside when another plan "
                    "replaced it (a share link, say).", name=earlier.document.get("name", ""),
                    count=fmt.count(len(earlier.document.get("hubs", [])), "hub")), icon=":material/history:")
    st.button("Bring it back", key="restore-earlier", on_click=storage.restore_earlier)


# -- saved scenarios ------------------------------------------------------------------------------------------
def listing(items) -> pd.DataFrame:
    """One row per scenario: its latest version's key figures, covered and served."""
    rows = []
    for info in items:
        figures = info.figures
        covered, served = figures.get("population", {}), figures.get("served_population")
        rows.append({"id": info.id, "name": info.name, "space": space_label(getattr(info, "space", None)),
                     "status": STATUS.get(getattr(info, "status", None), ""), "version": info.latest_version,
                     "saved": pd.Timestamp(info.updated_at).tz_convert(None), "by": info.updated_by,
                     "hubs": figures.get("hubs", 0), "cost": figures.get("cost_usd", 0.0) / 1e6,
                     "same-day people": covered.get("same_day", 0), "next-day people": covered.get("next_day", 0),
                     "served": served["same_day"] + served["next_day"] if served else None,
                     "not covered": covered.get("none", 0)})
    columns = ["id", "name", "space", "status", "version", "saved", "by", "hubs", "cost", "same-day people",
               "next-day people", "served", "not covered"]
    table = pd.DataFrame(rows, columns=columns)
    return table if auth.configured() else table.drop(columns=["space"])


COLUMNS = {
    "id": None,  # shown with the chosen scenario below, to leave the width to the figures
    "name": st.column_config.TextColumn("Name", width="medium"),
    "space": st.column_config.TextColumn("Space", help="Private (only you) or a team's"),
    "status": st.column_config.TextColumn("Status", help="The review status of the latest version"),
    "note": st.column_config.TextColumn("Note"),
    "version": st.column_config.NumberColumn("Version", format="%d"),
    "saved": st.column_config.DatetimeColumn("Saved (UTC)", format="YYYY-MM-DD HH:mm"),
    "by": st.column_config.TextColumn("By"),
    "hubs": st.column_config.NumberColumn("Hubs", format="%d"),
    "cost": st.column_config.NumberColumn("Cost ($M)", format="%.1f"),
    "same-day people": st.column_config.NumberColumn("Same-day people", format="localized"),
    "next-day people": st.column_config.NumberColumn("Next-day people", format="localized"),
    "served": st.column_config.NumberColumn("Served within capacity", format="localized",
                                            help="People the hubs can serve within their daily capacity (same-day or "
                                                 "next-day); blank for versions saved before it was recorded"),
    "not covered": st.column_config.NumberColumn("People not covered", format="localized"),
}


def chosen_scenario(chosen) -> None:
    """The selected scenario: open, rename, delete, copy, review, and its versions with their comments (keyed by it,
    so nothing carries over)."""
    with st.container(border=True, key="chosen-scenario"):
        where = space_label(getattr(chosen, "space", None)) if auth.configured() else ""
        st.markdown(fmt.say("**{name}** · {id} · " + f"version {chosen.latest_version}", name=chosen.name,
                            id=chosen.id) + (fmt.say(" · {space}", space=where) if where else ""))
        actions = st.columns(4 if auth.configured() else 3)
        actions[0].button("Open the latest version", type="primary", icon=":material/file_open:", key="open-latest",
                          on_click=storage.open_version, args=(chosen.id,))
        with actions[1].popover("Rename", icon=":material/edit:", disabled=not writable,
                                key=f"rename-popover-{chosen.id}-{generation}"):
            st.text_input("New name", chosen.name, max_chars=500, key=f"rename-{chosen.id}")
            st.button("Rename (a new version)", key="rename-scenario", on_click=rename_chosen, args=(chosen.id,))
        with actions[2].popover("Delete", icon=":material/delete:", disabled=not writable,
                                key=f"delete-popover-{chosen.id}-{generation}"):
            st.markdown("Move it to the bin; its versions are kept and it can be restored.")
            st.button("Move to the bin", key="delete-scenario", on_click=act,
                      args=(store.delete, chosen.id, "{name} moved to the bin", chosen.name))
        versions = list(reversed(store.history(chosen.id)))
        history = pd.DataFrame([{"version": v.version, "status": STATUS.get(getattr(v, "status", None), ""),
                                 "saved": pd.Timestamp(v.created_at).tz_convert(None),
                                 "by": v.author, "name": v.name, "note": v.note, "hubs": v.figures.get("hubs", 0),
                                 "cost": v.figures.get("cost_usd", 0.0) / 1e6,
                                 "same-day people": v.figures.get("population", {}).get("same_day", 0),
                                 "next-day people": v.figures.get("population", {}).get("next_day", 0),
                                 "served": sum(v.figures["served_population"][t] for t in ("same_day", "next_day"))
                                 if v.figures.get("served_population") else None}
                                for v in versions])
        table, thread = st.columns([3, 2])
        with table:
            st.markdown("**Versions**, newest first")
            picked = st.dataframe(history, hide_index=True, key=f"version-list-{chosen.id}-{generation}",
                                  on_select="rerun", selection_mode="single-row", width="stretch",
                                  column_config=COLUMNS)
            picked_rows = [row for row in (picked.selection.rows if picked else []) if row < len(versions)]
            version = versions[picked_rows[0]].version if picked_rows else chosen.latest_version
            if picked_rows:
                st.button(f"Open version {version}", icon=":material/history:", key="open-version",
                          on_click=storage.open_version, args=(chosen.id, version))
        with thread:
            review_controls(chosen, version)
            comments(chosen, version)
        if auth.configured():
            actions[3].button("Copy into my space", icon=":material/content_copy:", key="copy-own",
                              disabled=not writable, on_click=copy_to_own, args=(chosen.id, version, chosen.name),
                              help=f"Version {version} as a new scenario in your private space (viewers may copy)")


def review_controls(chosen, version: int) -> None:
    """Propose this version for approval with a note; approve or reject it with a comment (owners; the store says)."""
    st.markdown(f"**Review** of version {version}")
    left, right = st.columns(2)
    with left.popover("Propose for approval", icon=":material/send:", disabled=not writable, width="stretch",
                      key=f"propose-popover-{chosen.id}-{generation}"):
        st.text_input("Note for the reviewers", key=f"propose-note-{chosen.id}", max_chars=2000)
        st.button(f"Propose version {version}", key="propose", type="primary", on_click=propose,
                  args=(chosen.id, version, chosen.name))
    with right.popover("Approve or reject", icon=":material/gavel:", disabled=not writable, width="stretch",
                       key=f"review-popover-{chosen.id}-{generation}"):
        st.caption("Owners of the scenario's team approve or reject a proposed version.")
        st.text_input("Comment", key=f"review-comment-{chosen.id}", max_chars=2000)
        yes, no = st.columns(2)
        yes.button("Approve", key="approve", type="primary", icon=":material/check:", on_click=review,
                   args=(chosen.id, version, True, chosen.name))
        no.button("Reject", key="reject", icon=":material/close:", on_click=review,
                  args=(chosen.id, version, False, chosen.name))


def comments(chosen, version: int) -> None:
    """The comments on this version (who, when, text), oldest first, and a field to add one."""
    thread = store.comments(chosen.id, version)
    st.markdown(f"**Comments** on version {version}")
    with st.container(height=220 if len(thread) > 3 else "content", key="comment-thread"):
        if not thread:
            st.caption("No comments yet.")
        for entry in thread:
            when = str(entry.when)[:16].replace("T", " ")
            kind = getattr(entry, "kind", "comment")
            st.markdown(fmt.say("**{who}** · {when} UTC" + ("" if kind == "comment" else " · {kind}") + "  \n{text}",
                                who=entry.who, when=when, kind=kind, text=entry.text))
    st.text_area("Add a comment", key=f"comment-text-{chosen.id}", max_chars=4000, height=68,
                 label_visibility="collapsed", placeholder="Add a comment")
    st.button("Comment", key="comment", icon=":material/chat:", disabled=not writable, on_click=comment,
              args=(chosen.id, version))


def bin_list() -> None:
    binned = store.list(deleted=True)
    if not binned:
        st.caption("The bin is empty.")
        return
    table = listing(binned)
    table.insert(2, "deleted", [pd.Timestamp(i.deleted_at).tz_convert(None) for i in binned])
    picked = st.dataframe(table, hide_index=True, key=f"bin-list-{generation}", on_select="rerun",
                          selection_mode="single-row", width="stretch", column_config=COLUMNS | {
                              "deleted": st.column_config.DatetimeColumn("Deleted (UTC)", format="YYYY-MM-DD HH:mm")})
    rows = [row for row in (picked.selection.rows if picked else []) if row < len(binned)]
    if rows:
        scenario = binned[rows[0]]
        left, right = st.columns(2)
        left.button(fmt.say("Restore {name}", name=scenario.name), key="restore-scenario", disabled=not writable,
                    on_click=act, args=(store.restore, scenario.id, "{name} restored", scenario.name))
        with right.popover("Delete for good", icon=":material/delete_forever:", disabled=not writable,
                           key=f"purge-popover-{scenario.id}-{generation}"):
            st.markdown("Delete it and all its versions and comments for good (owners of its team; the audit log "
                        "keeps the record).")
            st.button("Delete for good", key="purge-scenario", type="primary", on_click=call,
                      args=("purge", scenario.id), kwargs={"done": "{name} deleted for good.",
                                                           "refused": "Not deleted: {problem}",
                                                           "name": scenario.name})


st.subheader("Saved scenarios")
if store is None:
    st.info("The scenario store is not available, so there is nothing to list.")
else:
    search = st.text_input("Search", key="scenario-search", placeholder="Name or id", label_visibility="collapsed")
    scenarios = store.list(search=search or None)
    if not scenarios:
        st.caption("No saved scenarios yet." if not search else fmt.say("No scenario matches “{search}”.",
                                                                          search=search))
    else:
        event = st.dataframe(listing(scenarios), hide_index=True, key=f"scenario-list-{generation}",
                             on_select="rerun", selection_mode="single-row", width="stretch", column_config=COLUMNS)
        rows = [row for row in (event.selection.rows if event else []) if row < len(scenarios)]
        st.caption(f"{fmt.count(len(scenarios), 'scenario')}. Select one to open, rename, delete it or see its "
                   "versions. Click a column header to sort.")
        if rows:
            chosen_scenario(scenarios[rows[0]])
    with st.expander("Bin", icon=":material/delete:", key="bin"):
        bin_list()
