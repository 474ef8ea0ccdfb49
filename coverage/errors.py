"""Problems with what a user gave us, reported as ``file:row:column: message``.

Bad input is normal input: loaders and the scenario parser collect every problem
they find into one :class:`InputError` instead of stopping at the first, so a
planner can fix a file in one pass.  Faces (app, CLI) show ``str(problem)``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where: ``row`` is 1-based as a spreadsheet shows it."""

    message: str
    file: str | None = None
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        place = ":".join(str(part) for part in (self.file, self.row, self.column) if part not in (None, ""))
        return f"{place}: {self.message}" if place else self.message

    def as_dict(self) -> dict:
        """The ``{row, column, message}`` form used by ``validate --json`` (plus ``file``)."""
        return {"file": self.file, "row": self.row, "column": self.column, "message": self.message}


class InputError(ValueError):
    """One or more problems with user input; nothing was changed."""

    def __init__(self, problems: list[Problem] | Problem | str):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
