"""Serve the app: ``python -m ui.serve [streamlit run options]`` (what ``make run`` does).

Streamlit still treats a ``pages/`` folder beside the entry script as its old
folder-based navigation (multipage "v1") until the first ``st.navigation`` call has
run, so the first visitor after a start, above all one who opens a page's own
address such as ``/optimiser``, got that folder's page list and the page without the
app's shared sidebar.  The project keeps its pages in ``pages/`` (one file per page)
and navigates with ``st.navigation`` in ``app.py``; this launcher tells Streamlit so
before it serves anyone, then hands over to ``streamlit run app.py``.
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import IO, Iterator

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"


def main(argv: list[str] | None = None) -> None:
    """Start ``streamlit run app.py`` with these options, folder-based navigation off."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.web import cli

    PagesManager.uses_pages_directory = False
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main(prog_name="streamlit")


@contextlib.contextmanager
def serving(log: IO | int = subprocess.DEVNULL, timeout_s: float = 60.0,
            environment: dict[str, str] | None = None) -> Iterator[str]:
    """The app served by this launcher in a child process on a free local port; yields its URL.

    For the browser tests and the benchmarks, which drive the real server (``environment``
    adds variables, such as its own ``COVERAGE_STORE_URL``).  Raises RuntimeError when the
    server has not answered its health check within ``timeout_s``.
    """
    import os

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "ui.serve", "--server.port", str(port),
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


if __name__ == "__main__":
    main()
