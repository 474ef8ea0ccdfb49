"""The second walk (issue 21) and the app halves of issue 22, in a real browser (Chromium via Playwright).

Screenshots of every test are kept in ``test-artifacts/``.
"""

from __future__ import annotations

import time

import numpy as np

from coverage.dataset import default_communities
from coverage.links import encode
from coverage.scenario import load_scenario
from ui.mapview import view_for

from .conftest import ARTIFACTS, ROOT
from .test_browser import click_on_map, loneliest, map_canvas, map_pixels, metric, open_app, pixel_of, wait_for

PILOT = ROOT / "examples" / "plains_pilot.json"
HOSTILE = "[link](http://evil.example/x) ![x](http://evil.example/i.png) www.evil.example :red[red] a@evil.example"


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= page.viewport_size["height"]


def test_first_visit_says_how_to_add_a_hub_and_a_click_acts_in_view(served_app, page):
    """Issue 21.16: no hint on a first visit; the 'Add a hub here' panel opened below the map, out of view; the add
    forms' errors appeared at the top of the page."""
    open_app(page, served_app)
    hint = page.get_by_text("Click a community on the map to add a hub there")
    hint.wait_for(timeout=20_000)
    assert in_view(page, hint)
    communities = default_communities()
    target = loneliest(communities)
    add = page.get_by_role("button", name="Add a hub here")
    click_on_map(page, *pixel_of(page, target.lat, target.lon, view_for(communities["lat"], communities["lon"])),
                 then=add)
    assert in_view(page, add) and target["name"] in page.locator(".st-key-selected-community").inner_text()
    page.screenshot(path=str(ARTIFACTS / "walk-map-selected.png"))
    page.get_by_role("tab", name="Add by coordinates").click()
    page.get_by_label("Latitude").fill("51.5")
    page.get_by_label("Longitude").fill("-0.12")
    button = page.get_by_role("button", name="Add hub at these coordinates")
    button.click()
    error = page.locator("[data-testid='stAlertContentError']").filter(has_text="not inside the United States")
    error.wait_for(timeout=20_000)
    below = error.bounding_box()["y"] - (button.bounding_box()["y"] + button.bounding_box()["height"])
    assert 0 <= below < 120, below  # right under the button that caused it
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "walk-map-form-error.png"))


def test_reset_view_after_zooming_with_the_wheel_centres_the_lower_48_again(served_app, page):
    """Issue 21.17: Reset view brought the zoom back but left the lower 48 off-centre (east coast cut off)."""
    open_app(page, served_app)
    page.mouse.move(5, 5)
    time.sleep(1)
    before = map_pixels(page)
    box = map_canvas(page).bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.65)
    for _ in range(5):
        page.mouse.wheel(0, -300)
        time.sleep(0.3)
    page.mouse.move(5, 5)
    assert wait_for(lambda: np.abs(map_pixels(page) - before).mean() > 5, 10), "the wheel did not zoom"
    page.get_by_role("button", name="Reset view").click()
    page.mouse.move(5, 5)
    assert wait_for(lambda: np.abs(map_pixels(page) - before).mean() < 1.5, 20), \
        np.abs(map_pixels(page) - before).mean()
    page.screenshot(path=str(ARTIFACTS / "walk-map-reset.png"))


def test_names_from_links_and_the_store_show_as_text_everywhere(served_app, page):
    """Issues 21.19 and 22.13: toasts, banners and the sidebar turned names into links and fetched images."""
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    scenario = load_scenario(PILOT).replace(name=HOSTILE)
    page.goto(f"{served_app}/?scenario={encode(scenario)}")
    map_canvas(page)
    banner = page.locator("[data-testid='stAlert']").filter(has_text="Opened the shared plan")
    banner.wait_for(timeout=30_000)
    sidebar = page.locator(".st-key-sidebar-scenario")
    assert wait_for(lambda: "evil.example" in sidebar.inner_text(), 20)
    for place in (banner, sidebar):
        shown = place.inner_text().replace("\u2060", "")
        assert HOSTILE in shown, shown
    page.get_by_role("link", name="Scenarios").click()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("saved as a new scenario").first.wait_for(timeout=20_000)
    field = page.get_by_label("Scenario name")
    field.fill(HOSTILE + " again")
    field.press("Enter")
    page.get_by_text("Renamed to").first.wait_for(timeout=20_000)
    time.sleep(1)
    page.screenshot(path=str(ARTIFACTS / "walk-hostile-names.png"), full_page=True)
    links = page.locator("[data-testid='stMain'] a[href*='evil'], [data-testid='stSidebar'] a[href*='evil'], "
                         "[data-testid='stToast'] a, [data-testid='stAlert'] a")
    assert links.count() == 0, [links.nth(i).inner_html() for i in range(links.count())]
    assert page.locator("img[src*='evil']").count() == 0
    assert not [url for url in requests if "evil" in url], requests
    assert "scenario=" not in page.url


