"""Serve the app: one process for the tests and benchmarks, or several behind nginx for a team.

One process (``serving``) is ``streamlit run app.py``, as a planner starts it.  Several
(``deployment``, or ``python -m ui.serve --processes P``) are that command P times on local
ports, behind Debian's nginx with sticky sessions and websocket upgrade
(``deploy/nginx.conf.template`` says how), all on one scenario store: give them a
PostgreSQL URL (``--store`` or ``COVERAGE_STORE_URL``), since a SQLite file is one
machine's and is written by one process at a time.

The app's pages live in ``app_pages/``, not ``pages/``: Streamlit treats a folder named
``pages`` beside the entry script as its old folder-based navigation until the first
``st.navigation`` call has run, and serves a first visitor who opens a page address
(``/optimiser``) that folder's page without ``app.py``.  With no such folder, plain
``streamlit run app.py`` (and ``make run``, and any hosting that runs that command)
serves every visitor the app's own navigation and sidebar.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator, Sequence

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
#: Modules an app process imports before ``gc.freeze()`` with ``--gc-freeze`` (what every page needs).
WARM_MODULES = ("numpy", "pandas", "pyarrow", "scipy.sparse", "highspy", "pydeck", "plotly.graph_objects",
                "sqlalchemy", "alembic", "streamlit", "coverage.workspace", "coverage.evaluation", "coverage.store",
                "coverage.dataset", "coverage.budget", "coverage.compare", "coverage.links")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, deadline: float, what: str) -> None:
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start")
        time.sleep(0.3)


def _stop(process: subprocess.Popen, timeout_s: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def app_command(port: int, options: Sequence[str] = (), gc_freeze: bool = False) -> list[str]:
    """The command that serves the app on 127.0.0.1:port (``streamlit run app.py`` and ``options``)."""
    arguments = ["run", str(APP), "--server.port", str(port), "--server.address", "127.0.0.1",
                 "--server.headless", "true", *options]
    if gc_freeze:
        return [sys.executable, "-m", "ui.serve", "--frozen-app", "--", *arguments]
    return [sys.executable, "-m", "streamlit", *arguments]


@contextlib.contextmanager
def serving(log: IO | int = subprocess.DEVNULL, timeout_s: float = 60.0,
            environment: dict[str, str] | None = None, options: Sequence[str] = ()) -> Iterator[str]:
    """The app served by this launcher in a child process on a free local port; yields its URL.

    For the browser tests and the benchmarks, which drive the real server (``environment``
    adds variables, such as its own ``COVERAGE_STORE_URL``; ``options`` are more
    ``streamlit run`` flags).  Raises RuntimeError when the server has not answered its
    health check within ``timeout_s``.
    """
    port = free_port()
    process = subprocess.Popen(app_command(port, options), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, **(environment or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process, time.monotonic() + timeout_s, "streamlit")
        yield url
    finally:
        _stop(process)


# -- several processes behind nginx ------------------------------------------------------------------------
def nginx_binary() -> str | None:
    """Debian's nginx (package 'nginx'), or None."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)


def nginx_config(ports: Sequence[int], listen: str, prefix: Path, max_upload_mb: int = 100) -> str:
    """``deploy/nginx.conf.template`` filled in for app processes on these local ports."""
    servers = [f"127.0.0.1:{port}" for port in ports]
    pinned = []
    for index, server in enumerate(servers):
        backups = [f"        server {other} backup;" for other in servers if other != server]
        pinned.append("\n".join([f"    upstream rcp_{index} {{", f"        server {server};", *backups, "    }"]))
    escaped = [server.replace(".", r"\.") for server in servers]
    fields = {
        "user": "user www-data;" if os.geteuid() == 0 else "# (not root: the workers run as this user)",
        "prefix": str(prefix), "listen": listen, "max_upload_mb": str(max_upload_mb),
        "any_servers": "\n".join(f"        server {server};" for server in servers),
        "pinned_upstreams": "\n".join(pinned),
        "cookie_to_upstream": "\n".join(f'        "{i}" rcp_{i};' for i in range(len(servers))),
        "address_to_process": "\n".join(f'        "~(^|\\s){e}$" {i};' for i, e in enumerate(escaped)),
    }
    text = NGINX_TEMPLATE.read_text()
    for name, value in fields.items():
        text = text.replace("{{" + name + "}}", value)
    return text


@dataclass
class Deployment:
    """A running deployment: the one address, and each app process's own address and pid."""

    url: str
    app_urls: list[str]
    app_pids: list[int]
    nginx_pid: int
    folder: Path
    logs: list[Path] = field(default_factory=list)


def _prepare_nginx_folder(folder: Path) -> None:
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:  # the workers run as www-data and write their temporary files here
        import pwd

        user = pwd.getpwnam("www-data")
        folder.chmod(0o755)
        for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
            os.chown(folder / name, user.pw_uid, user.pw_gid)


