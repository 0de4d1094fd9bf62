"""The one facade that the CLI, the GUI, the tray and the tests share. No Qt here.

Long operations are generators (see :mod:`companion.jobs`): they yield progress and partial results
and return their result.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path

import networkx as nx
import numpy as np

from companion import encryption, privacy
from companion.audio import speak as speech
from companion.audio.capture import AudioSource
from companion.audio.decode import decode_audio, louder_channel
from companion.audio.diarize import Diarization, Diarizer
from companion.audio.live_policy import LIVE_POLICY, LivePolicy
from companion.audio.live_speakers import LiveSpeakers
from companion.audio.recording import (
    Recording,
    RecordingControl,
    RecordingInfo,
    recover_recording,
    recovery_stored,
    unfinished_recordings,
)
from companion.audio.rehear import rehear_names
from companion.audio.speak import Voice
from companion.audio.speakers import (
    label_transcript,
    last_one_left,
    propose_names,
    recognise,
    renamed_transcript,
)
from companion.audio.streaming import StreamingTranscriber
from companion.audio.stt import SpeechToText
from companion.doctor import Finding, diagnose
from companion.encryption import Ask, FolderKey
from companion.errors import CompanionError, InputError, NotFoundError
from companion.jobs import CancelToken, ComputeLane, Job, Progress
from companion.kg.agenda import agenda_date, build_agenda
from companion.kg.recall import recall
from companion.kg.records import Agenda, Answer, Change, Item
from companion.kg.store import STORE_FILE, Retention, Store, VoiceProfile
from companion.kg.views import GRAPH_FORMATS, build_graph, export_graph
from companion.llm.answer import (
    answer_question,
    asked_person,
    asks_next_meeting,
    names_in,
    next_meeting_answer,
    nothing_about,
    open_list_answer,
    workload_answer,
)
from companion.llm.backend import LanguageModel, load_language_model
from companion.llm.embeddings import Embedder, shared_embedder
from companion.llm.minutes import write_minutes
from companion.models import Meeting, Minutes, Transcript, checked_date
from companion.privacy import Conversion, Deletion, RetentionRun
from companion.runtime import DeviceChoice, Runtime, decide_runtime, default_data_dir
from companion.sources import content_hash, file_date
from companion.speech_models import speech_language
from companion.stages import StageTimes
from companion.transcript_files import TRANSCRIPT_SUFFIXES, one_line, read_transcript

log = logging.getLogger(__name__)
MAX_QUESTION = 500
EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2999, 12, 31)
"""Meeting and agenda dates lie in this range, so that dates said in a meeting ("in 999 weeks") stay in the
calendar."""
LARGEST_ID = 2**63 - 1
"""SQLite's largest integer: no stored meeting has a larger id."""
KnownVoices = tuple[dict[str, np.ndarray], dict[str, np.ndarray]]
"""A team's voices that name speakers: confirmed profiles, and the names earlier meetings proposed (by name)."""


@dataclass(frozen=True)
class Computed:
    """All that processing a meeting file computes before anything is stored.

    Plain picklable data, so that a batch worker can compute it on another machine and the one writer store
    it with :meth:`Engine.keep`, as :meth:`Engine.process` does.
    """

    path: Path
    date: str
    participants: tuple[str, ...]
    content_hash: str
    transcript: Transcript
    """Speakers labelled, not yet named: names depend on the team's voices when the meeting is stored."""
    diarization: Diarization | None
    named: Transcript
    """The transcript the minutes were written from, named with the voices known when computing."""
    minutes: Minutes
    timings: StageTimes


