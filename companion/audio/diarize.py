"""Offline speaker diarization: who spoke when, with the bundled resemblyzer voice encoder.

Speech regions come from the Silero VAD inside faster-whisper, cut into units of about 3 s. Each unit is
described by its mean resemblyzer embedding (1.5 s windows every 0.5 s) next to MFCC statistics. The
units are first over-clustered by voice (average linkage, cosine), then clusters are merged pairwise while
one Gaussian explains two clusters' cepstra better than two do (the Bayesian information criterion, as in
classic diarization): the embedding finds candidate voices, BIC decides how many there are. Measured in
``benchmarks/diarization.py``.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from companion.audio.decode import SAMPLE_RATE
from companion.audio.live_policy import LIVE_POLICY
from companion.jobs import CancelToken, Job, Progress, run_job
from companion.runtime import Runtime, torch_threads

if TYPE_CHECKING:
    from resemblyzer import VoiceEncoder

log = logging.getLogger(__name__)
# resemblyzer imports webrtcvad, which imports the deprecated pkg_resources: a notice for its authors, not our users.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning, module="webrtcvad")

MEL_HOP = 160  # samples per 10 ms mel frame, as the encoder was trained
WINDOW_FRAMES = 150  # 1.5 s encoder windows ...
STEP_FRAMES = 50  # ... every 0.5 s
UNIT_FRAMES = 300  # speech is clustered in units of about 3 s
BATCH = 32  # encoder windows per call
TIMBRE_WEIGHT = 0.5  # weight of the MFCC statistics beside the voice embedding
OVERSPLIT_DISTANCE = 0.2  # cosine distance for the first, deliberately fine clustering
BIC_PENALTY = 2.6  # weight of the model-size penalty: higher merges more (see benchmarks/diarization.py)
MIN_CLUSTER_FRAMES = 100  # a cluster of less than 1 s of speech joins its nearest voice before BIC
MIN_SPEECH_S = 0.3
TARGET_DBFS = -30.0  # the encoder's training loudness; quiet far-field audio is raised to it


@dataclass(frozen=True)
class SpeakerTurn:
    start: float
    end: float
    speaker: str


@dataclass(frozen=True)
class Diarization:
    """Speaker turns in time order and one unit-length voice embedding per speaker label."""

    turns: tuple[SpeakerTurn, ...]
    voices: dict[str, np.ndarray]

    @property
    def speakers(self) -> list[str]:
        return list(self.voices)

    def speaker_between(self, start: float, end: float) -> str | None:
        """The speaker talking most between ``start`` and ``end`` (the nearest turn when none overlaps)."""
        if not self.turns:
            return None
        overlap: dict[str, float] = {}
        for turn in self.turns:
            shared = min(end, turn.end) - max(start, turn.start)
            if shared > 0:
                overlap[turn.speaker] = overlap.get(turn.speaker, 0.0) + shared
        if overlap:
            return max(overlap, key=overlap.__getitem__)
        middle = (start + end) / 2
        return min(self.turns, key=lambda t: min(abs(t.start - middle), abs(t.end - middle))).speaker


class Diarizer:
    """The voice encoder, loaded on first use on the runtime's device."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    @cached_property
    def encoder(self) -> VoiceEncoder:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pkg_resources and scipy deprecation notices from its imports
            from resemblyzer import VoiceEncoder

            return VoiceEncoder(self.runtime.device, verbose=False)

    def diarize(
        self,
        audio: np.ndarray,
        num_speakers: int | None = None,
        cancel: CancelToken | None = None,
        channel_of: np.ndarray | None = None,
    ) -> Job[Diarization]:
        """Find who spoke when in 16 kHz mono ``audio``.

        Args:
            num_speakers: the number of speakers when known; estimated otherwise.
            channel_of: optional per-sample channel index (0 = microphone, 1 = system audio): units are
                only clustered with units of the same channel, so "me" and "them" never merge.

        Yields progress; returns a :class:`Diarization` (empty for silence or very short audio).
        """
        cancel = cancel or CancelToken()
        audio = _loudness_normalised(audio)
        units = speech_units(speech_regions(audio))
        if not units:
            return Diarization((), {})
        voices = yield from self._voices(audio, units, cancel)
        cepstra = _mfcc(audio)
        features = np.hstack([voices, TIMBRE_WEIGHT * _timbre(cepstra, units)])
        groups = _channel_groups(units, channel_of)
        labels = np.zeros(len(units), dtype=int)
        for group in np.unique(groups):
            members = np.flatnonzero(groups == group)
            offset = labels.max() + 1 if group != groups.min() else 0
            wanted = _speakers_on_channel(num_speakers, int(group), len(np.unique(groups)))
            labels[members] = offset + cluster(features[members], [units[i] for i in members], cepstra, wanted)
        return _turns(units, labels, voices)

    def warm_up(self) -> None:
        """Load the voice encoder and prepare its kernels (seconds, once), before a live call needs them."""
        self.embed_spans(np.random.default_rng(0).normal(0.0, 0.01, 2 * SAMPLE_RATE).astype(np.float32),
                         [(0.0, 1.5)])

    def embed_spans(self, audio: np.ndarray, spans: Sequence[tuple[float, float]],
                    batch_size: int = LIVE_POLICY.embed_batch) -> np.ndarray:
        """One unit-length voice embedding per (start, end) span of 16 kHz ``audio``, in seconds, each made as a
        diarized unit's (the audio loudness-normalised, the mean of the span's 1.5 s windows); the encoder
        takes ``batch_size`` windows a call."""
        per_s = SAMPLE_RATE / MEL_HOP
        units = [(int(start * per_s), max(int(start * per_s) + 1, int(end * per_s))) for start, end in spans]
        # One thread on the CPU: a live step's few windows are embedded faster on one than on several.
        with torch_threads(1 if self.runtime.device == "cpu" else None):
            voices: np.ndarray = run_job(self._voices(_loudness_normalised(audio), units, CancelToken(), batch_size))
        return voices

    def _voices(self, audio: np.ndarray, units: list[tuple[int, int]], cancel: CancelToken, batch_size: int = BATCH
                ) -> Job[np.ndarray]:
        """The mean encoder embedding of each unit's 1.5 s windows, unit length."""
        import torch
        from resemblyzer.audio import wav_to_mel_spectrogram

        mel = np.pad(wav_to_mel_spectrogram(audio), ((0, WINDOW_FRAMES), (0, 0)))
        owners: list[int] = []
        starts: list[int] = []
        for index, (first, last) in enumerate(units):
            unit_starts = range(first, max(first + 1, last - WINDOW_FRAMES + 1), STEP_FRAMES)
            owners.extend([index] * len(unit_starts))
            starts.extend(unit_starts)
        embeddings = []
        for first in range(0, len(starts), batch_size):
            cancel.raise_if_cancelled()
            batch = [mel[s:s + WINDOW_FRAMES] for s in starts[first:first + batch_size]]
            # Always the same batch shape: the CPU backend prepares kernels per shape, which costs seconds.
            windows = np.zeros((batch_size, WINDOW_FRAMES, mel.shape[1]), dtype=np.float32)
            windows[:len(batch)] = batch
            with torch.no_grad():
                output = self.encoder(torch.from_numpy(windows).to(self.encoder.device)).cpu().numpy()
            embeddings.append(output[:len(batch)])
            yield Progress("speakers", min(first + batch_size, len(starts)), len(starts))
        by_window, owner_of = np.concatenate(embeddings), np.array(owners)
        voices = np.array([by_window[owner_of == index].mean(axis=0) for index in range(len(units))])
        unit_length: np.ndarray = voices / np.linalg.norm(voices, axis=1, keepdims=True)
        return unit_length


