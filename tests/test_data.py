"""The data set as one value (issue 23 part 1): its reference, its checks, its one engine factory, and the store
returning it with the scenario."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from coverage.data import DataRef, DataSet, build_engine, cached_engine
from coverage.errors import InputError
from coverage.evaluation import engine_for, evaluate
from coverage.scenario import Hub, Scenario
from coverage.store import ScenarioStore
from coverage.store.data import default_fingerprint, keep_matrix, open_dataset, open_version
from coverage.travel import TravelModel

DODGE = "5445298"


def small_matrix_csv(data: DataSet, site: str = DODGE) -> bytes:
    ids = data.community_ids()[:50]
    rows = "\n".join(f"{site},{community},{minutes}" for community, minutes in zip(ids, range(10, 500, 10)))
    return ("site_id,community_id,minutes\n" + rows + "\n").encode()


def test_the_reference_is_the_fingerprints_and_travels_with_the_matrix():
    data = DataSet.default()
    assert data.ref == DataRef(default_fingerprint()) and data.ref.tables == (default_fingerprint(), None)
    sites = data.communities.head(100).rename(columns={"community_id": "site_id"})
    with_sites = DataSet(data.communities, sites)
    assert with_sites.ref.sites is not None and not with_sites.same_tables(data)
    matrix = data.load_matrix(small_matrix_csv(data), name="m.csv")
    assert data.with_matrix(matrix).ref.matrix == matrix.fingerprint and data.with_matrix(matrix).same_tables(data)
    drive, by_matrix = TravelModel(), TravelModel(mode="matrix")
    assert data.with_matrix(matrix).for_travel(drive).matrix is None
    assert data.with_matrix(matrix).for_travel(by_matrix).matrix is matrix


def test_the_checks_name_the_matrix_that_is_missing_unwanted_or_another():
    data = DataSet.default()
    matrix = data.load_matrix(small_matrix_csv(data), name="m.csv")
    with pytest.raises(InputError, match="takes drive times from a travel matrix"):
        data.check(TravelModel(mode="matrix"))
    with pytest.raises(InputError, match="travel mode is 'drive'"):
        data.with_matrix(matrix).check(TravelModel())
    with pytest.raises(InputError, match="this plan was made with travel matrix"):
        data.with_matrix(matrix).check(TravelModel(mode="matrix", matrix="123:4"))
    plan = Scenario(hubs=(Hub("h1", site_id=DODGE), Hub("h2", site_id="nowhere")))
    assert [hub.id for hub in data.missing_hubs(plan)] == ["h2"]


def test_one_engine_per_data_set_and_reach_in_a_process():
    data = DataSet.default()
    travel = TravelModel()
    engine = data.engine(travel)
    assert DataSet.default().engine(travel) is engine is cached_engine(data, travel)
    assert engine_for(data.communities, None, travel) is engine  # the older call, a thin wrapper
    assert data.engine(dataclasses.replace(travel, same_day_minutes=80)) is engine  # same rounded reach
    assert build_engine(data, travel) is not engine  # the factory itself builds afresh
    assert evaluate(Scenario(hubs=(Hub("h1", site_id=DODGE),)), data=data).engine is engine


def test_the_store_returns_the_scenario_with_its_data_set(isolated_store):
    store = ScenarioStore(isolated_store)
    data = DataSet.default()
    content = small_matrix_csv(data)
    matrix = data.load_matrix(content, name="m.csv")
    keep_matrix(store, matrix, content)
    scenario = Scenario(name="On a matrix", hubs=(Hub("h1", site_id=DODGE),),
                        travel=TravelModel(mode="matrix", matrix=matrix.fingerprint))
    in_use = data.with_matrix(matrix)
    saved = store.save(scenario.to_dict(), figures={}, data=in_use.ref)
    plan = open_version(store, saved.id)
    assert plan.scenario == scenario and plan.label == f"store:{saved.id}@1"
    assert plan.data.ref == in_use.ref and plan.data.matrix.fingerprint == matrix.fingerprint
    assert evaluate(plan.scenario, data=plan.data).coverage.totals()["communities"]["same_day"] > 0
    assert open_dataset(store, DataRef(default_fingerprint())).ref == data.ref
    with pytest.raises(InputError, match="not in the scenario store"):
        open_dataset(store, DataRef("12345:40"))
    assert isinstance(plan.data.communities, pd.DataFrame)
