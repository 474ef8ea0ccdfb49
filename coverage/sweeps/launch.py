"""Starting a sweep from the app: store its base, record it, write its file and run it in its own process.

The Sweeps page calls :func:`launch` with the checked sweep (``planner.plan_sweep``) and the
data set the plan runs on.  The sweep runs as ``python -m coverage sweep FILE --store URL`` in
a new session, so it keeps going when the page or the browser is closed; the page reads its
progress back from the store.  The sweep file is written whole or not at all
(``coverage.files.write_atomic``), and its log file is closed in this process as soon as the
child holds it.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from coverage.files import write_atomic
from coverage.sweeps.runner import StoreResults, sweep_identifier
from coverage.sweeps.spec import Sweep

if TYPE_CHECKING:
    from coverage.data import DataSet
    from coverage.store import ScenarioStore

#: The folder that holds the ``coverage`` package (a checkout's root, or site-packages): the child starts there, so
#: ``python -m coverage`` finds this very package even when it runs from a checkout that was not installed.
PACKAGE_ROOT = Path(__file__).resolve().parent.parent.parent


def sweep_folder() -> Path:
    """Where the app's sweep files and their logs go: ``sweeps/`` in the user data folder."""
    from platformdirs import user_data_dir

    from coverage.store.url import APP_NAME

    folder = Path(user_data_dir(APP_NAME, appauthor=False)) / "sweeps"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def launch(store: "ScenarioStore", sweep: Sweep, data: "DataSet", *, workers: int, author: str = "local",
           folder: Path | None = None, space: str | None = None) -> tuple[str, subprocess.Popen]:
    """Keep the sweep's base in the store under the sweep's own id, record the sweep (so lists show it at once), write
    its file and start it; returns the sweep's id and its process.

    The sweep belongs to ``space`` (default: the acting person's default space) and the child process acts as the
    store's person (``--as``), so its runs land in that space with that person's rights."""
    from coverage.store.access import space_team

    space = space if space is not None else store.default_space
    sweep_id = sweep_identifier(sweep, space)  # the sweep's own id: its base is kept under it, out of the list
    base = store.save(sweep.base, figures={}, data=data.ref, scenario_id=sweep_id, author=author,
                      note="the base of a sweep", space=space)
    sweep = dataclasses.replace(sweep, base_reference=f"store:{base.id}@{base.version}")
    StoreResults(store, sweep, data.ref, author=author, space=space)
    acting = [] if store.person.admin else ["--as", store.person.email]
    team = space_team(space)
    acting += ["--team", team] if team is not None else []
    path = (folder or sweep_folder()) / f"{sweep_id}-{int(time.time() * 1000)}.json"
    write_atomic(path, json.dumps(sweep.as_dict()).encode("utf-8"))
    with open(path.with_suffix(".log"), "wb") as log:  # the child has its own copy; ours closes here
        process = subprocess.Popen([sys.executable, "-m", "coverage", "sweep", str(path), "--store", store.url,
                                    "--workers", str(int(workers)), *acting], cwd=PACKAGE_ROOT, stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    return sweep_id, process
