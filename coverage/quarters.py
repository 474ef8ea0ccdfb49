"""Calendar quarters written as ``2025Q3``: parsing, ordering and ranges."""

from __future__ import annotations

import functools
import re

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def parse_quarter(text: str) -> int:
    """Quarter number since year 0 (``2025Q1`` -> 8100); ValueError with a plain message."""
    if not isinstance(text, str):
        raise ValueError(f"{text!r} is not a quarter (write it like 2025Q3)")
    return _parse(text)


@functools.lru_cache(maxsize=1024)  # a plan's costs and timeline ask for the same few quarters thousands of times
def _parse(text: str) -> int:
    match = _QUARTER.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a quarter (write it like 2025Q3)")
    year, quarter = int(match.group(1)), int(match.group(2))
    if not 2000 <= year <= 2100:
        raise ValueError(f"{text!r} is outside 2000-2100")
    return year * 4 + quarter - 1


def format_quarter(index: int) -> str:
    """``8100`` -> ``'2025Q1'``."""
    return f"{index // 4}Q{index % 4 + 1}"


def quarter_range(first: str, last: str) -> list[str]:
    """Every quarter from ``first`` to ``last``, both included."""
    return [format_quarter(i) for i in range(parse_quarter(first), parse_quarter(last) + 1)]


def quarters_between(first: str, last: str) -> int:
    """Number of quarters from ``first`` to ``last``, both counted (0 when first is after last)."""
    return max(0, parse_quarter(last) - parse_quarter(first) + 1)


#: The first quarter a quarter picker offers (the programme's first year), the first and last horizon end it offers.
FIRST_OFFERED = "2024Q1"
FIRST_HORIZON = "2025Q1"
LAST_OFFERED = "2030Q4"


def choices(*present: str | None, first: str = FIRST_OFFERED, last: str | None = None) -> list[str]:
    """The quarters a picker offers: ``first`` to ``last`` (default: the latest of ``present``), widened to take in
    every quarter of ``present``, so that every quarter a scenario file may hold is one of them."""
    given = [quarter for quarter in present if quarter]
    numbers = [parse_quarter(quarter) for quarter in given]
    start = min([parse_quarter(first), *numbers])
    end = max([parse_quarter(last) if last else start, *numbers])
    return [format_quarter(i) for i in range(start, end + 1)]


def clamp(quarter: str, first: str, last: str) -> str:
    """``quarter`` moved into ``first``..``last`` (a default opening quarter within a plan's horizon, say)."""
    number = min(max(parse_quarter(quarter), parse_quarter(first)), parse_quarter(last))
    return format_quarter(number)
