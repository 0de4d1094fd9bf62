"""Scoring helpers shared by tests and benchmarks: Whisper's English normaliser and word error rate."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from transformers.models.whisper.english_normalizer import EnglishTextNormalizer


@lru_cache(maxsize=4)
def _normaliser(spelling_file: str | None) -> EnglishTextNormalizer:
    mapping = json.loads(Path(spelling_file).read_text()) if spelling_file else {}
    return EnglishTextNormalizer(mapping)


def normalise(text: str, spelling_file: str | Path | None = None) -> str:
    """Whisper's English normaliser (British-to-American spelling map optional)."""
    return str(_normaliser(str(spelling_file) if spelling_file else None)(text))


def word_error_rate(reference: str, hypothesis: str, spelling_file: str | Path | None = None) -> float:
    """Word error rate after normalising both texts: (substitutions + deletions + insertions) / words."""
    ref = normalise(reference, spelling_file).split()
    hyp = normalise(hypothesis, spelling_file).split()
    if not ref:
        return 0.0 if not hyp else 1.0
    previous = list(range(len(hyp) + 1))
    for i, ref_word in enumerate(ref, start=1):
        current = [i]
        for j, hyp_word in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word)))
        previous = current
    return previous[-1] / len(ref)
