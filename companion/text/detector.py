"""The learned utterance detector: how likely each sentence states an action, a decision or a problem.

A logistic regression per label over the sentence's all-MiniLM-L6-v2 embedding, those of its neighbours,
and lexical and dialogue features (the cue phrases of :mod:`companion.text.en`: commitments, requests,
proposals, assent in the next turn, questions, dates, names). ``scripts/train_detector.py`` fits it on
the AMI meetings' train split and this project's scripted meetings, picks the thresholds on the dev
splits, and writes the weights to ``companion/text/data/detector-<language>.npz``; running the script again
rebuilds the same weights. The caller computes the embeddings (``companion.llm``), so
this layer stays free of models.
"""

from __future__ import annotations

import importlib
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from companion.files import atomic_path
from companion.text.dates import names_a_date
from companion.text.sentences import Sentence

DATA = Path(__file__).with_name("data")
LABELS = ("action", "decision", "problem")


@lru_cache(maxsize=8)
def _cues(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The language's cue patterns (English when the language has no module of its own)."""
    try:
        module = importlib.import_module(f"companion.text.{language}")
    except ImportError:
        module = importlib.import_module("companion.text.en")
    return tuple((name, re.compile(pattern)) for name, pattern in module.CUES.items())


def feature_names(language: str = "en") -> list[str]:
    """Names of the lexical and dialogue features, in column order."""
    cues = [name for name, _ in _cues(language)]
    return [*cues, "question", "log_words", "short", "names_date", "names_person", "position", "closing",
            "next_assent", "next_question", "previous_question", "previous_proposal", "same_speaker_before",
            "speaker_share", "chair"]


def lexical_features(sentences: Sequence[Sentence], people: Sequence[str], language: str = "en") -> np.ndarray:
    """One row of lexical and dialogue features per sentence (see :func:`feature_names`)."""
    cues = _cues(language)
    hits = np.array([[bool(p.search(s.text.lower())) for _, p in cues] for s in sentences], dtype=np.float32)
    hits = hits.reshape(len(sentences), len(cues))
    names = [n.lower() for p in people for n in {p, p.split()[0]} if len(n) > 1]
    name_pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b") if names else None
    index = {name: i for i, (name, _) in enumerate(cues)}
    share = _speaker_shares(sentences)
    chair = max(share, key=share.__getitem__) if share else None
    rows = []
    for i, sentence in enumerate(sentences):
        words = len(sentence.text.split())
        before = sentences[i - 1] if i > 0 else None
        after = sentences[i + 1] if i + 1 < len(sentences) else None
        other_after = after is not None and after.speaker != sentence.speaker
        rows.append([
            float(sentence.is_question), math.log1p(words), float(words < 4),
            float(names_a_date(sentence.text)),
            float(bool(name_pattern and name_pattern.search(sentence.text.lower()))),
            i / max(1, len(sentences) - 1), float(i >= 0.85 * len(sentences)),
            float(other_after and bool(hits[i + 1, index["assent"]])) if after else 0.0,
            float(other_after and after.is_question) if after else 0.0,
            float(before.is_question) if before else 0.0,
            float(hits[i - 1, index["proposal"]]) if before else 0.0,
            float(before is not None and before.speaker == sentence.speaker),
            share[sentence.speaker], float(sentence.speaker == chair),
        ])
    return np.concatenate([hits, np.array(rows, dtype=np.float32).reshape(len(sentences), -1)], axis=1)


def _speaker_shares(sentences: Sequence[Sentence]) -> dict[str, float]:
    """Each speaker's share of the meeting's words. The one who says most usually chairs the meeting, and the
    chair is who hands out the tasks and sums up what was decided."""
    words: dict[str, int] = {}
    for sentence in sentences:
        words[sentence.speaker] = words.get(sentence.speaker, 0) + len(sentence.text.split())
    total = max(1, sum(words.values()))
    return {speaker: count / total for speaker, count in words.items()}


def design_matrix(vectors: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """The model's input: each sentence's vector, the previous and next sentences' vectors, its features."""
    zero = np.zeros((1, vectors.shape[1]), dtype=np.float32)
    previous = np.concatenate([zero, vectors[:-1]]) if len(vectors) else vectors
    following = np.concatenate([vectors[1:], zero]) if len(vectors) else vectors
    return np.concatenate([vectors, previous, following, lexical], axis=1).astype(np.float32)


@dataclass(frozen=True)
class Detector:
    """Per-label logistic regressions with thresholds chosen on the dev splits."""

    weights: np.ndarray
    """(features, labels)."""
    bias: np.ndarray
    mean: np.ndarray
    """Standardisation of the design matrix's columns, from the training data."""
    scale: np.ndarray
    thresholds: dict[str, float]
    language: str = "en"

    def probabilities(self, vectors: np.ndarray, sentences: Sequence[Sentence],
                      people: Sequence[str]) -> np.ndarray:
        """(sentences, labels) probabilities, columns in :data:`LABELS` order."""
        if not sentences:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        design = design_matrix(vectors, lexical_features(sentences, people, self.language))
        logits = ((design - self.mean) / self.scale) @ self.weights + self.bias
        return np.asarray(1.0 / (1.0 + np.exp(-logits)), dtype=np.float32)

    def verdicts(self, vectors: np.ndarray, sentences: Sequence[Sentence], people: Sequence[str]) -> Verdicts:
        """The probabilities of :meth:`probabilities` with this detector's thresholds."""
        return Verdicts(self.probabilities(vectors, sentences, people), dict(self.thresholds))

    def save(self, path: Path) -> None:
        """Write the weights (float32) and thresholds as an ``.npz`` file, whole or not at all."""
        thresholds = np.array([self.thresholds[label] for label in LABELS], dtype=np.float32)
        with atomic_path(path) as temporary:
            np.savez_compressed(temporary, weights=self.weights.astype(np.float32),
                                bias=self.bias.astype(np.float32), mean=self.mean.astype(np.float32),
                                scale=self.scale.astype(np.float32), thresholds=thresholds,
                                language=np.array(self.language))


@lru_cache(maxsize=4)
def load_detector(language: str = "en") -> Detector:
    """The shipped detector for ``language`` (the English one when there is none for it)."""
    path = DATA / f"detector-{language}.npz"
    if not path.exists():
        path = DATA / "detector-en.npz"
    with np.load(path) as data:
        thresholds = {label: float(t) for label, t in zip(LABELS, data["thresholds"], strict=True)}
        return Detector(data["weights"], data["bias"], data["mean"], data["scale"], thresholds, str(data["language"]))


@dataclass(frozen=True)
class Verdicts:
    """The detector's probabilities for one meeting's sentences, with the thresholds that make a "yes"."""

    probabilities: np.ndarray
    thresholds: dict[str, float]

    def probability(self, label: str, sentence: Sentence) -> float:
        return float(self.probabilities[sentence.index, LABELS.index(label)])

    def says(self, label: str, sentence: Sentence, share: float = 1.0) -> bool:
        """True when the probability reaches ``share`` of the label's threshold."""
        return self.probability(label, sentence) >= share * self.thresholds[label]
