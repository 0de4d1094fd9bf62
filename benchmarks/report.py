"""Benchmarks write their own section of ``docs/benchmarks.md``.

Each benchmark ends in ``sys.exit(report.run(main))``. Run with ``--write-docs``, it also replaces its section
of the document (between ``<!-- benchmark:NAME -->`` and ``<!-- /benchmark:NAME -->``, NAME being the script's
file name) with the date, the machine, the command and what the benchmark printed; every other section stays
as it is. A section not in the document yet is added at its end.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import io
import os
import platform
import re
import shlex
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "benchmarks.md"
OPTION = "--write-docs"


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy."""

    def __init__(self, terminal: TextIO) -> None:
        self.terminal = terminal
        self.copy = io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.terminal.write(text)

    def flush(self) -> None:
        self.terminal.flush()


def run(main: Callable[[], int]) -> int:
    """Run a benchmark's ``main``; with :data:`OPTION` on the command line (taken off it before ``main`` parses
    its own options), write what it printed into its section of :data:`DOCS`. Returns ``main``'s exit status."""
    if OPTION not in sys.argv[1:]:
        return main()
    sys.argv = [arg for arg in sys.argv if arg != OPTION]
    name = Path(inspect.getfile(main)).stem
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):
        status = main()
    module = sys.modules[main.__module__]
    summary = (module.__doc__ or name).strip().splitlines()[0]
    command = shlex.join(["python", f"benchmarks/{name}.py", *sys.argv[1:]])
    write_section(DOCS, name, render(name, summary, command, status, tee.copy.getvalue()))
    print(f"{DOCS.relative_to(REPO)}: section {name} written")
    return status


def render(name: str, summary: str, command: str, status: int, output: str) -> str:
    """A benchmark's section: what it measures, when and where it ran, and its output."""
    verdict = "targets met" if status == 0 else f"exit status {status}: a target missed or data missing"
    return (f"### {name}\n\n{summary}\n\n"
            f"{dt.date.today().isoformat()} on {machine()}: `{command}` ({verdict})\n\n"
            f"```text\n{output.strip()}\n```\n")


def machine() -> str:
    """The CPU model and how many cores this process may use."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        found = re.search(r"^model name\s*:\s*(.+)$", Path("/proc/cpuinfo").read_text(), re.MULTILINE)
        model = found.group(1).strip() if found else model
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model}, {cores} cores"


def write_section(document: Path, name: str, body: str) -> None:
    """Replace the section ``name`` of ``document`` with ``body`` (append it when there is none), atomically."""
    start, end = f"<!-- benchmark:{name} -->", f"<!-- /benchmark:{name} -->"
    text = document.read_text(encoding="utf-8")
    section = f"{start}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    text, found = pattern.subn(lambda _: section, text, count=1)
    if not found:
        text = f"{text.rstrip()}\n\n{section}\n"
    partial = document.with_name(document.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(document)
