"""The numbers behind the charts, computed once for the app's pages and the PDF report.

A chart that appears on a page (plotly, ``ui/charts.py``) and in the PDF report
(matplotlib, ``coverage/reports/``) is drawn from the same table built here, so the
two can never disagree; only the rendering differs.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from coverage.engine import Coverage
from coverage.travel import TIERS


def drive_time_bins(coverage: Coverage, bins_per_segment: int | None = None) -> tuple[pd.DataFrame, dict]:
    """Communities by distance to their nearest reachable hub, in bins whose edges fall on the thresholds.

    Drive minutes in drive mode, the matrix's minutes in matrix mode (the tiers it
    produced), great-circle miles in radius mode.  Three segments:
    up to the same-day threshold, up to the next-day one, and on to twice the next-day
    one; each is cut into bins of about the same width, so no bin straddles a
    threshold and every bin belongs to one tier.  Returns the bins (``start``, ``end``,
    ``tier``, ``communities``, ``population``) and a note: the unit, the thresholds,
    how many lie beyond the last bin and how many have no hub a road reaches.
    """
    travel = coverage.travel
    table = coverage.table()
    column, unit = travel.mode.histogram_column, travel.mode.histogram_unit  # the mode says what it bins
    same, nxt = travel.thresholds
    edges_by_segment = [(0.0, same), (same, nxt), (nxt, 2 * nxt)]
    width = nxt / 16 if bins_per_segment is None else None
    edges: list[float] = []
    for start, end in edges_by_segment:
        count = bins_per_segment or max(1, round((end - start) / width))
        edges.extend(np.linspace(start, end, count + 1)[:-1].tolist())
    edges.append(2 * nxt)
    edges_array = np.asarray(edges)
    values = table[column].to_numpy(dtype=float)
    reachable = np.isfinite(values)
    # a community exactly on a threshold belongs to the better tier: bins are (start, end]
    index = np.searchsorted(edges_array, values[reachable], side="left") - 1
    index = np.clip(index, 0, len(edges_array) - 2)
    inside = values[reachable] <= 2 * nxt
    people = table["population"].to_numpy(dtype=float)[reachable]
    counts = np.bincount(index[inside], minlength=len(edges_array) - 1)
    population = np.bincount(index[inside], weights=people[inside], minlength=len(edges_array) - 1)
    starts, ends = edges_array[:-1], edges_array[1:]
    tier = np.where(ends <= same + 1e-9, TIERS[0], np.where(ends <= nxt + 1e-9, TIERS[1], TIERS[2]))
    frame = pd.DataFrame({"start": starts, "end": ends, "tier": tier, "communities": counts,
                          "population": population.round().astype(np.int64)})
    note = {"unit": unit, "thresholds": (same, nxt), "beyond": int((~inside).sum()),
            "unreachable": int((~reachable).sum()),
            "median": float(np.median(values[reachable])) if reachable.any() else math.nan}
    return frame, note


def spend_by_quarter(quarters: pd.DataFrame, budget_usd: float) -> pd.DataFrame:
    """Spend in each quarter (capex, opex) and cumulative spend, with the budget beside it (dollars)."""
    frame = quarters[["quarter", "capex_usd", "opex_usd", "spend_usd", "cumulative_spend_usd"]].copy()
    frame["budget_usd"] = float(budget_usd)
    return frame
