"""``sweep``: a grid of optimiser runs on a Dask cluster, resumable, written as each run finishes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coverage.bounds import bound
from coverage.cli.common import EXIT_OK, load_dataset, print_json, progress_stream, store_option
from coverage.errors import InputError, Problem


def _cmd_sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from coverage.sweeps import FileResults, StoreResults, load_sweep, run_sweep
    from coverage.sweeps.frontier import table

    if args.out and Path(args.out).suffix.lower() not in (".csv", ".xlsx"):
        raise InputError(Problem("unsupported output type; a sweep writes .csv or .xlsx", file=args.out,
                                 column="--out"))
    if args.workers is not None:
        bound("sweep.workers").check_flag("--workers", args.workers)
    if args.results:
        results = Path(args.results)
        if results.is_dir():
            raise InputError(Problem("is a folder; --results takes a file (runs are added to it as JSON lines)",
                                     file=args.results, column="--results"))
        if not results.parent.is_dir():
            raise InputError(Problem(f"cannot be written: the folder {results.parent} does not exist",
                                     file=args.results, column="--results"))
    store = None
    space = None
    if args.team is not None:
        from coverage.store.access import check_team, team_space

        space = team_space(check_team(args.team, "--team"))
    if not args.results:
        from coverage.cli.common import open_store

        store = open_store(args)
    sweep = load_sweep(args.sweep, store)
    data = _data(args, store, sweep)
    if store is not None:
        from coverage.store.data import keep

        for kind, path, frame in (("communities", args.communities, data.communities), ("sites", args.sites,
                                                                                          data.sites)):
            if path:
                keep(store, kind, frame, Path(path).name, Path(path).read_bytes(), space=space)
        results = StoreResults(store, sweep, data.ref, space=space)
    else:
        results = FileResults(args.results, sweep)
    runs = len(sweep.runs())
    bar = tqdm(total=runs, unit="run", file=progress_stream(), disable=not progress_stream().isatty(),
               bar_format="{desc}{n}/{total} runs |{bar}| {elapsed} elapsed, {remaining} left{postfix}")

    def progress(done: int, failed: int, total: int) -> None:
        bar.n = done
        bar.set_postfix_str(f"{failed} failed" if failed else "")
        bar.refresh()

    try:
        outcome = run_sweep(sweep, data, results, scheduler=args.scheduler, workers=args.workers,
                            serial=args.serial, progress=progress)
    finally:
        bar.close()
    frame = table(results.rows(), sweep.vary)
    print(f"{sweep.name}: {outcome['runs']} runs, {outcome['ran']} run now ({outcome['failed']} failed) in "
          f"{outcome['seconds']:.1f} s; results in {outcome['where']}", file=sys.stderr)
    if args.out:
        from coverage.exports import csv_bytes, xlsx_bytes
        from coverage.files import write_atomic

        content = csv_bytes(frame) if args.out.lower().endswith(".csv") else xlsx_bytes({"Runs": frame})
        print(f"wrote {write_atomic(args.out, content)}", file=sys.stderr)
    if args.json:
        print_json(frame.astype(object).where(frame.notna(), None).to_dict(orient="records"))
    else:
        print(frame.drop(columns=[c for c in ("covered_none", "served_none") if c in frame]).to_string(index=False))
    return EXIT_OK


def _data(args: argparse.Namespace, store, sweep):
    """The data set the sweep runs on: --communities/--sites, else a stored base's own data, else the bundled;
    --travel-matrix, else a stored base's own matrix."""
    from coverage.store import parse_reference

    stored = parse_reference(sweep.base_reference) if store is not None else None
    if stored is None:
        return load_dataset(args)
    from coverage.store.data import open_version

    given = load_dataset(args, matrix=False) if args.communities or args.sites else None
    return open_version(store, stored[0], stored[1], data=given,
                        matrix_file=getattr(args, "travel_matrix", None)).data


def add_commands(commands) -> None:
    """Add sweep."""
    sweep = commands.add_parser(
        "sweep", help="a grid of optimiser runs on a Dask cluster (the coverage-budget frontier)",
        description="Run the optimiser for every combination of the settings a sweep file varies, on a Dask "
        "cluster: a LocalCluster with one process a core, or a running cluster by --scheduler ADDRESS (its "
        "workers need this project importable: run 'dask worker ADDRESS' from the repository root). Each "
        "finished run is written at once (to the scenario store, or --results FILE), so a stopped sweep resumes "
        "with only the missing runs.",
        epilog='example sweep file: {"schema": "rural-coverage/sweep@1", "base": "plan.json", '
               '"vary": {"budget.total_usd": [5e8, 1e9, 2e9], "travel.speed_mph": [45, 50]}, "time_limit_s": 60}',
    )
    sweep.add_argument("sweep", metavar="SWEEP.json")
    sweep.add_argument("--scheduler", metavar="ADDRESS", help="a running Dask scheduler (tcp://host:8786)")
    sweep.add_argument("--workers", type=int, metavar="N", help="LocalCluster worker processes (default: one a core)")
    sweep.add_argument("--serial", action="store_true", help="no cluster: run one after another in this process")
    sweep.add_argument("--results", metavar="FILE", help="write runs to this JSON-lines file instead of the store")
    sweep.add_argument("--out", metavar="FILE", help="write the results table (.csv or .xlsx)")
    sweep.add_argument("--communities", metavar="FILE", help="communities file (default: the base's data)")
    sweep.add_argument("--sites", metavar="FILE", help="candidate sites file")
    from coverage.cli.common import matrix_option

    matrix_option(sweep)
    sweep.add_argument("--json", action="store_true", help="print the rows as one JSON list")
    sweep.add_argument("--team", metavar="TEAM", help="the team the sweep and its plans belong to (default: your "
                       "private space; without --as, the team 'local')")
    store_option(sweep)
    sweep.set_defaults(handler=_cmd_sweep)
