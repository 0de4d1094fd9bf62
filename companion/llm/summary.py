"""Summaries: TextRank over transcript sentences (networkx), and a language model's, behind the grounding gate."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import networkx as nx

from companion.jobs import CancelToken, Job, Progress
from companion.llm.backend import LanguageModel
from companion.llm.grounding import supported_by_one
from companion.models import ActionItem, Statement
from companion.text import wording
from companion.text.sentences import Sentence, content_words

MIN_WORDS = 6


def rank_sentences(sentences: Sequence[Sentence]) -> list[Sentence]:
    """Candidate sentences, most central first (TextRank).

    Edge weights follow Mihalcea & Tarau (2004): shared words over the log lengths of both sentences.
    Questions and very short sentences ("Agreed.") are not candidates.
    """
    candidates = [s for s in sentences if len(s.text.split()) >= MIN_WORDS and not s.is_question]
    words = [content_words(s.text) for s in candidates]
    graph = nx.Graph()
    graph.add_nodes_from(range(len(candidates)))
    for i in range(len(candidates)):
        for j in range(i + 1, len(candidates)):
            shared = len(words[i] & words[j])
            if shared:
                norm = math.log(len(words[i]) + 1) + math.log(len(words[j]) + 1)
                graph.add_edge(i, j, weight=shared / norm)
    scores = nx.pagerank(graph, weight="weight") if candidates else {}
    return [candidates[i] for i in sorted(range(len(candidates)), key=lambda i: (-scores[i], i))]


def textrank(sentences: Sequence[Sentence], count: int | None = None, max_words: int | None = None) -> list[Sentence]:
    """The most central sentences, up to ``count`` sentences or ``max_words`` words, in the order said."""
    chosen: list[Sentence] = []
    words = 0
    for sentence in rank_sentences(sentences):
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
    max_new_tokens: int = 96,
) -> Job[list[str]]:
    """A language model's summary of ``key_sentences``, keeping only sentences the transcript supports.

    Map-reduce when the sentences exceed the model's context window: each chunk is summarised, then the
    chunk summaries are summarised together. Every generated sentence passes the grounding check.
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
    return drafts


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
