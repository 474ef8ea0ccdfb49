"""Who is acting on the store, and what each role may do: the one place permissions are decided.

Every call on a :class:`~coverage.store.ScenarioStore` acts as a :class:`Person`
(``store.acting(person)``; a store opened without it acts as :meth:`Person.local`, the
administrator).  The store asks this module, never the pages.

Spaces
------
Every scenario, kept data set and sweep belongs to one *space*:

* ``user:<email>``: a planner's private space; only they (and the administrator) see it,
  and they hold every right in it.
* ``team:<name>``: a team's space; its members see it, with their role's rights.

Roles, each allowed what the one before is allowed:

=========  ==========================================================================
viewer     open, compare, report, comment, copy into their own space
editor     save versions, rename, bin and restore, propose a version for approval
owner      members and roles, approve or reject a proposed version, delete from the bin
=========  ==========================================================================

A store that existed before teams keeps its plans in ``team:local`` (:data:`LOCAL_TEAM`),
which the administrator sees; ``team add local EMAIL --role ...`` shares them.

Anything a person may not see is :class:`NoAccess`, whose message is the same whether it
exists or not.
"""

from __future__ import annotations

import getpass
import unicodedata
from dataclasses import dataclass

from coverage.store.errors import StoreError

ROLES = ("viewer", "editor", "owner")
#: The team that holds what a store kept before it had teams, and what the administrator saves by default.
LOCAL_TEAM = "local"
EMAIL_CHARS = 254        # RFC 5321's limit for an address
TEAM_CHARS = 64
TEXT_CHARS = 5_000       # a note or a comment
NO_ACCESS = "not found or no access"


class AccessError(StoreError):
    """Bad names (an email, a team, a role) and the base of the permission errors (the command line exits with 2)."""


class NoAccess(AccessError):
    """Not there, or not the acting person's to see: the same words either way."""

    def __init__(self, identifier: str, column: str = "id"):
        super().__init__(f"{NO_ACCESS}: {identifier}", column=column)


class NotAllowed(AccessError):
    """The person sees it, but their role does not allow this; the message names the role needed."""


def _text(value: object, field: str, limit: int, *, spaces: bool = True) -> str:
    """Text a person typed, checked: not empty, at most ``limit`` characters, no control characters."""
    if not isinstance(value, str):
        raise AccessError(f"the {field} must be text", column=field)
    text = value.strip()
    if not text:
        raise AccessError(f"the {field} is empty", column=field)
    if len(text) > limit:
        raise AccessError(f"the {field} is {len(text):,} characters long; at most {limit} are allowed", column=field)
    for character in text:
        category = unicodedata.category(character)
        if category in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") or (not spaces and category == "Zs"):
            what = "a space" if category == "Zs" else f"the control character U+{ord(character):04X}"
            raise AccessError(f"the {field} contains {what}", column=field)
    return text


def check_email(value: object, field: str = "email") -> str:
    """A person's identity (their ``email`` claim, else ``sub``), lower-cased; AccessError naming ``field``."""
    return _text(value, field, EMAIL_CHARS, spaces=False).lower()


def check_team(value: object, field: str = "team") -> str:
    """A team's name: text, 1 to 64 characters, no control characters."""
    return _text(value, field, TEAM_CHARS)


def check_role(value: object, field: str = "role") -> str:
    if value not in ROLES:
        raise AccessError(f"the {field} must be one of {', '.join(ROLES)} (got {str(value)[:40]!r})", column=field)
    return str(value)


def check_note(value: object, field: str = "note", *, empty: bool = True) -> str:
    """A note or comment: text of at most 5,000 characters (newlines and tabs allowed)."""
    if value is None or (empty and isinstance(value, str) and not value.strip()):
        return ""
    if not isinstance(value, str):
        raise AccessError(f"the {field} must be text", column=field)
    text = value.strip()
    if not text:
        raise AccessError(f"the {field} is empty", column=field)
    if len(text) > TEXT_CHARS:
        raise AccessError(f"the {field} is {len(text):,} characters long; at most {TEXT_CHARS:,} are allowed",
                          column=field)
    for character in text:
        if character not in "\n\t" and unicodedata.category(character) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            raise AccessError(f"the {field} contains the control character U+{ord(character):04X}", column=field)
    return text


def team_space(team: str) -> str:
    """``team:<name>``, a team's space."""
    return f"team:{team}"


def private_space(email: str) -> str:
    """``user:<email>``, a person's private space."""
    return f"user:{email}"


def space_team(space: str) -> str | None:
    """The team a space belongs to, or None for a private space."""
    return space[len("team:"):] if space.startswith("team:") else None


def space_label(space: str) -> str:
    """What to call a space on screen: 'Team X' or 'Private (email)'."""
    team = space_team(space)
    return f"Team {team}" if team is not None else f"Private ({space[len('user:'):]})"


def at_least(role: str | None, needed: str) -> bool:
    """Whether ``role`` may do what ``needed`` may."""
    return role is not None and ROLES.index(role) >= ROLES.index(needed)


def _local_user() -> str:
    try:
        return getpass.getuser() or "local"
    except Exception:  # no login name (a container without a passwd entry): still a person
        return "local"


@dataclass(frozen=True)
class Person:
    """Who acts on the store.

    ``email`` is the identity (the OIDC ``email`` claim, else ``sub``), lower-cased and
    checked (:func:`check_email`); ``name`` is for display only (text, never markup).
    ``admin`` (the command line without ``--as``, the single-user app) sees and may do
    everything.
    """

    email: str
    name: str = ""
    admin: bool = False
    groups: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "email", check_email(self.email))
        name = self.name.strip() if isinstance(self.name, str) else ""
        object.__setattr__(self, "name", "".join(c for c in name if unicodedata.category(c)[0] != "C")[:200])
        object.__setattr__(self, "groups", tuple(str(group) for group in self.groups))

    @classmethod
    def local(cls) -> "Person":
        """The operating-system user, as administrator (the command line without ``--as``, local mode)."""
        user = _local_user()
        try:
            return cls(user, name=user, admin=True)
        except AccessError:
            return cls("local", name="local", admin=True)

    @property
    def space(self) -> str:
        """The person's private space, ``user:<email>``."""
        return private_space(self.email)


@dataclass(frozen=True)
class TeamInfo:
    """A team as one person sees it: their role (``owner`` for the administrator) and its size."""

    name: str
    role: str
    members: int

    @property
    def space(self) -> str:
        return team_space(self.name)

    def as_dict(self) -> dict:
        return {"team": self.name, "role": self.role, "members": self.members, "space": self.space}


@dataclass(frozen=True)
class Member:
    email: str
    name: str
    role: str

    def as_dict(self) -> dict:
        return {"email": self.email, "name": self.name, "role": self.role}


@dataclass(frozen=True)
class Comment:
    """One entry in a version's thread: a comment, or a review step (``kind`` proposed, approved, rejected)."""

    who: str
    when: str
    text: str
    version: int
    kind: str = "comment"

    def as_dict(self) -> dict:
        return {"who": self.who, "at": self.when, "text": self.text, "version": self.version, "kind": self.kind}


@dataclass(frozen=True)
class AuditEntry:
    """One line of the append-only audit log."""

    when: str
    who: str
    action: str
    target: str
    detail: str
    space: str
    scenario: str | None = None
    version: int | None = None

    def as_dict(self) -> dict:
        """The ``audit --json`` object (the contract's keys, then target and space)."""
        return {"at": self.when, "who": self.who, "action": self.action, "scenario": self.scenario,
                "version": self.version, "detail": self.detail, "target": self.target, "space": self.space}
