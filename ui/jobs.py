"""Long work in a background thread, so that a page can show progress and offer a stop button.

A :class:`Job` runs one function in a thread; the function reports through
``job.report(progress)`` and can be asked to stop through ``job.stop`` (a
``threading.Event``).  The thread never touches Streamlit: pages read
``job.progress``, ``job.result`` and ``job.error`` when they run.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable


class Job:
    """One background computation and what it has reported so far."""

    def __init__(self, work: Callable[["Job"], Any], label: str):
        self.label = label
        self.stop = threading.Event()
        self.progress: Any = None
        self.result: Any = None
        self.error: BaseException | None = None
        self.started = time.monotonic()
        self.finished: float | None = None
        self._thread = threading.Thread(target=self._run, args=(work,), daemon=True, name=f"job:{label}")
        self._thread.start()

    def _run(self, work: Callable[["Job"], Any]) -> None:
        try:
            self.result = work(self)
        except BaseException as error:  # reported to the page, never lost
            self.error = error
        finally:
            self.finished = time.monotonic()

    def report(self, progress: Any) -> None:
        """Called from the work function with its latest progress."""
        self.progress = progress

    @property
    def running(self) -> bool:
        return self.finished is None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.monotonic()) - self.started

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job ends (tests and scripts); True when it has."""
        self._thread.join(timeout)
        return not self.running
