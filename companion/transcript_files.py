"""Transcript files in and out: WebVTT and SRT (Teams/Zoom style), "Speaker: text" lines and JSON."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from companion.audio.decode import check_readable_file
from companion.errors import InputError
from companion.models import Segment, Transcript, Word

TRANSCRIPT_SUFFIXES = frozenset({".vtt", ".srt", ".txt", ".json"})
EXPORT_FORMATS = ("txt", "srt", "vtt", "json", "rttm")

SECONDS_PER_WORD = 0.4
"""Speaking pace used to give untimed "Speaker: text" lines plausible times (150 words a minute)."""
MAX_TRANSCRIPT_BYTES = 20_000_000
"""Larger transcript files are refused: memory and time grow with the transcript, and a real meeting's text is far
smaller."""

_TIMING = re.compile(
    r"^\s*(?P<start>(?:\d{1,6}:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<end>(?:\d{1,6}:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
# No "<" inside a tag: a line of unclosed "<" is read in linear time.
_VOICE_TAG = re.compile(r"<v(?:\.[\w.-]+)?\s+([^<>]+)>")
_ANY_TAG = re.compile(r"<[^<>]*>")
_VTT_ESCAPES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&nbsp;": "\xa0", "&lrm;": "\u200e", "&rlm;": "\u200f"}
_VTT_REFERENCE = re.compile("|".join(_VTT_ESCAPES))
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_SPEAKER_PREFIX = re.compile(r"^(?:\[(?P<bracketed>[^\]]{1,60})\]|(?P<named>[^\W\d][\w.'-]*(?: [\w.'-]+){0,3}):)\s*")


class _Malformed(Exception):
    """A parse error at a place ("line 3", "segment 2"); turned into an InputError naming the file."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")


def read_transcript(path: str | Path) -> Transcript:
    """Read a transcript file; raise :class:`InputError` naming the file and the problem.

    Names and text come out on one line each (see :func:`one_line`); files over :data:`MAX_TRANSCRIPT_BYTES`
    are refused.
    """
    path = Path(path)
    check_readable_file(path)
    readers: dict[str, Callable[[str], Transcript]] = {
        ".vtt": _read_vtt, ".srt": _read_srt, ".txt": _read_lines, ".json": _read_json,
    }
    reader = readers.get(path.suffix.lower())
    if reader is None:
        raise InputError(path, f"unsupported transcript format {path.suffix!r}")
    try:
        with path.open("rb") as file:
            data = file.read(MAX_TRANSCRIPT_BYTES + 1)
    except OSError as error:
        raise InputError(path, f"cannot read the file ({error.strerror})") from error
    if len(data) > MAX_TRANSCRIPT_BYTES:
        raise InputError(path, f"the transcript is larger than {MAX_TRANSCRIPT_BYTES // 1_000_000} MB: split it into "
                               "parts")
    try:
        text = data.decode("utf-8-sig")
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
    return round(total, 3)  # 20.29 + 60 is 80.28999999999999 in floating point: keep the milliseconds written


def format_timestamp(seconds: float, decimal_marker: str = ".") -> str:
    """Seconds to ``HH:MM:SS.mmm`` (``,`` as marker for SRT)."""
    millis = max(0, round(seconds * 1000))
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{decimal_marker}{millis:03d}"


def one_line(text: str) -> str:
    """``text`` fit for one line of a listing or a heading: control characters and line breaks become spaces, and
    runs of blanks one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


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


def _read_cues(text: str, *, vtt: bool) -> Transcript:
    """SRT or WebVTT cues; WebVTT has a header block first and escapes ``&``, ``<`` and ``>`` in its text."""
    segments: list[Segment] = []
    for index, (line_number, lines) in enumerate(_cue_blocks(text)):
        if (vtt and index == 0) or lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_at = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing_at is None:
            raise _Malformed(f"line {line_number}", f"expected a timing line 'start --> end', found {lines[0][:60]!r}")
        timing = _TIMING.match(lines[timing_at])
        if timing is None:
            raise _Malformed(f"line {line_number + timing_at}", f"bad timing line {lines[timing_at][:60]!r}")
        start, end = parse_timestamp(timing["start"]), parse_timestamp(timing["end"])
        if end < start:
            raise _Malformed(f"line {line_number + timing_at}", "cue ends before it starts")
        speaker, words = split_speaker(" ".join(lines[timing_at + 1:]))
        if vtt:
            speaker, words = _vtt_unescape(speaker), _vtt_unescape(words)
        speaker, words = one_line(speaker), one_line(words)
        if words:
            segments.append(Segment(start, end, words, speaker))
    segments.sort(key=lambda s: s.start)
    return Transcript(tuple(segments), duration_s=max((s.end for s in segments), default=0.0))


def _read_vtt(text: str) -> Transcript:
    if not text.lstrip().startswith("WEBVTT"):
        raise _Malformed("line 1", "a WebVTT file must start with 'WEBVTT'")
    return _read_cues(text, vtt=True)


def _read_srt(text: str) -> Transcript:
    return _read_cues(text, vtt=False)


def _vtt_escape(text: str) -> str:
    """Cue text and voice names escape ``&``, ``<`` and ``>`` (WebVTT), so a name like "Ann <Ops>" survives."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _vtt_unescape(text: str) -> str:
    return _VTT_REFERENCE.sub(lambda reference: _VTT_ESCAPES[reference.group()], text)


