"""Transcript files in and out: WebVTT and SRT (Teams/Zoom style), "Speaker: text" lines and JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from companion.audio.decode import check_readable_file
from companion.errors import InputError
from companion.models import Segment, Transcript

TRANSCRIPT_SUFFIXES = frozenset({".vtt", ".srt", ".txt", ".json"})
EXPORT_FORMATS = ("txt", "srt", "vtt", "json", "rttm")

SECONDS_PER_WORD = 0.4
"""Speaking pace used to give untimed "Speaker: text" lines plausible times (150 words a minute)."""

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
_VOICE_TAG = re.compile(r"<v(?:\.[\w.-]+)?\s+([^>]+)>")
_ANY_TAG = re.compile(r"<[^>]*>")
_SPEAKER_PREFIX = re.compile(r"^(?:\[(?P<bracketed>[^\]]{1,60})\]|(?P<named>[^\W\d][\w.'-]*(?: [\w.'-]+){0,3}):)\s*")


class _Malformed(Exception):
    """A parse error at a line number; turned into an InputError naming the file."""

    def __init__(self, line: int, problem: str) -> None:
        super().__init__(f"line {line}: {problem}")


def read_transcript(path: str | Path) -> Transcript:
    """Read a transcript file; raise :class:`InputError` naming the file and the problem."""
    path = Path(path)
    check_readable_file(path)
    readers: dict[str, Callable[[str], Transcript]] = {
        ".vtt": _read_vtt, ".srt": _read_srt, ".txt": _read_lines, ".json": _read_json,
    }
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise InputError(path, f"unsupported transcript format {path.suffix!r}")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(path, f"not a text file (invalid UTF-8 at byte {error.start})") from error
    try:
        transcript = reader(text)
    except _Malformed as error:
        raise InputError(path, f"malformed {path.suffix[1:].upper()} transcript, {error}") from error
    if not transcript.segments:
        raise InputError(path, "the transcript contains no speech")
    return transcript


def parse_timestamp(text: str) -> float:
    """``01:02:03.456``, ``02:03,456`` or ``2:03.4`` to seconds."""
    *hours_minutes, seconds = text.replace(",", ".").split(":")
    total = float(seconds)
    for factor, part in zip((60, 3600), reversed(hours_minutes), strict=False):
        total += factor * int(part)
    return total


def format_timestamp(seconds: float, decimal_marker: str = ".") -> str:
    """Seconds to ``HH:MM:SS.mmm`` (``,`` as marker for SRT)."""
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_marker}{millis:03d}"


def split_speaker(text: str) -> tuple[str, str]:
    """Split ``"Anna: hello"``, ``"[Anna] hello"`` or ``"<v Anna>hello</v>"`` into speaker and text."""
    voice = _VOICE_TAG.search(text)
    if voice:
        return voice.group(1).strip(), _ANY_TAG.sub("", text).strip()
    text = _ANY_TAG.sub("", text).strip()
    prefix = _SPEAKER_PREFIX.match(text)
    if prefix and prefix.end() < len(text):
        name = (prefix.group("bracketed") or prefix.group("named")).strip()
        # "So the plan is: ..." is speech, not a speaker: names are capitalised words or numbers.
        if prefix.group("bracketed") or all(w[0].isupper() or w.isdigit() for w in name.split()):
            return name, text[prefix.end():].strip()
    return "", text


def _cue_blocks(text: str) -> Iterator[tuple[int, list[str]]]:
    """Blank-line separated blocks with the 1-based line number of their first line."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line.rstrip())
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _read_cues(text: str, *, skip_first_block: bool) -> Transcript:
    segments: list[Segment] = []
    for index, (line_number, lines) in enumerate(_cue_blocks(text)):
        if (skip_first_block and index == 0) or lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing_at is None:
            raise _Malformed(line_number, f"expected a timing line 'start --> end', found {lines[0][:60]!r}")
        timing = _TIMING.match(lines[timing_at])
        if timing is None:
            raise _Malformed(line_number + timing_at, f"bad timing line {lines[timing_at][:60]!r}")
        start, end = parse_timestamp(timing["start"]), parse_timestamp(timing["end"])
        if end < start:
            raise _Malformed(line_number + timing_at, "cue ends before it starts")
        speaker, words = split_speaker(" ".join(lines[timing_at + 1:]))
        if words:
            segments.append(Segment(start, end, words, speaker))
    segments.sort(key=lambda s: s.start)
    return Transcript(tuple(segments), duration_s=max((s.end for s in segments), default=0.0))


def _read_vtt(text: str) -> Transcript:
    if not text.lstrip().startswith("WEBVTT"):
        raise _Malformed(1, "a WebVTT file must start with 'WEBVTT'")
    return _read_cues(text, skip_first_block=True)


def _read_srt(text: str) -> Transcript:
    return _read_cues(text, skip_first_block=False)


def _read_lines(text: str) -> Transcript:
    """One turn per line, ``Speaker: text``; times estimated from the speaking pace."""
    segments: list[Segment] = []
    clock = 0.0
    speaker = ""
    for line in text.splitlines():
        if not line.strip():
            continue
        named, words = split_speaker(line)
        speaker = named or speaker
        length = max(1, len(words.split())) * SECONDS_PER_WORD
        segments.append(Segment(round(clock, 3), round(clock + length, 3), words, speaker))
        clock += length
    return Transcript(tuple(segments), duration_s=round(clock, 3))


def _read_json(text: str) -> Transcript:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _Malformed(error.lineno, f"invalid JSON: {error.msg}") from error
    if isinstance(data, list):
        data = {"segments": data}
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise _Malformed(1, "expected an object with a 'segments' list")
    try:
        return Transcript.from_dict(data)
    except (KeyError, TypeError, ValueError) as error:
        raise _Malformed(1, f"a segment lacks a valid start, end or text ({error})") from error


def write_transcript(transcript: Transcript, fmt: str) -> str:
    """Render ``transcript`` as txt, srt, vtt, json or rttm (speaker turns, for diarization tools) text."""
    if fmt == "json":
        return json.dumps(transcript.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "txt":
        return "".join(f"{_labelled(s)}\n" for s in transcript.segments)
    if fmt == "srt":
        return "\n".join(
            f"{n}\n{format_timestamp(s.start, ',')} --> {format_timestamp(s.end, ',')}\n{_labelled(s)}\n"
            for n, s in enumerate(transcript.segments, start=1)
        )
    if fmt == "vtt":
        cues = [
            f"{format_timestamp(s.start)} --> {format_timestamp(s.end)}\n"
            + (f"<v {s.speaker}>{s.text}</v>" if s.speaker else s.text) + "\n"
            for s in transcript.segments
        ]
        return "\n".join(["WEBVTT\n", *cues])
    if fmt == "rttm":
        return "".join(
            f"SPEAKER meeting 1 {s.start:.3f} {s.end - s.start:.3f} <NA> <NA> {_rttm_name(s.speaker)} <NA> <NA>\n"
            for s in transcript.segments
        )
    raise ValueError(f"unknown transcript format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")


def _rttm_name(speaker: str) -> str:
    return "_".join(speaker.split()) or "unknown"  # RTTM fields are space-separated


def _labelled(segment: Segment) -> str:
    return f"{segment.speaker}: {segment.text}" if segment.speaker else segment.text
