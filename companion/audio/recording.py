"""A crash-safe recording: audio goes to disk as it arrives, flushed at least every half second.

Files in the recordings folder:
    <stamp>.recording.wav   being recorded, or left unfinished by a crash (repairable)
    <stamp>.wav             finished
    <stamp>.json            what the recording is for (team, title, date, participants), and whether a
                            recovery of it has yet to store its meeting (it is offered again until then)
Channel 0 is the microphone ("me"), channel 1 system audio ("them") when recorded.
In an encrypted data folder all three are sealed with the folder's key (see :mod:`companion.encryption`);
the WAV is sealed a chunk at each flush, so a crash still loses at most the last half second.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import queue
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from companion.audio.capture import AudioSource
from companion.audio.decode import SAMPLE_RATE
from companion.audio.wavfile import WavAppender, repair_wav
from companion.encryption import FolderKey, read_file, write_file
from companion.errors import CompanionError

log = logging.getLogger(__name__)

UNFINISHED_SUFFIX = ".recording.wav"
STAMP = "%Y%m%d-%H%M%S-%f"
"""How a recording's files are named: the moment it began."""
RECOVERED_TEAM = "Recovered"
"""The team of a recovered recording whose sidecar is missing or broken."""
FLUSH_EVERY_S = 0.5
LIVE_BUFFER_S = 30.0
"""Live transcription that falls behind skips audio older than this (the final pass covers it)."""


@dataclass
class RecordingInfo:
    team: str
    title: str
    date: str
    participants: list[str] = field(default_factory=list)
    started_at: str = field(default_factory=lambda: dt.datetime.now().isoformat(timespec="seconds"))
    channels: int = 1
    recovering: bool = False
    """Set from the start of a recovery until its meeting is stored."""

    def save(self, path: Path, key: FolderKey | None = None) -> None:
        """Write the sidecar (sealed with ``key``, an encrypted folder's)."""
        write_file(path, json.dumps(asdict(self), indent=2).encode("utf-8"), key)

    @classmethod
    def load(cls, path: Path, key: FolderKey | None = None) -> RecordingInfo:
        """Read a sidecar (``key`` opens a sealed one).

        Raises:
            OSError: it cannot be read.
            ValueError: it is not a recording's info: not JSON (cut short, say), or a field missing or wrong, or
                it is sealed and ``key`` does not open it.
        """
        try:
            data = json.loads(read_file(path, key).decode("utf-8"))
        except CompanionError as error:
            raise ValueError(str(error)) from None
        if not isinstance(data, dict):
            raise ValueError(f"{path}: not a recording's info")
        known = {f.name for f in fields(cls)}
        try:
            info = cls(**{key: value for key, value in data.items() if key in known})
        except TypeError as error:
            raise ValueError(f"{path}: {error}") from None
        texts = (info.team, info.title, info.date, info.started_at)
        if not (all(isinstance(text, str) for text in texts) and info.team.strip()
                and isinstance(info.participants, list) and all(isinstance(p, str) for p in info.participants)
                and info.channels in (1, 2) and isinstance(info.recovering, bool)):
            raise ValueError(f"{path}: not a recording's info")
        dt.date.fromisoformat(info.date)
        return info


class RecordingControl:
    """How a front end steers a recording job: pause, resume, switch input, stop (then it is processed)."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self.paused = False
        self._new_microphone: AudioSource | None = None

    def stop(self) -> None:
        self._stop.set()

    def switch_microphone(self, microphone: AudioSource) -> None:
        """Carry on recording from ``microphone`` (after the headset was unplugged, say); same meeting, same file."""
        self._new_microphone = microphone

    def take_new_microphone(self) -> AudioSource | None:
        microphone, self._new_microphone = self._new_microphone, None
        return microphone

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; True when stop was requested meanwhile."""
        return self._stop.wait(seconds)


@dataclass(frozen=True)
class RecordingStatus:
    """Yielded by the recording job once capture has begun, then every live step: timers, meters, errors."""

    seconds: float
    level_db: float
    paused: bool
    error: str | None
    path: Path


