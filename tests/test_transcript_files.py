import json
import os
import re
from pathlib import Path

import pytest

from companion.errors import InputError
from companion.models import Segment, Transcript, Word
from companion.transcript_files import (
    EXPORT_FORMATS,
    MAX_TRANSCRIPT_BYTES,
    format_timestamp,
    one_line,
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
        ("missing.json", '{"segments": [{"text": "hi"}]}', "segment 1: 'start' is missing or null"),
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


@pytest.mark.parametrize(
    ("segments", "problem"),
    [
        ('{"start": 0, "end": 1, "text": null}', "segment 3: 'text' is missing or null"),
        ('{"start": NaN, "end": 1, "text": "hi"}', "segment 3: 'start' is not a finite number"),
        ('{"start": 0, "end": Infinity, "text": "hi"}', "segment 3: 'end' is not a finite number"),
        ('{"start": 0, "end": 1e999, "text": "hi"}', "segment 3: 'end' is not a finite number"),
        ('{"start": -2, "end": 1, "text": "hi"}', "segment 3: 'start' is negative"),
        ('{"start": 5, "end": 2, "text": "hi"}', "segment 3: end before start"),
        ('{"start": "0", "end": 1, "text": "hi"}', "segment 3: 'start' is not a number"),
        ('{"start": true, "end": 1, "text": "hi"}', "segment 3: 'start' is not a number"),
        ('{"start": 0, "end": 1, "text": ["hi"]}', "segment 3: 'text' is not a string"),
        ('{"start": 0, "end": 1, "text": "hi", "speaker": 7}', "segment 3: 'speaker' is not a string"),
        ('{"start": 0, "end": 1, "text": "hi", "words": [{"start": 1, "end": 0, "text": "hi"}]}',
         "segment 3: word 1: end before start"),
        ('"just text"', "segment 3: expected an object"),
    ],
)
def test_json_segments_are_checked_and_the_one_at_fault_named(tmp_path: Path, segments: str, problem: str) -> None:
    good = '{"start": 0, "end": 1, "text": "Good morning.", "speaker": "Anna"}'
    path = write(tmp_path, "bad.json", f'{{"segments": [{good}, {good}, {segments}]}}')
    with pytest.raises(InputError, match=f"^{re.escape(str(path))}: malformed JSON transcript, {re.escape(problem)}"):
        read_transcript(path)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[" * 100_000 + "]" * 100_000, "line 1: invalid JSON: nested too deeply"),
        ('[{"start": ' + "9" * 5000 + ', "end": 1, "text": "hi"}]', "line 1: invalid JSON: Exceeds the limit"),
    ],
)
def test_json_too_deep_or_too_long_to_read_is_malformed(tmp_path: Path, text: str, problem: str) -> None:
    with pytest.raises(InputError, match=re.escape(problem)):
        read_transcript(write(tmp_path, "hostile.json", text))


def test_a_transcript_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Anna: hi.\n" * (MAX_TRANSCRIPT_BYTES // 10) + b"x")
    with pytest.raises(InputError, match=f"larger than {MAX_TRANSCRIPT_BYTES // 1_000_000} MB"):
        read_transcript(path)
    path.write_bytes(b"Anna: hi.\n" * (MAX_TRANSCRIPT_BYTES // 10))  # exactly at the limit: read
    assert read_transcript(path).segments[-1].text == "hi."


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without read permission")
def test_a_transcript_without_read_permission_is_a_clear_error(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.txt", "Anna: hi.\n")
    path.chmod(0)
    with pytest.raises(InputError, match="cannot read the file"):
        read_transcript(path)


def test_absurd_cue_hours_are_a_bad_timing_line(tmp_path: Path) -> None:
    path = write(tmp_path, "long.srt", f"1\n{'9' * 5000}:00:00,000 --> 00:00:01,000\nhi\n")
    with pytest.raises(InputError, match="line 2: bad timing line"):
        read_transcript(path)


def test_speaker_names_and_text_with_markup_characters_survive_webvtt(tmp_path: Path) -> None:
    original = Transcript((Segment(0.0, 1.5, "Is 3 < 4 & 5 > 2? See <b>this</b> --> &amp;", "Ann <Ops> & Co"),
                           Segment(1.5, 3.0, "<v Eve>not a speaker</v>", "Bob")), duration_s=3.0)
    written = write_transcript(original, "vtt")
    assert "<v Ann &lt;Ops&gt; &amp; Co>" in written and "--&gt; &amp;amp;</v>" in written
    back = read_transcript(write(tmp_path, "markup.vtt", written))
    assert [(s.speaker, s.text) for s in back.segments] == [(s.speaker, s.text) for s in original.segments]


def test_line_breaks_and_control_characters_in_names_and_text_become_spaces(tmp_path: Path) -> None:
    segment = {"start": 0, "end": 1, "text": "two\n\nlines\x1b[31m", "speaker": "Ann\r\nLee\x00"}
    back = read_transcript(write(tmp_path, "control.json", json.dumps([segment])))
    assert back.segments == (Segment(0.0, 1.0, "two lines [31m", "Ann Lee"),)
    assert one_line(" a\u2028b\tc\x85d\x7f ") == "a b c d"
