"""Summaries: TextRank over transcript sentences (a sparse similarity graph), and a language model's summary
behind the grounding gate."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import sparse

from companion.jobs import CancelToken, Job, Progress
from companion.llm.backend import LanguageModel
from companion.llm.grounding import credited, supported_by_one, supporting
from companion.models import ActionItem, Statement
from companion.text import wording
from companion.text.sentences import Sentence, content_words

MIN_WORDS = 6
WINDOW = 600
"""Each candidate is compared with at most this many candidates either side: every pair in a meeting of up to
this many candidates (all real meetings tried), a band of the graph beyond, so memory and time stay linear."""
DAMPING = 0.85
TOLERANCE = 1.0e-6
MAX_ITERATIONS = 100
"""PageRank's parameters, those of ``networkx.pagerank``."""


def rank_sentences(sentences: Sequence[Sentence]) -> list[Sentence]:
    """Candidate sentences, most central first (TextRank).

    Edge weights follow Mihalcea & Tarau (2004): shared words over the log lengths of both sentences.
    Questions and very short sentences ("Agreed.") are not candidates.
    """
    candidates = [s for s in sentences if len(s.text.split()) >= MIN_WORDS and not s.is_question]
    if not candidates:
        return []
    scores = _pagerank(_similarity_graph([content_words(s.text) for s in candidates]))
    return [candidates[i] for i in sorted(range(len(candidates)), key=lambda i: (-scores[i], i))]


def _similarity_graph(words: Sequence[set[str]], window: int = WINDOW) -> sparse.csr_array:
    """The symmetric TextRank weights of every pair of sentences at most ``window`` apart that share a word."""
    vocabulary: dict[str, int] = {}
    rows = [i for i, sentence in enumerate(words) for _ in sentence]
    columns = [vocabulary.setdefault(word, len(vocabulary)) for sentence in words for word in sentence]
    count = len(words)
    incidence = sparse.csr_array((np.ones(len(rows), np.int32), (rows, columns)), shape=(count, len(vocabulary)))
    logs = np.array([math.log(len(sentence) + 1) for sentence in words])
    firsts, seconds, weights = [], [], []
    for block in range(0, count, window):  # the pairs (i, j), i in the block, i < j <= i + window
        shared = (incidence[block:block + window] @ incidence[block:block + 2 * window].T).tocoo()
        first, second = shared.row + block, shared.col + block
        near = (second > first) & (second - first <= window)
        first, second = first[near], second[near]
        firsts.append(first)
        seconds.append(second)
        weights.append(shared.data[near] / (logs[first] + logs[second]))
    symmetric = (np.concatenate(weights * 2), (np.concatenate(firsts + seconds), np.concatenate(seconds + firsts)))
    del firsts, seconds, weights
    return sparse.coo_array(symmetric, shape=(count, count), dtype=float).tocsr()


def _pagerank(graph: sparse.csr_array) -> np.ndarray:
    """PageRank of each node of a weighted undirected graph, computed as ``networkx.pagerank`` does."""
    count = graph.shape[0]
    strength = graph.sum(axis=1)
    strength[strength != 0] = 1.0 / strength[strength != 0]
    graph.data *= np.repeat(strength, np.diff(graph.indptr))  # each row over its sum: the random walk
    uniform = np.repeat(1.0 / count, count)
    dangling = np.where(strength == 0)[0]
    scores = uniform
    for _ in range(MAX_ITERATIONS):
        last = scores
        scores = DAMPING * (scores @ graph + sum(scores[dangling]) * uniform) + (1 - DAMPING) * uniform
        if np.absolute(scores - last).sum() < count * TOLERANCE:
            break
    return scores


def central(ranked: Sequence[Sentence], count: int | None = None, max_words: int | None = None) -> list[Sentence]:
    """The first of the ``ranked`` sentences, up to ``count`` sentences or ``max_words`` words, in the order said."""
    chosen: list[Sentence] = []
    words = 0
    for sentence in ranked:
        if count is not None and len(chosen) >= count:
            break
        if max_words is not None and words >= max_words:
            break
        chosen.append(sentence)
        words += len(sentence.text.split())
    return sorted(chosen, key=lambda s: s.index)


def summary_length(sentence_count: int) -> int:
    """About one sentence in ten, between 2 and 8."""
    return max(2, min(8, round(sentence_count / 10)))


BRIEF_SENTENCES = 3
BRIEF_ITEMS = 4
"""The summary names this many decisions and actions at most; the minutes list them all."""


def brief(key_sentences: Sequence[Sentence], decisions: Sequence[Statement], items: Sequence[ActionItem]) -> str:
    """What was discussed (the central sentences without their disfluencies), what was decided, who does what."""
    said = [wording.clean(s.text) for s in key_sentences[:BRIEF_SENTENCES]]
    parts = [" ".join(s for s in said if s)]
    if decisions:
        parts.append("Decided: " + "; ".join(d.text.rstrip(".") for d in decisions[:BRIEF_ITEMS]) + ".")
    if items:
        actions = [f"{a.owner or 'someone'} to {a.task}" + (f" by {a.due}" if a.due else "")
                   for a in items[:BRIEF_ITEMS]]
        parts.append("Actions: " + "; ".join(actions) + ".")
    return " ".join(p for p in parts if p)


