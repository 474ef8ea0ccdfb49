"""Numbers as planners read them: 29.2M people, $50.8M, 78.0%."""

from __future__ import annotations

import math
import re


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


def count(n: int, word: str, plural: str | None = None) -> str:
    """1 -> '1 hub', 3 -> '3 hubs' (thousands separated)."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def share(part: float, whole: float) -> str:
    """Part of a whole as a percentage with one decimal."""
    return f"{part / whole:.1%}" if whole else "0.0%"


def minutes(value: float) -> str:
    """Drive minutes for a tooltip ('-' when unreachable)."""
    return "-" if value is None or (isinstance(value, float) and math.isnan(value)) else f"{value:.0f} min"


WORD_JOINER = "\u2060"
#: The starts of what Streamlit's Markdown turns into a link on its own (``www.``, ``http://``, ``mailto:``...).
_LINK_STARTS = re.compile(r"(?i)(?<![a-z0-9])(https?|ftps?|mailto|xmpp|www)(?=[:.])")


def text(value: object) -> str:
    """Untrusted text (a name, id or value from a file, a link, the store or the address bar), inert in Markdown.

    The one function for putting such text into anything Streamlit renders as Markdown
    (messages, toasts, banners, captions, labels): every character that is markup is
    escaped, colons become ``&#58;`` (Streamlit reads ``:material/x:``, ``:red[...]`` and
    emoji codes even behind a backslash), line breaks become spaces, and an invisible
    word joiner inside ``http``, ``www``, ``mailto`` and before ``@`` keeps a URL or an
    address from becoming a link, so ``[x](http://evil)`` or ``www.evil.example`` show as
    the very characters they are.
    """
    plain = " ".join(str(value).splitlines())
    plain = _LINK_STARTS.sub(lambda m: m.group(1)[0] + WORD_JOINER + m.group(1)[1:], plain)
    plain = plain.replace("@", WORD_JOINER + "@")
    return "".join("&#58;" if c == ":" else "\\" + c if c in "\\`*_{}[]()<>#+-.!|~$&=^\"'" else c for c in plain)


def say(template: str, **values: object) -> str:
    """A message from our own Markdown ``template`` and untrusted ``values``, each shown as text (:func:`text`)."""
    return template.format(**{name: text(value) for name, value in values.items()})


def figure(key: str, value: float, delta: bool = False) -> str:
    """A key figure by its kind (``*_usd`` dollars, ``*share`` percentages, else counts); deltas carry a sign."""
    if key.endswith("_usd"):
        return ("+" if delta and value > 0 else "") + usd(value)
    if "share" in key:
        return f"{value:+.1%}" if delta else f"{value:.1%}"
    return f"{value:+,.0f}" if delta else f"{value:,.0f}"