class Engine:
    """Meeting Companion's engine over one data folder. Models load lazily, on first use."""

    def __init__(
        self,
        data_dir: str | Path | None = None,
        *,
        device: DeviceChoice = "auto",
        whisper_model: str | None = None,
        summary_model: str | None = None,
        allow_download: bool = False,
        runtime: Runtime | None = None,
        ask_passphrase: Ask | None = None,
    ) -> None:
        """Args:
            data_dir: where the store lives (default: ``$COMPANION_DATA_DIR`` or the user data dir).
            device: ``auto`` | ``cpu`` | ``cuda``.
            whisper_model: ``fast``, ``balanced``, ``accurate``, or a faster-whisper model name or folder, for
                whole recordings (default: the bundled tiny.en); live transcription uses tiny.en.
            summary_model: language model for the prose summary (``smollm2``, ``gpt2``, a folder), or None
                for the extractive summary only.
            allow_download: fetch named models that are not cached yet.
            runtime: a ready-made runtime policy (tests share one).
            ask_passphrase: asks for an encrypted data folder's passphrase when the keychain does not hold its
                key and ``$COMPANION_PASSPHRASE`` is not set (the CLI asks on the terminal).
        """
        self.data_dir = default_data_dir(data_dir)
        self._device = device
        self._whisper_model = whisper_model
        self._summary_model = summary_model
        self._allow_download = allow_download
        self._ask_passphrase = ask_passphrase
        self.lane = ComputeLane()
        """Model work takes turns here; live transcription first (see :class:`ComputeLane`)."""
        if runtime is not None:
            self.runtime = runtime

    @cached_property
    def runtime(self) -> Runtime:
        return decide_runtime(self._device, self._whisper_model, allow_download=self._allow_download)

    @cached_property
    def speech_to_text(self) -> SpeechToText:
        """The chosen speech model: the pass after a recording and imported files."""
        return SpeechToText(self.runtime)

    @cached_property
    def live_speech_to_text(self) -> SpeechToText:
        """Live transcription's model, the fastest; the same as :attr:`speech_to_text` when that is the one."""
        live = self.runtime.live_whisper_model
        if live is None or live == self.runtime.whisper_model:
            return self.speech_to_text
        return SpeechToText(replace(self.runtime, whisper_model=live))

    @cached_property
    def language_model(self) -> LanguageModel | None:
        if self._summary_model is None:
            return None
        return load_language_model(self._summary_model, self.runtime, allow_download=self._allow_download)

    @cached_property
    def store(self) -> Store:
        """The meeting store, opened on first use.

        Raises:
            CompanionError: the data folder is a file, lies under a file, or cannot be written.
        """
        folder = self.data_dir
        if folder.exists() and not folder.is_dir():
            raise CompanionError(f"{folder}: the data folder is a file, not a folder")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            problem = "part of its path is a file" if isinstance(error, NotADirectoryError) else error.strerror
            raise CompanionError(f"{folder}: cannot create the data folder ({problem})") from error
        if not os.access(folder, os.W_OK | os.X_OK):
            raise CompanionError(f"{folder}: the data folder cannot be written (no permission)")
        key = self.folder_key
        return Store(folder / STORE_FILE, None if key is None else key.database_key)

    @cached_property
    def folder_key(self) -> FolderKey | None:
        """The data folder's key when it is encrypted (asked for on first use, see ``ask_passphrase``), else None.

        Raises:
            CompanionError: the passphrase is wrong or cannot be had.
        """
        return encryption.unlock(self.data_dir, self._ask_passphrase)

    def close(self) -> None:
        if "store" in self.__dict__:
            self.store.close()

    def _reopen_store(self) -> None:
        """Close the store now; the next use opens it again (after the folder was converted)."""
        self.close()
        self.__dict__.pop("store", None)

    @cached_property
    def diarizer(self) -> Diarizer:
        return Diarizer(self.runtime)

    def transcribe(
        self, path: str | Path, cancel: CancelToken | None = None, *, speakers: bool = False,
        num_speakers: int | None = None,
    ) -> Job[Transcript]:
        """Transcribe an audio/video file, or read a transcript file (VTT, SRT, txt, JSON).

        Args:
            speakers: also find who spoke when (labels "Speaker 1", "Speaker 2" ...).
            num_speakers: how many people speak, when known (estimated otherwise).

        Raises:
            InputError: the file is unusable or contains no speech.
        """
        transcript, _ = yield from self._transcribe(Path(path), cancel or CancelToken(), speakers, num_speakers,
                                                    (), StageTimes())
        return transcript

    def _transcribe(
        self, path: Path, cancel: CancelToken, speakers: bool, num_speakers: int | None,
        participants: Sequence[str], timings: StageTimes, language: str | None = None,
    ) -> Job[tuple[Transcript, Diarization | None]]:
        if path.suffix.lower() in TRANSCRIPT_SUFFIXES:
            with timings.stage("decode"):
                return read_transcript(path), None
        yield Progress("decoding", 0, 1)
        with timings.stage("decode"):
            audio = self.audio(path)
        with timings.stage("transcription"):
            hearing = self.speech_to_text if language is None else self.speech_to_text.in_language(language)
            transcript: Transcript = yield from hearing.transcribe(audio, cancel)
            if not transcript.segments:
                raise InputError(path, f"no speech found in {transcript.duration_s:.1f} s of audio")
            transcript = yield from rehear_names(self.speech_to_text, audio, transcript, participants, cancel)
        if not speakers:
            return transcript, None
        with timings.stage("speakers"):
            diarization = yield from self.diarizer.diarize(audio, num_speakers, cancel,
                                                          louder_channel(path, self._key_for(path)))
        return label_transcript(transcript, diarization), diarization

    def process(
        self,
        path: str | Path,
        team: str,
        *,
        title: str | None = None,
        date: str | None = None,
        participants: Sequence[str] = (),
        speakers: bool = True,
        num_speakers: int | None = None,
        cancel: CancelToken | None = None,
    ) -> Job[Meeting]:
        """Transcribe (or import) a meeting, find and name its speakers, write its minutes and store both.

        Speakers are named from the team's voice profiles, else proposed from the transcript ("Thanks
        Carla"). Returns the stored meeting; its minutes are at :meth:`minutes`. It is :meth:`compute` then
        :meth:`keep`, which logs how long each stage took.
        """
        team = _checked_team(team)
        cancel = cancel or CancelToken()
        computed = yield from self.compute(path, self.known_voices(team), date=date, participants=participants,
                                           speakers=speakers, num_speakers=num_speakers,
                                           language=self.team_language(team), cancel=cancel)
        cancel.raise_if_cancelled()
        return (yield from self.keep(computed, team, title=title))

    @property
    def model_choices(self) -> tuple[DeviceChoice, str | None, str | None]:
        """The device, speech model and summary model this engine was asked for (a batch's workers use the same)."""
        return self._device, self._whisper_model, self._summary_model

    def stored_files(self, team: str) -> dict[str, int]:
        """The content hashes of the files the team's meetings came from, with the meeting of each."""
        return self.store.stored_hashes(_checked_team(team))

    def known_voices(self, team: str) -> KnownVoices:
        """The team's voices that name speakers now (see :data:`KnownVoices`)."""
        return self.store.named_voices(team), self.store.proposed_voices(team)

    def compute(
        self,
        path: str | Path,
        voices: KnownVoices,
        *,
        date: str | None = None,
        participants: Sequence[str] = (),
        speakers: bool = True,
        num_speakers: int | None = None,
        language: str | None = None,
        cancel: CancelToken | None = None,
    ) -> Job[Computed]:
        """The work of :meth:`process` before storing: transcript, speakers, and minutes written with speakers
        named from ``voices``; a recording is heard in ``language`` (None: detected, see :meth:`team_language`).
        It touches no store, so a batch worker can run it anywhere.
        """
        path = Path(path)
        date = _checked_day(date) if date else file_date(path)
        cancel = cancel or CancelToken()
        given = tuple(name for p in participants if (name := one_line(p)))
        timings = StageTimes()
        transcript, diarization = yield from self.lane.run(
            self._transcribe(path, cancel, speakers, num_speakers, given, timings, language))
        named = transcript if diarization is None else self._name_speakers(voices, transcript, diarization, given)[0]
        minutes = yield from self._write_minutes(named, date, given, timings, cancel)
        return Computed(path, date, given, content_hash(path), transcript, diarization, named, minutes, timings)

    def keep(self, computed: Computed, team: str, *, title: str | None = None) -> Job[Meeting]:
        """Store what :meth:`compute` found as the team's newest meeting; the one writer's step of a batch.

        Speakers are named again from the team's voices as they are now (earlier meetings of a batch may have
        taught some), and the minutes written again when that changed a name, so the result is what
        :meth:`process` stores. The graph ingests meetings in the order they are stored, whatever their dates.
        """
        team = _checked_team(team)
        timings, path = computed.timings, computed.path
        transcript = computed.transcript
        voices: dict[str, np.ndarray] = {}
        names: dict[str, tuple[str, float]] = {}
        if computed.diarization is not None:
            with timings.stage("speakers"):
                transcript, voices, names = self._name_speakers(self.known_voices(team), transcript,
                                                                computed.diarization, computed.participants)
        minutes = computed.minutes
        if transcript != computed.named:
            minutes = yield from self._write_minutes(transcript, computed.date, computed.participants, timings,
                                                     CancelToken())
        yield Progress("storing", 0, 1)
        with timings.stage("store"):
            meeting_id = self.store.add_meeting(
                team=team,
                title=one_line(title or "") or one_line(path.stem),
                date=computed.date,
                duration_s=transcript.duration_s,
                segments=transcript.segments,
                participants=list(computed.participants) or transcript.speakers,
                audio_path=str(path.resolve()) if path.suffix.lower() not in TRANSCRIPT_SUFFIXES else None,
                source_path=str(path.resolve()),
                language=transcript.language,
                minutes=minutes,
                content_hash=computed.content_hash,
                voices=voices,
                voice_names=names,
            )
        yield Progress("storing", 1, 1)
        log.info("%s: stage timings: %s", path.name, timings)
        return self.store.meeting(meeting_id)

    def _write_minutes(self, transcript: Transcript, date: str, participants: Sequence[str], timings: StageTimes,
                       cancel: CancelToken) -> Job[Minutes]:
        with timings.stage("minutes"):
            return (yield from self.lane.run(write_minutes(
                transcript, dt.date.fromisoformat(date), list(participants) or transcript.speakers, cancel,
                self.language_model, self.embedder)))

    def _name_speakers(
        self, known_voices: KnownVoices, transcript: Transcript, diarization: Diarization,
        participants: Sequence[str],
    ) -> tuple[Transcript, dict[str, np.ndarray], dict[str, tuple[str, float]]]:
        """Known voices first (confirmed, then proposed by earlier meetings), then names the transcript
        proposes; returns the renamed transcript, the voices by final label and, per named label, the name's
        source and confidence."""
        profiles, proposed_voices = known_voices
        known = recognise(diarization.voices, profiles)
        # Voices earlier meetings only proposed a name for: still a proposal here, but one a voice supports.
        unnamed = {label: voice for label, voice in diarization.voices.items() if label not in {n.label for n in known}}
        proposed_before = {name: voice for name, voice in proposed_voices.items() if name not in profiles}
        known += recognise(unnamed, proposed_before, source="proposed")
        transcript = renamed_transcript(transcript, {n.label: n.name for n in known})
        proposed = propose_names(transcript.segments, participants, taken=[n.name for n in known])
        proposed += last_one_left(diarization.speakers, participants, [*known, *proposed])
        transcript = renamed_transcript(transcript, {n.label: n.name for n in proposed})
        final = {n.label: n.name for n in (*known, *proposed)}
        voices = {final.get(label, label): voice for label, voice in diarization.voices.items()}
        return transcript, voices, {n.name: (n.source, n.confidence) for n in (*known, *proposed)}

    def speakers(self, team: str) -> list[VoiceProfile]:
        """The team's remembered voices."""
        return self.store.voice_profiles(_checked_team(team))

    def rename_speaker(self, meeting_id: int, label: str, name: str) -> bool:
        """Call a meeting's speaker ``label`` ``name``; the team remembers the voice for later meetings.

        Returns whether a voice was learnt (transcripts imported from text have none).
        """
        name = _checked_name(name)
        return self.store.rename_speaker(meeting_id, label, name)

    def forget_speaker(self, team: str, name: str) -> None:
        """Delete a person's voice profile (privacy)."""
        self.store.delete_voice_profile(_checked_team(team), name)

    @property
    def recordings_dir(self) -> Path:
        return self.data_dir / "recordings"

    def record(
        self,
        team: str,
        microphone: AudioSource,
        *,
        system_audio: AudioSource | None = None,
        title: str | None = None,
        participants: Sequence[str] = (),
        control: RecordingControl | None = None,
        policy: LivePolicy = LIVE_POLICY,
    ) -> Job[Meeting]:
        """Record a meeting with a live transcript; when stopped, process the recording fully.

        Yields a :class:`~companion.audio.recording.RecordingStatus` as soon as capture has begun (say
        "Recording" then, not before), then a status and a live
        :class:`~companion.audio.streaming.LiveTranscript` every step while recording (speakers named from
        the team's voice profiles, else "Speaker N", see
        :class:`~companion.audio.live_speakers.LiveSpeakers`), then the progress of :meth:`process`. The
        audio is on disk all along: whatever happens to this job, the recording survives (see :meth:`recover`).

        Every live hearing is biased towards the ``participants``' names (Whisper's hotwords). A live step
        runs every ``policy.step_s`` on the compute lane's live priority (see
        :class:`~companion.audio.live_policy.LivePolicy` for every live parameter); the step and its compute
        set the latency.
        """
        team = _checked_team(team)
        control = control or RecordingControl()
        today = dt.date.today().isoformat()
        info = RecordingInfo(team, (title or f"Meeting {today}").strip(), today, [p for p in participants if p])
        recording = Recording(self.recordings_dir, info, microphone, system_audio, self.folder_key)
        live = StreamingTranscriber(self.live_speech_to_text, policy, names=info.participants)
        profiles = self.store.named_voices(team)
        speakers = LiveSpeakers(partial(self.diarizer.embed_spans, batch_size=policy.embed_batch), profiles, policy)
        recording.start()
        try:
            yield recording.status()  # capture has begun: from here on, what is said is kept
            last_step = time.monotonic()
            # Step about every policy.step_s; when a step takes longer than that, the next one starts at once.
            while not control.wait(max(0.0, policy.step_s - (time.monotonic() - last_step))):
                last_step = time.monotonic()
                recording.paused = control.paused
                if (replacement := control.take_new_microphone()) is not None:
                    recording.switch_microphone(replacement)
                audio = recording.take_live_audio()
                live.add_audio(audio)
                speakers.add_audio(audio)
                yield recording.status()
                with self.lane.use(live=True):
                    update = live.step()
                    update = replace(update, speakers=speakers.label(update.committed))
                yield update
        finally:
            path = recording.stop()
        audio = recording.take_live_audio()
        live.add_audio(audio)
        speakers.add_audio(audio)
        with self.lane.use(live=True):
            update = live.finish()
            update = replace(update, speakers=speakers.label(update.committed))
        yield update
        return (yield from self.process(path, team, title=info.title, date=info.date, participants=info.participants))

    def unfinished_recordings(self) -> list[Path]:
        """Recordings a crash left unfinished, and those whose recovery has not stored a meeting yet; oldest first."""
        return unfinished_recordings(self.recordings_dir, self.folder_key)

    def recover(self, path: Path, cancel: CancelToken | None = None) -> Job[Meeting]:
        """Repair a recording :meth:`unfinished_recordings` offers and process it as the meeting it was meant to be.

        It stays offered until its meeting is stored, so a recovery that fails or is cancelled can be tried
        again; a missing or broken sidecar means defaults (:func:`~companion.audio.recording.read_info`).
        """
        finished, info, seconds = recover_recording(path, self.folder_key)
        yield Progress("recovering", seconds, seconds)
        meeting = yield from self.process(finished, info.team, title=info.title, date=info.date,
                                          participants=info.participants, cancel=cancel)
        recovery_stored(finished, info, self.folder_key)
        return meeting

    def minutes(self, meeting_id: int) -> Minutes:
        """A stored meeting's minutes."""
        minutes = self.store.minutes(_checked_id(meeting_id))
        if minutes is None:
            raise CompanionError(f"meeting {meeting_id} has no minutes yet")
        return minutes

    def save_minutes(self, meeting_id: int, minutes: Minutes) -> Minutes:
        """Replace a meeting's minutes with a person's edit of them; returns what was stored.

        ``authors["edited"]`` records that a person edited them. Each item keeps its evidence. The team's graph
        follows the edit in the same transaction: this meeting's items (owner, due date, text; deleted and
        added ones) are derived again from the edited minutes, and the meetings stored after it are applied
        again, so :meth:`ask`, :meth:`open_items`, :meth:`agenda` and :meth:`team_graph` see the edit with what
        later meetings closed or moved. A status ticked by hand is kept. Re-derived items get new ids.

        Raises:
            CompanionError: a due date is not ``YYYY-MM-DD``, or there is no such meeting.
        """
        for action in minutes.action_items:
            if action.due is not None:
                checked_date(action.due)
        edited = replace(minutes, authors={**minutes.authors, "edited": "user"})
        self.store.save_minutes(meeting_id, edited)
        return edited

    def teams(self) -> list[str]:
        return self.store.teams()

    def meetings(self, team: str) -> list[Meeting]:
        """The team's meetings, newest first (without transcripts)."""
        return self.store.meetings(_checked_team(team))

    def topics(self, team: str) -> dict[int, list[str]]:
        """The topics of each of the team's meetings (the titles of its minutes' topics), by meeting id."""
        return {m.id: [t.title for t in minutes.topics] for m in self.meetings(team)
                if (minutes := self.store.minutes(m.id)) is not None}

    def meeting(self, meeting_id: int) -> Meeting:
        """One stored meeting with its transcript."""
        return self.store.meeting(_checked_id(meeting_id))

    @cached_property
    def embedder(self) -> Embedder:
        """The sentence-embedding model (loaded on first use, shared by every engine of the process)."""
        return shared_embedder(self.runtime.device)

    def ask(self, question: str, team: str) -> Answer:
        """Answer a question from the team's meetings (the graph's current state first), with citations.

        When nothing in the team's meetings supports an answer, the answer says so and has no citations.
        """
        question = _checked_question(question)
        team = _checked_team(team)
        team_id = self.store.team_id(team)
        if unknown := self.store.index.unknown_terms(team_id, names_in(question)):
            return nothing_about(unknown)
        if answer := self._quick_fact(question, team, team_id):
            return answer
        passages, newer, older = recall(self.store.knowledge, self.store.index, team_id, question, self.embedder)
        return answer_question(question, passages, newer, older)

    def _quick_fact(self, question: str, team: str, team_id: int) -> Answer | None:
        """Questions the graph answers directly: the next meeting, what a person still has to do."""
        meetings = self.store.meetings(team) if asks_next_meeting(question) else []
        for meeting in meetings:  # newest first: the last minutes that named a meeting still to come
            minutes = self.store.minutes(meeting.id)
            if minutes is not None and minutes.next_meeting and minutes.next_meeting[:10] > meetings[0].date:
                return next_meeting_answer(self.store.meeting(meeting.id), minutes.next_meeting)
        people = {name: aliases for name, aliases in self.store.knowledge.people(team_id).values()}
        if person := asked_person(question, people):
            return workload_answer(person, [i for i in self.open_items(team) if i.owner == person])
        questions = [i for i in self.items(team) if i.kind == "open_question"]
        return open_list_answer(question, [*self.open_items(team), *questions])

    def speak(self, text: str, voice: str | None = None) -> None:
        """Read ``text`` aloud (pyttsx3; espeak-ng on Linux) in ``voice`` (an id from :meth:`voices`; None: the
        system's default); returns when it has been said."""
        speech.speak(text, voice)

    def voices(self) -> list[Voice]:
        """The voices :meth:`speak` can use (id and name), by name."""
        return speech.voices()

    def agenda(self, team: str, date: str | None = None) -> Agenda:
        """The next meeting's agenda: open action items (overdue first), open questions, decisions to follow
        up and carry-over topics. ``date`` (YYYY-MM-DD) defaults to the next meeting the minutes named."""
        team = _checked_team(team)
        team_id = self.store.team_id(team)
        meetings = self.store.meetings(team)
        announced = [n for m in meetings if (minutes := self.store.minutes(m.id)) and (n := minutes.next_meeting)]
        day = _checked_day(date) if date else agenda_date([m.date for m in meetings], next(iter(announced), None),
                                                           dt.date.today())
        times = [n[11:16] for n in announced if "T" in n]
        start = next((n for n in announced if n[:10] == day), f"{day}T{times[0]}" if times else None)
        items = self.store.knowledge.items(team_id, today=day)
        topics = self.store.knowledge.items(team_id, kinds=("topic",))
        return build_agenda(team, day, items, topics, start, f"{team}: next meeting")

    def open_items(self, team: str) -> list[Item]:
        """The team's open action items, overdue (as of today) first, then by due date."""
        items = self.store.knowledge.items(self.store.team_id(_checked_team(team)), kinds=("action_item",),
                                           statuses=("open",), today=dt.date.today().isoformat())
        return sorted(items, key=lambda i: (not i.overdue, i.due or "9999-12-31", i.id))

    def items(self, team: str) -> list[Item]:
        """All the team's action items, decisions and open questions in their current state."""
        return self.store.knowledge.items(self.store.team_id(_checked_team(team)),
                                          today=dt.date.today().isoformat())

    def set_action_item_status(self, item_id: int, status: str) -> Item:
        """Tick an item done (or reopen it) by hand; the change is kept in its history."""
        return self.store.knowledge.set_status(item_id, status)

    def item_history(self, item_id: int) -> list[Change]:
        """What happened to an item, oldest first, each change with its evidence."""
        return self.store.knowledge.history(item_id)

    def search(self, team: str, text: str) -> list[Meeting]:
        """The team's meetings whose transcript matches ``text`` (full text), best match first."""
        team = _checked_team(team)
        ids = self.store.index.meetings(self.store.team_id(team), _checked_question(text))
        by_id = {m.id: m for m in self.store.meetings(team)}
        return [by_id[i] for i in ids]

    def team_graph(self, team: str) -> nx.MultiDiGraph:
        """The team's knowledge graph: meeting, person, item and subject nodes with ``kind`` and ``label``."""
        team = _checked_team(team)
        team_id = self.store.team_id(team)
        knowledge = self.store.knowledge
        items = knowledge.items(team_id, kinds=("action_item", "decision", "open_question", "topic"),
                                today=dt.date.today().isoformat())
        return build_graph(self.store.meetings(team), knowledge.people(team_id), items, knowledge.relations(team_id))

    def export_graph(self, team: str, format: str = "graphml") -> str:
        """The team's graph as ``graphml`` or node-link ``json``."""
        if format not in GRAPH_FORMATS:
            raise CompanionError(f"unknown graph format {format!r}: use {' or '.join(GRAPH_FORMATS)}")
        return export_graph(self.team_graph(team), format)

    def doctor(self) -> list[Finding]:
        """Check the data folder, its encryption, its store, unfinished recordings and the models; each finding
        says what to do."""
        return diagnose(self.data_dir, lambda: self.folder_key)

    def audio(self, path: Path) -> np.ndarray:
        """Decode an audio or video file to 16 kHz mono (a sealed recording of this folder with its key)."""
        return decode_audio(path, self._key_for(path))

    def _key_for(self, path: Path) -> FolderKey | None:
        """The folder key for a sealed file (asked for only then), else None."""
        return self.folder_key if encryption.is_sealed(path) else None

    def save_export(self, path: Path, content: str | bytes) -> None:
        """Write an export whole or not at all; inside an encrypted data folder it is sealed with the folder's key.

        Raises:
            OSError: it cannot be written (nothing there has changed).
        """
        inside = path.absolute().resolve().is_relative_to(self.data_dir.absolute().resolve())
        key = self.folder_key if inside else None
        encryption.write_file(path, content.encode("utf-8") if isinstance(content, str) else content, key)

    def encrypt(self, new_passphrase: Callable[[], str]) -> Conversion:
        """Encrypt the data folder in place: the store through SQLCipher, every other file sealed.

        A folder not yet encrypted gets a key derived from ``new_passphrase()`` (kept in the OS keychain when
        there is one); one whose encryption was interrupted is finished with its key. A crash or error midway
        leaves every file readable (each says whether it is encrypted), and running this again finishes it.
        No other process may use the folder meanwhile.

        Raises:
            CompanionError: it is encrypted already, its decryption is unfinished, or a file cannot be converted.
        """
        found = encryption.marker(self.data_dir)
        if found is None:
            new, found = encryption.new_key(new_passphrase())
            self.data_dir.mkdir(parents=True, exist_ok=True)
            found.save(self.data_dir)
            encryption.remember(found, new)
            self.__dict__["folder_key"] = new
        elif found.state != "encrypting":
            raise CompanionError(f"{self.data_dir} is encrypted already" if found.state == "encrypted" else
                                 f"{self.data_dir}: a decryption is unfinished: run 'companion decrypt' first")
        key = self.folder_key
        assert key is not None
        self._reopen_store()
        return privacy.encrypt_folder(self.data_dir, key, found)

    def decrypt(self) -> Conversion:
        """Decrypt the data folder in place (the reverse of :meth:`encrypt`, as safe) and forget its key.

        Raises:
            CompanionError: it is not encrypted, the key cannot be had, or a file cannot be converted.
        """
        found = encryption.marker(self.data_dir)
        key = self.folder_key
        if found is None or key is None:
            raise CompanionError(f"{self.data_dir} is not encrypted")
        self._reopen_store()
        conversion = privacy.decrypt_folder(self.data_dir, key, found)
        del self.__dict__["folder_key"]
        return conversion

    def backup(self, destination: Path) -> None:
        """Write a consistent copy of the meeting store (safe while the app is recording or saving)."""
        self.store.backup(destination)

    def delete_meeting(self, meeting_id: int) -> Deletion:
        """Delete a meeting for good: its recording, transcript, minutes, search rows, cached embeddings and voice
        contributions, and its graph facts (later meetings of the team are derived again, as after an edit);
        then the store's files are scrubbed. Files outside the data folder are the user's and stay.

        Raises:
            NotFoundError: there is no such meeting (nothing changes).
        """
        return privacy.delete_meetings(self.store, self.data_dir, [_checked_id(meeting_id)])

    def delete_team(self, team: str) -> Deletion:
        """Delete a team with all its meetings, graph, people, voices and retention rule, for good."""
        return privacy.delete_team(self.store, self.data_dir, _checked_team(team))

    def team_language(self, team: str) -> str | None:
        """The language the team's recordings are heard in, or None when each meeting's is detected."""
        return self.store.team_language(_checked_team(team))

    def set_team_language(self, team: str, language: str | None) -> str | None:
        """Hear the team's recordings (processed and imported from now on) in ``language``, a Whisper code
        (``de``, see :func:`~companion.speech_models.speech_languages`); None or empty: detect each meeting's.
        Returns the code stored.

        Raises:
            CompanionError: Whisper knows no such language.
        """
        code = speech_language(language) if language and language.strip() else None
        self.store.set_team_language(_checked_team(team), code)
        return code

    def retention(self, team: str) -> Retention:
        """How long the team keeps its audio and meetings."""
        return self.store.retention(_checked_team(team))

    def retention_rules(self) -> list[Retention]:
        """Every team's rule that keeps something less than for ever."""
        return self.store.retention_rules()

    def set_retention(self, team: str, *, audio_days: int | None, meeting_days: int | None) -> Retention:
        """Keep the team's audio ``audio_days`` and whole meetings ``meeting_days`` after their date (None: for
        ever); :meth:`apply_retention` deletes what is older."""
        team = _checked_team(team)
        self.store.set_retention(team, privacy.checked_days(audio_days, "audio retention"),
                                 privacy.checked_days(meeting_days, "meeting retention"))
        return self.store.retention(team)

    def apply_retention(self, today: dt.date | None = None) -> RetentionRun:
        """Delete the audio and the meetings each team's rule no longer keeps (the app does it daily)."""
        return privacy.apply_retention(self.store, self.data_dir, today or dt.date.today())

    def audio_deleted_on(self, meeting_id: int) -> str | None:
        """The day retention deleted the meeting's audio, if it did."""
        return self.store.audio_deleted_on(_checked_id(meeting_id))


