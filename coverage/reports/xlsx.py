"""The Excel workbook an analyst works in: Summary, Communities, Hubs, By state, By county, By quarter, Assumptions.

Every sheet has its header frozen, an autofilter, number formats (people, dollars,
minutes, shares) and sized columns; no text cell can start a formula
(``coverage/exports.py``).
"""

from __future__ import annotations

import pandas as pd

from coverage.exports import xlsx_bytes
from coverage.reports.content import ReportContent


def summary_sheet(content: ReportContent) -> pd.DataFrame:
    """Key figures, then when and on what data the report was made."""
    about = pd.DataFrame([("Report made", content.made_at, ""), ("Data set", content.data_label, ""),
                          ("Data fingerprint", content.data_fingerprint, "")], columns=["figure", "value", "unit"])
    return pd.concat([content.key_figures(), about], ignore_index=True)


def workbook_bytes(content: ReportContent) -> bytes:
    """The whole workbook."""
    return xlsx_bytes({
        "Summary": summary_sheet(content),
        "Communities": content.communities(),
        "Hubs": content.hubs(),
        "By state": content.by_state(),
        "By county": content.by_county(),
        "By quarter": content.by_quarter(),
        "Assumptions": content.assumptions(),
    })
