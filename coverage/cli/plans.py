"""Commands on plans: ``evaluate``, ``optimize``, ``compare``, ``link`` and ``validate``."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from coverage.bounds import bound
from coverage.cli.common import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    ProgressBar,
    check_setting_flags,
    data_options,
    load_dataset,
    print_json,
    read_plan,
    setting_flags,
    store_option,
    summary_frame,
    with_matrix_option,
)
from coverage.errors import InputError, Problem

PLAN_LABELS = ("A", "B", "C", "D")


# -- evaluate --------------------------------------------------------------------------------------
def _cmd_evaluate(args: argparse.Namespace) -> int:
    from coverage.evaluation import evaluate
    from coverage.exports import TABLE_FORMATS, write_table

    if args.out and Path(args.out).suffix.lower() not in TABLE_FORMATS:
        raise InputError(f"--out {args.out}: unsupported output type; use {', '.join(TABLE_FORMATS)}")
    plan = read_plan(args.scenario, args)
    result = evaluate(plan.scenario, source=plan.source, data=plan.data)
    summary = result.summary()
    if args.out:
        path = write_table(args.out, result.community_table(), summary=summary_frame(summary),
                           hubs=result.hub_table())
        print(f"wrote {path}", file=sys.stderr)
    if args.json:
        print_json(summary)
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
    served = summary["served"]
    within = served["population"]["same_day"] + served["population"]["next_day"]
    print(f"served within capacity: {within:,} people ({served['population']['same_day']:,} same-day), "
          f"{served['parcels_per_day']['same_day'] + served['parcels_per_day']['next_day']:,.0f} of "
          f"{served['demand_parcels_per_day']:,.0f} parcels a day")
    plan = summary["budget"]
    target = plan["target"]
    print(f"headroom ${plan['headroom_usd'] / 1e6:,.1f}M" + (" (over budget)" if plan["over_budget"] else "")
          + f"; parcel costs apart ${plan['parcel_cost_usd'] / 1e6:,.1f}M")
    print(f"target {target['covered_share']:.0%} of communities within next-day by {target['quarter']}: "
          f"{target['achieved_share']:.1%} ({'met' if target['met'] else 'not met'})")
    if plan["hubs_over_capacity"]:
        print(f"over capacity: {', '.join(plan['hubs_over_capacity'])}")


# -- optimize ----------------------------------------------------------------------------------------
def _cmd_optimize(args: argparse.Namespace) -> int:
    from coverage.optimize import optimize
    from coverage.scenario import Scenario, save_scenario

    check_setting_flags(args)
    bound("optimize.time_limit_s").check_flag("--time-limit", args.time_limit)
    if args.scenario:
        plan = read_plan(args.scenario, args)
        scenario, data = plan.scenario, plan.data
    else:
        data = load_dataset(args)
        scenario = Scenario(name="Optimised plan")
        if data.matrix is not None:  # no scenario, a matrix: its drive times, with the default thresholds
            scenario = scenario.replace(travel=dataclasses.replace(scenario.travel, mode="matrix"))
    bar = ProgressBar(args.time_limit)
    try:
        result = optimize(scenario, data.communities, data.sites, budget=args.budget, time_limit=args.time_limit,
                          replan=args.replan, greedy=args.greedy, progress=bar.update, matrix=data.matrix)
    finally:
        bar.close()
    if args.out:
        save_scenario(result.scenario, args.out)
        print(f"wrote {args.out}", file=sys.stderr)
    if args.json:
        print_json(result.as_dict())
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


# -- compare -------------------------------------------------------------------------------------------
def _cmd_compare(args: argparse.Namespace) -> int:
    from coverage.compare import compare
    from coverage.evaluation import evaluate

    if not 2 <= len(args.plans) <= 4:
        raise InputError(f"compare takes two to four plans, not {len(args.plans)}")
    if args.out and Path(args.out).suffix.lower() not in (".xlsx", ".pdf"):
        raise InputError(Problem("unsupported output type; compare writes .xlsx or .pdf", file=args.out,
                                 column="--out"))
    store = None
    plans = []
    for label, reference in zip(PLAN_LABELS, args.plans):
        if reference.startswith("store:") and store is None:
            from coverage.cli.common import open_store

            store = open_store(args)
        plan = read_plan(reference, args, store)
        plans.append((label, evaluate(plan.scenario, source=plan.source, data=plan.data)))
    comparison = compare(plans)
    if args.out:
        from coverage.files import write_atomic
        from coverage.reports import comparison_bytes

        path = write_atomic(args.out, comparison_bytes(comparison, Path(args.out).suffix.lower()))
        print(f"wrote {path}", file=sys.stderr)
    document = comparison.as_dict()
    if args.json:
        print_json(document)
        return EXIT_OK
    table = comparison.figures_table()
    names = "  ".join(f"{p['label']} = {p['name']}" for p in document["plans"])
    print(names)
    print(table.drop(columns="key").to_string(index=False, float_format=lambda v: f"{v:,.4g}" if abs(v) < 1 else
                                              f"{v:,.0f}"))
    for pair in document["pairs"]:
        print(f"{pair['plan']} against {pair['against']}: added {_ids(pair['hubs_added'])}, removed "
              f"{_ids(pair['hubs_removed'])}, changed {_ids(pair['hubs_changed'])}")
        changes = pair["tier_changes"]
        if changes is None:
            print("  tier changes: the plans run on different communities")
        else:
            print("  tier changes: " + (", ".join(f"{k} {v:,}" for k, v in changes.items()) or "none"))
    return EXIT_OK


def _ids(ids: list[str]) -> str:
    return f"{len(ids)} ({', '.join(ids[:8])}{', ...' if len(ids) > 8 else ''})" if ids else "none"


# -- report ----------------------------------------------------------------------------------------------
def _cmd_report(args: argparse.Namespace) -> int:
    from coverage.evaluation import evaluate
    from coverage.reports import FORMATS, report_format, write_report

    fmt = report_format(args.out)  # refuses an unknown ending before any work
    plan = read_plan(args.scenario, args)
    evaluation = evaluate(plan.scenario, source=plan.source, data=plan.data)
    path = write_report(evaluation, args.out)
    if args.json:
        print_json({"out": str(path), "format": fmt, "bytes": path.stat().st_size})
    else:
        print(f"wrote {path} ({FORMATS[fmt]}, {path.stat().st_size:,} bytes)")
    return EXIT_OK


# -- link ----------------------------------------------------------------------------------------------
def _cmd_link(args: argparse.Namespace) -> int:
    from coverage.links import scenario_link, stored_link
    from coverage.store import parse_reference

    store = None
    if parse_reference(args.scenario) is not None:
        from coverage.cli.common import open_store

        store = open_store(args)
    plan = read_plan(args.scenario, args, store)
    base = args.base if args.base.endswith(("/", "?")) or "?" in args.base else args.base + "/"
    link = scenario_link(plan.scenario, base)
    if store is not None and plan.stored:  # a share link of a stored plan is in the audit log
        store.record("share-link", f"store:{plan.stored[0]}@{plan.stored[1]}", stored_link(*plan.stored, base))
    if args.json:
        print_json({"link": link, "stored_link": stored_link(*plan.stored, base) if plan.stored else None})
    else:
        print(link)
    return EXIT_OK


# -- validate ---------------------------------------------------------------------------------------------
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
        if kind == "scenario":
            errors = _scenario_against_data(loaded, args)
    except InputError as error:
        loaded, errors = None, error.problems
    count = (len(loaded.hubs) if kind == "scenario" else len(loaded)) if loaded is not None else 0
    if args.json:
        print_json({"ok": not errors, "kind": kind, "file": args.file, "rows": count,
                    "errors": [p.as_dict() for p in errors]})
    elif errors:
        for problem in errors:
            print(f"error: {problem}", file=sys.stderr)
    else:
        noun = "hubs" if kind == "scenario" else kind
        data = " on " + (args.communities or "the bundled communities") if kind == "scenario" else ""
        print(f"ok: {args.file} is a usable {kind} file ({count:,} {noun}){data}")
    return EXIT_BAD_INPUT if errors else EXIT_OK


def _scenario_against_data(scenario, args: argparse.Namespace) -> list[Problem]:
    """Every hub's site checked against the data the scenario will be used with."""
    from coverage.evaluation import hub_sites

    data = load_dataset(args, matrix=False)
    try:
        hub_sites(scenario, with_matrix_option(args, data).engine(scenario.travel), Path(args.file).name)
    except InputError as error:
        return error.problems
    return []


