"""The import-linter contracts: only companion.ui imports Qt, the UI sits above the engine, and the language
layer (companion.text) imports nothing above it."""

import subprocess
import sys
from pathlib import Path

from conftest import REPO


def test_import_contracts_hold() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([lint_imports, "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout
