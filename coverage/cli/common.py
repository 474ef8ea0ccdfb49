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

    from coverage.data import DataSet
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


def setting_flags(command: argparse.ArgumentParser) -> None:
    """The flags that set a scenario setting (``--budget``), each from its declaration in ``coverage/settings.py``."""
    from coverage.settings import FLAGS

    for flag, declared in FLAGS.items():
        command.add_argument(flag, type=float, metavar=declared.unit.split(" ")[0] or "VALUE",
                             help=f"{declared.label.lower()} in {declared.unit} (default: the scenario's "
                                  f"{declared.key}); {declared.help[0].lower()}{declared.help[1:]}")


def check_setting_flags(args: argparse.Namespace) -> None:
    """Every setting flag given, checked by its setting's bound (InputError naming the flag)."""
    from coverage.settings import FLAGS

    for flag, declared in FLAGS.items():
        value = getattr(args, flag.lstrip("-").replace("-", "_"), None)
        if value is not None and declared.bound is not None:
            declared.bound.check_flag(flag, value)


def store_option(command: argparse.ArgumentParser) -> None:
    """``--store URL`` and ``--as EMAIL``."""
    command.add_argument("--store", metavar="URL",
                         help="scenario store (SQLAlchemy URL); default: $COVERAGE_STORE_URL, else a SQLite file in "
                              "the user data folder")
    command.add_argument("--as", dest="as_email", metavar="EMAIL",
                         help="act with this person's permissions and record them as the author (default: you, the "
                              "operating-system user, as administrator: the command line holds the store's "
                              "credentials)")


def acting_person(args: argparse.Namespace):
    """The person ``--as EMAIL`` names (checked, the message naming --as), or None for the administrator."""
    from coverage.store.access import Person, check_email

    email = getattr(args, "as_email", None)
    return None if email is None else Person(check_email(email, "--as"))


def open_store(args: argparse.Namespace) -> "ScenarioStore":
    """The store the options name, acting as ``--as EMAIL`` when given, saying on stderr when it was created or
    upgraded."""
    from coverage.store import ScenarioStore

    person = acting_person(args)  # a bad --as is refused before the store is touched
    store = ScenarioStore(getattr(args, "store", None))
    for message in store.messages:
        print(message, file=sys.stderr)
    return store.acting(person) if person is not None else store


def load_dataset(args: argparse.Namespace, *, matrix: bool = True) -> "DataSet":
    """The data the options name: ``--communities`` (default: the bundled data), ``--sites`` (default: every
    community a site) and, unless ``matrix`` is False, ``--travel-matrix`` checked against them."""
    from coverage.data import DataSet
    from coverage.loaders import load_communities, load_sites

    data = DataSet(load_communities(args.communities), load_sites(args.sites) if args.sites else None)
    return with_matrix_option(args, data) if matrix else data


def with_matrix_option(args: argparse.Namespace, data: "DataSet") -> "DataSet":
    """``data`` with the ``--travel-matrix`` file, checked against its ids (``data`` itself without the option)."""
    path = getattr(args, "travel_matrix", None)
    return data.with_matrix(data.load_matrix(path)) if path else data


# -- reading a plan -----------------------------------------------------------------------------
@dataclass
class Plan:
    """A scenario as a command read it, with the data set it runs on."""

    scenario: "Scenario"
    data: "DataSet"
    source: str                        # what to call it in messages: a file name or store:ID@V
    stored: tuple[str, int] | None = None

    @property
    def communities(self) -> "pd.DataFrame":
        return self.data.communities

    @property
    def sites(self) -> "pd.DataFrame | None":
        return self.data.sites

    @property
    def matrix(self):
        """The travel matrix (matrix mode), or None."""
        return self.data.matrix


def read_plan(reference: str, args: argparse.Namespace, store: "ScenarioStore | None" = None) -> Plan:
    """A scenario from a file, or ``store:ID[@VERSION]`` with the data that version was made on.

    ``--communities``, ``--sites`` and ``--travel-matrix`` given on the command line replace the data.
    """
    from coverage.scenario import load_scenario
    from coverage.store.url import parse_reference

    stored = parse_reference(reference)
    if stored is None:
        return Plan(load_scenario(reference), load_dataset(args), Path(reference).name)
    from coverage.store.data import open_version

    store = store or open_store(args)
    given = load_dataset(args, matrix=False) if args.communities or args.sites else None
    plan = open_version(store, stored[0], stored[1], data=given, matrix_file=getattr(args, "travel_matrix", None))
    return Plan(plan.scenario, plan.data, plan.label, (plan.version.scenario_id, plan.version.version))


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