def _checked_team(team: str) -> str:
    team = team.strip()
    if not team or len(team) > 100 or not team.isprintable():
        raise CompanionError(f"invalid team name {team[:100]!r}: use 1-100 printable characters")
    return team


def _checked_day(date: str) -> str:
    """A meeting or agenda date, ``YYYY-MM-DD`` between :data:`EARLIEST_DATE` and :data:`LATEST_DATE`."""
    day = checked_date(date)
    if not EARLIEST_DATE.isoformat() <= day <= LATEST_DATE.isoformat():
        raise CompanionError(f"date {day} is out of range: use a date from {EARLIEST_DATE} to {LATEST_DATE}")
    return day


def _checked_id(meeting_id: int) -> int:
    if not 0 <= meeting_id <= LARGEST_ID:
        raise NotFoundError(f"no meeting with id {meeting_id}")
    return meeting_id


def _checked_question(text: str) -> str:
    text = " ".join(text.split())
    if not text or len(text) > MAX_QUESTION or not text.isprintable():
        raise CompanionError(f"invalid question {text[:60]!r}: use 1-{MAX_QUESTION} printable characters")
    return text


def _checked_name(name: str) -> str:
    name = " ".join(name.split())
    if not name or len(name) > 80 or not name.isprintable():
        raise CompanionError(f"invalid speaker name {name[:80]!r}: use 1-80 printable characters")
    return name

