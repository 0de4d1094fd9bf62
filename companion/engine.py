"""The one facade that the CLI, the GUI, the tray and the tests share. No Qt here.

Long operations are generators (see :mod:`companion.jobs`): they yield progress and partial results
and return their result.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from companion.audio.decode import decode_audio
from companion.audio.stt import SpeechToText
from companion.errors import CompanionError, InputError
from companion.jobs import CancelToken, Job, Progress
from companion.kg.store import Store
from companion.llm.backend import SMOLLM2, LanguageModel, load_language_model
from companion.llm.minutes import write_minutes
from companion.models import Meeting, Minutes, Transcript
from companion.runtime import DeviceChoice, Runtime, decide_runtime, default_data_dir
from companion.transcript_files import TRANSCRIPT_SUFFIXES, read_transcript

log = logging.getLogger(__name__)


class Engine:
    """Meeting Companion's engine over one data folder. Models load lazily, on first use."""

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        device: DeviceChoice = "auto",
        whisper_model: str | None = None,
        summary_model: str | None = SMOLLM2,
        allow_download: bool = False,
        runtime: Runtime | None = None,
    ) -> None:
        """Args:
            data_dir: where the store lives (default: ``$COMPANION_DATA_DIR`` or the user data dir).
            device: ``auto`` | ``cpu`` | ``cuda``.
            whisper_model: faster-whisper model name or folder (default: the bundled tiny.en).
            summary_model: language model for the prose summary (``smollm2``, ``gpt2``, a folder), or None
                for the extractive summary only.
            allow_download: fetch named models that are not cached yet.
            runtime: a ready-made runtime policy (tests share one).
        """
        self.data_dir = default_data_dir(data_dir)
        self._device = device
        self._whisper_model = whisper_model
        self._summary_model = summary_model
        self._allow_download = allow_download
        if runtime is not None:
            self.runtime = runtime

    @cached_property
    def runtime(self) -> Runtime:
        return decide_runtime(self._device, self._whisper_model, allow_download=self._allow_download)

    @cached_property
    def speech_to_text(self) -> SpeechToText:
        return SpeechToText(self.runtime)

    @cached_property
    def language_model(self) -> LanguageModel | None:
        if self._summary_model is None:
            return None
        return load_language_model(self._summary_model, self.runtime, allow_download=self._allow_download)

    @cached_property
    def store(self) -> Store:
        return Store(self.data_dir / "companion.db")

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()

    def transcribe(self, path: str | Path, cancel: CancelToken | None = None) -> Job[Transcript]:
        """Transcribe an audio/video file, or read a transcript file (VTT, SRT, txt, JSON).

        Raises:
            InputError: the file is unusable or contains no speech.
        """
        path = Path(path)
        if path.suffix.lower() in TRANSCRIPT_SUFFIXES:
            return read_transcript(path)
        yield Progress("decoding", 0, 1)
        audio = decode_audio(path)
        transcript: Transcript = yield from self.speech_to_text.transcribe(audio, cancel)
        if not transcript.segments:
            raise InputError(path, f"no speech found in {transcript.duration_s:.1f} s of audio")
        return transcript

    def process(
        self,
        path: str | Path,
        team: str,
        *,
        title: str | None = None,
        date: str | None = None,
        participants: Sequence[str] = (),
        cancel: CancelToken | None = None,
    ) -> Job[Meeting]:
        """Transcribe (or import) a meeting, write its minutes and store both for ``team``.

        Returns the stored meeting; its minutes are at :meth:`minutes`.
        """
        path = Path(path)
        team = _checked_team(team)
        date = _checked_date(date) if date else _file_date(path)
        cancel = cancel or CancelToken()
        transcript: Transcript = yield from self.transcribe(path, cancel)
        people = [p.strip() for p in participants if p.strip()] or transcript.speakers
        minutes = yield from write_minutes(transcript, dt.date.fromisoformat(date), people, cancel,
                                           self.language_model)
        cancel.raise_if_cancelled()
        yield Progress("storing", 0, 1)
        is_audio = path.suffix.lower() not in TRANSCRIPT_SUFFIXES
        meeting_id = self.store.add_meeting(
            team=team,
            title=(title or path.stem).strip(),
            date=date,
            duration_s=transcript.duration_s,
            segments=transcript.segments,
            participants=people,
            audio_path=str(path.resolve()) if is_audio else None,
            source_path=str(path.resolve()),
            language=transcript.language,
            minutes=minutes,
        )
        yield Progress("storing", 1, 1)
        return self.store.meeting(meeting_id)

    def minutes(self, meeting_id: int) -> Minutes:
        """A stored meeting's minutes."""
        minutes = self.store.minutes(meeting_id)
        if minutes is None:
            raise CompanionError(f"meeting {meeting_id} has no minutes yet")
        return minutes

    def teams(self) -> list[str]:
        return self.store.teams()

    def meetings(self, team: str) -> list[Meeting]:
        """The team's meetings, newest first (without transcripts)."""
        return self.store.meetings(_checked_team(team))

    def meeting(self, meeting_id: int) -> Meeting:
        """One stored meeting with its transcript."""
        return self.store.meeting(meeting_id)


def _checked_team(team: str) -> str:
    team = team.strip()
    if not team or len(team) > 100 or not team.isprintable():
        raise CompanionError(f"invalid team name {team[:100]!r}: use 1-100 printable characters")
    return team


def _checked_date(date: str) -> str:
    try:
        return dt.date.fromisoformat(date).isoformat()
    except ValueError:
        raise CompanionError(f"invalid date {date!r}: expected YYYY-MM-DD") from None


def _file_date(path: Path) -> str:
    """A recording's date defaults to the day the file was last written (today when unknown)."""
    try:
        return dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    except OSError:
        return dt.date.today().isoformat()
