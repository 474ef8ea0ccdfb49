"""Calendar quarters written as ``2025Q3``: parsing, ordering and ranges."""

from __future__ import annotations

import re

_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


def parse_quarter(text: str) -> int:
    """Quarter number since year 0 (``2025Q1`` -> 8100); ValueError with a plain message."""
    match = _QUARTER.match(text) if isinstance(text, str) else None
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
