"""Sweep results as a table, and as coverage-budget frontiers.

One row per run: the varied settings, then the optimiser's status, objective, bound,
gap and seconds, hubs, cost, people covered and served by tier, and where the plan is
stored.  A frontier is objective against budget for each combination of the other
varied settings, with the proven gap (bound - objective) as an error bar.
"""

from __future__ import annotations

import pandas as pd

from coverage.sweeps.runner import ROW_KEYS

BUDGET = "budget.total_usd"


def table(rows: list[dict], vary: dict) -> pd.DataFrame:
    """The results table, in grid order."""
    records = []
    for row in rows:
        record = {path: row["settings"].get(path) for path in vary}
        record.update({key: row.get(key) for key in ROW_KEYS})
        record["scenario"] = (f"store:{row['scenario_id']}@{row['version']}" if row.get("scenario_id") else "")
        if row.get("error"):
            record["error"] = row["error"]
        records.append(record)
    columns = list(vary) + list(ROW_KEYS) + ["scenario"]
    frame = pd.DataFrame(records, columns=columns + (["error"] if any("error" in r for r in records) else []))
    return frame


def frontiers(frame: pd.DataFrame, vary: dict, x: str = BUDGET) -> list[tuple[str, pd.DataFrame]]:
    """(label, rows sorted by ``x``) for each combination of the other varied settings (finished runs only)."""
    done = frame[frame["status"].isin(["optimal", "time_limit", "stopped"])]
    others = [path for path in vary if path != x]
    if x not in frame.columns:
        return [("all runs", done)]
    if not others:
        return [("", done.sort_values(x))]
    series = []
    for values, part in done.groupby(others, sort=False, dropna=False):
        values = values if isinstance(values, tuple) else (values,)
        label = ", ".join(f"{path.split('.')[-1]} {value:g}" if isinstance(value, (int, float)) and
                          not isinstance(value, bool) else f"{path.split('.')[-1]} {value}"
                          for path, value in zip(others, values))
        series.append((label, part.sort_values(x)))
    return series
