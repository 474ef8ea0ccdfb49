"""The real app in a real browser (Debian's Chromium driven by Playwright).

Screenshots of every test are kept in ``test-artifacts/``.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pytest
from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from coverage.dataset import default_communities
from ui.mapview import LAND, TIER_COLOURS, pixel_offset, view_for

from .conftest import ARTIFACTS, serve_app

GREY = TIER_COLOURS["none"]
HOSTILE_NAMES = ['<img src=x onerror=alert(1)>', '<script>alert("two")</script>', '"><svg onload=alert(3)>']


def map_canvas(page):
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    canvas.wait_for(state="visible", timeout=90_000)  # a wait, not a timing: a busy machine draws late
    return canvas


def map_pixels(page, attempts: int = 5) -> np.ndarray:
    """RGB pixels of the deck.gl map as the user sees it.

    The map redraws in its fragment, and a canvas can be replaced between finding it and taking its picture
    ("Element is not attached to the DOM"): then the new canvas is taken."""
    for attempt in range(attempts):
        try:
            return np.asarray(Image.open(io.BytesIO(map_canvas(page).screenshot())).convert("RGB")).astype(int)
        except PlaywrightError as error:
            if "not attached" not in str(error) or attempt == attempts - 1:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


def count_colour(pixels: np.ndarray, colour, tolerance: int = 40) -> int:
    return int((np.abs(pixels - np.array(colour)).sum(axis=2) < tolerance).sum())


def wait_for(condition, timeout_s: float = 30.0, interval: float = 0.25):
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def open_app(page, url: str) -> None:
    page.goto(url)
    wait_for(lambda: count_colour(map_pixels(page), GREY) > 300)


def pixel_of(page, lat: float, lon: float, view) -> tuple[float, float]:
    """Where on the page deck.gl draws a point."""
    box = map_canvas(page).bounding_box()
    dx, dy = pixel_offset(lat, lon, view)
    return box["x"] + box["width"] / 2 + dx, box["y"] + box["height"] / 2 + dy


def click_on_map(page, x: float, y: float, then, attempts: int = 5) -> None:
    """Click a point of the map until ``then`` (a locator) shows: a click in the first moments after the page loads,
    before deck.gl can pick, selects nothing, so a planner would simply click again."""
    for _ in range(attempts):
        page.mouse.move(x, y)
        time.sleep(0.5)
        page.mouse.click(x, y)
        try:
            then.wait_for(timeout=10_000)
            return
        except Exception:  # Playwright's TimeoutError: not selected yet, click again
            continue
    then.wait_for(timeout=10_000)


def loneliest(communities: pd.DataFrame) -> pd.Series:
    """The lower-48 community farthest from its neighbours, easy to click."""
    lower48 = communities[(communities.lat < 50) & (communities.lat > 24) & (communities.lon > -125)]
    xyz = np.radians(lower48[["lat", "lon"]].to_numpy())
    d = (xyz[:, None, :] - xyz[None, :, :]) ** 2
    d = d[..., 0] + (d[..., 1] * np.cos(xyz[:, None, 0]) ** 2)
    np.fill_diagonal(d, np.inf)
    return lower48.iloc[int(np.argmax(d.min(axis=1)))]


def metric(page, label: str) -> str:
    block = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return block.locator("[data-testid='stMetricValue']").inner_text()


def to_page(page, name: str) -> None:
    """Go to a page of the app by its link in the sidebar, and wait for its title (a minute and a half at most).

    A click that lands while the page is still starting can be lost (the run under way finishes on the page it
    began), as a planner's would: the link is clicked again until the page's title shows.
    """
    title = page.locator("[data-testid='stMain'] h1").filter(has_text=name).first
    for _ in range(6):
        page.get_by_role("link", name=name).click(timeout=90_000)
        try:
            title.wait_for(timeout=15_000)
            return
        except Exception:  # noqa: BLE001 - not there yet: click again
            continue
    shown(page, title, f"to-{name.lower()}")


def shown(page, locator, shot: str) -> None:
    """Wait for ``locator`` to show (90 s); when it never does, keep a picture of the page (``shot``.png) to read."""
    try:
        locator.wait_for(timeout=90_000)
    except Exception:
        page.screenshot(path=str(ARTIFACTS / f"{shot}-failed.png"), full_page=True)
        raise


def test_map_draws_communities_over_state_outlines_offline(served_app, page):
    open_app(page, served_app)
    pixels = map_pixels(page)
    assert count_colour(pixels, GREY) >= 300, "community dots were not drawn"
    assert count_colour(pixels, LAND, tolerance=6) >= 10_000, "state outlines were not drawn"
    assert not [url for url in page.failed_requests if not url.startswith(served_app)], page.failed_requests
    assert not page.console_errors, page.console_errors


def test_select_a_community_on_the_map_and_add_a_hub(served_app, page):
    open_app(page, served_app)
    communities = default_communities()
    target = loneliest(communities)
    view = view_for(communities["lat"], communities["lon"])
    before = metric(page, "Same-day communities")
    add = page.get_by_role("button", name="Add a hub here")
    click_on_map(page, *pixel_of(page, target.lat, target.lon, view), then=add)
    assert target["name"] in page.locator(".st-key-selected-community").inner_text()
    add.click()
    assert wait_for(lambda: metric(page, "Same-day communities") != before, 20)
    x, y = pixel_of(page, target.lat, target.lon, view)
    box = map_canvas(page).bounding_box()
    column, row = int(x - box["x"]), int(y - box["y"])
    def dark_pixels_at_click() -> int:  # the hub's dot (Streamlit tints the selection, so not an exact colour)
        return int((map_pixels(page)[row - 8:row + 9, column - 8:column + 9].mean(axis=2) < 90).sum())

    assert wait_for(lambda: dark_pixels_at_click() > 20, 20), "the hub was not drawn where the planner clicked"
    assert "same-day" in page.locator(".st-key-selected-community").inner_text()
    assert page.get_by_role("button", name="Remove the hub here").is_visible()
    assert not page.console_errors, page.console_errors


def test_names_carrying_html_run_nothing_and_show_as_text(served_app, page, tmp_path):
    # waits on what the page shows, with ceilings generous enough for a busy machine (a slow page is not a failure)
    ceiling_ms = 180_000
    towns = pd.DataFrame({"id": ["x1", "x2", "x3"], "name": HOSTILE_NAMES, "state": ["KS", "NE", "CO"],
                          "lat": [38.0, 41.0, 39.5], "lon": [-99.0, -100.5, -104.0], "population": [5000, 6000, 7000]})
    towns.to_csv(tmp_path / "hostile.csv", index=False)
    the_map = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    page.goto(served_app)
    the_map.wait_for(state="visible", timeout=ceiling_ms)
    to_page(page, "Data")
    # as a planner would, the file is given once the page has finished starting (a file set on an uploader that
    # the page's first run then draws again can be dropped)
    assert wait_for(lambda: page.locator("[data-testid='stStatusWidget']").count() == 0, ceiling_ms / 1000)
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(tmp_path / "hostile.csv"),
                                                                                        timeout=ceiling_ms)
    shown(page, page.get_by_text("Using hostile.csv: 3 communities"), "hostile-upload")
    page.get_by_role("link", name="Map & hubs").click(timeout=ceiling_ms)
    the_map.wait_for(state="visible", timeout=ceiling_ms)
    canvas = map_canvas(page)
    assert wait_for(lambda: count_colour(map_pixels(page), GREY) > 30, ceiling_ms / 1000)
    view = view_for(towns.lat, towns.lon)
    for row in towns.itertuples():
        page.mouse.move(*pixel_of(page, row.lat, row.lon, view))
        tooltip = page.locator(".deck-tooltip")
        assert wait_for(lambda tip=tooltip, name=row.name: tip.is_visible() and name in tip.inner_text(), 60), row.name
    x, y = pixel_of(page, towns.lat[0], towns.lon[0], view)
    page.mouse.click(x, y)
    page.get_by_role("button", name="Add a hub here").click(timeout=ceiling_ms)
    page.get_by_text("Hub added").first.wait_for(timeout=ceiling_ms)
    selected = page.locator(".st-key-selected-community")
    assert wait_for(lambda: HOSTILE_NAMES[0] in selected.inner_text(), ceiling_ms / 1000)
    assert wait_for(canvas.is_visible, ceiling_ms / 1000)
    assert page.dialogs == [], page.dialogs
    assert page.locator("img[src='x'], svg[onload]").count() == 0
    assert not page.console_errors, page.console_errors
    page.screenshot(path=str(ARTIFACTS / "hostile-names.png"), full_page=True)


@pytest.mark.parametrize("width", [1400])
def test_the_sidebar_keeps_key_figures_and_settings(served_app, page, width):
    open_app(page, served_app)
    for label in ("Same-day communities", "Next-day communities", "Not covered communities", "Cost of 0 hubs"):
        assert page.locator("[data-testid='stMetric']").filter(has_text=label).count() == 1
    assert metric(page, "Not covered communities") == "4,000"
    page.get_by_text("Thresholds and travel").click()
    assert page.get_by_label("Same-day threshold (minutes)").input_value() == "90.00"


def test_the_first_visitor_opening_a_page_address_gets_the_app(chromium_path, page):
    """A freshly started server, first visit straight to /optimiser: the app's pages and sidebar, not the folder's."""
    with serve_app("streamlit-first-visit.log") as url:
        page.goto(f"{url}/optimiser")
        page.get_by_role("button", name="Run optimiser").wait_for(timeout=60_000)
        navigation = page.get_by_test_id("stSidebarNav")
        for title in ("Map & hubs", "Coverage", "Budget & rollout", "Optimiser", "Data"):
            assert navigation.get_by_text(title, exact=True).count() == 1
        assert navigation.get_by_text("app", exact=True).count() == 0  # the folder mode lists the entry script
        sidebar_figure = page.locator("[data-testid='stMetric']").filter(has_text="Not covered communities")
        sidebar_figure.wait_for(timeout=30_000)  # the sidebar is drawn after the page
        assert sidebar_figure.count() == 1


def test_the_coordinates_tab_stays_chosen_when_a_message_comes_and_goes(served_app, page):
    """Issue 17.14: the form jumped back to 'Add by name' when a message appeared or went away."""
    open_app(page, served_app)
    tab = page.get_by_role("tab", name="Add by coordinates")
    tab.click()
    page.get_by_label("Latitude").fill("51.5")
    page.get_by_label("Longitude").fill("-0.12")
    page.get_by_role("button", name="Add hub at these coordinates").click()
    page.get_by_text("is not inside the United States").wait_for(timeout=20_000)
    assert tab.get_attribute("aria-selected") == "true"
    page.get_by_label("Latitude").fill("41.12")
    page.get_by_label("Longitude").fill("-100.77")
    page.get_by_role("button", name="Add hub at these coordinates").click()
    assert wait_for(lambda: metric(page, "Cost of 1 hub").startswith("$"), 20)
    assert page.get_by_text("is not inside the United States").count() == 0
    assert tab.get_attribute("aria-selected") == "true"
    assert not page.console_errors, page.console_errors
