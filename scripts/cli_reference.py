"""Write docs/cli.md, the command-line reference, from the argparse parser itself.

    .venv/bin/python scripts/cli_reference.py           # rewrite docs/cli.md
    .venv/bin/python scripts/cli_reference.py --check   # exit 1 when docs/cli.md is not what the parser says

Every sub-command, nested ones included, gets a section with its usage and help, exactly as ``companion ... -h``
prints it (at a fixed width, so that the file does not depend on the terminal).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

from companion.cli import build_parser

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "cli.md"
WIDTH = 100

HEADER = """# Command-line reference

Generated from the parser by `scripts/cli_reference.py`; do not edit by hand (`tests/test_docs.py` fails when
this file is stale). The [user guide](user-guide.md) explains what the commands are for.
"""


def parsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    """``parser`` and every sub-command parser below it, depth first, in the order they were added."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in dict.fromkeys(action.choices.values()):  # aliases map to the same parser once
                yield from parsers(sub)


def help_text(parser: argparse.ArgumentParser) -> str:
    """What ``-h`` prints for ``parser``, at :data:`WIDTH` columns."""
    parser.formatter_class = lambda prog: argparse.HelpFormatter(prog, width=WIDTH)
    return parser.format_help().rstrip()


def render(parser: argparse.ArgumentParser) -> str:
    """The whole reference as Markdown: one section per command."""
    sections = [HEADER]
    for each in parsers(parser):
        sections.append(f"## `{each.prog}`\n\n```text\n{help_text(each)}\n```\n")
    return "\n".join(sections)


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    options.add_argument("--check", action="store_true", help="only compare; exit 1 when docs/cli.md is stale")
    check = options.parse_args().check
    text = render(build_parser())
    if check:
        current = REFERENCE.read_text(encoding="utf-8") if REFERENCE.is_file() else ""
        if current != text:
            print(f"{REFERENCE.name} is stale: run scripts/cli_reference.py", file=sys.stderr)
            return 1
        return 0
    REFERENCE.write_text(text, encoding="utf-8")
    print(f"wrote {REFERENCE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
