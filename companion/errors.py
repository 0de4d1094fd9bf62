"""The few exception types every front end knows how to show."""

from __future__ import annotations

from pathlib import Path


class CompanionError(Exception):
    """A problem the user can act on; its message is shown as is, without a traceback."""


class InputError(CompanionError):
    """An input file that cannot be used: the message names the file and the problem."""

    def __init__(self, path: str | Path, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = Path(path)
        self.problem = problem


class NotFoundError(CompanionError):
    """A meeting, team or model that does not exist."""


class Cancelled(CompanionError):
    """Raised when the user cancelled a long-running job."""

    def __init__(self) -> None:
        super().__init__("cancelled")
