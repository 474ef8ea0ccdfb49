"""The app's widget for a scenario setting, drawn from its one declaration (``coverage/settings.py``).

Label, unit, range, step, format and help all come from the setting; the widget shows the
document value in the unit a planner types (a budget in $ million) and :func:`number`
returns it in the document's unit again.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from coverage.settings import setting


def number(name: str, value: float, where: Any = st, **options: Any) -> float:
    """A number input for setting ``name`` showing ``value`` (document units); the value typed, in document units."""
    declared = setting(name)
    least, most = declared.widget_range
    shown = float(value) / declared.scale
    least = min(least, shown) if least is not None else None  # a plan's own value is always offered
    typed = where.number_input(declared.title, min_value=least, max_value=most, value=shown,
                               step=declared.step, format=declared.number_format,
                               help=options.pop("help", declared.help_text()), **options)
    return typed * declared.scale if typed is not None else typed


def share(name: str, value: float, where: Any = st, **options: Any) -> float:
    """A slider from the bound's minimum to its maximum (a share, a weight)."""
    declared = setting(name)
    least, most = declared.widget_range
    return where.slider(declared.title, least, most, float(value), declared.step,
                        help=options.pop("help", declared.help_text()), **options)


def choice(name: str, value: Any, options: list, where: Any = st, **extra: Any) -> Any:
    """A select box for setting ``name`` over ``options`` (quarters, hub types) with ``value`` chosen."""
    declared = setting(name)
    return where.selectbox(declared.title, options, index=options.index(value),
                           help=extra.pop("help", declared.help_text()), **extra)


def flag(name: str, value: bool, where: Any = st, **options: Any) -> bool:
    """A checkbox for a true-or-false setting."""
    declared = setting(name)
    return where.checkbox(declared.title, value=bool(value), help=options.pop("help", declared.help_text()), **options)
