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
    """4e9 -> '$4.00B'; 50.75e6 -> '$50.8M'; -1.04e9 -> '−$1.04B'."""
    sign, n = ("−" if n < 0 else ""), abs(n)
    if n >= 1e9:
        return f"{sign}${n / 1e9:.2f}B"
    if n >= 1e6:
        return f"{sign}${n / 1e6:.1f}M"
    return f"{sign}${n:,.0f}"


def share(part: float, whole: float) -> str:
    """Part of a whole as a percentage with one decimal."""
    return f"{part / whole:.1%}" if whole else "0.0%"


def minutes(value: float) -> str:
    """Drive minutes for a tooltip ('-' when unreachable)."""
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f} min"


def markdown_text(text: str) -> str:
    """Untrusted text (a name from a file or a link) made inert inside ``st.markdown``: no markup in it acts."""
    return "".join("\\" + c if c in "\\`*_{}[]()<>#+-.!|~:$&" else c for c in str(text))


def figure(key: str, value: float, delta: bool = False) -> str:
    """A key figure by its kind (``*_usd`` dollars, ``*share`` percentages, else counts); deltas carry a sign."""
    if key.endswith("_usd"):
        return ("+" if delta and value > 0 else "") + usd(value)
    if "share" in key:
        return f"{value:+.1%}" if delta else f"{value:.1%}"
    return f"{value:+,.0f}" if delta else f"{value:,.0f}"
