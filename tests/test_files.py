"""Files are written whole or not at all: the helper, and the real CLI's exports on a full disk."""

from __future__ import annotations

import os
import resource
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from companion.files import atomic_path, write_atomic

FULL_AT_BYTES = 150
"""The file size limit of the "full disk" runs: smaller than any export below."""


def test_write_atomic_replaces_the_file_and_keeps_its_permissions(tmp_path: Path) -> None:
    target = tmp_path / "minutes.md"
    target.write_text("old minutes\n")
    target.chmod(0o640)
    write_atomic(target, "new minutes, ünïcode\r\n")
    assert target.read_bytes() == "new minutes, ünïcode\r\n".encode()
    assert target.stat().st_mode & 0o777 == 0o640
    write_atomic(tmp_path / "new.docx", b"\x00\x01")
    assert sorted(os.listdir(tmp_path)) == ["minutes.md", "new.docx"]
    assert (tmp_path / "new.docx").read_bytes() == b"\x00\x01"


def test_an_error_mid_write_leaves_the_earlier_file_and_no_temporary_one(tmp_path: Path) -> None:
    target = tmp_path / "graph.graphml"
    target.write_bytes(b"earlier export")
    with pytest.raises(RuntimeError, match="disk gone"), atomic_path(target) as temporary:
        # A library saving to a path: same folder, same suffix (some pick the format by it).
        assert temporary.parent == tmp_path and temporary.suffix == ".graphml"
        temporary.write_bytes(b"half a gra")
        raise RuntimeError("disk gone")
    assert target.read_bytes() == b"earlier export"
    assert os.listdir(tmp_path) == ["graph.graphml"]


def test_a_symbolic_link_keeps_pointing_at_the_file_it_names(tmp_path: Path) -> None:
    real = tmp_path / "exports" / "agenda.ics"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "agenda.ics"
    link.symlink_to(real)
    write_atomic(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def companion(data: Path, *args: str, env: dict[str, str], full: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the real CLI; ``full``: as on a full disk (every write past FULL_AT_BYTES fails with EFBIG)."""

    def fill_the_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write raises OSError(EFBIG) instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (FULL_AT_BYTES, FULL_AT_BYTES))

    return subprocess.run([sys.executable, "-m", "companion", "--data-dir", str(data), "--summary-model", "none",
                           *args], capture_output=True, text=True, timeout=120, env=env,
                          preexec_fn=fill_the_disk if full else None)


def private_env(root: Path) -> dict[str, str]:
    """Config, cache and logs under ``root``: a test writes nothing of the user's."""
    return {**os.environ, "HOME": str(root / "home"), "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_CACHE_HOME": str(root / "cache"), "XDG_STATE_HOME": str(root / "state")}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data folder holding one meeting (id 1, team Atlas) processed from a transcript by the real CLI."""
    root = tmp_path_factory.mktemp("stored")
    transcript = root / "sync.txt"
    transcript.write_text("Anna: Good morning, everyone.\nBen: I'll fix the login crash by Friday.\n"
                          "Anna: We decided to ship the beta on Monday.\nCarla: Who owns the release notes?\n")
    result = companion(root / "data", "process", str(transcript), "--team", "Atlas", "--date", "2026-03-02",
                       env=private_env(root))
    assert result.returncode == 0 and result.stdout.strip() == "1", result.stderr
    return root / "data"


@pytest.mark.parametrize("export", [
    ["minutes", "1", "--format", "docx"],
    ["minutes", "1", "--format", "md"],
    ["minutes", "1", "--format", "pdf"],
    ["transcript", "1", "--format", "vtt"],
    ["agenda", "--team", "Atlas", "--format", "ics"],
], ids=lambda export: f"{export[0]}-{export[-1]}")
def test_exporting_on_a_full_disk_leaves_the_earlier_export_as_it_was(stored: Path, tmp_path: Path,
                                                                      export: list[str]) -> None:
    output = tmp_path / "exports" / f"earlier.{export[-1]}"
    output.parent.mkdir()
    env = private_env(tmp_path)
    earlier = companion(stored, *export, "-o", str(output), env=env)
    assert earlier.returncode == 0, earlier.stderr
    before = output.read_bytes()
    assert len(before) > FULL_AT_BYTES  # the export cannot fit: the "disk" fills up while writing it

    # SQLite grows the store's -shm file to 32 KiB when it is the first to open the store: holding a
    # connection here keeps that file as it is, and a log folder under a file means no log file, so that
    # the limit falls on the export alone.
    (tmp_path / "no-logs").touch()
    env["XDG_STATE_HOME"] = str(tmp_path / "no-logs" / "state")
    with closing(sqlite3.connect(stored / "companion.db")) as holder:
        holder.execute("SELECT count(*) FROM meetings").fetchall()
        full = companion(stored, *export, "-o", str(output), env=env, full=True)

    assert full.returncode == 1, full.stderr
    [line] = full.stderr.splitlines()
    assert line.startswith("companion: error: ") and str(output) in line and "File too large" in line
    assert output.read_bytes() == before
    assert os.listdir(output.parent) == [output.name]  # no partial or temporary file left behind
