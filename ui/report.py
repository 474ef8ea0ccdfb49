"""The Report control in the sidebar, on every page: choose a format, make the file, download it.

The report is made on request (a PDF takes a second or two) in a worker process
(``ui/jobs.py``), never in the page's script thread, so the other planners on this server do
not wait for it; it is kept for this exact state of the plan, and any change to the plan
asks for a new one.  File names carry the scenario's name and the date.  The control is a
fragment: making or downloading a report reruns the control, never the page beside it (a
Compare of four plans, say).
"""

from __future__ import annotations

from concurrent.futures import Future

import streamlit as st

from coverage.reports import FORMATS, file_name
from ui import jobs
from ui.state import keys, unexpected, workspace

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
            keys.REPORT_MADE.set((state, jobs.make_report(ws.scenario, jobs.worker_data(ws.data_in_use), fmt), None))
        made = keys.REPORT_MADE.get()
        if made and made[0] == state and isinstance(made[1], Future):
            # the work is in a worker process: this thread only waits (without the interpreter's lock)
            with st.spinner("Making the report..."):
                try:
                    content, made_at = made[1].result(timeout=900)
                except Exception as error:  # noqa: BLE001 - reported in a sentence, logged in full
                    keys.REPORT_MADE.pop()
                    unexpected(error, "Making the report", where="report")
                    st.error("Making the report failed on the server; the details are in the server's log.",
                             icon=":material/error:")
                    return
            made = (state, content, file_name(ws.scenario.name, made_at, fmt))
            keys.REPORT_MADE.set(made)
        if made and made[0] == state:
            st.download_button(f"Download {made[2]}", made[1], file_name=made[2], mime=MIME[fmt], on_click="ignore",
                               icon=":material/download:", key="report-download", width="stretch")
        elif made:
            st.caption("The plan changed since the last report: make a new one.")
