"""``companion`` and ``python -m companion``: the command line (the desktop app comes with the UI issue)."""

from __future__ import annotations

import sys

from companion.cli import main

if __name__ == "__main__":
    sys.exit(main())
