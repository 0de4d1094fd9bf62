"""Topic segmentation of a meeting: TextTiling over sentence embeddings, and short titles by TF-IDF.

The vectors come from the caller (the bundled all-MiniLM-L6-v2 in practice); this module only does the
arithmetic, so the language layer stays free of models.
"""

from __future__ import annotations

import bisect
import math
import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from companion.text.sentences import STOPWORDS

WINDOW = 60
"""Sentences compared on each side of a gap (tuned on the AMI dev split, benchmarks/topics_eval.py)."""
DEPTH = 0.15
"""Least depth score (drop in cosine similarity below the peaks either side) that starts a topic."""
SMOOTHING = 11
"""Gaps in the moving average that smooths the similarity curve before depth scores (1: none)."""
MIN_TOPIC_S = 60.0
"""Topics shorter than this many seconds are merged into a neighbour."""
TITLE_WORDS = 3
"""Most words in a title."""
TITLE_SHARE = 0.5
"""A word joins the title when its score is at least this share of the best word's."""
ADVERB_WEIGHT = 0.5
"""Score factor for words ending in "-ly", mostly adverbs ("beautifully"), which rarely name a subject."""
FALLBACK_TITLE = "Discussion"
"""Title of a segment with no distinctive word."""
_WORD = re.compile(r"[a-z][a-z'-]*[a-z]")
FILLERS = frozenset(
    "um uh uhm erm er ah hmm mm mhm mm-hmm uh-huh yeah yep yup nope okay alright right well oh like just really "
    "actually basically gonna wanna gotta kinda sorta think thought mean means know guess suppose say said "
    "thing things stuff something anything everything nothing kind sort lot lots bit way sure maybe probably "
    "get got go going went make made want need see look put take come use try tell give good great nice fine "
    "bad little much many one two three four five six seven eight nine ten eleven twelve twenty thirty forty "
    "fifty hundred thousand million first second third half yes hey wow cool anyway anyways else even still "
    "though already now today time let's cause 'cause course bye hello hi thanks thank guys everybody "
    "quite pretty whatever same other another each every both such own only anyone someone everyone anybody "
    "somebody last next ago later soon yesterday tomorrow morning night week weeks year years minute minutes".split()
)
"""Words that fill speech without naming a subject (fillers, light verbs, number words)."""


def boundaries(
    vectors: np.ndarray,
    starts: Sequence[float],
    *,
    window: int = WINDOW,
    min_topic_s: float = MIN_TOPIC_S,
    depth: float = DEPTH,
    smoothing: int = SMOOTHING,
) -> list[int]:
    """Sentence indices where new topics begin (never 0), in order.

    Args:
        vectors: One unit-length row per sentence.
        starts: Start time of each sentence, in seconds.
        window: Sentences averaged on each side of a gap.
        min_topic_s: Shortest topic kept; a shorter one is merged into a neighbour.
        depth: Least depth score at a boundary.
        smoothing: Width of the moving average over the similarity curve.
    """
    if len(vectors) != len(starts):
        raise ValueError("one start time per vector is needed")
    scores = depth_scores(smoothed(gap_similarities(vectors, window), smoothing))
    candidates = [i for i in _local_peaks(scores) if scores[i] >= depth]
    return _spaced([i + 1 for i in candidates], [float(scores[i]) for i in candidates], starts, min_topic_s)


def gap_similarities(vectors: np.ndarray, window: int) -> np.ndarray:
    """Cosine similarity of the mean vectors of the ``window`` sentences before and after each gap.

    Gap ``i`` lies between sentences ``i`` and ``i + 1``; there are ``len(vectors) - 1`` gaps.
    """
    count = len(vectors)
    if count < 2:
        return np.zeros(0, np.float64)
    data = np.asarray(vectors, np.float64)
    sums = np.vstack([np.zeros((1, data.shape[1])), np.cumsum(data, axis=0)])
    gaps = np.arange(1, count)
    lower, upper = np.maximum(gaps - window, 0), np.minimum(gaps + window, count)
    left, right = sums[gaps] - sums[lower], sums[upper] - sums[gaps]
    norms = np.linalg.norm(left, axis=1) * np.linalg.norm(right, axis=1)
    dots = np.einsum("ij,ij->i", left, right)
    return np.where(norms > 0, dots / np.maximum(norms, 1e-12), 0.0)


