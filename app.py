"""Rural Coverage Planner: the Streamlit entry point.

Page navigation and the shared session state, nothing else; each page lives in
``pages/`` and every figure comes from the engine in ``coverage/``.
"""

import streamlit as st

st.set_page_config(page_title="Rural Coverage Planner", page_icon="🚚", layout="wide")

navigation = st.navigation([
    st.Page("pages/map_hubs.py", title="Map & hubs", icon=":material/map:", default=True),
])
navigation.run()
