"""`companion doctor` and `companion backup` on real data folders, healthy and damaged."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from companion.kg.store import Store

PAGE = 4096


def companion(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "companion", "--data-dir", str(data), *args],
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A data folder with two imported meetings, its store closed (and so checkpointed) afterwards."""
    folder = tmp_path / "data"
    for day, line in (("02", "I'll fix the crash by Friday."), ("09", "We decided to ship on Monday.")):
        transcript = tmp_path / f"sync-{day}.txt"
        transcript.write_text(f"Anna: Good morning.\nBen: {line}\n")
        result = companion(folder, "process", str(transcript), "--team", "Atlas", "--date", f"2026-03-{day}")
        assert result.returncode == 0, result.stderr
    return folder


def damage(store: Path, share: float) -> None:
    """Overwrite the last ``share`` of the file's pages with noise, as a failing disk might (never the header)."""
    with store.open("r+b") as file:
        size = file.seek(0, os.SEEK_END)
        first = max(PAGE, int(size * (1 - share)) // PAGE * PAGE)
        for offset in range(first, size, PAGE):
            file.seek(offset)
            file.write(bytes([0x5A]) * PAGE)


def test_a_healthy_folder_passes_every_check(data: Path) -> None:
    result = companion(data, "doctor")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PROBLEM" not in result.stdout
    assert "meeting store: " in result.stdout and "integrity check" in result.stdout


@pytest.mark.parametrize("share", [1.0, 0.5], ids=["every page", "half the pages"])
def test_a_damaged_store_names_the_file_and_the_way_out_and_a_backup_restores_it(data: Path, tmp_path: Path,
                                                                                 share: float) -> None:
    backup = tmp_path / "backup.db"
    made = companion(data, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    damage(data / "companion.db", share)

    doctor = companion(data, "doctor")
    assert doctor.returncode == 1
    assert f"PROBLEM  meeting store: {data / 'companion.db'}" in doctor.stdout
    assert "restore a backup" in doctor.stdout
    for command in (["minutes", "1"], ["transcript", "1"], ["meetings", "--team", "Atlas"]):
        failed = companion(data, *command)
        assert failed.returncode == 1, (command, failed.stderr)
        assert failed.stderr.startswith("companion: error: ") and str(data / "companion.db") in failed.stderr
        assert "companion doctor" in failed.stderr and len(failed.stderr.strip().splitlines()) == 1

    shutil.copyfile(backup, data / "companion.db")
    assert companion(data, "doctor").returncode == 0
    restored = companion(data, "minutes", "2")
    assert restored.returncode == 0 and "ship on Monday" in restored.stdout


def test_a_backup_is_consistent_and_replaces_an_earlier_one_safely(data: Path, tmp_path: Path) -> None:
    backup = tmp_path / "backup.db"
    backup.write_bytes(b"an earlier backup")
    store = Store(data / "companion.db")
    with store.db.atomic():  # a write in flight is not in the copy
        store.db.execute("INSERT INTO teams (name, created_at) VALUES ('in flight', '2026-03-10')")
        store.backup(backup)
    store.close()
    copy = sqlite3.connect(backup)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [r[0] for r in copy.execute("SELECT title FROM meetings ORDER BY id")] == ["sync-02", "sync-09"]
    assert copy.execute("SELECT count(*) FROM teams WHERE name = 'in flight'").fetchone()[0] == 0
    copy.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["backup.db", "data", "sync-02.txt", "sync-09.txt"]


def test_a_backup_that_cannot_be_written_leaves_the_earlier_one(data: Path, tmp_path: Path) -> None:
    result = companion(data, "backup", str(tmp_path / "no such folder" / "backup.db"))
    assert result.returncode == 1
    assert result.stderr.startswith("companion: error: ") and "cannot write the backup" in result.stderr


def test_unfinished_recordings_and_an_unwritable_folder_are_problems(data: Path, tmp_path: Path) -> None:
    recordings = data / "recordings"
    recordings.mkdir()
    (recordings / "20260302-100000-000000.recording.wav").write_bytes(b"RIFF")
    result = companion(data, "doctor")
    assert result.returncode == 1
    assert "PROBLEM  recordings: 1 recording(s)" in result.stdout and "companion recover" in result.stdout
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    result = companion(not_a_folder, "doctor")
    assert result.returncode == 1 and "PROBLEM  data folder" in result.stdout
