"""The bundled default data set: 4,000 rural communities and the state outlines.

Read once per process and shared by the app, the command line and the Python API,
so that every face of the engine sees the same table.  Callers get a copy of the
table so that nothing they do can change what the next caller sees.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported when the data is read, not with the paths (the CLI's parser needs those)
    import pandas as pd


def _data_dir() -> Path:
    """``data/`` at the repository root in a checkout; ``coverage/bundled/`` in an installed package."""
    package = Path(__file__).resolve().parent
    checkout = package.parent / "data"
    return checkout if (checkout / "communities.csv").is_file() else package / "bundled"


#: Folder of the committed data set (``data/`` at the repository root; see ``pyproject.toml``).
DATA_DIR = _data_dir()
COMMUNITIES_FILE = DATA_DIR / "communities.csv"
STATES_FILE = DATA_DIR / "states.geojson"


@functools.cache
def _communities() -> pd.DataFrame:
    import pandas as pd

    frame = pd.read_csv(
        COMMUNITIES_FILE,
        dtype={"community_id": str, "name": str, "state": str, "county": str, "county_fips": str,
               "lat": float, "lon": float, "population": "int64"},
        keep_default_na=False,
    )
    frame.attrs["source"] = "default"
    return frame


def default_communities() -> pd.DataFrame:
    """The 4,000 default communities (``community_id`` as text, ``county_fips`` with its zeros)."""
    frame = _communities().copy()
    frame.attrs["source"] = "default"
    return frame


@functools.cache
def state_outlines() -> dict:
    """Simplified state outlines as a GeoJSON FeatureCollection (properties ``code``, ``name``)."""
    return json.loads(STATES_FILE.read_text(encoding="utf-8"))
