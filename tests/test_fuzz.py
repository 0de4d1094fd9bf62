"""Fuzzing: the transcript readers and the date parser on generated input, and broken audio through the real
command line. The rule: a correct result, or one clear error (exit 1 on the command line); never another
exception, and nothing stored changes."""

from __future__ import annotations

import atexit
import datetime as dt
import json
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

from companion.engine import EARLIEST_DATE, LATEST_DATE
from companion.errors import CompanionError
from companion.models import Segment, Transcript, Word
from companion.text.dates import MONTHS, WEEKDAYS, due_phrase_span, resolve_date, resolve_time
from companion.transcript_files import one_line, read_transcript, write_transcript

# Hypothesis keeps caches in the working folder's .hypothesis, and its pytest plugin fills them while collecting the
# tests, before any fixture runs: a temporary folder instead, made now.
HYPOTHESIS_HOME = Path(tempfile.mkdtemp(prefix="companion-hypothesis-"))
set_hypothesis_home_dir(HYPOTHESIS_HOME)
atexit.register(shutil.rmtree, HYPOTHESIS_HOME, ignore_errors=True)
FUZZ = settings(max_examples=200, deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

# Characters that matter to the readers, so that generated text often looks nearly right.
MARKUP = st.sampled_from([*"<>&:;-.,[]{}\"'\n\r\t\x00 0123456789", "WEBVTT", "-->", "<v ", "</v>", "NOTE",
                          "00:00:01.000", "&lt;", "\u2028"])
NEAR_TEXT = st.lists(st.one_of(MARKUP, st.text(max_size=6)), max_size=60).map("".join)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["start", "end", "text", "speaker", "words", "probability", "segments", "duration_s"]),
        inner, max_size=6),
    max_leaves=20,
)


def assert_valid(transcript: Transcript) -> None:
    """What every reader promises: timed speech, each name and text on one line."""
    assert transcript.segments
    assert math.isfinite(transcript.duration_s) and transcript.duration_s >= 0
    for segment in transcript.segments:
        assert math.isfinite(segment.start) and math.isfinite(segment.end)
        assert 0 <= segment.start <= segment.end
        assert segment.text and segment.text == one_line(segment.text)
        assert segment.speaker == one_line(segment.speaker)


def read_or_error(path: Path, content: str | bytes) -> None:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
    try:
        transcript = read_transcript(path)
    except CompanionError as error:
        assert str(path) in str(error) and "\n" not in str(error)
        return
    assert_valid(transcript)


@pytest.mark.parametrize("suffix", [".txt", ".vtt", ".srt", ".json"])
@FUZZ
@given(content=st.one_of(st.binary(max_size=600), st.text(max_size=300), NEAR_TEXT,
                         NEAR_TEXT.map(lambda text: "WEBVTT\n\n" + text)))
def test_readers_give_a_transcript_or_a_clear_error(tmp_path: Path, suffix: str, content: str | bytes) -> None:
    read_or_error(tmp_path / f"fuzz{suffix}", content)


# Segments that are nearly right: every field there, each value of about the right kind.
TIMES = st.one_of(st.floats(), st.integers(min_value=-10, max_value=10**400), st.none(), st.text(max_size=5))
NEAR_SEGMENTS = st.lists(st.fixed_dictionaries(
    {"start": TIMES, "end": TIMES, "text": st.one_of(st.text(max_size=20), st.none(), JSON_VALUES)},
    optional={"speaker": st.one_of(st.text(max_size=10), JSON_VALUES),
              "words": st.lists(st.fixed_dictionaries({"start": TIMES, "end": TIMES, "text": st.text(max_size=5)}),
                                max_size=2)},
), min_size=1, max_size=4)


@FUZZ
@given(data=st.one_of(JSON_VALUES, st.lists(JSON_VALUES, max_size=5), NEAR_SEGMENTS))
def test_json_reader_checks_every_value(tmp_path: Path, data: object) -> None:
    read_or_error(tmp_path / "fuzz.json", json.dumps(data))


MILLISECONDS = st.integers(min_value=0, max_value=10**9)
ONE_LINE = st.text(min_size=1, max_size=30).map(one_line).filter(bool)


