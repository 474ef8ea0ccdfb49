"""``team add|remove|list`` and ``audit``: teams, roles and the audit log from the command line.

The command line holds the store's credentials, so without ``--as`` it acts as the
administrator (the operating-system user), who may change any team; with ``--as EMAIL`` it
acts with that person's rights (an owner of the team may change its members).
"""

from __future__ import annotations

import argparse

from coverage.cli.common import EXIT_OK, Parser, open_store, print_json, store_option


def _cmd_add(args: argparse.Namespace) -> int:
    from coverage.store.access import check_email, check_role, check_team

    team, email = check_team(args.team, "TEAM"), check_email(args.email, "EMAIL")
    role = check_role(args.role, "--role")
    changed = open_store(args).add_member(team, email, role, name=args.name or "")
    if args.json:
        print_json({"team": team, "email": email, "role": role, "changed": changed})
    else:
        print(f"{email} is {'now' if changed else 'already'} {'an' if role == 'owner' else 'a'} {role} of team {team}")
    return EXIT_OK


def _cmd_remove(args: argparse.Namespace) -> int:
    from coverage.store.access import check_email, check_team

    team, email = check_team(args.team, "TEAM"), check_email(args.email, "EMAIL")
    open_store(args).remove_member(team, email)
    if args.json:
        print_json({"team": team, "email": email, "removed": True})
    else:
        print(f"{email} is no longer a member of team {team}")
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    store = open_store(args)
    teams = [{**team.as_dict(), "members": [member.as_dict() for member in store.members(team.name)]}
             for team in store.teams()]
    if args.json:
        print_json(teams)
        return EXIT_OK
    if not teams:
        print("no teams yet (python -m coverage team add TEAM EMAIL --role owner)")
    for team in teams:
        print(f"{team['team']} ({len(team['members'])} members; you: {team['role']})")
        for member in team["members"]:
            print(f"  {member['role']:<7} {member['email']}{'  ' + member['name'] if member['name'] else ''}")
    return EXIT_OK


def _cmd_audit(args: argparse.Namespace) -> int:
    from coverage.bounds import shown
    from coverage.errors import InputError, Problem
    from coverage.store.access import check_team

    if not 1 <= args.limit <= 1_000_000:
        raise InputError(Problem(f"{shown(args.limit)} must be from 1 to 1,000,000", column="--limit"))
    team = check_team(args.team, "--team") if args.team is not None else None
    entries = open_store(args).audit(team, args.limit, scenario=args.scenario)
    if args.json:
        print_json([entry.as_dict() for entry in entries])
        return EXIT_OK
    if not entries:
        print("the audit log has nothing you may read here")
    for entry in entries:
        target = entry.target or "-"
        detail = f"  {entry.detail}" if entry.detail else ""
        print(f"{entry.when[:19].replace('T', ' ')}  {entry.who:<28} {entry.action:<13} {target}  "
              f"[{entry.space}]{detail}")
    return EXIT_OK


def add_commands(commands) -> None:
    """Add ``team`` (add, remove, list) and ``audit``."""
    team = commands.add_parser(
        "team", help="teams and their members' roles (viewer, editor, owner)",
        description="Teams in the scenario store. viewer: open, compare, report, copy into their own space; editor: "
        "save versions, rename, bin and restore; owner: members and roles, approve, delete from the bin. Without "
        "--as the command acts as the administrator (it holds the store's credentials).")
    actions = team.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=Parser)

    def common(command: argparse.ArgumentParser) -> None:
        store_option(command)
        command.add_argument("--json", action="store_true", help="print one JSON document on stdout")

    add = actions.add_parser("add", help="add a member or change their role (creates the team when new)")
    add.add_argument("team", metavar="TEAM")
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--role", required=True, metavar="viewer|editor|owner", help="the member's role")
    add.add_argument("--name", help="the member's display name")
    common(add)
    add.set_defaults(handler=_cmd_add)

    remove = actions.add_parser("remove", help="take a member out of a team")
    remove.add_argument("team", metavar="TEAM")
    remove.add_argument("email", metavar="EMAIL")
    common(remove)
    remove.set_defaults(handler=_cmd_remove)

    listing = actions.add_parser("list", help="teams with their members and roles")
    common(listing)
    listing.set_defaults(handler=_cmd_list)

    audit = commands.add_parser(
        "audit", help="the append-only audit log (newest first)",
        description="Who did what and when: saves, renames, bin and restore, deletes, review steps, comments, share "
        "links, membership changes, uploads, sign-ins. Owners read their teams' log (with --as); the administrator "
        "all of it.")
    audit.add_argument("--team", metavar="TEAM", help="only this team's log")
    audit.add_argument("--scenario", metavar="ID", help="only this scenario's entries")
    audit.add_argument("--limit", type=int, default=1000, metavar="N", help="at most N entries (default %(default)s)")
    common(audit)
    audit.set_defaults(handler=_cmd_audit)
