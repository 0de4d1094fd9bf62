"""The command line as a user runs it: exit codes, one-line errors, nothing stored changes."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import tone, write_wav

from companion.cli import main
from companion.kg.store import Store
from companion.logs import setup_logging

COMPANION = Path(sys.executable).with_name("companion")


def dump(data_dir: Path) -> list[tuple[object, ...]]:
    store = Store(data_dir / "companion.db")
    rows = [tuple(r) for t in ("teams", "meetings", "segments") for r in store.db.execute(f"SELECT * FROM {t}")]
    store.close()
    return rows


@pytest.fixture
def populated(tmp_path: Path) -> Path:
    """A data folder holding one imported meeting."""
    data = tmp_path / "data"
    transcript = tmp_path / "sync.txt"
    transcript.write_text("Anna: Good morning.\nBen: I'll fix the crash by Friday.\n")
    assert main(["--data-dir", str(data), "--summary-model", "none", "process", str(transcript), "--team", "Atlas",
                 "--date", "2026-03-02"]) == 0
    return data


def test_process_meetings_and_transcript(populated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["--data-dir", str(populated), "meetings", "--team", "Atlas", "--json"]) == 0
    [listed] = json.loads(capsys.readouterr().out)
    assert listed == {"id": 1, "team": "Atlas", "title": "sync", "date": "2026-03-02", "duration_s": 3.2,
                      "participants": ["Anna", "Ben"]}
    assert main(["--data-dir", str(populated), "transcript", "1", "--format", "srt"]) == 0
    assert "00:00:00,800 --> 00:00:03,200\nBen: I'll fix the crash by Friday." in capsys.readouterr().out


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    # Bare ``companion`` starts the desktop app (tests/ui/test_ui_app.py).
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    assert "transcribe" in capsys.readouterr().out


def bad_inputs(tmp_path: Path) -> dict[str, tuple[list[str], str]]:
    (tmp_path / "empty.wav").touch()
    (tmp_path / "text.wav").write_text("not audio\n" * 50)
    good = write_wav(tmp_path / "good.wav", tone(1.0))
    (tmp_path / "truncated.wav").write_bytes(good.read_bytes()[:30])
    (tmp_path / "notes.docx").write_text("x")
    (tmp_path / "broken.vtt").write_text("WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nhello\n")
    write_wav(tmp_path / "zero.wav", np.zeros(0, np.float32))
    write_wav(tmp_path / "silent.wav", np.zeros(16000 * 4, np.float32))
    return {
        "empty file": (["empty.wav"], "the file is empty"),
        "text named .wav": (["text.wav"], "not a readable audio file"),
        "truncated": (["truncated.wav"], "not a readable audio file"),
        "unknown format": (["notes.docx"], "unsupported format '.docx'"),
        "nonexistent": (["nope.mp3"], "no such file"),
        "zero seconds": (["zero.wav"], "no audio (0 seconds)"),
        "silent": (["silent.wav"], "no speech found"),
        "malformed vtt": (["broken.vtt"], "line 3: expected a timing line"),
        "bad date": (["good.wav", "--date", "yesterday"], "invalid date 'yesterday'"),
    }


@pytest.mark.parametrize(
    "case", ["empty file", "text named .wav", "truncated", "unknown format", "nonexistent", "zero seconds",
             "silent", "malformed vtt", "bad date"],
)
def test_bad_input_is_one_clear_line_and_changes_nothing(
    populated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    arguments, problem = bad_inputs(tmp_path)[case]
    arguments[0] = str(tmp_path / arguments[0])
    before = dump(populated)
    capsys.readouterr()
    status = main(["--data-dir", str(populated), "--summary-model", "none", "process", *arguments, "--team", "Atlas"])
    captured = capsys.readouterr()
    assert status == 1
    [line] = captured.err.strip().splitlines()
    assert line.startswith("companion: error: ") and problem in line
    assert "Traceback" not in captured.err and captured.out == ""
    if "date" not in case:
        assert arguments[0] in line
    assert dump(populated) == before


def test_unknown_meeting_and_team_are_clear_errors(populated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(populated), "transcript", "42"]) == 1
    assert main(["--data-dir", str(populated), "meetings", "--team", "Nobody"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "companion: error: no meeting with id 42",
        "companion: error: no team named 'Nobody' (teams: Atlas)",
    ]


@pytest.mark.slow
def test_installed_command_transcribes_and_processes_real_audio(tmp_path: Path, shared_data: Path) -> None:
    jfk = str(shared_data / "speech/jfk.flac")
    env_args = ["--data-dir", str(tmp_path / "data")]
    vtt = subprocess.run([COMPANION, *env_args, "transcribe", jfk, "--format", "vtt"], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert vtt.startswith("WEBVTT") and "ask not what your country can do for you" in vtt
    result = subprocess.run([COMPANION, *env_args, "process", jfk, "--team", "Speeches", "--title", "Inaugural",
                             "--date", "1961-01-20", "--json"], capture_output=True, text=True, timeout=120, check=True)
    stored = json.loads(result.stdout)
    speakers = stored["meeting"]["participants"]
    assert stored["meeting"] == {"id": 1, "team": "Speeches", "title": "Inaugural", "date": "1961-01-20",
                                 "duration_s": 11.0, "participants": speakers}
    assert speakers and all(s.startswith("Speaker ") for s in speakers)  # diarized, nobody named yet
    assert set(stored) >= {"summary", "decisions", "action_items", "open_questions", "topics", "next_meeting"}
    assert "your country" in stored["summary"]
    transcript = subprocess.run([COMPANION, *env_args, "transcript", "1"], capture_output=True, text=True,
                                timeout=60, check=True).stdout
    assert "ask what you can do for your country" in transcript
    listing = subprocess.run([COMPANION, *env_args, "meetings", "--team", "Speeches"], capture_output=True,
                             text=True, timeout=60, check=True).stdout
    assert "Inaugural" in listing and "0:00:11" in listing


def test_minutes_exports_every_format(populated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for fmt in ("md", "json", "html", "docx", "pdf", "srt", "vtt"):
        out = tmp_path / f"minutes.{fmt}"
        assert main(["--data-dir", str(populated), "minutes", "1", "--format", fmt, "-o", str(out)]) == 0
        assert out.stat().st_size > 100
    assert json.loads((tmp_path / "minutes.json").read_text())["action_items"][0]["owner"] == "Ben"
    assert main(["--data-dir", str(populated), "minutes", "1", "--format", "pdf"]) == 1
    assert "binary format" in capsys.readouterr().err


def test_logging_set_up_twice_keeps_one_console_that_follows_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``main`` sets logging up on every call: a second call must not stack handlers, and warnings go to the
    stderr of the moment (a test harness closes the one there was)."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        setup_logging()
        setup_logging()
        added = [h for h in root.handlers if h not in before]
        assert len(added) == 2, added  # the console and the log file
        stderr = io.StringIO()
        monkeypatch.setattr(sys, "stderr", stderr)
        logging.getLogger("companion.test").warning("disk almost full")
        assert stderr.getvalue() == "WARNING companion.test: disk almost full\n"
        assert "disk almost full" in (tmp_path / "meeting-companion" / "log" / "companion.log").read_text()
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
