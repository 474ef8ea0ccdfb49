"""``scenarios save|list|show|history|delete|restore|purge|propose|approve|reject|comment|comments|copy|move``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from coverage.cli.common import EXIT_OK, Parser, open_store, print_json, read_plan, store_option
from coverage.errors import InputError, Problem


def _split(reference: str) -> tuple[str, int | None]:
    """``ID`` or ``ID@VERSION`` (a ``store:`` prefix is accepted too)."""
    text = reference[len("store:"):] if reference.startswith("store:") else reference
    identifier, _, version = text.partition("@")
    if version and not (version.isdigit() and len(version) <= 100):
        raise InputError(Problem(f"{reference[:80]!r}: a version is a whole number, as in ID@3",
                                 column="ID[@VERSION]"))
    return identifier, int(version) if version else None


def _cmd_save(args: argparse.Namespace) -> int:
    from coverage.evaluation import evaluate
    from coverage.scenario import check_name
    from coverage.store.data import keep

    if args.name is not None:
        check_name(args.name, column="--name")  # the validator's rule, before anything is read or stored
    space = _space(args)
    store = open_store(args)
    plan = read_plan(args.file, args, store)
    scenario = plan.scenario.replace(name=args.name) if args.name else plan.scenario
    for kind, path, table in (("communities", args.communities, plan.communities), ("sites", args.sites, plan.sites)):
        if path:
            keep(store, kind, table, Path(path).name, Path(path).read_bytes(), author=args.author, space=space)
    if plan.matrix is not None and getattr(args, "travel_matrix", None):
        from coverage.store.data import keep_matrix

        keep_matrix(store, plan.matrix, Path(args.travel_matrix).read_bytes(), author=args.author, space=space)
    if plan.matrix is not None and scenario.travel.matrix is None:  # the plan now names its matrix
        import dataclasses

        scenario = scenario.replace(travel=dataclasses.replace(scenario.travel, matrix=plan.matrix.fingerprint))
    evaluation = evaluate(scenario, source=plan.source, data=plan.data)
    result = store.save(scenario.to_dict(), figures=evaluation.key_figures(), data=plan.data.ref, scenario_id=args.id,
                        author=args.author, note=args.note or "", space=space)
    if args.json:
        print_json(result.as_dict())
    else:
        print(f"{result.id} version {result.version}: {result.message}")
    return EXIT_OK


def _space(args: argparse.Namespace) -> str | None:
    """``--team T`` as a space (None: the acting person's default)."""
    from coverage.store.access import check_team, team_space

    team = getattr(args, "team", None)
    return None if team is None else team_space(check_team(team, "--team"))


def _cmd_list(args: argparse.Namespace) -> int:
    space = _space(args)
    store = open_store(args)
    scenarios = store.list(deleted=args.deleted, search=args.search, space=space)
    if args.json:
        print_json([info.as_dict() for info in scenarios])
        return EXIT_OK
    if not scenarios:
        print("the bin is empty" if args.deleted else "no scenarios saved yet (python -m coverage scenarios save "
              "FILE.json)")
        return EXIT_OK
    width = max(len("id"), *(len(info.id) for info in scenarios)) + 2
    print(f"{'id':<{width}}{'version':>8}  {'updated (UTC)':<20}{'hubs':>6}{'cost':>12}{'covered people':>16}  name")
    for info in scenarios:
        figures = info.figures
        covered = figures["population"]["same_day"] + figures["population"]["next_day"]
        print(f"{info.id:<{width}}{info.latest_version:>8}  {info.updated_at[:16].replace('T', ' '):<20}"
              f"{figures['hubs']:>6}{'$' + format(figures['cost_usd'] / 1e6, ',.1f') + 'M':>12}{covered:>16,}  "
              f"{info.name}{f' [{info.status}]' if info.status else ''}  ({info.space})")
    return EXIT_OK


def _cmd_show(args: argparse.Namespace) -> int:
    identifier, version = _split(args.reference)
    print_json(open_store(args).get(identifier, version).document)
    return EXIT_OK


def _cmd_history(args: argparse.Namespace) -> int:
    identifier, _ = _split(args.id)
    versions = open_store(args).history(identifier)
    if args.json:
        print_json([v.as_dict() for v in versions])
        return EXIT_OK
    print(f"{'version':>7}  {'saved (UTC)':<20}{'by':<14}{'hubs':>6}{'cost':>12}  name / note")
    for v in versions:
        note = f" ({v.note})" if v.note else ""
        status = f" [{v.status}]" if v.status else ""
        print(f"{v.version:>7}  {v.created_at[:16].replace('T', ' '):<20}{v.author[:13]:<14}{v.figures['hubs']:>6}"
              f"{'$' + format(v.figures['cost_usd'] / 1e6, ',.1f') + 'M':>12}  {v.name}{note}{status}")
    return EXIT_OK


def _cmd_delete(args: argparse.Namespace) -> int:
    identifier, _ = _split(args.id)
    open_store(args).delete(identifier, author=args.author)
    _done(args, identifier, "moved to the bin (python -m coverage scenarios restore ID brings it back)")
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace) -> int:
    identifier, _ = _split(args.id)
    open_store(args).restore(identifier, author=args.author)
    _done(args, identifier, "restored from the bin")
    return EXIT_OK


