"""Scenarios: the hubs plus every assumption, as the contract's JSON document.

``rural-coverage/scenario@1`` (see ``CONTRACT.md``).  Loading checks everything and
reports every problem at once, each named by its place in the document
(``hubs[3].open_quarter: '2025Q5' is not a quarter``); unknown keys are rejected by
name, with a suggestion when one looks like a typo.  Missing optional keys take the
defaults of ``coverage/defaults.py``, and saving writes every setting out so that a
saved file says exactly what was assumed.
"""

from __future__ import annotations

import dataclasses
import difflib
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from coverage import bounds, defaults, settings
from coverage.errors import InputError, Problem
from coverage.files import read_bytes, write_atomic
from coverage.jsontext import check_depth, read_json
from coverage.limits import LIMITS, describe, limit
from coverage.quarters import parse_quarter
from coverage.travel import TravelError, TravelModel

SCHEMA = "rural-coverage/scenario@1"
_HUB_NUMBER = re.compile(r"^h(\d{1,9})$")
HUB_TYPES = defaults.HUB_TYPES


@dataclass(frozen=True)
class Hub:
    """A chosen site: on a candidate site (``site_id``) or at ``lat``/``lon``; ``name`` is untrusted text."""

    id: str
    name: str = ""
    site_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    type: str = defaults.HUB_TYPE
    open_quarter: str = defaults.OPEN_QUARTER
    locked: bool = False

    def as_dict(self) -> dict:
        """The contract's hub object (``site_id`` or ``lat``/``lon``, never both)."""
        place = {"site_id": self.site_id} if self.site_id is not None else {"lat": self.lat, "lon": self.lon}
        return {"id": self.id, "name": self.name, **place, "type": self.type,
                "open_quarter": self.open_quarter, "locked": self.locked}


@dataclass(frozen=True)
class Costs:
    """The cost model's inputs (see ``coverage/defaults.py`` for the reasoning)."""

    capex_usd: Mapping[str, float] = field(default_factory=lambda: dict(defaults.CAPEX_USD))
    opex_usd_per_year: Mapping[str, float] = field(default_factory=lambda: dict(defaults.OPEX_USD_PER_YEAR))
    cost_per_parcel_usd: float = defaults.COST_PER_PARCEL_USD
    capacity_parcels_per_day: Mapping[str, float] = field(
        default_factory=lambda: dict(defaults.CAPACITY_PARCELS_PER_DAY))
    parcels_per_person_per_year: float = defaults.PARCELS_PER_PERSON_PER_YEAR
    peak_factor: float = defaults.PEAK_FACTOR


@dataclass(frozen=True)
class Budget:
    """The money and the deadline."""

    total_usd: float = defaults.BUDGET_USD
    horizon_end: str = defaults.HORIZON_END
    target_quarter: str = defaults.TARGET_QUARTER
    target_covered_share: float = defaults.TARGET_COVERED_SHARE


