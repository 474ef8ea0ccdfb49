"""The PDF report a director reads: key figures, the national map, the rollout, coverage by state, the hubs and
the assumptions.

Why fpdf2 and matplotlib
------------------------
fpdf2 is a maintained, pure-Python PDF writer: no system libraries or binaries
(ReportLab's extensions and Typst's compiler would be one more thing to install), it
embeds TrueType fonts as subsets, writes real, selectable text, and lays out tables
with repeated headings across pages.  The font is DejaVu Sans, which matplotlib ships,
so every community name prints (Kīhei, Española, Utqiaġvik, Kapa‘a) without a font
file of our own.  The pictures are matplotlib figures (``figures.py``) embedded as
images.  Names are untrusted text: they are written as text cells, never as markup,
and the report holds no links or scripts.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace

from coverage.reports import figures
from coverage.reports.content import TIER_NAMES, ReportContent
from coverage.travel import TIERS

FONTS = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
FONT = "DejaVu"
GREY, DARK, ACCENT = (110, 110, 110), (30, 30, 30), (0, 114, 178)
HEADINGS = FontFace(emphasis="BOLD", fill_color=(232, 236, 240))


def money(value: float) -> str:
    """Dollars as ``evaluate --json`` has them: $998,750,000; cents below $100 ($1.50); negative −$13,000,000."""
    sign = "−" if value < 0 else ""
    return sign + (f"${abs(value):,.2f}" if abs(value) < 100 and value != int(value) else f"${abs(value):,.0f}")


def setting_value(setting: str, value) -> str:
    """A setting as a planner reads it: dollars for ``*_usd`` settings, thousands separators for big counts."""
    if any(part.endswith("usd") or "_usd_" in part for part in setting.split(".")) and isinstance(value, (int, float)):
        return money(value)
    if isinstance(value, float):
        return f"{int(value):,}" if value.is_integer() else f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


class ReportPDF(FPDF):
    """US Letter pages with the scenario's name and page numbers in the footer."""

    def __init__(self, title: str):
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.report_title = title
        self.add_font(FONT, "", str(FONTS / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        self.add_font(FONT, "I", str(FONTS / "DejaVuSans-Oblique.ttf"))
        self.set_auto_page_break(True, margin=16)
        self.set_margins(15, 14, 15)
        self.set_title(title)
        self.set_author("Rural Coverage Planner")
        self.set_creator("Rural Coverage Planner (fpdf2)")

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "", 7)
        self.set_text_color(*GREY)
        self.cell(0, 5, f"{self.report_title[:90]}  ·  page {self.page_no()} of {{nb}}", align="C")

    # -- helpers ---------------------------------------------------------------------------------
    def heading(self, text: str, size: float = 13) -> None:
        if self.get_y() > self.h - 40:
            self.add_page()
        self.set_font(FONT, "B", size)
        self.set_text_color(*DARK)
        self.cell(0, 8, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def paragraph(self, text: str, size: float = 8.5, colour=DARK) -> None:
        self.set_font(FONT, "", size)
        self.set_text_color(*colour)
        self.multi_cell(0, size * 0.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def picture(self, png: bytes, width: float | None = None) -> None:
        width = width or self.epw
        self.image(io.BytesIO(png), x=self.l_margin, w=width)
        self.ln(2)

    def grid(self, rows: list[list[str]], widths: list[float], align: list[str] | None = None,
             size: float = 7.5) -> None:
        """A table: the first row is the heading (repeated on each page); cells are plain text."""
        self.set_font(FONT, "", size)
        self.set_text_color(*DARK)
        if sum(widths) > self.epw - 0.01:  # never wider than the page
            widths = [w * (self.epw - 0.01) / sum(widths) for w in widths]
        align = align or ["LEFT"] * len(widths)
        with self.table(col_widths=widths, width=sum(widths), align="LEFT", headings_style=HEADINGS,
                        line_height=size * 0.55, padding=(0.6, 1.2), borders_layout="HORIZONTAL_LINES",
                        repeat_headings=1, text_align=tuple(align)) as table:
            for row in rows:
                cells = table.row()
                for text in row:
                    cells.cell(str(text))
        self.ln(3)


def pdf_bytes(content: ReportContent) -> bytes:
    """The whole report."""
    scenario, summary = content.scenario, content.summary
    pdf = ReportPDF(f"Coverage report: {scenario.name}")
    pdf.add_page()

    # -- title block and key figures -----------------------------------------------------------------
    pdf.set_font(FONT, "B", 17)
    pdf.set_text_color(*DARK)
    pdf.multi_cell(0, 8, scenario.name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.paragraph(f"Coverage report made {content.made_at}  ·  data: {content.data_label}  ·  data fingerprint "
                  f"{content.data_fingerprint}", size=8, colour=GREY)
    plan, target = summary["budget"], summary["budget"]["target"]
    total_communities = sum(summary["communities"].values())
    total_people = sum(summary["population"].values())
    kinds = content.key_figures().set_index("figure")["value"]
    served = summary["served"]
    rows = [["Tier", "Communities in reach", "People in reach", "People served within capacity"]]
    for tier in TIERS:
        rows.append([TIER_NAMES[tier] if tier != "none" else "Not covered / not served",
                     f"{summary['communities'][tier]:,} "
                     f"({summary['communities'][tier] / max(total_communities, 1):.1%})",
                     f"{summary['population'][tier]:,} ({summary['population'][tier] / max(total_people, 1):.1%})",
                     f"{served['population'][tier]:,} ({served['population'][tier] / max(total_people, 1):.1%})"])
    rows.append(["All", f"{total_communities:,}", f"{total_people:,}", f"{total_people:,}"])
    budget_rows = [["Plan", "", "", ""],
                   ["Hubs", f"{len(summary['hubs']):,} ({kinds['Hubs: conversion']} conversion, "
                            f"{kinds['Hubs: new']} new)",
                    "Cost", money(summary["cost_usd"])],
                   ["Budget", money(plan["budget_usd"]), "Headroom",
                    money(plan["headroom_usd"]) + (" (over budget)" if plan["over_budget"] else "")],
                   [f"Covered by {target['quarter']}", f"{target['achieved_share']:.1%} of communities",
                    "End target", f"{target['covered_share']:.0%}: " + ("met" if target["met"] else "NOT met")]]
    pdf.grid(budget_rows, [40, 52, 26, 68], ["LEFT", "RIGHT", "LEFT", "RIGHT"], size=8)
    pdf.grid(rows, [40, 44, 48, 54], ["LEFT", "RIGHT", "RIGHT", "RIGHT"], size=8)
    shipped = served["parcels_per_day"]["same_day"] + served["parcels_per_day"]["next_day"]
    in_reach = plan["demand_in_reach_parcels_per_day"]
    pdf.paragraph("In reach: within the threshold of a hub. Served: what the hubs can ship within their daily capacity "
                  f"of {served['capacity_parcels_per_day']:,.0f} parcels: they ship {shipped:,.0f} of the "
                  f"{in_reach:,.0f} parcels a day that the communities in reach order (all "
                  f"{total_communities:,} communities order {served['demand_parcels_per_day']:,.0f}), assigned to "
                  f"maximise same-day parcels plus {scenario.next_day_weight:g} x next-day parcels.", size=7,
                  colour=GREY)

    matrix = content.evaluation.engine.matrix
    pdf.picture(figures.coverage_map(content.communities(), content.hubs(), scenario.travel,
                                     rings=matrix is None))
    travel = scenario.travel
    same, nxt = travel.threshold_miles
    reach = (f"same-day within {travel.same_day_minutes:g} and next-day within {travel.next_day_minutes:g} minutes "
             f"by the travel matrix {matrix.source} ({len(matrix):,} pairs; no rings: drive times follow the roads)"
             if matrix is not None else
             f"same-day within {travel.same_day_minutes:g} drive minutes ({same:.1f} great-circle miles at "
             f"{travel.speed_mph:g} mph and circuity {travel.circuity:g}), next-day within {travel.next_day_minutes:g} "
             f"({nxt:.1f} miles)" if travel.mode.uses_road_model else
             f"same-day within {travel.same_day_miles:g} great-circle miles, next-day within {travel.next_day_miles:g}")
    pdf.paragraph(f"Tiers: {reach}. Rings are great-circle circles; a hub never covers a community that no road "
                  "reaches from it (another island, most of Alaska from the lower 48).", size=7, colour=GREY)

    # -- rollout ------------------------------------------------------------------------------------------
    pdf.add_page()
    pdf.heading("Spend and rollout")
    pdf.picture(figures.spend_charts(content.by_quarter(), scenario.budget.total_usd))
    pdf.picture(figures.rollout_chart(content.by_quarter(), total_communities, target["covered_share"],
                                      target["quarter"]))
    pdf.picture(figures.drive_time_chart(content.evaluation.coverage))
    pdf.paragraph("Capex is booked in a hub's opening quarter, opex a quarter at a time to "
                  f"{scenario.budget.horizon_end}: the quarters add up to the cost, {money(summary['cost_usd'])}. "
                  "Parcel costs, "
                  f"{money(plan['parcel_cost_usd'])}, are reported apart from the budget.", size=7, colour=GREY)

    # -- by state ----------------------------------------------------------------------------------------
    pdf.add_page()
    pdf.heading("Coverage by state")
    states = content.by_state()
    rows = [["State", "Same-day", "Next-day", "Not covered", "Same-day people", "Next-day people", "People covered"]]
    for row in states.itertuples():
        rows.append([row.state, f"{row.communities_same_day:,}", f"{row.communities_next_day:,}",
                     f"{row.communities_none:,}", f"{row.population_same_day:,}", f"{row.population_next_day:,}",
                     f"{row.population_covered_share:.1%}"])
    pdf.grid(rows, [16, 22, 22, 24, 32, 32, 28], ["LEFT"] + ["RIGHT"] * 6, size=7)

    # -- hubs ----------------------------------------------------------------------------------------------
    pdf.heading(f"Hubs ({len(summary['hubs']):,})")
    hubs = content.hubs()
    if hubs.empty:
        pdf.paragraph("This plan has no hubs yet.")
    else:
        rows = [["Hub", "Name", "Type", "Opens", "Places", "People", "Ordered", "Ships", "Capacity", "Use", "Cost"]]
        for row in hubs.itertuples():
            communities = row.communities_same_day + row.communities_next_day
            people = row.population_same_day + row.population_next_day
            rows.append([row.hub_id, row.name, row.type + (" (locked)" if row.locked else ""), row.open_quarter,
                         f"{communities:,}", f"{people:,}", f"{row.parcels_per_day:,.0f}",
                         f"{row.load_parcels_per_day:,.0f}", f"{row.capacity_parcels_per_day:,.0f}",
                         f"{row.utilisation:.0%}", money(row.cost_usd)])
        pdf.grid(rows, [9, 44, 16, 12, 11, 17, 16, 15, 15, 10, 19], ["LEFT"] * 4 + ["RIGHT"] * 7, size=6.2)
        pdf.paragraph("Places and people: the communities this hub is the nearest hub of, same-day or next-day. "
                      "Ordered: the parcels a day they order. Ships: the hub's load in the capacity assignment, "
                      "against its daily capacity (Use).", size=7, colour=GREY)

    # -- assumptions and credits --------------------------------------------------------------------------
    pdf.heading("Assumptions")
    rows = [["Setting", "Value", "Where the figure comes from"]]
    for row in content.assumptions().itertuples():
        rows.append([row.setting, setting_value(row.setting, row.value), row.source])
    pdf.grid(rows, [62, 28, 96], size=6.5)
    pdf.heading("Data and credits", size=11)
    for line in content.credits():
        pdf.paragraph(line, size=7.5)
    return bytes(pdf.output())


def comparison_pdf_bytes(comparison) -> bytes:
    """Two to four plans side by side: key figures with deltas, a difference map per plan, by state, spend."""
    from datetime import datetime, timezone

    names = [f"{label}: {e.scenario.name}" for label, e in zip(comparison.labels, comparison.evaluations)]
    pdf = ReportPDF("Comparison: " + " / ".join(e.scenario.name for e in comparison.evaluations))
    pdf.add_page()
    pdf.set_font(FONT, "B", 16)
    pdf.set_text_color(*DARK)
    pdf.multi_cell(0, 8, "Plans compared", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    pdf.paragraph("  ·  ".join(names) + f"  ·  made {made}", size=8, colour=GREY)
    table = comparison.figures_table()
    columns = [c for c in table.columns if c not in ("figure", "key")]
    rows = [["Figure", *columns]]
    for _, row in table.iterrows():
        cells = []
        for column in columns:
            value = row[column]
            if row["key"].endswith("_usd"):
                cells.append(money(value))
            elif "share" in row["key"]:
                cells.append(f"{value:+.1%}" if "−" in column else f"{value:.1%}")
            else:
                cells.append(f"{value:+,}" if "−" in column else f"{value:,}")
        rows.append([row["figure"], *cells])
    pdf.grid(rows, [62] + [124 / len(columns)] * len(columns), ["LEFT"] + ["RIGHT"] * len(columns), size=7)
    document = comparison.as_dict()
    for index, pair in enumerate(document["pairs"], start=1):
        if index > 1:
            pdf.add_page()
        pdf.heading(f"{pair['plan']} against {pair['against']}", size=11)
        counts = (f"; {pair['communities_better']:,} communities reach a better tier, {pair['communities_worse']:,} "
                  "a worse one" if pair["tier_changes"] is not None else "; the plans run on different communities")
        pdf.paragraph(f"{len(pair['hubs_added'])} hubs added, {len(pair['hubs_removed'])} removed, "
                      f"{len(pair['hubs_changed'])} changed (by hub id){counts}.", size=8)
        a = comparison.evaluations[0]
        pdf.picture(figures.difference_map(a.coverage.table(), comparison.tier_change(index),
                                           comparison.hub_points(index), (pair["against"], pair["plan"])))
    pdf.add_page()
    pdf.heading("People covered by state (same-day or next-day)")
    states = comparison.by_state()
    header = ["State", *[c for c in states.columns if c != "state"]]
    rows = [header] + [[row["state"], *[(f"{row[c]:+,}" if "−" in c else f"{row[c]:,}") for c in header[1:]]]
                       for _, row in states.iterrows()]
    pdf.grid(rows, [20] + [166 / (len(header) - 1)] * (len(header) - 1), ["LEFT"] + ["RIGHT"] * (len(header) - 1),
             size=6.5)
    pdf.picture(figures.cumulative_spend_chart(comparison.spend(), {label: e.scenario.budget.total_usd for label, e in
                                                                    zip(comparison.labels, comparison.evaluations)}))
    pdf.heading("Data and credits", size=11)
    for line in ("Communities: data from GeoNames (geonames.org), CC BY 4.0.",
                 "Counties and state outlines: U.S. Census Bureau TIGER/Line boundaries, public domain."):
        pdf.paragraph(line, size=7.5)
    return bytes(pdf.output())