@contextlib.contextmanager
def deployment(processes: int = 2, *, port: int | None = None, store_url: str | None = None,
               environment: dict[str, str] | None = None, options: Sequence[str] = (), gc_freeze: bool = False,
               folder: Path | None = None, timeout_s: float = 180.0) -> Iterator[Deployment]:
    """``processes`` app processes behind nginx on 127.0.0.1:``port`` (a free port by default); yields them.

    Every process gets the same ``COVERAGE_STORE_URL`` (``store_url``, else the environment's)
    and the same cookie secret (``STREAMLIT_SERVER_COOKIE_SECRET`` from the environment, else
    a new random one), so a signed cookie made by one process is good on all.  ``options``
    are more ``streamlit run`` flags (``--runner.postScriptGC false``, say); ``gc_freeze``
    freezes the imported modules' objects out of the collector in each process.  The
    logs (``app-N.log``, ``error.log``) are kept in ``folder``.
    """
    nginx = nginx_binary()
    if nginx is None:
        raise RuntimeError("nginx is not installed (Debian package 'nginx')")
    folder = Path(folder or tempfile.mkdtemp(prefix="coverage-deploy-"))
    folder.mkdir(parents=True, exist_ok=True)
    _prepare_nginx_folder(folder)
    env = {**os.environ, **(environment or {})}
    if store_url:
        env["COVERAGE_STORE_URL"] = store_url
    env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_urlsafe(32))
    ports = [free_port() for _ in range(processes)]
    port = port or free_port()
    started: list[subprocess.Popen] = []
    logs = [folder / f"app-{i}.log" for i in range(processes)]
    try:
        for app_port, log in zip(ports, logs):
            with open(log, "w") as out:
                started.append(subprocess.Popen(app_command(app_port, options, gc_freeze), cwd=ROOT, stdout=out,
                                                stderr=subprocess.STDOUT, env=env))
        deadline = time.monotonic() + timeout_s
        for index, (app_port, process) in enumerate(zip(ports, started)):
            _wait_healthy(f"http://127.0.0.1:{app_port}", process, deadline, f"app process {index} (see {logs[index]})")
        config = folder / "nginx.conf"
        config.write_text(nginx_config(ports, f"127.0.0.1:{port}", folder))
        with open(folder / "nginx.out", "w") as out:
            proxy = subprocess.Popen([nginx, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log"),
                                      "-g", "daemon off;"], cwd=folder, stdout=subprocess.DEVNULL, stderr=out)
        started.append(proxy)
        url = f"http://127.0.0.1:{port}"
        _wait_healthy(url, proxy, time.monotonic() + 30, f"nginx (see {folder / 'nginx.out'})")
        yield Deployment(url, [f"http://127.0.0.1:{p}" for p in ports], [p.pid for p in started[:-1]], proxy.pid,
                         folder, logs)
    finally:
        for process in reversed(started):
            _stop(process)


def _run_frozen_app(arguments: list[str]) -> None:
    """``streamlit`` with ``arguments``, after importing what every page needs and freezing it out of the collector.

    Streamlit collects all generations after every script run (``runner.postScriptGC``); the
    objects of the imported modules (a few hundred thousand) never become garbage, and
    ``gc.freeze()`` spares the collector walking them each time.
    """
    import gc
    import importlib

    for name in WARM_MODULES:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()
    from streamlit.web.cli import main

    sys.argv = ["streamlit", *arguments]
    main()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m ui.serve", description="Serve the app: one process, or several "
                                     "behind nginx with sticky sessions, on one scenario store.")
    parser.add_argument("--processes", type=int, default=1, help="app processes behind nginx (default 1)")
    parser.add_argument("--port", type=int, default=8501, help="the one address's port on 127.0.0.1 (default 8501)")
    parser.add_argument("--store", help="scenario store URL for every process (default: COVERAGE_STORE_URL); a team's "
                                        "is a PostgreSQL URL")
    parser.add_argument("--gc-freeze", action="store_true", help="freeze the imported modules out of the collector")
    parser.add_argument("--print-config", action="store_true", help="print the nginx configuration and stop")
    parser.add_argument("--frozen-app", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("streamlit_options", nargs="*", help="more `streamlit run` flags, after --")
    args = parser.parse_args(argv)
    if args.frozen_app:
        _run_frozen_app(args.streamlit_options)
        return
    if args.print_config:
        ports = [args.port + 1 + i for i in range(args.processes)]
        print(nginx_config(ports, f"127.0.0.1:{args.port}", Path("/var/lib/rural-coverage/nginx")))
        return
    store = args.store or os.environ.get("COVERAGE_STORE_URL")
    if args.processes > 1 and not (store or "").startswith("postgresql"):
        print("warning: several processes share one store: give a PostgreSQL URL (--store or COVERAGE_STORE_URL)",
              file=sys.stderr)
    with deployment(args.processes, port=args.port, store_url=store, options=args.streamlit_options,
                    gc_freeze=args.gc_freeze) as running:
        print(f"Serving {args.processes} app process(es) at {running.url} (logs in {running.folder}); Ctrl-C stops",
              flush=True)
        stop = []
        signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
        try:
            while not stop:
                time.sleep(1)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