def speech_regions(audio: np.ndarray) -> list[tuple[int, int]]:
    """Speech as (first, last) mel-frame indices, from the Silero VAD that faster-whisper ships.

    A lower threshold and wider padding than for transcription: diarization must not miss quiet speech.
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if len(audio) < SAMPLE_RATE * MIN_SPEECH_S:
        return []
    options = VadOptions(threshold=0.35, min_silence_duration_ms=250, speech_pad_ms=200)
    regions = [(s["start"] // MEL_HOP, s["end"] // MEL_HOP) for s in get_speech_timestamps(audio, options)]
    return [(a, b) for a, b in regions if (b - a) * MEL_HOP >= SAMPLE_RATE * MIN_SPEECH_S]


def speech_units(regions: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Regions cut into equal units of about :data:`UNIT_FRAMES` each."""
    units: list[tuple[int, int]] = []
    for first, last in regions:
        count = max(1, round((last - first) / UNIT_FRAMES))
        edges = np.linspace(first, last, count + 1).astype(int)
        units.extend(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True))
    return units


def cluster(
    features: np.ndarray, units: Sequence[tuple[int, int]], cepstra: np.ndarray, num_speakers: int | None
) -> np.ndarray:
    """Speaker labels 0..k-1 (in order of first appearance) for units with these voice features.

    Over-cluster by voice, fold clusters under a second of speech into their nearest voice, then merge the
    pair that one Gaussian over their cepstra (c1-c12) explains best, while it explains them better than two
    do (or until ``num_speakers`` remain).
    """
    from scipy.cluster.hierarchy import fcluster, linkage

    if len(units) == 1:
        return np.zeros(1, dtype=int)
    features = features / np.linalg.norm(features, axis=1, keepdims=True)
    raw = fcluster(linkage(features, method="average", metric="cosine"), t=OVERSPLIT_DISTANCE, criterion="distance")
    groups = {int(label): np.flatnonzero(raw == label).tolist() for label in np.unique(raw)}
    _fold_short_clusters(groups, features, np.array([b - a for a, b in units]))
    stats = {label: _GaussianStats.of(np.vstack([cepstra[units[i][0]:units[i][1], 1:13] for i in members]))
             for label, members in groups.items()}
    while len(groups) > max(1, num_speakers or 1):
        gain, keep, merge = min((stats[a].merge_cost(stats[b]), a, b) for a in groups for b in groups if a < b)
        if num_speakers is None and gain >= 0:
            break
        groups[keep] += groups.pop(merge)
        stats[keep] = stats[keep] + stats.pop(merge)
    labels = np.zeros(len(units), dtype=int)
    order = sorted(groups.values(), key=min)
    for index, members in enumerate(order):
        labels[members] = index
    return labels


