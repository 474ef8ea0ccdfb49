"""Rural Coverage Planner: the Streamlit entry point.

Page navigation and the shared session state (one workspace per session, shown in
the sidebar on every page), nothing else; each page lives in ``pages/`` and every
figure comes from the engine in ``coverage/``.  Before the page: a share link in the
address is opened, or this browser's unsaved plan restored; after it: the sidebar,
and the working plan autosaved as this browser's draft.
"""

import streamlit as st

from ui import sidebar, state, storage

st.set_page_config(page_title="Rural Coverage Planner", page_icon="🚚", layout="wide")

navigation = st.navigation([
    st.Page("pages/map_hubs.py", title="Map & hubs", icon=":material/map:", default=True),
    st.Page("pages/coverage_tables.py", title="Coverage", icon=":material/table_chart:"),
    st.Page("pages/budget.py", title="Budget & rollout", icon=":material/payments:"),
    st.Page("pages/optimiser.py", title="Optimiser", icon=":material/auto_awesome:"),
    st.Page("pages/scenarios.py", title="Scenarios", icon=":material/folder_open:"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:"),
    st.Page("pages/data.py", title="Data", icon=":material/database:"),
])
state.workspace()
storage.start()
storage.banner()
navigation.run()
sidebar.render()  # after the page, so that it shows what the page just changed
storage.autosave()
