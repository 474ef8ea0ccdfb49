"""Serve the app for the browser tests and the benchmarks: ``streamlit run app.py``, as a planner starts it.

The app's pages live in ``app_pages/``, not ``pages/``: Streamlit treats a folder named
``pages`` beside the entry script as its old folder-based navigation until the first
``st.navigation`` call has run, and serves a first visitor who opens a page address
(``/optimiser``) that folder's page without ``app.py``.  With no such folder, plain
``streamlit run app.py`` (and ``make run``, and any hosting that runs that command)
serves every visitor the app's own navigation and sidebar.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO, Iterator

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"


@contextlib.contextmanager
def serving(log: IO | int = subprocess.DEVNULL, timeout_s: float = 60.0,
            environment: dict[str, str] | None = None) -> Iterator[str]:
    """The app served by this launcher in a child process on a free local port; yields its URL.

    For the browser tests and the benchmarks, which drive the real server (``environment``
    adds variables, such as its own ``COVERAGE_STORE_URL``).  Raises RuntimeError when the
    server has not answered its health check within ``timeout_s``.
    """
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
                                "--server.address", "127.0.0.1", "--server.headless", "true"],
                               cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, **(environment or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start")
            time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