SUMMARY_INSTRUCTION = (
    "Summarise this meeting in two or three short sentences. Use only facts stated in the transcript."
)


def model_summary(
    model: LanguageModel, key_sentences: Sequence[Sentence], cancel: CancelToken | None = None,
    max_new_tokens: int = 96, agreed: Mapping[int, str] | None = None,
) -> Job[list[str]]:
    """A language model's summary of ``key_sentences``, keeping only sentences the transcript supports.

    Map-reduce when the sentences exceed the model's context window: each chunk is summarised, then the
    chunk summaries are summarised together. Every generated sentence passes the grounding check, and one
    that rests on one person's word says so ("Dana said ..."); ``agreed`` maps a sentence's index to the
    speaker who agreed with it right after (:func:`companion.text.extract.agreements`).
    """
    lines = [f"{s.speaker}: {s.text}" if s.speaker else s.text for s in key_sentences]
    passages = [(s.speaker, s.text) for s in key_sentences]
    budget = model.context_tokens - max_new_tokens - model.count_tokens(model.prompt(SUMMARY_INSTRUCTION, ""))
    chunks = _chunks(lines, budget, model)
    drafts: list[str] = []
    for number, chunk in enumerate(chunks):
        yield Progress("summarising", number, len(chunks) + 1)
        drafts += _grounded(model.generate(model.prompt(SUMMARY_INSTRUCTION, chunk), max_new_tokens, cancel), passages)
    if len(chunks) > 1 and model.count_tokens(" ".join(drafts)) <= budget:
        reduced = _grounded(model.generate(model.prompt(SUMMARY_INSTRUCTION, " ".join(drafts)), max_new_tokens,
                                           cancel), passages)
        drafts = reduced or drafts
    yield Progress("summarising", len(chunks) + 1, len(chunks) + 1)
    return list(dict.fromkeys(_attributed(d, key_sentences, agreed or {}) for d in drafts))


def _attributed(sentence: str, key_sentences: Sequence[Sentence], agreed: Mapping[int, str]) -> str:
    """``sentence`` as a fact when two people back it (both said it, or one said it and the next speaker
    agreed), else as what the one person said: "Dana said the budget was approved."."""
    passages = [(s.speaker, s.text) for s in key_sentences]
    credit = credited(sentence, [who for who, _ in passages])
    if credit is not None:
        speaker, claim = credit
        return _reported(speaker, claim, passages)
    backers = supporting(sentence, passages)
    voices = {key_sentences[i].speaker or f"#{i}" for i in backers}
    voices |= {who for i in backers if (who := agreed.get(key_sentences[i].index))}
    if len(voices) != 1:
        return sentence
    speaker = key_sentences[backers[0]].speaker
    return _reported(speaker or "A participant", sentence, passages)


def _reported(speaker: str, claim: str, passages: Sequence[tuple[str, str]]) -> str:
    """"Dana said the budget was approved.": the claim's first word keeps its capital only when it is "I", an
    acronym or a name (a speaker's, or capitalised mid-sentence in the transcript)."""
    claim = claim.strip()
    first = re.sub(r"\W+$", "", claim.split(maxsplit=1)[0])
    names = {part for who, _ in passages for part in who.split()}
    named = (first == "I" or first.startswith("I'") or first.isupper() or first in names
             or any(f" {first}" in text for _, text in passages))
    return f"{speaker} said {claim if named else claim[:1].lower() + claim[1:]}"


def _chunks(lines: list[str], budget: int, model: LanguageModel) -> list[str]:
    """Consecutive lines grouped so that each group fits ``budget`` tokens (a longer line is cut)."""
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for line in lines:
        tokens = model.count_tokens(line) + 1
        if current and used + tokens > budget:
            chunks.append("\n".join(current))
            current, used = [], 0
        if tokens > budget:
            line = " ".join(line.split()[: budget // 2])
        current.append(line)
        used += tokens
    if current:
        chunks.append("\n".join(current))
    return chunks


def _grounded(draft: str, passages: Sequence[tuple[str, str]]) -> list[str]:
    """The draft's complete sentences that one transcript passage supports, without repeats."""
    kept: list[str] = []
    for sentence in re.split(r"(?<=[.!?])\s+", draft.replace("\n", " ")):
        sentence = sentence.strip()
        complete = sentence.endswith((".", "!", "?")) and not sentence.endswith((",.", " ."))
        if complete and len(sentence.split()) >= 4 and sentence not in kept and supported_by_one(sentence, passages):
            kept.append(sentence)
    return kept
