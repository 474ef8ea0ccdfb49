"""Public names of a package imported on first use (PEP 562), so that importing the package costs nothing.

``python -m coverage scenarios list`` or a Dask worker unpickling a task imports ``coverage`` and
``coverage.store`` but needs neither pandas, SciPy nor SQLAlchemy; the names each package offers
are loaded from their modules only when read.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable


def exports(package: str, homes: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``, whose public names live in the modules ``homes`` names."""
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(homes[name]), name)
        namespace[name] = value  # the next read finds it without this function
        return value

    def __dir__() -> list[str]:
        return sorted({*namespace, *homes})

    return __getattr__, __dir__