class Recording:
    """Capture from a microphone (and optionally system audio) into a crash-safe WAV file.

    Sources call back from their own threads; one writer thread mixes, writes and flushes, and offers
    the mono mix to live transcription through :meth:`take_live_audio`.
    """

    def __init__(self, folder: Path, info: RecordingInfo, mic: AudioSource, system: AudioSource | None = None,
                 key: FolderKey | None = None) -> None:
        """``key``: an encrypted data folder's, to seal the recording and its sidecar with."""
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime(STAMP)
        info.channels = 2 if system is not None else 1
        self.info = info
        self.path = folder / f"{stamp}{UNFINISHED_SUFFIX}"
        self.info_path = info_path(self.path)
        self.mic, self.system = mic, system
        self.level_db = -120.0
        self.error: str | None = None
        self.paused = False
        self._incoming: queue.Queue[tuple[int, np.ndarray]] = queue.Queue()
        self._pending = {0: np.zeros(0, np.float32), 1: np.zeros(0, np.float32)}
        self._live: list[np.ndarray] = []
        self._live_lock = threading.Lock()
        self._stopping = threading.Event()
        self._key = key
        self._writer = WavAppender(self.path, info.channels, SAMPLE_RATE, key)
        self._thread = threading.Thread(target=self._write_loop, name="recording-writer", daemon=True)

    @property
    def seconds(self) -> float:
        return self._writer.seconds

    def start(self) -> None:
        self.info.save(self.info_path, self._key)
        self._thread.start()
        self.mic.start(lambda block: self._incoming.put((0, block)), self._lost)
        if self.system is not None:
            self.system.start(lambda block: self._incoming.put((1, block)), self._lost)
        log.info("recording to %s", self.path)

    def status(self) -> RecordingStatus:
        return RecordingStatus(self.seconds, self.level_db, self.paused, self.error, self.path)

    def pause(self) -> None:
        self.paused = True

    def resume(self) -> None:
        self.paused = False

    def switch_microphone(self, mic: AudioSource) -> None:
        """Carry on with another input, e.g. after a headset was unplugged; the file stays the same."""
        self.mic.stop()
        self.mic = mic
        self.error = None
        mic.start(lambda block: self._incoming.put((0, block)), self._lost)

    def take_live_audio(self) -> np.ndarray:
        """The mono audio written since the last call (at most the last LIVE_BUFFER_S seconds)."""
        with self._live_lock:
            blocks, self._live = self._live, []
        audio = np.concatenate(blocks) if blocks else np.zeros(0, np.float32)
        return audio[-int(LIVE_BUFFER_S * SAMPLE_RATE):]

    def stop(self) -> Path:
        """Stop capturing, write what is queued, finish the file; return the finished WAV's path."""
        self.mic.stop()
        if self.system is not None:
            self.system.stop()
        self._stopping.set()
        self._thread.join()
        self._writer.close()
        finished = self.path.with_name(self.path.name.replace(UNFINISHED_SUFFIX, ".wav"))
        self.path.replace(finished)
        log.info("recording finished: %s (%.1f s)", finished, self._writer.seconds)
        return finished

    def _lost(self, message: str) -> None:
        log.warning(message)
        self.error = message

    def _write_loop(self) -> None:
        last_flush = time.monotonic()
        unflushed = False
        while not (self._stopping.is_set() and self._incoming.empty()):
            try:
                channel, block = self._incoming.get(timeout=0.1)
            except queue.Empty:
                block = None
            if block is not None and not self.paused:
                self._pending[channel] = np.concatenate([self._pending[channel], block])
                self._write_ready()
                unflushed = True
            # Flush every FLUSH_EVERY_S while audio flows, and at once when it pauses.
            if unflushed and (block is None or time.monotonic() - last_flush >= FLUSH_EVERY_S):
                self._writer.flush()
                last_flush, unflushed = time.monotonic(), False
        self._write_ready(drain=True)
        self._writer.flush()

    def _write_ready(self, drain: bool = False) -> None:
        """Write the frames every channel has (all of them when draining; a missing channel is silence)."""
        mic = self._pending[0]
        frames: np.ndarray
        if self.system is None:
            frames, self._pending[0] = mic, np.zeros(0, np.float32)
            mono = frames
        else:
            system = self._pending[1]
            count = max(len(mic), len(system)) if drain else min(len(mic), len(system))
            # A source may deliver nothing for a while (a stalled device, a silent loopback): never hold
            # the other channel back for more than half a second; the missing one is written as silence.
            if count == 0 and max(len(mic), len(system)) > SAMPLE_RATE * 0.5:
                count = max(len(mic), len(system))
            both = np.zeros((count, 2), np.float32)
            both[: min(count, len(mic)), 0] = mic[:count]
            both[: min(count, len(system)), 1] = system[:count]
            self._pending[0], self._pending[1] = mic[count:], system[count:]
            frames = both
            mono = both.mean(axis=1)
        if not len(frames):
            return
        self._writer.write(frames)
        rms = float(np.sqrt(np.mean(np.square(mono)))) if len(mono) else 0.0
        self.level_db = 20 * np.log10(max(rms, 1e-6))
        with self._live_lock:
            self._live.append(mono)
            # Nobody took the live audio for a while (a stalled step): keep only the newest LIVE_BUFFER_S.
            while len(self._live) > 1 and sum(map(len, self._live[1:])) >= LIVE_BUFFER_S * SAMPLE_RATE:
                self._live.pop(0)


