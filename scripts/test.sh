#!/usr/bin/env bash
# Lint, type-check and run the test suite in .venv (set up by scripts/setup.sh).
# Extra arguments go to pytest, e.g. `scripts/test.sh -m "not slow"`.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check companion tests benchmarks
.venv/bin/mypy
exec .venv/bin/python -m pytest "$@"
