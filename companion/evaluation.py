"""Scoring shared by tests and benchmarks: word error rate (Whisper's normaliser) and minutes against truth."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from transformers.models.whisper.english_normalizer import EnglishTextNormalizer

from companion.models import Minutes, Segment


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


def keywords_present(groups: list[str], text: str) -> bool:
    """Every group (alternatives separated by ``|``) has at least one alternative in ``text``.

    Spaces and hyphens do not count: speech recognition splits compounds ("check out", "mock -ups").
    """
    squashed = _squash(text)
    return all(any(_squash(alternative) in squashed for alternative in group.split("|")) for group in groups)


def _squash(text: str) -> str:
    return re.sub(r"[\s-]+", "", text.lower())


@dataclass
class MinutesScore:
    """How extracted minutes compare with a meeting's ground truth."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    due_right: int = 0
    decisions_found: int = 0
    decisions_total: int = 0
    questions_found: int = 0
    questions_total: int = 0
    without_evidence: int = 0
    foreign_owners: int = 0
    next_right: int = 0
    next_total: int = 0

    def __iadd__(self, other: MinutesScore) -> MinutesScore:
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    @property
    def precision(self) -> float:
        return self.true_positives / max(1, self.true_positives + self.false_positives)

    @property
    def recall(self) -> float:
        return self.true_positives / max(1, self.true_positives + self.false_negatives)

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    @property
    def due_accuracy(self) -> float:
        return self.due_right / max(1, self.true_positives)

    @property
    def decision_recall(self) -> float:
        return self.decisions_found / max(1, self.decisions_total)

    @property
    def question_recall(self) -> float:
        return self.questions_found / max(1, self.questions_total)

    @property
    def next_accuracy(self) -> float:
        return self.next_right / max(1, self.next_total)


def score_minutes(minutes: Minutes, truth: dict[str, Any], participants: list[str]) -> MinutesScore:
    """Action items match when the owner is right and the task has the truth's keywords (one to one)."""
    score = MinutesScore()
    unmatched = list(minutes.action_items)
    for expected in truth["action_items"]:
        match = next((a for a in unmatched if (a.owner or "").lower() == expected["owner"].lower()
                      and keywords_present(expected["keywords"], a.task)), None)
        if match is None:
            score.false_negatives += 1
            continue
        unmatched.remove(match)
        score.true_positives += 1
        score.due_right += match.due == expected.get("due")
    score.false_positives = len(unmatched)
    for kind, found_attr, total_attr, produced in (
        ("decisions", "decisions_found", "decisions_total", minutes.decisions),
        ("open_questions", "questions_found", "questions_total", minutes.open_questions),
    ):
        expected_items = truth.get(kind, [])
        setattr(score, total_attr, len(expected_items))
        setattr(score, found_attr, sum(any(keywords_present(e["keywords"], p.text) for p in produced)
                                       for e in expected_items))
    evidences = [i.evidence for i in minutes.action_items] + [s.evidence for s in (*minutes.decisions,
                                                                                   *minutes.open_questions)]
    score.without_evidence = sum(not evidence for evidence in evidences)
    names = {p.lower() for p in participants}
    score.foreign_owners = sum(1 for a in minutes.action_items if a.owner and a.owner.lower() not in names)
    score.next_total = 1
    score.next_right = int(minutes.next_meeting == truth.get("next_meeting"))
    return score


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def rouge(reference: str, candidate: str) -> dict[str, float]:
    """ROUGE-1, ROUGE-2 and ROUGE-L F1 (in %) on lower-cased word tokens, no stemming."""
    ref, cand = _tokens(reference), _tokens(candidate)
    scores: dict[str, float] = {}
    for n in (1, 2):
        ref_grams = Counter(tuple(ref[i:i + n]) for i in range(len(ref) - n + 1))
        cand_grams = Counter(tuple(cand[i:i + n]) for i in range(len(cand) - n + 1))
        scores[f"rouge{n}"] = _f1(sum((ref_grams & cand_grams).values()), len(ref) - n + 1, len(cand) - n + 1)
    previous = [0] * (len(cand) + 1)
    for ref_word in ref:
        current = [0]
        for j, cand_word in enumerate(cand, start=1):
            current.append(previous[j - 1] + 1 if ref_word == cand_word else max(previous[j], current[j - 1]))
        previous = current
    scores["rougeL"] = _f1(previous[-1], len(ref), len(cand))
    return scores


def _f1(overlap: int, reference_total: int, candidate_total: int) -> float:
    if overlap <= 0 or reference_total <= 0 or candidate_total <= 0:
        return 0.0
    precision, recall = overlap / candidate_total, overlap / reference_total
    return 100 * 2 * precision * recall / (precision + recall)


