"""The command line, ``python -m coverage COMMAND``: a thin face over the engine.

Exit status: 0 on success, 2 on bad input (every problem on stderr as
``file:row:column: message``), 1 on an internal error.  Never a traceback unless
``COVERAGE_DEBUG=1`` is set.  Output piped into ``head`` that stops reading ends the
command quietly.  Names are printed as text: terminal control characters in a name,
an id or a file name are written out as ``\u001b`` (``common.terminal_text``).  Inputs
over a size limit (``coverage/limits.py``) are refused before the work starts, each
message naming the limit and the environment variable that raises it.

What is inside
--------------
``common.py``
    The argument parser that reports errors as bad input, options shared by commands
    (data files, the store), reading a scenario from a file or ``store:ID[@V]``,
    JSON printing and the progress bar.
``plans.py``
    ``evaluate``, ``optimize``, ``compare``, ``report``, ``link`` and ``validate``.
``scenarios.py``
    ``scenarios save|list|show|history|delete|restore``: the scenario store.
``team.py``
    ``team add|remove|list`` and ``audit``: teams, roles and the audit log.
``sweeps.py``
    ``sweep``: grids of optimiser runs on a Dask cluster.
``data.py``
    ``build-data`` and ``travel-matrix``.
"""

from __future__ import annotations

import os
import sys
from typing import Sequence

from coverage.cli import data, plans, scenarios, sweeps, team
from coverage.cli.common import EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_OK, Parser, TerminalText, summary_frame
from coverage.errors import InputError
from coverage.files import out_of_space

__all__ = ["EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_OK", "main", "make_parser", "summary_frame"]


def make_parser() -> Parser:
    """The argument parser, with one sub-command per contract command."""
    parser = Parser(
        prog="python -m coverage",
        description="Rural coverage planner: which communities do your hubs reach same-day and next-day, "
        "and at what cost.  Without --communities/--sites the bundled 4,000 communities are used.  Wherever a "
        "SCENARIO is read, store:ID or store:ID@VERSION names one in the scenario store.",
        epilog="Exit status: 0 success, 2 bad input (message names file, row and column), 1 internal error.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    plans.add_commands(commands)
    scenarios.add_commands(commands)
    sweeps.add_commands(commands)
    team.add_commands(commands)
    data.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the process exit status.

    Everything printed goes through :class:`~coverage.cli.common.TerminalText`, so a name,
    an id or a file name that carries terminal control sequences is shown as text.
    """
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = TerminalText(stdout), TerminalText(stderr)
    try:
        return _run(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _run(argv: Sequence[str] | None) -> int:
    try:
        parser = make_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return EXIT_BAD_INPUT
        status = args.handler(args)
        sys.stdout.flush()  # inside the try, so that a reader that stopped early is handled below
        return status
    except InputError as error:
        for problem in error.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except BrokenPipeError:
        # the reader (head, less) stopped reading: nothing is wrong, stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as error:  # an internal error: short message, no traceback
        reason = out_of_space(error)
        if reason:  # a full disk or a file-size limit while writing a temporary file: the machine's fault
            print(f"error: cannot write ({reason}); no file was changed", file=sys.stderr)
            return EXIT_BAD_INPUT
        if os.environ.get("COVERAGE_DEBUG"):
            raise
        print(f"internal error: {type(error).__name__}: {error} (set COVERAGE_DEBUG=1 for details)", file=sys.stderr)
        return EXIT_INTERNAL