def _cmd_purge(args: argparse.Namespace) -> int:
    identifier, _ = _split(args.id)
    open_store(args).purge(identifier)
    _done(args, identifier, "deleted from the bin for good (the audit log keeps the record)")
    return EXIT_OK


def _version_of(store, reference: str) -> tuple[str, int]:
    """``ID@V``, or ``ID`` meaning its latest version."""
    identifier, version = _split(reference)
    return identifier, version if version is not None else store.info(identifier).latest_version


def _cmd_propose(args: argparse.Namespace) -> int:
    store = open_store(args)
    identifier, version = _version_of(store, args.reference)
    store.propose(identifier, version, args.note or "")
    _done(args, identifier, f"version {version} proposed for approval")
    return EXIT_OK


def _cmd_review(args: argparse.Namespace) -> int:
    store = open_store(args)
    identifier, version = _version_of(store, args.reference)
    store.review(identifier, version, args.approve, args.comment or "")
    _done(args, identifier, f"version {version} {'approved' if args.approve else 'rejected'}")
    return EXIT_OK


def _cmd_comment(args: argparse.Namespace) -> int:
    store = open_store(args)
    identifier, version = _version_of(store, args.reference)
    store.comment(identifier, version, args.text)
    _done(args, identifier, f"comment added to version {version}")
    return EXIT_OK


def _cmd_comments(args: argparse.Namespace) -> int:
    identifier, version = _split(args.reference)
    thread = open_store(args).comments(identifier, version)
    if args.json:
        print_json([entry.as_dict() for entry in thread])
        return EXIT_OK
    for entry in thread:
        print(f"v{entry.version}  {entry.when[:16].replace('T', ' ')}  {entry.who}  {entry.kind}: {entry.text}")
    return EXIT_OK


def _cmd_copy(args: argparse.Namespace) -> int:
    identifier, version = _split(args.reference)
    space = _space(args)
    result = open_store(args).copy(identifier, version, space)
    if args.json:
        print_json(result.as_dict())
    else:
        print(f"{result.id} version {result.version}: copied from {identifier}")
    return EXIT_OK


def _cmd_move(args: argparse.Namespace) -> int:
    identifier, _ = _split(args.id)
    space = _space(args)
    store = open_store(args)
    store.move(identifier, space if space is not None else store.person.space)
    _done(args, identifier, f"moved to {space or store.person.space}")
    return EXIT_OK


def _done(args: argparse.Namespace, identifier: str, what: str) -> None:
    if args.json:
        print_json({"id": identifier, "ok": True})
    else:
        print(f"{identifier}: {what}", file=sys.stdout)


