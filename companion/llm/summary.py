"""Extractive summary: TextRank over transcript sentences (networkx PageRank)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import networkx as nx

from companion.llm.sentences import Sentence, content_words

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
