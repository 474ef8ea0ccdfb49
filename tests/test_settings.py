"""The settings registry (issue 23 part 2): each setting declared once, and everything made from it."""

from __future__ import annotations

import re

import pytest

from coverage import bounds, defaults, settings
from coverage.scenario import Scenario, parse_scenario
from coverage.sweeps.planner import SETTINGS as SWEPT

from .conftest import ROOT


def test_the_readme_table_is_the_one_the_registry_makes():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"<!-- settings table: generated from coverage/settings.py -->\n(.*?)\n<!-- end of the settings "
                      r"table -->", readme, re.S)
    assert found, "README.md has no settings table"
    assert found.group(1).strip() == settings.markdown_table().strip()


def test_every_setting_of_the_document_is_declared_and_its_default_is_the_scenarios():
    document = Scenario().to_dict()
    declared = set()
    for section, values in document.items():
        if section in ("schema", "name", "hubs"):
            continue
        for key, value in values.items():
            if isinstance(value, dict):
                for kind, amount in value.items():
                    declared.add(f"{section}.{key}.{kind}")
                    assert settings.default(f"{section}.{key}.{kind}") == amount
            else:
                declared.add(f"{section}.{key}")
                assert settings.default(f"{section}.{key}") == value, (section, key)
    assert declared | {"travel.matrix"} == set(settings.SETTINGS)


def test_defaults_names_the_registrys_values():
    assert defaults.CAPEX_USD == settings.default("costs.capex_usd")
    assert defaults.SPEED_MPH == settings.setting("travel.speed_mph").default
    assert defaults.SOURCES["costs.peak_factor"] == settings.setting("costs.peak_factor").source


@pytest.mark.parametrize("declared", [s for s in settings.REGISTRY if s.kind == "number"], ids=lambda s: s.key)
def test_the_validator_checks_each_number_by_its_declared_bound(declared):
    *path, last = declared.key.split(".")
    document = Scenario().to_dict()
    place = document
    for part in path:
        place = place[part]
    place[last] = declared.bound.maximum * 2 + 1
    with pytest.raises(Exception) as refused:
        parse_scenario(document)
    assert declared.key in str(refused.value) and "must be at most" in str(refused.value)
    assert settings.bound(declared.bound.key) is declared.bound
    assert settings.bound("population") is bounds.bound("population")
    assert {row["key"] for row in settings.bounds_table()} >= {"costs.capex_usd", "population", "budget.total_usd"}


def test_the_sweep_offers_the_declared_settings_in_the_planners_units():
    assert list(SWEPT) == [s.key for s in settings.swept()]
    assert SWEPT["budget.total_usd"].title == "Budget ($ million)" and SWEPT["budget.total_usd"].scale == 1e6
    assert SWEPT["optimizer.respect_capacity"].scale is None
    assert "costs.peak_factor" in SWEPT


def test_the_cli_flags_come_from_the_registry():
    assert settings.FLAGS["--budget"].key == "budget.total_usd"
