"""Logging to the platform log folder, shared by every front end."""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

import platformdirs

from companion.runtime import APP_NAME


class _Brief(logging.Formatter):
    """One line per record on the terminal: tracebacks go to the log file only."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname} {record.name}: {record.getMessage()}"


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever ``sys.stderr`` is when a record arrives, not the one it was made with: a caller
    (a test harness, an embedding app) may replace and close that stream later."""

    @property  # type: ignore[override]
    def stream(self) -> object:
        return sys.stderr

    @stream.setter
    def stream(self, _stream: object) -> None:
        pass


_installed: list[logging.Handler] = []
"""The handlers the last :func:`setup_logging` added: a second call replaces them, it does not add more."""


def setup_logging(verbose: bool = False) -> Path:
    """Log to ``<user log dir>/companion.log`` (rotating) and warnings to stderr; return the file."""
    log_dir = Path(platformdirs.user_log_dir(APP_NAME))
    log_file = log_dir / "companion.log"
    root = logging.getLogger()
    while _installed:
        old = _installed.pop()
        root.removeHandler(old)
        old.close()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    console = _Stderr()
    console.setLevel(logging.DEBUG if verbose else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s") if verbose else _Brief())
    root.addHandler(console)
    _installed.append(console)
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=3)
    except OSError:  # a read-only home must not stop the app
        return log_file
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    _installed.append(handler)
    return log_file