def _read_lines(text: str) -> Transcript:
    """One turn per line, ``Speaker: text``; times estimated from the speaking pace."""
    segments: list[Segment] = []
    clock = 0.0
    speaker = ""
    for line in text.splitlines():
        named, words = (one_line(part) for part in split_speaker(line))
        if not words:
            continue
        speaker = named or speaker
        length = max(1, len(words.split())) * SECONDS_PER_WORD
        segments.append(Segment(round(clock, 3), round(clock + length, 3), words, speaker))
        clock += length
    return Transcript(tuple(segments), duration_s=round(clock, 3))


def _read_json(text: str) -> Transcript:
    """The JSON this app writes (or a bare list of its segments); every value is checked before it is used."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _Malformed(f"line {error.lineno}", f"invalid JSON: {error.msg}") from error
    except RecursionError as error:
        raise _Malformed("line 1", "invalid JSON: nested too deeply") from error
    except ValueError as error:  # a number with more digits than Python converts
        raise _Malformed("line 1", f"invalid JSON: {str(error).split(':')[0]}") from error
    if isinstance(data, list):
        data = {"segments": data}
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise _Malformed("line 1", "expected an object with a 'segments' list")
    segments = [_json_segment(f"segment {n}", item) for n, item in enumerate(data["segments"], start=1)]
    spoken = tuple(s for s in segments if s.text)
    duration = data.get("duration_s", data.get("duration"))
    try:
        duration_s = max((s.end for s in spoken), default=0.0) if duration is None else _seconds(duration, "duration")
        return Transcript(spoken, duration_s, language=_string(data.get("language", "en"), "language"))
    except ValueError as error:
        raise _Malformed("line 1", str(error)) from None


def _json_segment(where: str, item: object) -> Segment:
    if not isinstance(item, dict):
        raise _Malformed(where, "expected an object with start, end and text")
    try:
        start, end = _seconds(item.get("start"), "start"), _seconds(item.get("end"), "end")
        if end < start:
            raise ValueError("end before start")
        text, speaker = _string(item.get("text"), "text"), _string(item.get("speaker") or "", "speaker")
        words = item.get("words") or []
        if not isinstance(words, list):
            raise ValueError("'words' is not a list")
        return Segment(start, end, one_line(text), one_line(speaker),
                       tuple(_json_word(n, word) for n, word in enumerate(words, start=1)))
    except ValueError as error:
        raise _Malformed(where, str(error)) from None


def _json_word(number: int, item: object) -> Word:
    if not isinstance(item, dict):
        raise ValueError(f"word {number}: expected an object with start, end and text")
    try:
        start, end = _seconds(item.get("start"), "start"), _seconds(item.get("end"), "end")
        if end < start:
            raise ValueError("end before start")
        probability = _number(item.get("probability", 1.0), "probability")
        return Word(start, end, one_line(_string(item.get("text"), "text")), probability)
    except ValueError as error:
        raise ValueError(f"word {number}: {error}") from None


def _seconds(value: object, name: str) -> float:
    """A time or length in seconds: a finite number, not negative."""
    seconds = _number(value, name)
    if seconds < 0:
        raise ValueError(f"'{name}' is negative")
    return seconds


def _number(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"'{name}' is not a number" if value is not None else f"'{name}' is missing or null")
    try:
        number = float(value)
    except OverflowError:
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"'{name}' is not a finite number")
    return number


def _string(value: object, name: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"'{name}' is not a string" if value is not None else f"'{name}' is missing or null")
    return value


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
            + (f"<v {_vtt_escape(s.speaker)}>{_vtt_escape(s.text)}</v>" if s.speaker else _vtt_escape(s.text)) + "\n"
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