# -- the parser ---------------------------------------------------------------------------------------------
def add_commands(commands) -> None:
    """Add evaluate, optimize, compare, link and validate."""
    evaluate = commands.add_parser(
        "evaluate", help="coverage, population and cost of a scenario's hubs",
        description="Tier every community by drive time to its nearest hub: same_day, next_day or none. "
        "Prints the totals; --out writes the per-community table.",
        epilog="example: python -m coverage evaluate examples/plains_pilot.json --out coverage.xlsx",
    )
    evaluate.add_argument("scenario", metavar="SCENARIO", help="scenario file (rural-coverage/scenario@1) or "
                          "store:ID[@VERSION]")
    data_options(evaluate)
    store_option(evaluate)
    evaluate.add_argument("--out", metavar="FILE", help="write the per-community table (.csv .xlsx .geojson .gpkg)")
    evaluate.set_defaults(handler=_cmd_evaluate)

    optimize = commands.add_parser(
        "optimize", help="propose hubs that reach the most people within the budget",
        description="Choose candidate sites for new hubs that maximise population x (1 same-day, next_day_weight "
        "next-day) within the budget, keeping locked hubs (and the other existing hubs unless --replan). "
        "HiGHS proves the plan optimal to 0.01% or reports the gap it proved when the time limit is reached.",
        epilog="example: python -m coverage optimize examples/plains_pilot.json --budget 1e9 --out plan.json",
    )
    optimize.add_argument("scenario", metavar="SCENARIO", nargs="?",
                          help="scenario to start from, a file or store:ID[@VERSION] (default: no hubs, default "
                               "settings)")
    data_options(optimize)
    store_option(optimize)
    setting_flags(optimize)
    optimize.add_argument("--time-limit", type=float, default=60.0, metavar="S",
                          help="seconds before returning the best plan found and its gap (default 60)")
    optimize.add_argument("--replan", action="store_true", help="let the optimiser drop unlocked hubs")
    optimize.add_argument("--greedy", action="store_true",
                          help="instant greedy plan with its gap against the LP bound, no proof")
    optimize.add_argument("--out", metavar="NEW.json", help="write the proposed scenario")
    optimize.set_defaults(handler=_cmd_optimize)

    compare = commands.add_parser(
        "compare", help="two to four plans side by side: key figures, deltas, hub and tier changes",
        description="Compare plans B (C, D) against plan A: key figures and their deltas, the hubs added, removed "
        "and changed (by hub id), and how many communities move between tiers (when the plans run on the same "
        "communities). Plans are scenario files or store:ID[@VERSION].",
        epilog="example: python -m coverage compare examples/plains_pilot.json examples/national_rollout.json "
               "--out comparison.xlsx",
    )
    compare.add_argument("plans", nargs="+", metavar="PLAN", help="two to four scenario files or store:ID[@V]")
    data_options(compare)
    store_option(compare)
    compare.add_argument("--out", metavar="FILE", help="write the comparison: .xlsx (tables) or .pdf (report)")
    compare.set_defaults(handler=_cmd_compare)

    report = commands.add_parser(
        "report", help="the coverage report: PDF, Excel, CSV, GeoPackage or GeoJSON layers",
        description="Write the coverage report of a scenario in the format the file name asks for: .pdf (a report "
        "with map, key figures and charts), .xlsx (Summary, Communities, Hubs, By state, By county, By quarter, "
        "Assumptions), .csv (the per-community table), .gpkg (layers communities, hubs, same_day_rings, "
        "next_day_rings, states) or .geojson.zip (the same layers as GeoJSON). The figures are those of evaluate.",
        epilog="example: python -m coverage report examples/national_rollout.json --out rollout.pdf",
    )
    report.add_argument("scenario", metavar="SCENARIO", help="scenario file or store:ID[@VERSION]")
    report.add_argument("--out", required=True, metavar="FILE", help="the report file (.pdf .xlsx .csv .gpkg "
                        ".geojson.zip)")
    data_options(report, json_help="print {out, format, bytes}")
    store_option(report)
    report.set_defaults(handler=_cmd_report)

    link = commands.add_parser(
        "link", help="a share link that carries the whole scenario",
        description="Print a stand-alone share link (?scenario=... : the scenario JSON, deflated and base64url) "
        "that opens the plan in the app on any server, as an unsaved copy.",
    )
    link.add_argument("scenario", metavar="SCENARIO", help="scenario file or store:ID[@VERSION]")
    link.add_argument("--base", default="http://localhost:8501/", metavar="URL",
                      help="the app's address (default: %(default)s)")
    data_options(link, json_help="print {link, stored_link}")
    store_option(link)
    link.set_defaults(handler=_cmd_link)

    validate = commands.add_parser(
        "validate", help="check a file before you upload it; lists every problem",
        description="Check a communities, sites or scenario file. Exit 0 if usable, 2 with every problem "
        "listed as file:row:column: message. A scenario is checked against the data it will be used with "
        "(the bundled communities, or --communities / --sites).",
    )
    validate.add_argument("file", metavar="FILE")
    validate.add_argument("--kind", choices=("communities", "sites", "scenario"),
                          help="what the file holds (default: guessed from its content)")
    data_options(validate, json_help="print {ok, errors: [{row, column, message}]}")
    validate.set_defaults(handler=_cmd_validate)
