"""The planner's working state: every change checked, undoable, and equal to a fresh evaluation."""

from __future__ import annotations

import numpy as np
import pytest

from coverage.errors import InputError
from coverage.evaluation import evaluate
from coverage.scenario import Scenario
from coverage.travel import TravelModel
from coverage.workspace import Workspace

DODGE, HAYS, NORTH_PLATTE = "5445298", "4272782", "5697939"


@pytest.fixture
def workspace() -> Workspace:
    return Workspace()


def assert_consistent(workspace: Workspace) -> None:
    fresh = evaluate(workspace.scenario, workspace.communities, workspace.sites)
    assert np.array_equal(workspace.coverage.tier, fresh.coverage.tier)
    assert workspace.coverage.totals() == fresh.coverage.totals()
    assert np.allclose(workspace.coverage.distance_miles, fresh.coverage.distance_miles, equal_nan=True, atol=1e-5)


def test_add_remove_move_and_update_keep_coverage_right(workspace):
    dodge = workspace.add_hub(DODGE)
    assert dodge.name == "Hub at Dodge City, KS" and dodge.id == "h1"
    hays = workspace.add_hub(HAYS, type="new", open_quarter="2025Q2")
    point = workspace.add_hub(lat=41.12, lon=-100.77, locked=True)
    assert point.name == "Hub at 41.1200, -100.7700"
    assert_consistent(workspace)
    workspace.move_hub(hays.id, NORTH_PLATTE)
    assert_consistent(workspace)
    workspace.update_hub(point.id, locked=False, type="new")
    assert workspace.scenario.hub(point.id).type == "new"
    workspace.remove_hub(dodge.id)
    assert [h.id for h in workspace.scenario.hubs] == ["h2", "h3"]
    assert_consistent(workspace)


def test_undo_and_redo_at_least_fifty_steps(workspace):
    sites = workspace.communities.community_id.tolist()[:60]
    snapshots = [workspace.coverage.totals()]
    for site in sites:
        workspace.add_hub(site)
        snapshots.append(workspace.coverage.totals())
    for expected in reversed(snapshots[:-1]):
        assert workspace.undo()
        assert workspace.coverage.totals() == expected
    assert not workspace.can_undo and not workspace.undo()
    for expected in snapshots[1:]:
        assert workspace.redo()
        assert workspace.coverage.totals() == expected
    assert_consistent(workspace)


def test_a_new_change_clears_redo(workspace):
    workspace.add_hub(DODGE)
    workspace.undo()
    assert workspace.can_redo
    workspace.add_hub(HAYS)
    assert not workspace.can_redo


@pytest.mark.parametrize("kwargs, message", [
    ({"lat": 51.5, "lon": -0.12}, "not inside the United States"),
    ({"lat": 95, "lon": -100}, "is not a latitude"),
    ({"lat": 40}, "both latitude and longitude"),
    ({"site_id": "nope"}, "'nope' is not a candidate site"),
    ({"site_id": DODGE, "type": "barn"}, "'barn' is not one of conversion, new"),
    ({"site_id": DODGE, "open_quarter": "2027Q1"}, "after the horizon end"),
    ({"site_id": DODGE, "open_quarter": "soon"}, "not a quarter"),
])
def test_bad_input_gives_a_message_and_changes_nothing(workspace, kwargs, message):
    workspace.add_hub(HAYS)
    before = (workspace.scenario, workspace.coverage, workspace.can_redo)
    with pytest.raises(InputError, match=message):
        workspace.add_hub(**kwargs)
    assert (workspace.scenario, workspace.coverage, workspace.can_redo) == before


def test_thresholds_change_without_rebuild_below_the_radius_and_with_one_above(workspace):
    workspace.add_hub(DODGE)
    engine = workspace.engine
    workspace.set_travel(TravelModel(same_day_minutes=60, next_day_minutes=200))
    assert workspace.engine is engine
    assert_consistent(workspace)
    workspace.set_travel(TravelModel(same_day_minutes=60, next_day_minutes=400))
    assert workspace.engine is not engine and workspace.engine.radius_miles >= 266
    assert_consistent(workspace)
    workspace.undo()
    assert workspace.engine is engine


def test_set_hubs_and_load_are_single_undo_steps(workspace):
    workspace.add_hub(DODGE)
    other = Scenario(name="Other")
    workspace.load(other)
    assert workspace.scenario.name == "Other" and not workspace.scenario.hubs
    workspace.undo()
    assert len(workspace.scenario.hubs) == 1
    hubs = list(workspace.scenario.hubs)
    workspace.set_hubs(hubs + [hubs[0].__class__(id="h9", site_id=HAYS)])
    assert_consistent(workspace)
    with pytest.raises(InputError, match="share an id"):
        workspace.set_hubs(hubs + hubs)
