"""Plans that last, in a real browser: save and reopen, reload, share links, compare (Chromium via Playwright)."""

from __future__ import annotations

import json
import subprocess
import sys

from coverage.links import encode
from coverage.scenario import load_scenario

from .conftest import ARTIFACTS, ROOT
from .test_browser import map_canvas, metric, wait_for

PILOT = ROOT / "examples" / "plains_pilot.json"
NATIONAL = ROOT / "examples" / "national_rollout.json"


def sidebar_figures(page) -> dict[str, str]:
    names = ("Same-day communities", "Next-day communities", "Not covered communities")
    return {name: metric(page, name) for name in names}


def cli_figures(path) -> dict[str, str]:
    summary = json.loads(subprocess.run([sys.executable, "-m", "coverage", "evaluate", str(path), "--json"], cwd=ROOT,
                                        capture_output=True, text=True, check=True).stdout)
    return {"Same-day communities": f"{summary['communities']['same_day']:,}",
            "Next-day communities": f"{summary['communities']['next_day']:,}",
            "Not covered communities": f"{summary['communities']['none']:,}"}


def open_link(page, url: str, path) -> None:
    page.goto(f"{url}/?scenario={encode(load_scenario(path))}")
    map_canvas(page)
    wait_for(lambda: page.get_by_text("as an unsaved copy").count() > 0 or metric(page, "Not covered communities")
             != "4,000", 30)


def click_first_row(page, key: str) -> None:
    """Select the first row of a selectable st.dataframe (its row marker, at the grid's left edge)."""
    grid = page.locator(f"[class*='st-key-{key}'] [data-testid='stDataFrameResizable']").first
    grid.wait_for(timeout=20_000)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)


def test_a_shared_link_opens_with_the_same_figures_as_evaluate(served_app, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    page = context.new_page()
    open_link(page, served_app, PILOT)
    assert wait_for(lambda: sidebar_figures(page) == cli_figures(PILOT), 30), sidebar_figures(page)
    assert "scenario=" not in page.url  # the link is consumed: a reload brings back the draft, not the link
    page.screenshot(path=str(ARTIFACTS / "shared-link.png"), full_page=True)
    context.close()


def test_save_then_open_in_a_new_browser_and_after_a_reload(served_app, browser):
    first = browser.new_context(viewport={"width": 1400, "height": 950})
    page = first.new_page()
    open_link(page, served_app, NATIONAL)
    expected = cli_figures(NATIONAL)
    assert wait_for(lambda: sidebar_figures(page) == expected, 30)
    page.get_by_role("link", name="Scenarios").click()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("saved as a new scenario").first.wait_for(timeout=20_000)
    assert "saved" in page.locator(".st-key-sidebar-scenario").inner_text()
    page.reload()  # same browser: the working plan comes back
    page.get_by_text("Saved scenarios").wait_for(timeout=30_000)
    assert wait_for(lambda: sidebar_figures(page) == expected, 30), sidebar_figures(page)
    assert "saved" in page.locator(".st-key-sidebar-scenario").inner_text()
    first.close()

    second = browser.new_context(viewport={"width": 1400, "height": 950})  # another browser: nothing to restore
    page = second.new_page()
    page.goto(f"{served_app}/scenarios")
    page.get_by_text("Saved scenarios").wait_for(timeout=30_000)
    assert metric(page, "Not covered communities") == "4,000"
    click_first_row(page, "scenario-list")
    page.get_by_role("button", name="Open the latest version").click()
    assert wait_for(lambda: sidebar_figures(page) == expected, 30), sidebar_figures(page)
    page.screenshot(path=str(ARTIFACTS / "scenarios-page.png"), full_page=True)
    second.close()


def test_compare_two_plans_shows_the_deltas(served_app, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    page = context.new_page()
    open_link(page, served_app, PILOT)
    page.get_by_role("link", name="Scenarios").click()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("saved as a new scenario").first.wait_for(timeout=20_000)
    open_link(page, served_app, NATIONAL)
    assert wait_for(lambda: sidebar_figures(page) == cli_figures(NATIONAL), 30)
    page.get_by_role("link", name="Compare").click()
    page.get_by_text("B against A").first.wait_for(timeout=30_000)
    text = page.locator("[data-testid='stMarkdown']").filter(has_text="B against A").first.inner_text()
    assert "82 hubs added" not in text  # B is the saved pilot, A the national plan now open
    assert "hubs added" in text and "communities reach a better tier" in text
    map_canvas(page)
    page.screenshot(path=str(ARTIFACTS / "compare-page.png"), full_page=True)
    assert not page.console_errors if hasattr(page, "console_errors") else True
    context.close()
