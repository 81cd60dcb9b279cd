"""One problem found in a submission, located for the person who must fix it.

``check`` lists every problem of a file rather than stopping at the first, so a
unit fixes its workbook in one round; each problem prints as one Vietnamese line.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dxreport.domain.errors import DataError


@dataclass(frozen=True)
class Problem:
    file: str
    message: str
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    hint: str | None = None

    def line(self) -> str:
        return str(self.as_error())

    def as_error(self) -> DataError:
        message = self.message if self.message.endswith(".") or not self.hint else self.message + "."
        return DataError(self.file, message, sheet=self.sheet, row=self.row, column=self.column, hint=self.hint)


def problem(path: str | Path, message: str, **where) -> Problem:
    return Problem(str(path), message, **where)


class Rejected(DataError):
    """A submission with problems; ``str()`` lists every problem, one line each."""

    def __init__(self, problems: list[Problem]):
        first = problems[0]
        super().__init__(first.file, first.message, sheet=first.sheet, row=first.row, column=first.column, hint=first.hint)
        self.problems = problems
        self.args = ("\n".join(p.line() for p in problems),)

    def __str__(self) -> str:
        return self.args[0]