Turn = tuple[float, float, str]
"""(start, end, speaker): one speaker turn, as in an RTTM file."""


def read_rttm(path: str | Path) -> dict[str, list[Turn]]:
    """Speaker turns per recording id from an RTTM file (``SPEAKER id 1 start duration ... name ...``)."""
    turns: dict[str, list[Turn]] = {}
    for line in Path(path).read_text().splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[0] == "SPEAKER":
            start, duration = float(fields[3]), float(fields[4])
            turns.setdefault(fields[1], []).append((start, start + duration, fields[7]))
    return turns


def diarization_error_rate(reference: list[Turn], hypothesis: list[Turn], step: float = 0.01) -> float:
    """Frame-based DER: (missed + false alarm + confusion) / reference speech, no collar, overlap counted.

    Hypothesis speakers are mapped to reference speakers one-to-one so that the most time agrees
    (Hungarian assignment).
    """
    from scipy.optimize import linear_sum_assignment

    ref_names = sorted({t[2] for t in reference})
    hyp_names = sorted({t[2] for t in hypothesis})
    end = max([t[1] for t in reference + hypothesis], default=0.0)
    frames = int(np.ceil(end / step)) + 1
    ref = _activity(reference, ref_names, frames, step)
    hyp = _activity(hypothesis, hyp_names, frames, step)
    reference_total = ref.sum()
    if reference_total == 0:
        return 0.0 if hyp.sum() == 0 else 1.0
    agreement = ref.T.astype(np.int64) @ hyp.astype(np.int64)  # frames both speak, per (ref, hyp) pair
    rows, cols = linear_sum_assignment(-agreement)
    correct = agreement[rows, cols].sum()
    errors = np.maximum(ref.sum(axis=1), hyp.sum(axis=1)).sum() - correct
    return float(errors / reference_total)


def _activity(turns: list[Turn], names: list[str], frames: int, step: float) -> np.ndarray:
    active = np.zeros((frames, max(1, len(names))), dtype=bool)
    index = {name: i for i, name in enumerate(names)}
    for start, end, name in turns:
        active[round(start / step):round(end / step), index[name]] = True
    return active


def reference_names(segments: Sequence[Segment], reference: list[Turn]) -> dict[str, str]:
    """Each speaker label's reference name (the one it overlaps most): how a user would name the speakers."""
    overlap: dict[str, Counter[str]] = {}
    for segment in segments:
        for start, end, name in reference:
            shared = min(end, segment.end) - max(start, segment.start)
            if shared > 0:
                overlap.setdefault(segment.speaker, Counter())[name] += round(shared * 1000)
    return {label: names.most_common(1)[0][0] for label, names in overlap.items()}


AMI_ROLES = ("Project Manager", "Industrial Designer", "User Interface Designer", "Marketing Expert")
MINUTES_SECTIONS = ("actions", "decisions", "problems")


@dataclass
class LinkedMeeting:
    """An AMI meeting of ``real/ami-links``: its dialogue acts and the minutes sentences linked to them."""

    name: str
    split: str
    segments: list[Segment]
    """One segment per non-empty dialogue act, speaker = role (test meetings) or "Speaker X"."""
    act_ids: list[str]
    """The dialogue act of each segment."""
    sections: dict[str, list[tuple[str, set[str]]]]
    """Section -> (human sentence, ids of the dialogue acts it is linked to)."""


def ami_text(text: str) -> str:
    """AMI transcription conventions as speech recognition writes them: "L_C_D_" -> "LCD", "it 's" -> "it's"."""
    text = re.sub(r"\b((?:[A-Za-z]_)+)", lambda m: m.group(1).replace("_", ""), text)
    return re.sub(r" '(s|cause|re|ll|ve|d|m)\b", r"'\1", text)


def read_linked_meeting(path: Path, roles: dict[str, str] | None = None) -> LinkedMeeting:
    """A ``real/ami-links`` meeting; ``roles`` maps channel letters to roles (known for the test meetings)."""
    data = json.loads(path.read_text())
    acts = [u for u in data["utterances"] if u["text"].strip()]
    roles = roles or {}
    segments = [Segment(u["start"], max(u["end"], u["start"] + 0.01), ami_text(u["text"]),
                        roles.get(u["speaker"], f"Speaker {u['speaker']}")) for u in acts]
    sections = {name: [(s["text"], set(s["links"])) for s in data["summary"][name] if s["links"]]
                for name in MINUTES_SECTIONS}
    return LinkedMeeting(data["meeting"], data["split"], segments, [u["id"] for u in acts], sections)