def _fold_short_clusters(groups: dict[int, list[int]], features: np.ndarray, lengths: np.ndarray) -> None:
    """Clusters with under a second of speech say too little for BIC: they join the nearest voice."""
    while len(groups) > 1:
        short = next((label for label, members in groups.items() if lengths[members].sum() < MIN_CLUSTER_FRAMES),
                     None)
        if short is None:
            return
        centre = features[groups[short]].mean(axis=0)
        nearest = max((label for label in groups if label != short),
                      key=lambda label: float(features[groups[label]].mean(axis=0) @ centre))
        groups[nearest] += groups.pop(short)


@dataclass(frozen=True)
class _GaussianStats:
    """Sufficient statistics of a full-covariance Gaussian: frame count, sum, sum of outer products."""

    count: int
    total: np.ndarray
    outer: np.ndarray

    @classmethod
    def of(cls, frames: np.ndarray) -> _GaussianStats:
        frames = frames.astype(np.float64)
        return cls(len(frames), frames.sum(axis=0), frames.T @ frames)

    def __add__(self, other: _GaussianStats) -> _GaussianStats:
        return _GaussianStats(self.count + other.count, self.total + other.total, self.outer + other.outer)

    def log_det(self) -> float:
        mean = self.total / self.count
        covariance = self.outer / self.count - np.outer(mean, mean) + 1e-6 * np.eye(len(mean))
        return float(np.linalg.slogdet(covariance)[1])

    def merge_cost(self, other: _GaussianStats) -> float:
        """ΔBIC of modelling both with one Gaussian: negative when one explains them well enough."""
        both = self + other
        dims = len(self.total)
        penalty = BIC_PENALTY * 0.5 * (dims + dims * (dims + 1) / 2) * float(np.log(both.count))
        fit = both.count * both.log_det() - self.count * self.log_det() - other.count * other.log_det()
        return 0.5 * fit - penalty


def _loudness_normalised(audio: np.ndarray) -> np.ndarray:
    rms = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64)))) if len(audio) else 0.0
    if rms <= 1e-6:
        return audio
    gain = 10 ** ((TARGET_DBFS - 20 * np.log10(rms)) / 20)
    return (audio * gain).astype(np.float32) if gain > 1 else audio


def _mfcc(audio: np.ndarray) -> np.ndarray:
    """20 MFCCs per 10 ms frame, aligned with the encoder's mel frames."""
    import librosa

    mfcc: np.ndarray = librosa.feature.mfcc(y=audio, sr=SAMPLE_RATE, n_mfcc=20, n_fft=400, hop_length=MEL_HOP).T
    return mfcc


def _timbre(cepstra: np.ndarray, units: list[tuple[int, int]]) -> np.ndarray:
    """MFCC mean and spread per unit, standardised over the meeting, unit length."""
    stats = np.array([np.concatenate([cepstra[a:b].mean(axis=0), cepstra[a:b].std(axis=0)]) for a, b in units])
    stats = (stats - stats.mean(axis=0)) / (stats.std(axis=0) + 1e-9)
    norms = np.linalg.norm(stats, axis=1, keepdims=True)
    unit_length: np.ndarray = np.divide(stats, norms, out=np.zeros_like(stats), where=norms > 0)
    return unit_length


def _speakers_on_channel(num_speakers: int | None, channel: int, channels: int) -> int | None:
    """With microphone and system audio, a known head count means one person at the microphone ("me")
    and the others on the system side ("them")."""
    if num_speakers is None or channels == 1:
        return num_speakers
    return 1 if channel == 0 else max(1, num_speakers - 1)


def _channel_groups(units: list[tuple[int, int]], channel_of: np.ndarray | None) -> np.ndarray:
    if channel_of is None:
        return np.zeros(len(units), dtype=int)
    return np.array([int(np.round(channel_of[a * MEL_HOP:b * MEL_HOP].mean())) for a, b in units])


def _turns(units: list[tuple[int, int]], labels: np.ndarray, voices: np.ndarray) -> Diarization:
    """Units become turns (adjacent units of one speaker merge); speakers are named in order of appearance."""
    names: dict[int, str] = {}
    turns: list[SpeakerTurn] = []
    for (first, last), label in zip(units, labels.tolist(), strict=True):
        name = names.setdefault(label, f"Speaker {len(names) + 1}")
        start, end = first / 100, last / 100
        if turns and turns[-1].speaker == name and start - turns[-1].end < 0.01:
            turns[-1] = SpeakerTurn(turns[-1].start, end, name)
        else:
            turns.append(SpeakerTurn(start, end, name))
    centroids = {}
    for label, name in names.items():
        mean = voices[labels == label].mean(axis=0)
        centroids[name] = mean / np.linalg.norm(mean)
    return Diarization(tuple(turns), centroids)