@dataclass(frozen=True)
class Scenario:
    """Hubs and assumptions; change it with :meth:`replace` (it is immutable)."""

    name: str = "Untitled scenario"
    hubs: tuple[Hub, ...] = ()
    travel: TravelModel = field(default_factory=TravelModel)
    costs: Costs = field(default_factory=Costs)
    budget: Budget = field(default_factory=Budget)
    next_day_weight: float = defaults.NEXT_DAY_WEIGHT
    respect_capacity: bool = defaults.RESPECT_CAPACITY
    proposed_hub_type: str = defaults.HUB_TYPE
    proposed_open_quarter: str = defaults.OPEN_QUARTER

    def replace(self, **changes: Any) -> "Scenario":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def hub(self, hub_id: str) -> Hub:
        """The hub with this id (KeyError if none)."""
        for hub in self.hubs:
            if hub.id == hub_id:
                return hub
        raise KeyError(hub_id)

    def new_hub_id(self, used: Iterable[str] = ()) -> str:
        """``h<n>`` after the highest such id among the hubs and ``used`` (ids of hubs removed earlier).

        Ids are never handed out twice within a plan's history, so ``h3`` in a comparison
        or an undo label always means the same hub.
        """
        highest = len(self.hubs)
        for hub_id in itertools.chain((hub.id for hub in self.hubs), used):
            match = _HUB_NUMBER.match(str(hub_id))
            if match:
                highest = max(highest, int(match.group(1)))
        return f"h{highest + 1}"

    def to_dict(self) -> dict:
        """The full contract document, every default written out."""
        t = self.travel
        return {
            "schema": SCHEMA,
            "name": self.name,
            "hubs": [hub.as_dict() for hub in self.hubs],
            "thresholds": {"same_day_minutes": t.same_day_minutes, "next_day_minutes": t.next_day_minutes},
            "travel": {"mode": t.mode, "circuity": t.circuity, "speed_mph": t.speed_mph,
                       "same_day_miles": t.same_day_miles, "next_day_miles": t.next_day_miles,
                       **({"matrix": t.matrix} if t.matrix is not None else {})},
            "costs": {"capex_usd": dict(self.costs.capex_usd),
                      "opex_usd_per_year": dict(self.costs.opex_usd_per_year),
                      "cost_per_parcel_usd": self.costs.cost_per_parcel_usd,
                      "capacity_parcels_per_day": dict(self.costs.capacity_parcels_per_day),
                      "parcels_per_person_per_year": self.costs.parcels_per_person_per_year,
                      "peak_factor": self.costs.peak_factor},
            "budget": {"total_usd": self.budget.total_usd, "horizon_end": self.budget.horizon_end,
                       "target_quarter": self.budget.target_quarter,
                       "target_covered_share": self.budget.target_covered_share},
            "optimizer": {"next_day_weight": self.next_day_weight, "respect_capacity": self.respect_capacity,
                          "hub_type": self.proposed_hub_type, "open_quarter": self.proposed_open_quarter},
        }

    def to_json(self) -> str:
        """The document as UTF-8 JSON text (indented, stable key order)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"


# -- field checkers: each returns the parsed value or raises ValueError(message) -------
#: Longest scenario or hub name (characters); the store and the command line's --name apply the same rule.
NAME_MAX_CHARS = 500


def _number(key: str) -> Callable[[Any], float]:
    """The checker of a number by its bound (declared once: ``coverage/settings.py`` and ``coverage/bounds.py``)."""
    return settings.bound(key).check


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{bounds.shown(value)} is not text")
    if len(value) > NAME_MAX_CHARS:
        raise ValueError(f"is {len(value):,} characters long; a name has at most {NAME_MAX_CHARS}")
    return value


def check_name(name: str, column: str = "name") -> str:
    """A scenario name, or InputError: the one rule for names from a file, a link, ``--name`` or a rename."""
    try:
        return _text(name)
    except ValueError as error:
        raise InputError(Problem(str(error), column=column)) from None


def _identifier(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError(f"{bounds.shown(value)} is not an id (text or a whole number)")
    if isinstance(value, int) and abs(value) >= 10 ** 30:
        raise ValueError(f"{bounds.figure(value)} is not an id (ids are text; write it in quotes)")
    text = str(value).strip()
    if not text:
        raise ValueError("is empty")
    if len(text) > limit("id_chars"):
        raise ValueError(f"is {len(text):,} characters long; an id has at most {limit('id_chars')} "
                         f"({LIMITS['id_chars'].how_to_raise()})")
    return text


def _fingerprint(value: Any) -> str | None:
    if value is not None and (not isinstance(value, str) or not 0 < len(value) <= 64):
        raise ValueError(f"{bounds.shown(value)} is not a matrix fingerprint (text, or null)")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{bounds.shown(value)} is not true or false")
    return value


def _quarter(value: Any) -> str:
    if not isinstance(value, str) or len(value) > 20:
        raise ValueError(f"{bounds.shown(value)} is not a quarter (write it like 2025Q3)")
    parse_quarter(value)
    return value


def _choice(options: tuple[str, ...]) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in options:
            raise ValueError(f"{bounds.shown(value)} is not one of {', '.join(options)}")
        return value
    return check


class _PerType(NamedTuple):
    """A section field that holds one number per hub type, each checked by the bound of ``key``."""

    key: str


_HUB_FIELDS = {"id": _identifier, "name": _text, "site_id": _identifier, "lat": _number("lat"),
               "lon": _number("lon"), "type": _choice(HUB_TYPES), "open_quarter": _quarter,
               "locked": _boolean}
def _checker(items: list[settings.Setting]) -> Callable | _PerType:
    """The validator's check of one field of a section, made from its declaration in ``coverage/settings.py``."""
    first = items[0]
    if first.hub_type is not None:
        assert first.bound is not None
        return _PerType(first.bound.key)
    if first.kind == "number":
        assert first.bound is not None
        return first.bound.check
    return {"quarter": _quarter, "flag": _boolean, "fingerprint": _fingerprint,
            "choice": lambda value: _choice(first.choices)(value)}[first.kind]