def unfinished_recordings(folder: Path, key: FolderKey | None = None) -> list[Path]:
    """Recordings a crash left behind, and recovered ones whose meeting is not stored yet; oldest first.
    ``key`` opens the sealed sidecars of an encrypted folder."""
    if not folder.is_dir():
        return []
    unfinished = list(folder.glob(f"*{UNFINISHED_SUFFIX}"))
    being_recovered = [wav for wav in folder.glob("*.wav")
                       if not wav.name.endswith(UNFINISHED_SUFFIX) and _being_recovered(wav, key)]
    return sorted(unfinished + being_recovered)


def recover_recording(path: Path, key: FolderKey | None = None) -> tuple[Path, RecordingInfo, float]:
    """Repair a recording :func:`unfinished_recordings` offers and mark it finished; return path, info, seconds.

    Its sidecar says that it is being recovered before the WAV changes name, and it stays offered until
    :func:`recovery_stored`: a recovery that fails, is cancelled or crashes can be tried again. A missing
    or broken sidecar means defaults (see :func:`read_info`), written as its new sidecar. ``key`` opens (and
    seals) the files of an encrypted folder.

    Raises:
        CompanionError: the file is not a recording this app wrote, or cannot be repaired.
    """
    info = read_info(path, key)
    info.recovering = True
    info.save(info_path(path), key)
    try:
        seconds = repair_wav(path, key)
    except ValueError as error:
        raise CompanionError(str(error)) from None
    except OSError as error:
        raise CompanionError(f"{path}: cannot repair the recording ({error.strerror})") from error
    finished = path.with_name(f"{_stem(path)}.wav")
    path.replace(finished)
    log.info("recovered %s: %.1f s", finished, seconds)
    return finished, info, seconds


def recovery_stored(path: Path, info: RecordingInfo, key: FolderKey | None = None) -> None:
    """The meeting of the recovered recording at ``path`` is stored: stop offering it."""
    info.recovering = False
    info.save(info_path(path), key)


def read_info(path: Path, key: FolderKey | None = None) -> RecordingInfo:
    """What the recording at ``path`` is for, from its sidecar.

    A sidecar that is missing or broken (a crash while it was written) is no reason to lose the audio: it
    means team :data:`RECOVERED_TEAM`, with title and date from the file's name (its time when the name
    has none); logged as a warning.
    """
    try:
        return RecordingInfo.load(info_path(path), key)
    except (OSError, ValueError) as error:
        try:
            began = dt.datetime.strptime(_stem(path), STAMP)
        except ValueError:
            began = dt.datetime.fromtimestamp(path.stat().st_mtime)
        info = RecordingInfo(RECOVERED_TEAM, f"Recording {began:%Y-%m-%d %H:%M}", began.date().isoformat(),
                             started_at=began.isoformat(timespec="seconds"))
        log.warning("%s: cannot read what it was recorded for (%s); recovering it as %r in team %r", path.name,
                    error, info.title, info.team)
        return info


def info_path(path: Path) -> Path:
    """The sidecar of the recording at ``path`` (unfinished or finished)."""
    return path.with_name(f"{_stem(path)}.json")


def _stem(path: Path) -> str:
    return path.name.removesuffix(UNFINISHED_SUFFIX).removesuffix(".wav")


def _being_recovered(path: Path, key: FolderKey | None) -> bool:
    try:
        return RecordingInfo.load(info_path(path), key).recovering
    except (OSError, ValueError):
        return False
