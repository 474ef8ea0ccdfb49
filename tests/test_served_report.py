"""The sidebar's report on the served app, spoken to over Streamlit's websocket as a browser tab does.

Issue 25: a report is made in a worker process, and pressing its button reruns the report's control
(a fragment) only, never the page beside it, so a planner's report neither re-sends the map nor holds
up the other planners' changes (``benchmarks/bench_app.py --reports on`` measures that under load).
"""

from __future__ import annotations

import io

from pypdf import PdfReader

from benchmarks.loadclient import Session, share_query, trigger

from .conftest import ROOT
from .test_deploy import run_async

PILOT = ROOT / "examples" / "plains_pilot.json"


def test_making_a_report_reruns_only_its_control_and_offers_the_pdf(tmp_path):
    import urllib.request

    from ui.serve import serving

    async def scenario(url: str) -> tuple:
        session = Session(url, share_query(str(PILOT)))
        try:
            opened = await session.open()
            assert opened.error is None, opened.error
            make = session.find("button", label="Make the report")
            assert make is not None and make.fragment_id, "the report control is a fragment"
            made = await session.rerun({make.id: trigger(make.id)}, "report", fragment_id=make.fragment_id)
            assert made.error is None, made.error
            download = session.find("download_button")
            hub_table = session.find("dataframe", key_part="hub-table")
            return made, download, hub_table
        finally:
            await session.close()

    store = tmp_path / "scenarios.db"
    with serving(environment={"COVERAGE_STORE_URL": f"sqlite:///{store}"}) as url:
        made, download, hub_table = run_async(scenario(url))
        assert download is not None and download.label.startswith("Download plains-pilot-")
        assert download.label.endswith(".pdf")
        with urllib.request.urlopen(url + download.proto.url, timeout=60) as answer:  # what the button downloads
            pdf = answer.read()
    assert "Plains pilot" in PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    # one run, of the control alone: no map, no hub table, no sidebar figures sent again; the page beside it stays
    assert made.runs == 1
    assert not {"deck_gl_json_chart", "dataframe", "metric"} & set(made.by_element), made.by_element
    assert hub_table is not None
