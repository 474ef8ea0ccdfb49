"""The Report control in the sidebar, on every page: choose a format, make the file, download it.

The report is made on request (a PDF takes a second or two) and kept for this exact
state of the plan; any change to the plan asks for a new one.  File names carry the
scenario's name and the date.  The control is a fragment: making or downloading a
report reruns the control, never the page beside it (a Compare of four plans, say).
"""

from __future__ import annotations

import streamlit as st

from coverage.reports import FORMATS, file_name, gather, report_bytes
from ui.state import keys, workspace

MIME = {".pdf": "application/pdf", ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".csv": "text/csv", ".gpkg": "application/geopackage+sqlite3", ".geojson.zip": "application/zip"}


@st.fragment
def report_control() -> None:
    """Format choice, a button that makes the report (with a spinner), then its download."""
    ws = workspace()
    with st.expander("Report", icon=":material/description:", key="report-expander"):
        fmt = st.selectbox("Format", list(FORMATS), key="report-format",
                           format_func=lambda f: f"{FORMATS[f]} ({f})",
                           help="The figures are those of `python -m coverage evaluate` for this plan.")
        state = (id(ws), ws.revision, fmt)
        if st.button("Make the report", key="report-make", icon=":material/build:", width="stretch"):
            with st.spinner("Making the report..."):
                content = gather(ws.evaluation)
                data = report_bytes(content, fmt)
            keys.REPORT_MADE.set((state, data, file_name(ws.scenario.name, content.made_at, fmt)))
        made = keys.REPORT_MADE.get()
        if made and made[0] == state:
            st.download_button(f"Download {made[2]}", made[1], file_name=made[2], mime=MIME[fmt], on_click="ignore",
                               icon=":material/download:", key="report-download", width="stretch")
        elif made:
            st.caption("The plan changed since the last report: make a new one.")
