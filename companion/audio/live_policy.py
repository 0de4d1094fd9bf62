"""Every parameter of live transcription and live speaker naming, in one place.

The values are chosen by replaying the shared meetings (``benchmarks/live_latency.py``); the figures behind
them are in ``docs/benchmarks.md``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LivePolicy:
    """How the live transcript is heard, committed and labelled with speakers during a recording."""

    step_s: float = 0.5
    """Seconds between two live steps: each step hears the buffer again, so the step sets the latency floor."""

    max_buffer_s: float = 12.0
    """Most seconds of audio one step hears: long enough for an utterance and its context, short enough to be
    heard within a step."""

    min_clip_s: float = 0.5
    """A buffer shorter than this is not heard: too little audio for Whisper to say anything reliable."""

    lead_in_s: float = 1.0
    """Silence heard before the recording's first audio: Whisper mishears speech from a clip's very first
    sample, and a recording started mid-sentence begins with speech."""

    prompt_words: int = 40
    """Committed words before the buffer given to Whisper as the prompt, for context and spelling."""

    keep_words: int = 200
    """Committed words the transcriber remembers: enough for the prompt, flat memory however long the call."""

    pause_s: float = 0.6
    """A gap this long between two words is a pause: the end of an utterance, where the buffer is cut and the
    speaker may change."""

    beam_size: int = 5
    """Beam width for a short clip: greedy decoding garbles few-second clips much more than whole
    recordings."""

    tail_s: float = 1.0
    """A clip is not decoded further once a segment ends this close to its end: a window of under a second
    hears a word or two alone, badly, and costs a decoding; the next step hears them again."""

    tokens_per_s: int = 8
    """Tokens a step may decode per second of clip: speech needs about half, more is Whisper looping."""

    max_compression_ratio: float = 2.4
    """A clip's segment more repetitive than this is dropped (faster-whisper's own threshold for a retry):
    the next step hears that audio again instead of waiting for retries at higher temperatures."""

    min_avg_logprob: float = -1.0
    """A clip's segment less likely than this is dropped, for the same reason (faster-whisper's threshold)."""

    right_context_s: float = 1.0
    """Audio the newer of two agreeing hearings must have had after a word to commit it: Whisper hears the end
    of a clip badly, and two hearings a step apart share that blind spot."""

    confident_p: float = 0.8
    """A word both agreeing hearings gave at least this probability counts as confident: what Whisper mishears
    at a clip's end it mostly hears with a low probability."""

    confident_context_s: float = 0.4
    """Audio after a confident word that is enough to commit it, so that most words need not wait for the full
    right context."""

    stall_s: float = 2.5
    """A word the newest hearing shares with the one before the last is committed once it ended this long
    before the buffer's end: Whisper can swing between two hearings of a word step after step."""

    anchor_words: int = 3
    """Two hearings that dispute some words and then agree on this many more settle the dispute in favour of
    the newer one, which heard it with more audio after it."""

    loop_words: int = 3
    """A phrase this long heard twice in one hearing is Whisper looping, not speech: the hearing ends there."""

    speaker_keep_s: float = 30.0
    """Seconds of recent audio kept for naming speakers: enough for any utterance being committed."""

    speaker_clip_s: float = 1.5
    """Least audio embedded per utterance, one voice-encoder window: shorter utterances are widened."""

    speaker_max_clip_s: float = 10.0
    """Most audio embedded per utterance (its latest part), so that a step stays fast."""

    speaker_min_speech_s: float = 0.5
    """Utterances shorter than this take the previous speaker: too little of their own voice to judge."""

    speaker_similarity: float = 0.80
    """Cosine similarity to a live speaker's running mean needed to join it: lower merges people, higher
    splits one person into several."""

    new_speaker_s: float = 1.5
    """Unfamiliar speech in a row that starts a new live speaker: a single odd utterance must not."""

    max_speakers: int = 20
    """Live speakers at most: past this an utterance joins the nearest one, so noise cannot grow memory."""

    embed_batch: int = 4
    """Voice-encoder windows per call: a step embeds a few windows, and small batches answer fastest."""


LIVE_POLICY = LivePolicy()
"""The policy the app records with."""
