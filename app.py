"""Rural Coverage Planner: the Streamlit entry point.

Page navigation and the shared session state (one workspace per session, shown in
the sidebar on every page), nothing else; each page lives in ``app_pages/`` and every
figure comes from the engine in ``coverage/``.  (Not ``pages/``: Streamlit treats a
folder of that name as its old folder-based navigation and serves it, without this
file, to the first visitor of a page address; see the README.)  Before the page: a share link in the
address is opened, or this tab's unsaved plan restored; after it: the sidebar, and
the working plan autosaved as this tab's draft.  A scenario store that stops
answering while a page reads it turns saving off with a banner, never a traceback.

With an ``[auth]`` section in the secrets, nothing of this runs before someone has signed in
(``ui/auth.py``): the visitor sees a sign-in page only.  Signed in, every store call acts as
that person (``storage.store()`` is ``store.acting(person)``), and the Team and Audit pages join.
"""

import streamlit as st

from coverage.store import StoreUnavailable
from ui import auth, fmt, sidebar, state, storage
from ui.state import keys

st.set_page_config(page_title="Rural Coverage Planner", page_icon="🚚", layout="wide")
if not auth.gate():  # sign-in configured and nobody signed in: the sign-in page, nothing else
    st.stop()

navigation = st.navigation([
    st.Page("app_pages/map_hubs.py", title="Map & hubs", icon=":material/map:", default=True),
    st.Page("app_pages/coverage_tables.py", title="Coverage", icon=":material/table_chart:"),
    st.Page("app_pages/budget.py", title="Budget & rollout", icon=":material/payments:"),
    st.Page("app_pages/optimiser.py", title="Optimiser", icon=":material/auto_awesome:"),
    st.Page("app_pages/scenarios.py", title="Scenarios", icon=":material/folder_open:"),
    st.Page("app_pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("app_pages/sweeps.py", title="Sweeps", icon=":material/stacked_line_chart:"),
    st.Page("app_pages/data.py", title="Data", icon=":material/database:"),
    st.Page("app_pages/team.py", title="Team", icon=":material/group:"),
    st.Page("app_pages/audit.py", title="Audit", icon=":material/policy:"),
])
state.workspace()
keys.PAGE_NOW.set(navigation.url_path)  # messages stay on the page they came from
storage.start()
storage.banner()
try:
    navigation.run()
except StoreUnavailable as error:  # the database went away while the page read it
    storage.went_away(error)
    st.warning(fmt.say("The scenario store stopped answering: {reason}. Saving is off until it is back; "
                       "everything else works.", reason=error.problems[0].message), icon=":material/cloud_off:")
sidebar.render()  # after the page, so that it shows what the page just changed
storage.autosave()