@st.composite
def transcripts(draw: st.DrawFn) -> Transcript:
    """Segments in time order (times to the millisecond, as subtitles keep them) with any names and text."""
    segments = []
    clock = 0
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        start_ms = clock + draw(MILLISECONDS)
        clock = start_ms + draw(MILLISECONDS)
        start, end = start_ms / 1000, clock / 1000
        words = tuple(Word(start, end, draw(ONE_LINE), draw(st.floats(0, 1))) for _ in range(draw(st.integers(0, 2))))
        segments.append(Segment(start, end, draw(ONE_LINE), draw(ONE_LINE), words))
    return Transcript(tuple(segments), duration_s=clock / 1000)


@FUZZ
@given(original=transcripts())
def test_webvtt_and_json_keep_any_names_and_text(tmp_path: Path, original: Transcript) -> None:
    back = read_transcript(_written(tmp_path / "round.json", write_transcript(original, "json")))
    assert back == original
    back = read_transcript(_written(tmp_path / "round.vtt", write_transcript(original, "vtt")))
    assert [(s.start, s.end, s.speaker, s.text) for s in back.segments] == [
        (s.start, s.end, s.speaker, s.text) for s in original.segments]


def _written(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    return path


DATE_WORDS = st.sampled_from([*WEEKDAYS, *MONTHS, "by", "next", "this", "week", "month", "tomorrow", "the", "end",
                              "of", "in", "999", "weeks", "fortnights", "days", "day", "after", "mid", "early",
                              "first", "twenty third", "31st", "at", "half", "nine", "noon", "give me", "from now",
                              "Tuesday week", "2 p.m.", "quarter to", "12", "9:30", "lunch", "EOD"])
DATE_TEXT = st.one_of(st.text(max_size=80), st.lists(DATE_WORDS, max_size=8).map(" ".join))


@settings(FUZZ)
@given(text=DATE_TEXT, meeting=st.one_of(st.dates(min_value=EARLIEST_DATE, max_value=LATEST_DATE),
                                         st.sampled_from([EARLIEST_DATE, LATEST_DATE])))
def test_date_parser_resolves_or_finds_nothing(text: str, meeting: dt.date) -> None:
    """Any text and any meeting date the app accepts: a date near the meeting's or None; never an error.

    A calendar date up to a month past is this year's ("as agreed on March 3rd"), anything else lies ahead."""
    due = resolve_date(text, meeting)
    span = due_phrase_span(text, meeting)
    assert (due is None) == (span is None)
    if due is not None and span is not None:
        assert meeting - dt.timedelta(days=31) <= due <= meeting + dt.timedelta(days=366 * 30)
        assert 0 <= span[0] <= span[1] <= len(text)
    clock = resolve_time(text)
    if clock is not None:
        hours, minutes = clock.split(":")
        assert len(clock) == 5 and 0 <= int(hours) < 24 and 0 <= int(minutes) < 60


def companion(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "companion", *map(str, args)], capture_output=True, text=True,
                          timeout=300)


def broken_audio(folder: Path) -> list[Path]:
    """An empty file, random bytes named as WAV and MP3, and a WAV whose header promises more than it holds."""
    random = np.random.default_rng(22)
    empty = folder / "empty.wav"
    empty.touch()
    noise_wav, noise_mp3 = folder / "noise.wav", folder / "noise.mp3"
    noise_wav.write_bytes(random.bytes(48_000))
    noise_mp3.write_bytes(random.bytes(48_000))
    truncated = folder / "truncated.wav"
    with wave.open(str(truncated), "wb") as out:  # the header says one second of audio ...
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.setnframes(16_000)
        out.writeframes(b"")
    truncated.write_bytes(truncated.read_bytes()[:40])  # ... and is cut off inside itself
    return [empty, noise_wav, noise_mp3, truncated]


def test_broken_audio_is_one_clear_error_and_stores_nothing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    good = tmp_path / "sync.txt"
    good.write_text("Anna: Good morning.\nBen: I'll fix the crash by Friday.\n")
    assert companion("--data-dir", data, "process", good, "--team", "Atlas").returncode == 0
    before = companion("--data-dir", data, "meetings", "--team", "Atlas", "--json").stdout
    for audio in broken_audio(tmp_path):
        for command in (["transcribe", audio], ["process", audio, "--team", "Atlas"]):
            result = companion("--data-dir", data, *command)
            assert result.returncode == 1, (command, result.stderr)
            [line] = result.stderr.splitlines()
            assert line.startswith(f"companion: error: {audio}: "), line
            assert result.stdout == ""
    assert companion("--data-dir", data, "meetings", "--team", "Atlas", "--json").stdout == before