#: Every section of the document and the check of each of its fields, from the settings registry.
_SECTIONS: dict[str, dict[str, Callable | _PerType]] = {
    section: {name: _checker(items) for name, items in fields.items()}
    for section, fields in settings.sections().items()}
_TOP = {"schema", "name", "hubs", *_SECTIONS}


class _Reader:
    """Collects problems while walking a document; ``source`` names the file."""

    def __init__(self, source: str | None):
        self.source = source
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(message, file=self.source, column=path or None))

    def object(self, value: Any, path: str, known) -> dict | None:
        if not isinstance(value, dict):
            self.fail(path, f"must be an object {{...}}, not {type(value).__name__}")
            return None
        for key in value:
            if key not in known:
                hint = difflib.get_close_matches(str(key), list(known), n=1)
                suggestion = f"; did you mean '{hint[0]}'?" if hint else f" (known: {', '.join(sorted(known))})"
                self.fail(f"{path}.{key}" if path else str(key), f"unknown key{suggestion}")
        return value

    def field(self, data: dict, key: str, path: str, check: Callable) -> Any:
        try:
            return check(data[key])
        except ValueError as error:
            self.fail(f"{path}.{key}" if path else key, str(error))
            return None

    def per_type(self, value: Any, path: str, key: str) -> dict | None:
        data = self.object(value, path, HUB_TYPES)
        if data is None:
            return None
        check = _number(key)
        parsed = {key: self.field(data, key, path, check) for key in HUB_TYPES if key in data}
        return parsed


