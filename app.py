"""Rural Coverage Planner: the Streamlit entry point.

Page navigation and the shared session state (one workspace per session, shown in
the sidebar on every page), nothing else; each page lives in ``pages/`` and every
figure comes from the engine in ``coverage/``.
"""

import streamlit as st

from ui import sidebar, state

st.set_page_config(page_title="Rural Coverage Planner", page_icon="🚚", layout="wide")

navigation = st.navigation([
    st.Page("pages/map_hubs.py", title="Map & hubs", icon=":material/map:", default=True),
    st.Page("pages/coverage_tables.py", title="Coverage", icon=":material/table_chart:"),
    st.Page("pages/budget.py", title="Budget & rollout", icon=":material/payments:"),
    st.Page("pages/optimiser.py", title="Optimiser", icon=":material/auto_awesome:"),
    st.Page("pages/data.py", title="Data", icon=":material/database:"),
])
state.workspace()
navigation.run()
sidebar.render()  # after the page, so that it shows what the page just changed