def add_commands(commands) -> None:
    """Add ``scenarios`` and its sub-commands."""
    scenarios = commands.add_parser(
        "scenarios", help="the scenario store: save, list, show, history, delete, restore, review, comments",
        description="Keep plans in the scenario store (SQLite by default, PostgreSQL for a team). Every save is a "
        "new version; nothing is overwritten; delete moves a scenario to a bin it can be restored from.",
    )
    actions = scenarios.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)

    def common(command: argparse.ArgumentParser, author: bool = False) -> None:
        store_option(command)
        command.add_argument("--json", action="store_true", help="print one JSON document on stdout")
        if author:
            command.add_argument("--author", default="local",
                                 help="who did this, kept with the change (default: %(default)s)")

    save = actions.add_parser("save", help="save a scenario file as a new scenario, or a new version of one",
                              description="Save a scenario (file or store:ID[@V]) with its key figures, evaluated on "
                              "the bundled data or --communities/--sites (which are kept in the store too).")
    save.add_argument("file", metavar="FILE.json")
    save.add_argument("--id", help="save as a new version of this scenario (created with this id if new)")
    save.add_argument("--name", help="the scenario's name (default: the name in the file)")
    save.add_argument("--note", help="a note kept with the version")
    save.add_argument("--communities", metavar="FILE", help="communities file the plan runs on")
    save.add_argument("--sites", metavar="FILE", help="candidate sites file the plan runs on")
    save.add_argument("--travel-matrix", metavar="FILE", help="travel matrix the plan runs on (matrix mode)")
    save.add_argument("--team", metavar="TEAM", help="save a new scenario into this team (default: your private "
                      "space; without --as, the team 'local')")
    common(save, author=True)
    save.set_defaults(handler=_cmd_save)

    listing = actions.add_parser("list", help="the scenarios, most recently saved first, with key figures")
    listing.add_argument("--deleted", action="store_true", help="list the bin instead")
    listing.add_argument("--search", metavar="TEXT", help="only names or ids containing TEXT")
    listing.add_argument("--team", metavar="TEAM", help="only this team's scenarios")
    common(listing)
    listing.set_defaults(handler=_cmd_list)

    show = actions.add_parser("show", help="print a version's scenario document (the latest by default)")
    show.add_argument("reference", metavar="ID[@VERSION]")
    common(show)
    show.set_defaults(handler=_cmd_show)

    history = actions.add_parser("history", help="every version of a scenario")
    history.add_argument("id", metavar="ID")
    common(history)
    history.set_defaults(handler=_cmd_history)

    delete = actions.add_parser("delete", help="move a scenario to the bin")
    delete.add_argument("id", metavar="ID")
    common(delete, author=True)
    delete.set_defaults(handler=_cmd_delete)

    restore = actions.add_parser("restore", help="take a scenario out of the bin")
    restore.add_argument("id", metavar="ID")
    common(restore, author=True)
    restore.set_defaults(handler=_cmd_restore)

    purge = actions.add_parser("purge", help="delete a scenario in the bin for good (owners)")
    purge.add_argument("id", metavar="ID")
    common(purge)
    purge.set_defaults(handler=_cmd_purge)

    propose = actions.add_parser("propose", help="propose a version for approval (editors)")
    propose.add_argument("reference", metavar="ID[@VERSION]")
    propose.add_argument("--note", help="what the reviewer should know")
    common(propose)
    propose.set_defaults(handler=_cmd_propose)

    for verb, approve in (("approve", True), ("reject", False)):
        review = actions.add_parser(verb, help=f"{verb} a proposed version (owners)")
        review.add_argument("reference", metavar="ID[@VERSION]")
        review.add_argument("--comment", help="why")
        common(review)
        review.set_defaults(handler=_cmd_review, approve=approve)

    comment = actions.add_parser("comment", help="comment on a version")
    comment.add_argument("reference", metavar="ID[@VERSION]")
    comment.add_argument("text", metavar="TEXT")
    common(comment)
    comment.set_defaults(handler=_cmd_comment)

    comments = actions.add_parser("comments", help="a scenario's comments and review steps")
    comments.add_argument("reference", metavar="ID[@VERSION]")
    common(comments)
    comments.set_defaults(handler=_cmd_comments)

    copying = actions.add_parser("copy", help="copy a version into your private space (or --team)")
    copying.add_argument("reference", metavar="ID[@VERSION]")
    copying.add_argument("--team", metavar="TEAM", help="copy into this team (editors)")
    common(copying)
    copying.set_defaults(handler=_cmd_copy)

    move = actions.add_parser("move", help="move a scenario to a team (or your private space)")
    move.add_argument("id", metavar="ID")
    move.add_argument("--team", metavar="TEAM", help="the team (default: your private space)")
    common(move)
    move.set_defaults(handler=_cmd_move)