def parse_scenario(document: Any, source: str | None = None) -> Scenario:
    """Check a decoded JSON document and return the :class:`Scenario`; InputError lists every problem."""
    check_depth(document, source)
    reader = _Reader(source)
    data = reader.object(document, "", _TOP)
    if data is None:
        raise InputError(reader.problems)
    if data.get("schema") != SCHEMA:
        reader.fail("schema", f"must be {json.dumps(SCHEMA)}, not {bounds.shown(data.get('schema'))}"
                    if "schema" in data else f"is missing (expected {json.dumps(SCHEMA)})")
    name = reader.field(data, "name", "", _text) if "name" in data else None

    sections: dict[str, dict] = {}
    for section, fields in _SECTIONS.items():
        values: dict[str, Any] = {}
        raw = reader.object(data[section], section, fields) if section in data else {}
        if raw is None:
            sections[section] = values
            continue
        for key, check in fields.items():
            if key not in raw:
                continue
            if isinstance(check, _PerType):
                parsed = reader.per_type(raw[key], f"{section}.{key}", check.key)
            else:
                parsed = reader.field(raw, key, section, check)
            if parsed is not None:
                values[key] = parsed
        sections[section] = values

    travel_values = {**sections["thresholds"], **sections["travel"]}
    travel = TravelModel()
    try:
        travel = TravelModel(**travel_values)
    except TravelError as error:
        reader.fail(error.field, str(error))

    cost_values = sections["costs"]
    for key in ("capex_usd", "opex_usd_per_year", "capacity_parcels_per_day"):
        if key in cost_values:
            cost_values[key] = {**getattr(Costs(), key), **cost_values[key]}
    costs = Costs(**cost_values)
    budget = Budget(**sections["budget"])
    if parse_quarter(budget.target_quarter) > parse_quarter(budget.horizon_end):
        reader.fail("budget.target_quarter", f"{budget.target_quarter} is after budget.horizon_end "
                    f"{budget.horizon_end}")

    hubs = _parse_hubs(reader, data.get("hubs", []), budget)
    optimizer = sections["optimizer"]
    proposed_quarter = optimizer.get("open_quarter", defaults.OPEN_QUARTER)
    if parse_quarter(proposed_quarter) > parse_quarter(budget.horizon_end):
        reader.fail("optimizer.open_quarter", f"{proposed_quarter} is after budget.horizon_end {budget.horizon_end}")
    if reader.problems:
        raise InputError(reader.problems)
    return Scenario(name=name if name is not None else "Untitled scenario", hubs=hubs, travel=travel,
                    costs=costs, budget=budget,
                    next_day_weight=optimizer.get("next_day_weight", defaults.NEXT_DAY_WEIGHT),
                    respect_capacity=optimizer.get("respect_capacity", defaults.RESPECT_CAPACITY),
                    proposed_hub_type=optimizer.get("hub_type", defaults.HUB_TYPE),
                    proposed_open_quarter=proposed_quarter)


def _parse_hubs(reader: _Reader, raw: Any, budget: Budget) -> tuple[Hub, ...]:
    if not isinstance(raw, list):
        reader.fail("hubs", f"must be a list [...], not {type(raw).__name__}")
        return ()
    if len(raw) > limit("hubs"):  # before any hub is read: 100,000 hubs would cost minutes downstream
        reader.fail("hubs", describe("hubs", len(raw)))
        return ()
    hubs: list[Hub] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        path = f"hubs[{index}]"
        data = reader.object(item, path, _HUB_FIELDS)
        if data is None:
            continue
        values = {}
        for key, check in _HUB_FIELDS.items():
            if key in data:
                parsed = reader.field(data, key, path, check)
                if parsed is not None:
                    values[key] = parsed
        has_site = "site_id" in data
        has_point = "lat" in data or "lon" in data
        if has_site and has_point:
            reader.fail(path, "give either site_id or lat/lon, not both")
        elif not has_site and not ("lat" in data and "lon" in data):
            reader.fail(path, "needs a site_id, or both lat and lon")
        hub_id = values.get("id") or f"h{index + 1}"
        if hub_id in seen:
            reader.fail(f"{path}.id", f"{json.dumps(hub_id)} is used by an earlier hub")
        seen.add(hub_id)
        quarter = values.get("open_quarter")
        if quarter and parse_quarter(quarter) > parse_quarter(budget.horizon_end):
            reader.fail(f"{path}.open_quarter", f"{quarter} is after budget.horizon_end {budget.horizon_end}")
        values["id"] = hub_id
        try:
            hubs.append(Hub(**values))
        except TypeError:  # a required part was reported above
            pass
    return tuple(hubs)


def load_scenario(source: str | Path | bytes, *, name: str | None = None) -> Scenario:
    """Read a scenario from a path, or from JSON bytes/text (``name`` labels messages)."""
    label = name
    if isinstance(source, Path) or (isinstance(source, str) and not source.lstrip().startswith("{")):
        source, label = read_bytes(Path(source), label)
    label = label or "scenario"
    return parse_scenario(read_json(source, label), source=label)


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write the scenario as UTF-8 JSON, atomically (a failure leaves the file as it was)."""
    return write_atomic(path, scenario.to_json().encode("utf-8"))