def test_two_tabs_keep_their_own_plans_across_a_reload(served_app, browser):
    """Issue 21.10: two tabs shared one draft, so a reload of tab 1 brought back tab 2's plan."""
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    try:
        first = context.new_page()
        open_app(first, served_app)
        first.get_by_role("combobox", name="Candidate site").first.click()
        first.keyboard.type("Dodge City, KS")
        first.get_by_role("option").filter(has_text="Dodge City, KS").first.click()
        first.get_by_role("button", name="Add hub", exact=True).click()
        assert wait_for(lambda: metric(first, "Cost of 1 hub").startswith("$"), 30)
        time.sleep(2)  # the draft is saved a moment after the change
        second = context.new_page()
        open_app(second, served_app)
        assert wait_for(lambda: second.get_by_text("Restored your unsaved plan").count() > 0, 30)
        second.get_by_role("combobox", name="Candidate site").first.click()
        second.keyboard.type("Hays, KS")
        second.get_by_role("option").filter(has_text="Hays, KS").first.click()
        second.get_by_role("button", name="Add hub", exact=True).click()
        assert wait_for(lambda: metric(second, "Cost of 2 hubs").startswith("$"), 30)
        time.sleep(2)
        first.bring_to_front()
        first.reload()
        map_canvas(first)
        assert wait_for(lambda: first.get_by_text("Restored your unsaved plan").count() > 0, 30)
        assert wait_for(lambda: metric(first, "Cost of 1 hub").startswith("$"), 30)  # its own plan, not tab 2's
        offer = first.locator(".st-key-other-tab")
        offer.wait_for(timeout=20_000)
        assert "2 hubs" in offer.inner_text()
        first.screenshot(path=str(ARTIFACTS / "walk-two-tabs.png"))
        first.get_by_role("button", name="Open it here").click()
        assert wait_for(lambda: metric(first, "Cost of 2 hubs").startswith("$"), 30)
    finally:
        context.close()


def test_a_hostile_link_shows_a_message_and_a_reload_does_not_repeat_it(served_app, page):
    """Issue 22.1: a short link of deeply nested JSON showed a traceback with server paths, again on every reload."""
    import base64
    import zlib

    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    value = base64.urlsafe_b64encode(packer.compress(b"[" * 100_000) + packer.flush()).decode().rstrip("=")
    page.goto(f"{served_app}/?scenario={value}")
    map_canvas(page)
    error = page.locator("[data-testid='stAlert']").filter(has_text="share link")
    error.wait_for(timeout=30_000)
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "Traceback" not in text and "/work" not in text and ".py" not in text
    assert page.locator("[data-testid='stException']").count() == 0
    assert wait_for(lambda: "scenario=" not in page.url, 10)
    page.screenshot(path=str(ARTIFACTS / "walk-hostile-link.png"))
    page.reload()
    map_canvas(page)
    time.sleep(2)
    assert page.locator("[data-testid='stAlert']").filter(has_text="share link").count() == 0


def test_your_name_is_remembered_by_the_browser(served_app, browser):
    """Issue 21.8: 'Your name' emptied when leaving Scenarios; kept for the session and the browser once given."""
    context = browser.new_context(viewport={"width": 1400, "height": 950})
    try:
        page = context.new_page()
        page.goto(f"{served_app}/scenarios")
        field = page.get_by_role("textbox", name="Your name")
        field.wait_for(timeout=30_000)
        field.fill("Grace Hopper")
        field.press("Enter")
        time.sleep(1.5)
        page.get_by_role("link", name="Coverage").click()
        page.get_by_text("By state").first.wait_for(timeout=20_000)
        page.get_by_role("link", name="Scenarios").click()
        assert wait_for(lambda: page.get_by_role("textbox", name="Your name").input_value() == "Grace Hopper", 20)
        assert wait_for(lambda: page.evaluate("localStorage.getItem('rural-coverage:author')") == "Grace Hopper", 20)
        later = context.new_page()  # another tab, the next day: the browser remembers
        later.goto(f"{served_app}/scenarios")
        assert wait_for(lambda: later.get_by_role("textbox", name="Your name").input_value() == "Grace Hopper", 30)
    finally:
        context.close()
