"""Errors a user can cause, each naming the file, the line or field, and what was expected."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class StudioError(Exception):
    """Base class of every error LGAD Studio reports to a user (CLI exit code 2, GUI message box)."""


class LabelFormatError(StudioError, ValueError):
    """A label, list or prediction file that does not parse.

    ``str()`` reads ``path:line: message`` (``path: message`` without a line), the
    form editors and terminals turn into links.
    """

    def __init__(self, path: str | Path, message: str, *, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else f"{self.path}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Problem:
    """One thing a lenient reader skipped: where, and why."""

    path: Path
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else f"{self.path}"
        return f"{where}: {self.message}"

    @classmethod
    def from_error(cls, err: LabelFormatError) -> Problem:
        return cls(err.path, err.line, err.message)


def raise_or_record(err: LabelFormatError, *, strict: bool, problems: list[Problem] | None) -> None:
    """The one rule of strict and lenient reading: raise ``err``, or record it and go on."""
    if strict:
        raise err
    if problems is not None:
        problems.append(Problem.from_error(err))
