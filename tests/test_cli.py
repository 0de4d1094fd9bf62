"""The command line as a user runs it: exit codes, one-line errors, nothing stored changes."""

from __future__ import annotations

import io
import json
import logging
import os
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
                      "participants": ["Anna", "Ben"], "language": "en"}
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
        "companion: error: no team named 'Nobody'",  # and not the names of the other teams
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
    assert result.stderr == ""  # no library warnings (webrtcvad's pkg_resources) nor progress bars
    speakers = stored["meeting"]["participants"]
    assert stored["meeting"] == {"id": 1, "team": "Speeches", "title": "Inaugural", "date": "1961-01-20",
                                 "duration_s": 11.0, "participants": speakers, "language": "en"}
    assert speakers and all(s.startswith("Speaker ") for s in speakers)  # diarized, nobody named yet
    assert set(stored) >= {"summary", "decisions", "action_items", "open_questions", "topics", "next_meeting"}
    assert "your country" in stored["summary"]
    transcript = subprocess.run([COMPANION, *env_args, "transcript", "1"], capture_output=True, text=True,
                                timeout=60, check=True).stdout
    assert "ask what you can do for your country" in transcript
    listing = subprocess.run([COMPANION, *env_args, "meetings", "--team", "Speeches"], capture_output=True,
                             text=True, timeout=60, check=True).stdout
    assert "Inaugural" in listing and "00:11" in listing


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


def companion(*args: str | Path, stdout: int = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    """The real command line in a process of its own: ``python -m companion ARGS``."""
    return subprocess.run([sys.executable, "-m", "companion", *map(str, args)], stdout=stdout,
                          stderr=subprocess.PIPE, text=True, timeout=300)


def one_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Exit 1 with one ``companion: error:`` line holding every ``expected`` piece, and nothing on stdout."""
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("companion: error: ") and all(piece in line for piece in expected), line
    assert not result.stdout


@pytest.mark.parametrize("case", ["a file", "under a file", "not writable"])
def test_an_unusable_data_folder_is_a_clear_error(tmp_path: Path, case: str) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    folder = {"a file": blocker, "under a file": blocker / "data", "not writable": tmp_path / "locked"}[case]
    if case == "not writable":
        if os.geteuid() == 0:
            pytest.skip("root writes into any folder")
        folder.mkdir(mode=0o500)
    one_error(companion("--data-dir", folder, "meetings", "--team", "Atlas"), str(folder))
    assert blocker.read_text() == "not a folder"


def test_out_of_range_ids_and_dates_are_clear_errors(populated: Path) -> None:
    before = dump(populated)
    one_error(companion("--data-dir", populated, "minutes", "99999999999999999999"),
              "no meeting with id 99999999999999999999")
    one_error(companion("--data-dir", populated, "transcript", "-99999999999999999999"), "no meeting with id")
    agenda = ["agenda", "--team", "Atlas", "--date", "9999-12-31", "--format", "ics"]
    one_error(companion("--data-dir", populated, *agenda), "date 9999-12-31 is out of range")
    assert dump(populated) == before


def hostile_inputs(folder: Path) -> dict[str, tuple[str | Path, Path, tuple[str, ...]]]:
    """Summary models and input files to ``process``, hostile in one way each, and what the error must say."""
    deep, locked, empty, nulls = folder / "deep.json", folder / "locked.txt", folder / "empty", folder / "nulls.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    locked.write_text("Anna: hello.\n")
    locked.chmod(0)
    empty.mkdir()
    segment = '{"start": 0, "end": 1, "text": "Good morning."}'
    nulls.write_text(f'[{segment}, {segment}, {{"start": 0, "end": 1, "text": null}}]')
    lines = folder / "sync.txt"
    lines.write_text("Anna: Good morning.\n")
    return {
        "nested too deep": ("none", deep, (str(deep), "nested too deeply")),
        "not readable": ("none", locked, (str(locked), "cannot read the file")),
        "empty model folder": (empty, lines, (str(empty), "no config.json")),
        "null text": ("none", nulls, (str(nulls), "segment 3: 'text' is missing or null")),
    }


@pytest.mark.parametrize("case", ["nested too deep", "not readable", "empty model folder", "null text"])
def test_hostile_input_files_are_one_clear_error(populated: Path, tmp_path: Path, case: str) -> None:
    if case == "not readable" and os.geteuid() == 0:
        pytest.skip("root reads any file")
    model, transcript, expected = hostile_inputs(tmp_path)[case]
    before = dump(populated)
    one_error(companion("--data-dir", populated, "--summary-model", model, "process", transcript, "--team", "Atlas"),
              *expected)
    assert dump(populated) == before


def test_output_into_a_closed_pipe_ends_quietly(populated: Path) -> None:
    """``companion transcript 1 | true``: the reader is gone before the output; no traceback, no error."""
    reading, writing = os.pipe()
    os.close(reading)
    try:
        result = companion("--data-dir", populated, "transcript", "1", stdout=writing)
    finally:
        os.close(writing)
    assert result.returncode in (0, 141) and result.stderr == ""


def test_a_title_or_name_with_line_breaks_stays_on_its_line(populated: Path, tmp_path: Path) -> None:
    transcript = tmp_path / "turns.json"
    transcript.write_text(json.dumps([{"start": 0, "end": 2, "text": "Let us begin.", "speaker": "Eve\nMallory"}]))
    title = "Budget\n# Injected heading\r\n\x1b[2J"
    assert companion("--data-dir", populated, "process", transcript, "--team", "Atlas", "--title", title,
                     "--participants", "Eve\nMallory,Bob").returncode == 0
    listing = companion("--data-dir", populated, "meetings", "--team", "Atlas").stdout.splitlines()
    assert len(listing) == 2 and "Budget # Injected heading [2J  (Eve Mallory, Bob)" in listing[0]
    minutes = companion("--data-dir", populated, "minutes", "2", "--format", "md").stdout
    assert minutes.splitlines()[0] == "# Budget # Injected heading [2J"
    assert companion("--data-dir", populated, "transcript", "2").stdout == "Eve Mallory: Let us begin.\n"


def test_a_process_run_shows_no_library_progress_bars_or_warnings(tmp_path: Path) -> None:
    """Enough sentences that the embeddings load sentence-transformers (and with it transformers' bars)."""
    transcript = tmp_path / "long.txt"
    transcript.write_text("".join(f"{('Anna', 'Ben')[n % 2]}: We looked at item number {n} of the plan.\n"
                                  for n in range(300)))
    result = companion("--data-dir", tmp_path / "data", "process", transcript, "--team", "Atlas")
    assert result.returncode == 0 and result.stdout == "1\n"
    assert result.stderr == ""


def test_the_voice_encoder_imports_without_the_pkg_resources_warning() -> None:
    """resemblyzer imports webrtcvad, which warns about pkg_resources on every audio run and Ctrl-C."""
    result = subprocess.run([sys.executable, "-c", "import companion.audio.diarize, resemblyzer"],
                            capture_output=True, text=True, timeout=120, check=True)
    assert result.stderr == ""
