"""Long work off the page's script thread: a background thread with progress and a stop button, or a worker process.

A :class:`Job` runs one function in a thread; the function reports through
``job.report(progress)`` and can be asked to stop through ``job.stop`` (a
``threading.Event``).  The thread never touches Streamlit: pages read
``job.progress``, ``job.result`` and ``job.error`` when they run.

CPU-bound work that needs no progress (a report: its PDF's figures and layout are pure
Python) goes to :func:`worker_pool`, worker processes of this server: under the
interpreter's lock a PDF made in the server took 8-14 s instead of 1.7 s with ten planners
editing, and slowed every one of them.  :func:`make_report` sends the plan (its JSON and,
for a data set other than the bundled one, the tables) and gets the file back.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
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


# -- worker processes -------------------------------------------------------------------------------------------
#: Worker processes per app process (``COVERAGE_REPORT_WORKERS``); one by default, beside a core for the server.
WORKERS = max(1, int(os.environ.get("COVERAGE_REPORT_WORKERS", "1")))
#: How much lower the workers' CPU priority is than the server's (``COVERAGE_REPORT_NICE``, 0-19; 10 by default):
#: a report waits for a core the planners' changes need, never the other way round.
NICE = min(19, max(0, int(os.environ.get("COVERAGE_REPORT_NICE", "10"))))
_POOL: ProcessPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _lower_priority(niceness: int) -> None:
    """In each worker as it starts: run ``niceness`` steps below the server."""
    os.nice(niceness)


def worker_pool() -> ProcessPoolExecutor:
    """This server's worker processes (started on first use by a fork server, never forked from the server), at a
    lower CPU priority than the server (:data:`NICE`)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("forkserver"),
                                        initializer=_lower_priority, initargs=(NICE,))
        return _POOL


def _submit(function: Callable, *args: Any) -> Future:
    global _POOL
    try:
        return worker_pool().submit(function, *args)
    except BrokenProcessPool:  # a worker died (out of memory, say): a new pool for the next one
        with _POOL_LOCK:
            _POOL = None
        return worker_pool().submit(function, *args)


def report_in_worker(document: dict, data, fmt: str) -> tuple[bytes, str]:
    """In a worker: the plan evaluated on ``data`` (None: the bundled communities), its report file and its time."""
    from coverage.evaluation import evaluate
    from coverage.reports import gather, report_bytes
    from coverage.scenario import parse_scenario

    evaluation = evaluate(parse_scenario(document), data=data)
    content = gather(evaluation)
    return report_bytes(content, fmt), content.made_at


def make_report(scenario, data, fmt: str) -> Future:
    """Start the report of ``scenario`` on ``data`` (a DataSet, or None for the bundled one) in a worker process."""
    return _submit(report_in_worker, scenario.to_dict(), data, fmt)


def worker_data(data):
    """What a worker needs to evaluate on ``data`` (a DataSet): None for the bundled data (it has that), else the
    tables themselves."""
    return None if data.is_default else data


def _data_of(evaluation):
    """:func:`worker_data` of an evaluation's data."""
    from coverage.data import DataSet

    engine = evaluation.engine
    return worker_data(DataSet(engine.communities, engine.sites, engine.matrix))


def comparison_in_worker(plans: list[tuple[str, dict, Any]], fmt: str) -> bytes:
    """In a worker: the plans (label, scenario JSON, data) evaluated and compared, as a file."""
    from coverage.compare import compare
    from coverage.evaluation import evaluate
    from coverage.reports import comparison_bytes
    from coverage.scenario import parse_scenario

    return comparison_bytes(compare([(label, evaluate(parse_scenario(document), data=data))
                                     for label, document, data in plans]), fmt)


def comparison_file(comparison, fmt: str, timeout_s: float = 900) -> bytes:
    """A comparison's report made in a worker process (for a download button's deferred data: waits for it)."""
    plans = [(label, evaluation.scenario.to_dict(), _data_of(evaluation))
             for label, evaluation in zip(comparison.labels, comparison.evaluations)]
    return _submit(comparison_in_worker, plans, fmt).result(timeout=timeout_s)
