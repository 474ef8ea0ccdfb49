"""Share links: a whole scenario in a URL, or the address of a stored version.

``?scenario=<text>`` carries the contract's scenario JSON, compacted (JSON without
spaces, raw deflate, base64url without padding), so the link works on any server
running the planner.  Opening one decodes it with limits (link length, inflated size:
a small link cannot inflate into gigabytes) and parses it with the same validator as
an uploaded scenario file, so a damaged or hostile link gets the same clear messages,
never a traceback, and nothing is ever evaluated or unpickled.

``?id=ID&v=VERSION`` opens a stored version for anyone using the same store.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from urllib.parse import quote, urlencode

from coverage.errors import InputError, Problem
from coverage.jsontext import read_json
from coverage.limits import LIMITS, limit
from coverage.scenario import Scenario, parse_scenario

#: Longest ``scenario=`` value accepted by default (characters; ``coverage/limits.py``, ``link_chars``).
MAX_LINK_CHARS = LIMITS["link_chars"].value
#: Largest JSON a link may inflate to by default (bytes; ``link_json_bytes``).
MAX_JSON_BYTES = LIMITS["link_json_bytes"].value
DEFAULT_BASE = "http://localhost:8501/"


def encode(scenario: Scenario) -> str:
    """The ``scenario=`` value for a scenario."""
    text = json.dumps(scenario.to_dict(), separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packed = packer.compress(text) + packer.flush()
    return base64.urlsafe_b64encode(packed).decode("ascii").rstrip("=")


def decode(value: str, source: str = "share link") -> Scenario:
    """The scenario in a ``scenario=`` value; InputError naming what is wrong with the link."""
    if not isinstance(value, str) or not value.strip():
        raise InputError(Problem("is empty: the link was cut off before its scenario", file=source))
    value = value.strip()
    if len(value) > limit("link_chars"):
        spec = LIMITS["link_chars"]
        raise InputError(Problem(f"is {len(value):,} characters long; a share link holds at most "
                                 f"{limit('link_chars'):,} ({spec.reason}); {spec.how_to_raise()}", file=source))
    try:
        packed = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise InputError(Problem("is not a share link: its scenario is not base64url text (was it cut off or "
                                 "changed?)", file=source)) from None
    most = limit("link_json_bytes")
    unpacker = zlib.decompressobj(-15)
    try:
        text = unpacker.decompress(packed, most)
    except zlib.error:
        raise InputError(Problem("is damaged or cut off: its scenario does not unpack (copy the whole link)",
                                 file=source)) from None
    if unpacker.unconsumed_tail:
        raise InputError(Problem(f"unpacks to more than {most:,} bytes; that is not a scenario "
                                 f"({LIMITS['link_json_bytes'].how_to_raise()})", file=source))
    if not unpacker.eof:
        raise InputError(Problem("is damaged or cut off: its scenario does not unpack (copy the whole link)",
                                 file=source))
    try:
        document = read_json(text, source)
    except InputError as error:
        raise InputError([Problem(f"does not hold a scenario document: {p.message}", file=source)
                          for p in error.problems]) from None
    return parse_scenario(document, source=source)


def scenario_link(scenario: Scenario, base: str = DEFAULT_BASE) -> str:
    """A stand-alone link that carries the whole scenario."""
    return f"{base}{'&' if '?' in base else '?'}scenario={encode(scenario)}"


def stored_link(scenario_id: str, version: int, base: str = DEFAULT_BASE) -> str:
    """A link to a stored version (for people using the same store)."""
    query = urlencode({"id": scenario_id, "v": version}, quote_via=quote)
    return f"{base}{'&' if '?' in base else '?'}{query}"
