"""The app under Streamlit's AppTest: it starts and shows its pages without an exception."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from .conftest import ROOT


def run_app() -> AppTest:
    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_app_starts_and_shows_the_map_of_communities():
    app = run_app()
    charts = app.get("deck_gl_json_chart")
    assert len(charts) == 1
    spec = charts[0].proto.json
    assert '"communities"' in spec and '"states"' in spec
    assert "cartocdn" not in spec and "mapbox" not in spec  # works offline
