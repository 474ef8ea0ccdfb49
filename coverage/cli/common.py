"""What the commands share: the parser, data and store options, reading a plan, printing."""

from __future__ import annotations

import argparse
import io
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from coverage.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

    from coverage.scenario import Scenario
    from coverage.store import ScenarioStore

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2

#: Characters a terminal would act on instead of showing (C0 controls but tab and newline, DEL, C1 controls) and
#: the bidirectional controls that reorder what is shown: a name holding ``ESC]0;...BEL`` or ``ESC[2J`` must not
#: retitle or clear the planner's terminal.  They are shown as ``\u001b``, which is also valid inside JSON strings.
_CONTROLS = {code: f"\\u{code:04x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0), 0x200E, 0x200F,
                                                   *range(0x202A, 0x202F), *range(0x2066, 0x206A))
             if code not in (0x09, 0x0A)}


def terminal_text(text: str) -> str:
    """Text with every control character written out as ``\\uXXXX`` (names are text, never terminal commands)."""
    return text.translate(_CONTROLS)


class TerminalText(io.TextIOBase):
    """A text stream that passes everything written to it through :func:`terminal_text` (see ``main``)."""

    def __init__(self, stream: TextIO):
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(terminal_text(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def fileno(self) -> int:
        return self.stream.fileno()

    def isatty(self) -> bool:
        return self.stream.isatty()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.stream, "encoding", "utf-8")


def progress_stream() -> TextIO:
    """The terminal itself, for progress bars (which move the cursor with control characters of their own and
    show no names)."""
    return getattr(sys.stderr, "stream", sys.stderr)


class Parser(argparse.ArgumentParser):
    """argparse that reports a bad argument with exit status 2 and no usage dump noise."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{self.prog}: {message} (see --help)")


# -- options ----------------------------------------------------------------------------------
def data_options(command: argparse.ArgumentParser, json_help: str = "print one JSON document on stdout") -> None:
    """``--communities``, ``--sites`` and ``--json``."""
    command.add_argument("--communities", metavar="FILE",
                         help="communities file (.csv .xlsx .geojson .gpkg); default: the bundled 4,000, or the "
                              "data a stored plan was made on")
    command.add_argument("--sites", metavar="FILE", help="candidate sites file; default: every community is a site")
    matrix_option(command)
    command.add_argument("--json", action="store_true", help=json_help)


def matrix_option(command: argparse.ArgumentParser) -> None:
    """``--travel-matrix FILE``."""
    command.add_argument("--travel-matrix", metavar="FILE",
                         help="drive times site_id, community_id, minutes (.csv or .parquet), for a scenario whose "
                              "travel.mode is 'matrix'")


def store_option(command: argparse.ArgumentParser) -> None:
    """``--store URL``."""
    command.add_argument("--store", metavar="URL",
                         help="scenario store (SQLAlchemy URL); default: $COVERAGE_STORE_URL, else a SQLite file in "
                              "the user data folder")


def open_store(args: argparse.Namespace) -> "ScenarioStore":
    """The store the options name, saying on stderr when it was created or upgraded."""
    from coverage.store import ScenarioStore

    store = ScenarioStore(getattr(args, "store", None))
    for message in store.messages:
        print(message, file=sys.stderr)
    return store


def load_data(args: argparse.Namespace) -> tuple["pd.DataFrame", "pd.DataFrame | None"]:
    """The communities and sites the options name (default: the bundled data, every community a site)."""
    from coverage.loaders import load_communities, load_sites

    communities = load_communities(args.communities)
    sites = load_sites(args.sites) if args.sites else None
    return communities, sites


def load_matrix(args: argparse.Namespace, communities: "pd.DataFrame", sites: "pd.DataFrame | None"):
    """The ``--travel-matrix`` file, checked against the data (None without the option)."""
    path = getattr(args, "travel_matrix", None)
    if not path:
        return None
    from coverage.travel.matrix import load_travel_matrix

    site_ids = (sites["site_id"] if sites is not None else communities["community_id"]).astype(str).to_numpy()
    return load_travel_matrix(path, site_ids=site_ids, community_ids=communities["community_id"].astype(str).to_numpy())


# -- reading a plan -----------------------------------------------------------------------------
@dataclass
class Plan:
    """A scenario as a command read it, with the data it runs on."""

    scenario: "Scenario"
    communities: "pd.DataFrame"
    sites: "pd.DataFrame | None"
    source: str                        # what to call it in messages: a file name or store:ID@V
    stored: tuple[str, int] | None = None
    matrix: object = None              # the travel matrix (matrix mode)


def read_plan(reference: str, args: argparse.Namespace, store: "ScenarioStore | None" = None) -> Plan:
    """A scenario from a file, or ``store:ID[@VERSION]`` with the data that version was made on.

    ``--communities`` and ``--sites`` given on the command line replace the data.
    """
    from coverage.scenario import load_scenario, parse_scenario
    from coverage.store import parse_reference

    stored = parse_reference(reference)
    if stored is None:
        scenario = load_scenario(reference)
        communities, sites = load_data(args)
        return Plan(scenario, communities, sites, Path(reference).name, matrix=load_matrix(args, communities, sites))
    from coverage.store.data import open_data, open_matrix

    store = store or open_store(args)
    version = store.get(stored[0], stored[1])
    label = f"store:{version.scenario_id}@{version.version}"
    scenario = parse_scenario(version.document, source=label)
    if args.communities or args.sites:
        communities, sites = load_data(args)
    else:
        communities, sites = open_data(store, version.data)
    matrix = load_matrix(args, communities, sites)
    if matrix is None and version.data.matrix:
        matrix = open_matrix(store, version.data, communities, sites)
    return Plan(scenario, communities, sites, label, (version.scenario_id, version.version), matrix)


# -- printing ------------------------------------------------------------------------------------
def print_json(document) -> None:
    """One JSON document on stdout."""
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
    for tier, people in summary["served"]["population"].items():
        rows.append((f"served_population_{tier}", people))
    rows.append(("served_weighted_population", summary["served"]["weighted_population"]))
    rows.append(("unserved_parcels_per_day", summary["served"]["unserved_parcels_per_day"]))
    for section, values in summary["settings"].items():
        for key, value in values.items():
            rows.append((f"{section}.{key}", json.dumps(value) if isinstance(value, dict) else value))
    return pd.DataFrame(rows, columns=["figure", "value"])


class ProgressBar:
    """A one-line progress bar on a terminal (objective, bound, gap, time); silent when stderr is piped."""

    def __init__(self, time_limit: float):
        from tqdm import tqdm

        self.bar = tqdm(total=round(time_limit, 1), unit="s", file=progress_stream(), leave=False,
                        disable=not progress_stream().isatty(),
                        bar_format="{desc} |{bar}| {n:.0f}/{total:.0f} s{postfix}")

    def update(self, progress) -> None:
        self.bar.n = min(round(progress.seconds, 1), self.bar.total)
        self.bar.set_description_str(progress.phase)
        gap = f"{progress.gap:.3%}" if progress.bound < float("inf") else "-"
        self.bar.set_postfix_str(f"best {progress.objective:,.0f} bound {progress.bound:,.0f} gap {gap}")

    def close(self) -> None:
        self.bar.close()
