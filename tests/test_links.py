"""Share links: a whole scenario in a URL, decoded with the same validator as an upload, never trusted."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from coverage.errors import InputError
from coverage.evaluation import evaluate
from coverage.links import MAX_LINK_CHARS, decode, encode, scenario_link, stored_link
from coverage.scenario import Hub, Scenario, load_scenario

from .conftest import ROOT


def pack(text: str) -> str:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return base64.urlsafe_b64encode(packer.compress(text.encode()) + packer.flush()).decode().rstrip("=")


def test_a_link_carries_the_whole_scenario_and_stays_short():
    scenario = load_scenario(ROOT / "examples" / "national_rollout.json")
    value = encode(scenario)
    assert decode(value) == scenario
    assert len(value) < len(scenario.to_json()) / 4
    link = scenario_link(scenario, "https://planner.example/")
    assert link.startswith("https://planner.example/?scenario=") and decode(link.split("=", 1)[1]) == scenario
    assert stored_link("plains-1", 3, "https://planner.example/") == "https://planner.example/?id=plains-1&v=3"


def test_a_thousand_hub_plan_fits_in_a_link():
    sites = evaluate(Scenario()).engine.sites["site_id"].tolist()[:1000]
    scenario = Scenario(name="big", hubs=tuple(Hub(id=f"h{i}", name=f"Hub {i}", site_id=s) for i, s in
                                               enumerate(sites, 1)))
    assert decode(encode(scenario)) == scenario
    assert len(encode(scenario)) < MAX_LINK_CHARS


def test_names_in_links_are_untrusted_text_kept_as_text():
    name = '<script>alert("x")</script> =HYPERLINK("http://x")'
    scenario = Scenario(name=name, hubs=(Hub(id="h1", name=name, site_id="5445298"),))
    assert decode(encode(scenario)).hubs[0].name == name


@pytest.mark.parametrize("value, message", [
    ("", "is empty"),
    ("   ", "is empty"),
    ("%%%not-base64%%%", "is not base64url text"),
    (pack('{"schema": "rural-coverage/scenario@1", "name": "cut')[:-6], "damaged or cut off"),
    (base64.urlsafe_b64encode(b"just some bytes that are not deflate").decode(), "damaged or cut off"),
    (pack("this is not json"), "does not hold a scenario document"),
    (pack(json.dumps({"schema": "rural-coverage/scenario@9", "hubs": []})), "schema: must be"),
    (pack(json.dumps({"schema": "rural-coverage/scenario@1", "hubs": [{"site_id": "1", "lat": 3}]})),
     "give either site_id or lat/lon"),
    (pack(json.dumps({"schema": "rural-coverage/scenario@1", "pickle": "cos\nsystem\n"})), "pickle: unknown key"),
    ("A" * (10 * 1024 * 1024), "a share link holds at most"),
    (pack(" " * 9_000_000), "more than 8,000,000 bytes"),
])
def test_bad_links_get_a_clear_message(value, message):
    with pytest.raises(InputError, match=message):
        decode(value)


def test_a_link_to_sites_the_data_lacks_is_refused_when_evaluated():
    scenario = decode(pack(json.dumps({"schema": "rural-coverage/scenario@1", "hubs": [{"site_id": "no-such"}]})))
    with pytest.raises(InputError, match="'no-such' is not a candidate site"):
        evaluate(scenario)
