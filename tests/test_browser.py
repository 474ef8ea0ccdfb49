"""The real app in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def map_pixels(page) -> np.ndarray:
    """RGB pixels of the deck.gl map as the user sees it."""
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    canvas.wait_for(state="visible", timeout=30_000)
    return np.asarray(Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")).astype(int)


def wait_for_drawn_map(page, colour, minimum=500, timeout_s=30.0) -> np.ndarray:
    import time

    deadline = time.monotonic() + timeout_s
    while True:
        pixels = map_pixels(page)
        if (np.abs(pixels - np.array(colour)).sum(axis=2) < 40).sum() >= minimum or time.monotonic() > deadline:
            return pixels
        time.sleep(0.5)


def test_map_draws_communities_over_state_outlines_offline(served_app, page):
    page.goto(served_app)
    pixels = wait_for_drawn_map(page, (0, 114, 178))
    blue = (np.abs(pixels - np.array([0, 114, 178])).sum(axis=2) < 40).sum()
    land = (np.abs(pixels - np.array([244, 244, 240])).sum(axis=2) < 6).sum()
    assert blue >= 500, "community dots were not drawn"
    assert land >= 10_000, "state outlines were not drawn"
    assert not [url for url in page.failed_requests if not url.startswith(served_app)], page.failed_requests
    assert not page.console_errors, page.console_errors
