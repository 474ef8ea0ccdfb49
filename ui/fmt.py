"""Numbers as planners read them: 29.2M people, $50.8M, 78.0%."""

from __future__ import annotations

import math


def people(n: float) -> str:
    """29,220,427 -> '29.2M'; 153,051 -> '153k'; 950 -> '950'."""
    if abs(n) >= 1e6:
        return f"{n / 1e6:.1f}M"
    if abs(n) >= 1e4:
        return f"{n / 1e3:.0f}k"
    return f"{n:,.0f}"


def usd(n: float) -> str:
    """4e9 -> '$4.00B'; 50.75e6 -> '$50.8M'."""
    if abs(n) >= 1e9:
        return f"${n / 1e9:.2f}B"
    if abs(n) >= 1e6:
        return f"${n / 1e6:.1f}M"
    return f"${n:,.0f}"


def share(part: float, whole: float) -> str:
    """Part of a whole as a percentage with one decimal."""
    return f"{part / whole:.1%}" if whole else "0.0%"


def minutes(value: float) -> str:
    """Drive minutes for a tooltip ('-' when unreachable)."""
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f} min"
