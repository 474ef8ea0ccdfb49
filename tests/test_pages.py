"""Pages stay thin (issue 23 part 5): session state through the typed keys of ui/state.py, messages through tell(),
no private engine internals outside the engine, no hub ids made outside the workspace."""

from __future__ import annotations

import re

from .conftest import ROOT

APP_FILES = [ROOT / "app.py", *sorted(ROOT.glob("app_pages/*.py")), *sorted(ROOT.glob("ui/*.py"))]


def lines_matching(pattern: str, files) -> list[str]:
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(pattern, line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_session_state_is_reached_only_through_the_typed_keys():
    # a widget's own value read by its key (the sidebar's travel fields) is the one use left outside ui/state.py
    raw = [line for line in lines_matching(r"session_state\s*(\[|\.get|\.pop|\.setdefault)|in st\.session_state",
                                           APP_FILES)
           if not line.startswith("ui/state.py:") and "session_state[_travel_key(name)]" not in line]
    assert raw == []


def test_messages_are_written_only_by_ui_state():
    assert [line for line in lines_matching(r"[\"']messages[\"']", APP_FILES)
            if not line.startswith("ui/state.py:")] == []


def test_no_private_engine_row_outside_the_engine():
    files = [p for p in ROOT.glob("coverage/**/*.py") if p.name != "engine.py"] + APP_FILES
    assert lines_matching(r"\._row\(", files) == []


def test_pages_make_no_hub_ids():
    """A page that made ids itself reused a removed hub's id (test_app.py has the case); the workspace makes them."""
    assert lines_matching(r"f\"h\{|new_hub_id\(", APP_FILES) == []