def smoothed(values: np.ndarray, width: int) -> np.ndarray:
    """Moving average of ``width`` values centred on each one, the edge values repeated beyond the ends."""
    if width <= 1 or len(values) == 0:
        return np.asarray(values, np.float64)
    padded = np.pad(np.asarray(values, np.float64), (width // 2, width - 1 - width // 2), mode="edge")
    return np.convolve(padded, np.ones(width) / width, mode="valid")


def depth_scores(similarities: np.ndarray) -> np.ndarray:
    """TextTiling depth of each gap: how far its similarity lies below the peaks reached climbing either way.

    Climbing left from a gap whose left neighbour is no lower reaches the same peak as climbing from that
    neighbour, so one pass each way finds every gap's peaks.
    """
    values = np.asarray(similarities, np.float64)
    left, right = values.copy(), values.copy()
    for i in range(1, len(values)):
        if values[i - 1] >= values[i]:
            left[i] = left[i - 1]
    for i in range(len(values) - 2, -1, -1):
        if values[i + 1] >= values[i]:
            right[i] = right[i + 1]
    return (left - values) + (right - values)


def _local_peaks(scores: np.ndarray) -> list[int]:
    """Gaps whose depth is positive and no lower than either neighbour's (the first of a plateau)."""
    peaks = []
    for i, value in enumerate(scores):
        before = scores[i - 1] if i > 0 else -math.inf
        after = scores[i + 1] if i + 1 < len(scores) else -math.inf
        if value > 0 and value > before and value >= after:
            peaks.append(i)
    return peaks


def _spaced(candidates: list[int], strengths: list[float], starts: Sequence[float], min_topic_s: float) -> list[int]:
    """The strongest candidates that leave every topic at least ``min_topic_s`` long, in order."""
    if not len(starts):
        return []
    first, last = float(starts[0]), float(starts[-1])
    chosen: set[int] = set()
    times: list[float] = []
    """The start times of the chosen, in order: only the nearest one either side can be too close."""
    for _, index in sorted(zip(strengths, candidates, strict=True), key=lambda pair: -pair[0]):
        at = float(starts[index])
        if at - first < min_topic_s or last - at < min_topic_s or index in chosen:
            continue
        after = bisect.bisect_left(times, at)
        if (after == 0 or at - times[after - 1] >= min_topic_s) and (
                after == len(times) or times[after] - at >= min_topic_s):
            chosen.add(index)
            times.insert(after, at)
    return sorted(chosen)


def title(texts: Sequence[str], others: Sequence[str]) -> str:
    """A title of one to ``TITLE_WORDS`` words: the segment's most distinctive subject words.

    Args:
        texts: The sentences of the segment.
        others: The text of each other segment of the meeting (one string per segment).
    """
    documents = [_matched(_subject_words(other)) for other in others]
    frequency = Counter(word for words in documents for word in words)
    return _titled(_subject_words(" ".join(texts)), frequency, set(), len(documents))


def titles(texts: Sequence[str]) -> list[str]:
    """The :func:`title` of each segment of a meeting (one string per segment) against all the others.

    Each segment's words are counted once, so a meeting of many topics takes time in proportion to its length.
    """
    counts = [_subject_words(text) for text in texts]
    matched = [_matched(count) for count in counts]
    frequency = Counter(word for words in matched for word in words)
    return [_titled(count, frequency, own, len(texts) - 1) for count, own in zip(counts, matched, strict=True)]


def _titled(counts: Counter[str], frequency: Counter[str], own: set[str], documents: int) -> str:
    """The title from a segment's word ``counts``; ``frequency`` counts the documents each word occurs in,
    ``own`` of them this segment's, leaving ``documents`` others."""
    if not counts:
        return FALLBACK_TITLE
    scores = {word: count * _idf(frequency[word] - (word in own), documents) * _noun_likeness(word)
              for word, count in counts.items()}
    ranked = sorted(scores, key=lambda word: (-scores[word], -len(word), word))
    best = scores[ranked[0]]
    words = [word for word in ranked[:TITLE_WORDS] if scores[word] >= TITLE_SHARE * best]
    return " ".join(words).capitalize()


def _subject_words(text: str) -> Counter[str]:
    """Counts of the words that may name a subject, plurals folded onto the singular when both occur."""
    counts = Counter(
        word.strip("'-")
        for word in _WORD.findall(text.lower())
        if word not in STOPWORDS and word not in FILLERS and len(word) > 2 and "'" not in word
    )
    for word in [w for w in counts if w.endswith("s") and w[:-1] in counts]:
        counts[word[:-1]] += counts.pop(word)
    return counts


def _noun_likeness(word: str) -> float:
    """1 for a word that may be a noun, ``ADVERB_WEIGHT`` for one that looks like an adverb."""
    return ADVERB_WEIGHT if word.endswith("ly") and len(word) > 5 else 1.0


def _matched(counts: Counter[str]) -> set[str]:
    """The words a document matches: its own, and the singular of each plural in it."""
    return set(counts) | {word[:-1] for word in counts if word.endswith("s")}


def _idf(found: int, documents: int) -> float:
    """Smoothed inverse document frequency of a word found in ``found`` of the other ``documents``."""
    return math.log((2 + documents) / (1 + found)) + 1.0
