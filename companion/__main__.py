"""``companion`` and ``python -m companion``: the desktop app without a sub-command, else the command line."""

from __future__ import annotations

import sys

from companion.cli import main

if __name__ == "__main__":
    sys.exit(main())
