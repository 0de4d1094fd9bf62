import json
from pathlib import Path

import pytest

from companion.errors import InputError
from companion.models import Segment, Transcript, Word
from companion.transcript_files import (
    EXPORT_FORMATS,
    format_timestamp,
    parse_timestamp,
    read_transcript,
    split_speaker,
    write_transcript,
)

TEAMS_VTT = """WEBVTT

b5e4a1c2-77f0-4d2b-9a3e-0d5c1f7e8a10/12-0
00:00:01.250 --> 00:00:04.900
<v Ben Okafor>I can fix the double charge today.</v>

b5e4a1c2-77f0-4d2b-9a3e-0d5c1f7e8a10/13-0
00:00:05.000 --> 00:00:07.500
<v Carla Díaz>Thanks Ben.</v>
"""

ZOOM_VTT = """WEBVTT

1
00:00:01.000 --> 00:00:03.000
Anna Smith: Good morning everyone.

2
00:00:03.500 --> 00:00:06.000
Ben: Morning. Quick status
from the backend.
"""

SRT = """1
00:00:00,500 --> 00:00:02,000
David: The first bug is a double charge.

2
00:01:02,000 --> 00:01:04,250
So the plan is: ship it.
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_teams_vtt_with_voice_tags_and_cue_ids(tmp_path: Path) -> None:
    transcript = read_transcript(write(tmp_path, "teams.vtt", TEAMS_VTT))
    assert [(s.start, s.end, s.speaker, s.text) for s in transcript.segments] == [
        (1.25, 4.9, "Ben Okafor", "I can fix the double charge today."),
        (5.0, 7.5, "Carla Díaz", "Thanks Ben."),
    ]
    assert transcript.speakers == ["Ben Okafor", "Carla Díaz"]


def test_zoom_vtt_with_name_prefixes_and_multiline_cues(tmp_path: Path) -> None:
    segments = read_transcript(write(tmp_path, "zoom.vtt", ZOOM_VTT)).segments
    assert [(s.speaker, s.text) for s in segments] == [
        ("Anna Smith", "Good morning everyone."),
        ("Ben", "Morning. Quick status from the backend."),
    ]


def test_srt_with_and_without_speakers(tmp_path: Path) -> None:
    segments = read_transcript(write(tmp_path, "call.srt", SRT)).segments
    assert (segments[0].speaker, segments[0].start, segments[0].end) == ("David", 0.5, 2.0)
    assert (segments[1].speaker, segments[1].text, segments[1].start) == ("", "So the plan is: ship it.", 62.0)


def test_speaker_lines_get_increasing_estimated_times(tmp_path: Path) -> None:
    text = "Anna: Good morning everyone.\nBen: Morning, quick status.\n\ncontinued without a name\n"
    transcript = read_transcript(write(tmp_path, "notes.txt", text))
    assert [s.speaker for s in transcript.segments] == ["Anna", "Ben", "Ben"]
    starts = [s.start for s in transcript.segments]
    assert starts == sorted(starts) and starts[0] == 0.0
    assert transcript.duration_s == pytest.approx(transcript.segments[-1].end)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Anna: hello", ("Anna", "hello")),
        ("Speaker 2: hi", ("Speaker 2", "hi")),
        ("[Project Manager] okay", ("Project Manager", "okay")),
        ("<v Ben>fix it</v>", ("Ben", "fix it")),
        ("the plan is: ship", ("", "the plan is: ship")),
        ("Note:", ("", "Note:")),
    ],
)
def test_split_speaker(line: str, expected: tuple[str, str]) -> None:
    assert split_speaker(line) == expected


def test_timestamps_round_trip() -> None:
    assert parse_timestamp("01:02:03.456") == pytest.approx(3723.456)
    assert parse_timestamp("02:03,5") == pytest.approx(123.5)
    assert format_timestamp(3723.456) == "01:02:03.456"
    assert format_timestamp(1.5, ",") == "00:00:01,500"


@pytest.mark.parametrize("fmt", [f for f in EXPORT_FORMATS if f != "rttm"])  # RTTM has no words: test_speakers
def test_every_export_reads_back(tmp_path: Path, fmt: str) -> None:
    original = Transcript(
        (
            Segment(0.0, 2.5, "Good morning, everyone.", "Anna", (Word(0.0, 0.5, "Good", 0.9),)),
            Segment(2.5, 5.25, "I'll send it by Wednesday.", "Ben O'Neil"),
        ),
        duration_s=5.25,
    )
    back = read_transcript(write(tmp_path, f"out.{fmt}", write_transcript(original, fmt)))
    assert [(s.speaker, s.text) for s in back.segments] == [(s.speaker, s.text) for s in original.segments]
    if fmt != "txt":  # plain lines carry no times
        assert [(s.start, s.end) for s in back.segments] == [(0.0, 2.5), (2.5, 5.25)]
    if fmt == "json":
        assert back == original


@pytest.mark.parametrize(
    ("name", "text", "problem"),
    [
        ("no-header.vtt", "00:00:01.000 --> 00:00:02.000\nhi\n", "must start with 'WEBVTT'"),
        ("bad-timing.vtt", "WEBVTT\n\n00:00:01.000 --> soon\nhi\n", "line 3: bad timing line"),
        ("no-timing.vtt", "WEBVTT\n\nhello\nthere\n", "line 3: expected a timing line"),
        ("backwards.srt", "1\n00:00:05,000 --> 00:00:01,000\nhi\n", "ends before it starts"),
        ("broken.json", '{"segments": [', "invalid JSON"),
        ("wrong.json", '{"words": []}', "'segments' list"),
        ("missing.json", '{"segments": [{"text": "hi"}]}', "valid start, end or text"),
        ("only-header.vtt", "WEBVTT\n", "no speech"),
        ("blank.txt", "\n\n  \n", "no speech"),
        ("latin1.txt", "Anna: caf\xe9", "not a text file"),
    ],
)
def test_malformed_transcripts_name_file_and_problem(tmp_path: Path, name: str, text: str, problem: str) -> None:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(InputError) as caught:
        read_transcript(path)
    assert str(path) in str(caught.value) and problem in str(caught.value)


def test_project_json_accepts_a_bare_segment_list(tmp_path: Path) -> None:
    path = write(tmp_path, "list.json", json.dumps([{"start": 0, "end": 1, "text": "hi", "speaker": "A"}]))
    assert read_transcript(path).segments == (Segment(0.0, 1.0, "hi", "A"),)
