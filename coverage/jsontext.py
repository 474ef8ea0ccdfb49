"""Reading JSON a planner gives (scenarios, GeoJSON, sweep files, share links) with limits.

``json.loads`` alone turns hostile text into exceptions no message names:
``"[" * 100000`` is a RecursionError, a 5,000-digit integer a ValueError from
Python's integer-conversion limit, a 400-digit one an OverflowError later in
arithmetic, ``1e999`` silently becomes infinity and ``NaN`` is accepted although JSON
has no such value.  :func:`read_json` refuses each with an
:class:`~coverage.errors.InputError` naming the file and line: nesting deeper than
``COVERAGE_MAX_JSON_DEPTH`` levels, numbers of more than ``COVERAGE_MAX_JSON_DIGITS``
digits, numbers too large for a float, and the non-JSON constants.
"""

from __future__ import annotations

import json
from typing import Any

from coverage.errors import InputError, Problem
from coverage.limits import LIMITS, limit


class _BadNumber(ValueError):
    """A number in the text that is refused (raised from the decoder's hooks, which know no position)."""

    def __init__(self, text: str, message: str):
        super().__init__(message)
        self.text, self.message = text, message


def decode_text(data: bytes | str, label: str) -> str:
    """UTF-8 text (a byte-order mark is dropped), or InputError naming the byte and line that is not."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(Problem(f"is not UTF-8 text (byte 0x{data[error.start]:02x} on line {line}); save it as "
                                 "UTF-8 and try again", file=label, row=line)) from None


def _digits(text: str) -> int:
    mantissa = text.lower().split("e")[0]
    return sum(character.isdigit() for character in mantissa)


def read_json(data: bytes | str, label: str) -> Any:
    """The document in JSON text, or InputError (file, line) for text that is not sane JSON (see module notes)."""
    text = decode_text(data, label)
    most_digits = limit("json_number_digits")

    def parse_int(token: str) -> int:
        if len(token) - token.startswith("-") > most_digits:
            raise _BadNumber(token, f"has a number of {len(token.lstrip('-')):,} digits; the limit is "
                                    f"{most_digits} digits ({LIMITS['json_number_digits'].reason}); "
                                    f"{LIMITS['json_number_digits'].how_to_raise()}")
        return int(token)

    def parse_float(token: str) -> float:
        if _digits(token) > most_digits:
            raise _BadNumber(token, f"has a number of {_digits(token):,} digits; the limit is {most_digits} digits "
                                    f"({LIMITS['json_number_digits'].reason}); "
                                    f"{LIMITS['json_number_digits'].how_to_raise()}")
        value = float(token)
        if value in (float("inf"), float("-inf")):
            raise _BadNumber(token, f"has the number {token[:40]}, too large for any setting")
        return value

    def parse_constant(token: str) -> float:
        raise _BadNumber(token, f"has {token}, which is not a JSON number (write a number, or null)")

    try:
        document = json.loads(text, parse_int=parse_int, parse_float=parse_float, parse_constant=parse_constant)
    except json.JSONDecodeError as error:
        raise InputError(Problem(f"is not valid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
                                 file=label, row=error.lineno)) from None
    except RecursionError:
        raise InputError(Problem(f"nests arrays or objects more than {limit('json_depth')} levels deep "
                                 f"({LIMITS['json_depth'].reason}); {LIMITS['json_depth'].how_to_raise()}",
                                 file=label)) from None
    except _BadNumber as error:
        where = text.find(error.text)
        line = text.count("\n", 0, where) + 1 if where >= 0 else None
        raise InputError(Problem(error.message, file=label, row=line)) from None
    check_depth(document, label)
    return document


def check_depth(document: Any, label: str | None) -> None:
    """InputError when a decoded document nests deeper than the limit (walked without recursion)."""
    most = limit("json_depth")
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > most:
            raise InputError(Problem(f"nests arrays or objects more than {most} levels deep "
                                     f"({LIMITS['json_depth'].reason}); {LIMITS['json_depth'].how_to_raise()}",
                                     file=label))
        pending.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
