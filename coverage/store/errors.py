"""The store's errors: each an :class:`~coverage.errors.InputError`, so the command line exits with 2."""

from __future__ import annotations

from coverage.errors import InputError, Problem


class StoreError(InputError):
    """A store operation that cannot be done (no such scenario, a read-only store...)."""

    def __init__(self, message: str, column: str | None = None):
        super().__init__(Problem(message, column=column))


class StoreUnavailable(StoreError):
    """The store cannot be opened or reached; the message says why."""


class Conflict(StoreError):
    """Kept for callers that want to treat a save that raced another as an error (the store never does)."""
