"""Which scenario store to open, and how to show its address without a password.

Order: an explicit URL (``--store``), then ``COVERAGE_STORE_URL``, then (in the app)
``[store] url`` from ``.streamlit/secrets.toml``, else a SQLite file
``scenarios.db`` in the user's data folder (platformdirs:
``~/.local/share/rural-coverage/`` on Linux), created on first use.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

ENVIRONMENT_VARIABLE = "COVERAGE_STORE_URL"
APP_NAME = "rural-coverage"


def default_store_url() -> str:
    """``sqlite:///<user data dir>/scenarios.db``."""
    from platformdirs import user_data_dir

    return "sqlite:///" + str(Path(user_data_dir(APP_NAME, appauthor=False)) / "scenarios.db")


def store_url(explicit: str | None = None, secrets_url: str | None = None) -> str:
    """The store URL to use, by the order in the module notes."""
    for candidate in (explicit, os.environ.get(ENVIRONMENT_VARIABLE), secrets_url):
        if candidate and candidate.strip():
            return candidate.strip()
    return default_store_url()


def normalise(url: str) -> str:
    """Give PostgreSQL URLs the psycopg 3 driver (``postgresql://`` would ask for psycopg2)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def display(url: str) -> str:
    """The URL with any password masked, for messages."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL at all: show it as given (it holds no parsable password)
        return url


#: ``store:ID`` or ``store:ID@VERSION``: a stored scenario wherever a scenario file is read.
REFERENCE = re.compile(r"^store:(?P<id>[^@]+?)(?:@(?P<version>\d{1,100}))?$")


def parse_reference(text: str) -> tuple[str, int | None] | None:
    """``store:ID`` or ``store:ID@VERSION`` -> (id, version); None for anything else."""
    match = REFERENCE.match(text.strip()) if isinstance(text, str) else None
    if not match:
        return None
    return match.group("id"), int(match.group("version")) if match.group("version") else None
