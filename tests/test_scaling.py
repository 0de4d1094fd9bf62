"""Minutes stay linear in the transcript's length: one huge paragraph of tens of thousands of sentences is
split once, ranked and mined within a bounded memory, and the gate reads the transcript once."""

from __future__ import annotations

import datetime as dt
import tracemalloc

import numpy as np
import pytest

from companion.errors import CompanionError
from companion.jobs import run_job
from companion.llm import grounding
from companion.llm.grounding import gate
from companion.llm.minutes import MAX_TRANSCRIPT_CHARS, write_minutes
from companion.llm.summary import rank_sentences
from companion.models import Minutes, Segment, Statement, Transcript
from companion.text import extract, topics
from companion.text.sentences import MAX_SENTENCE_WORDS, MAX_TURN_SENTENCES, Sentence, split_sentences

WEDNESDAY = dt.date(2026, 5, 13)
SENTENCES = 30_000
LINES = (
    "Priya, could you send the budget numbers for region {i} to finance by Friday?",
    "Sure, I will do it tomorrow.",
    "We decided to move release {i} of the mobile app to June.",
    "The vendor signed the support contract for site {i} yesterday afternoon.",
    "I suggest we switch build server {i} to the new region.",
    "Sounds good.",
    "Do we have budget for a second designer on team {i}?",
    "Nobody knows yet, let's leave that open until the board meets.",
    "The checkout crash on Android version {i} happens when the card is declined.",
    "Tomás owns the vendor shortlist for office {i}, due next Tuesday.",
)
MEMORY_BOUND_MB = 600
"""Far above what the ranking needs here, far below what an all-pairs graph of these sentences takes."""
RULE_SENTENCES = 10_000
READS_PER_SENTENCE = 100
"""The rules read a few turns around some sentences (about 30 reads a sentence here); reading every earlier
sentence (as they once did) takes thousands."""


class CountingText(str):
    """A segment's text that counts the characters read by splitting it into words."""

    read = 0

    def split(self, *args: object, **kwargs: object) -> list[str]:  # type: ignore[override]
        CountingText.read += len(self)
        return super().split(*args, **kwargs)  # type: ignore[arg-type]


def paragraph(count: int = SENTENCES) -> str:
    """``count`` sentences of meeting talk, varied by number, as one paragraph."""
    return " ".join(LINES[i % len(LINES)].format(i=i // len(LINES)) for i in range(count))


def huge_transcript(text: str) -> Transcript:
    """One speaker, one segment, timed at 0.4 s a word like an imported "Speaker: text" line."""
    length = len(text.split()) * 0.4
    return Transcript((Segment(0.0, length, text, "Dana"),), length)


def test_a_huge_paragraph_is_split_once_into_bounded_turns() -> None:
    text = CountingText(paragraph())
    CountingText.read = 0
    sentences = split_sentences([Segment(0.0, 100.0, text, "Dana")])
    assert len(sentences) == SENTENCES and sentences[-1].text == LINES[(SENTENCES - 1) % len(LINES)].format(i=2999)
    assert CountingText.read <= len(text)  # the whole paragraph is read a bounded number of times, not per sentence
    turns: dict[int, int] = {}
    for sentence in sentences:
        turns[sentence.turn] = turns.get(sentence.turn, 0) + 1
    assert max(turns.values()) == MAX_TURN_SENTENCES and len(turns) == SENTENCES // MAX_TURN_SENTENCES
    assert sentences[0].start == 0.0 and sentences[-1].end == pytest.approx(100.0)


def test_speech_without_sentence_ends_is_cut_into_sentence_sized_pieces() -> None:
    words = [f"word{i}" for i in range(5 * MAX_SENTENCE_WORDS + 7)]
    pieces = split_sentences([Segment(0.0, 60.0, " ".join(words), "Dana")])
    assert [len(p.text.split()) for p in pieces] == [MAX_SENTENCE_WORDS] * 5 + [7]
    assert " ".join(p.text for p in pieces) == " ".join(words)


def test_a_semicolon_after_a_word_ends_a_clause_but_not_in_code_or_an_entity() -> None:
    texts = [s.text for s in split_sentences([Segment(0.0, 9.0, "Recap: Kofi orders the pumps today; Mei redoes "
                                                                "the letters. Robert'); DROP x &amp; y;", "Ann")])]
    assert texts == ["Recap: Kofi orders the pumps today", "Mei redoes the letters.", "Robert'); DROP x &amp; y"]


def test_ranking_tens_of_thousands_of_sentences_stays_within_memory() -> None:
    transcript = huge_transcript(paragraph())
    tracemalloc.start()
    try:
        ranked = rank_sentences(split_sentences(transcript.segments))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND_MB * 2**20, f"peak {peak / 2**20:.0f} MB"
    assert len(ranked) == SENTENCES * 7 // 10  # every sentence of six words or more that is no question


class CountingSentences(list[Sentence]):
    """The meeting's sentences, counting those read by index or slice (a plain loop over them is not counted)."""

    reads = 0

    def __getitem__(self, key):  # type: ignore[no-untyped-def]
        found = super().__getitem__(key)
        CountingSentences.reads += len(found) if isinstance(key, slice) else 1
        return found


def test_the_rules_look_only_a_few_turns_around_each_sentence() -> None:
    transcript = huge_transcript(paragraph(RULE_SENTENCES))
    sentences = CountingSentences(split_sentences(transcript.segments))
    CountingSentences.reads = 0
    items = extract.action_items(sentences, ["Priya", "Tomás", "Dana"], WEDNESDAY)
    decisions = extract.decisions(sentences)
    questions = extract.open_questions(sentences)
    assert CountingSentences.reads < READS_PER_SENTENCE * RULE_SENTENCES, CountingSentences.reads
    kept = gate(Minutes("", tuple(decisions), tuple(items), tuple(questions)), transcript)
    assert kept.action_items == tuple(items) and kept.decisions == tuple(decisions)
    assert [(a.owner, a.task) for a in items] == [("Priya", "send the budget numbers for region 0 to finance"),
                                                 ("Dana", "do the budget numbers for region 0 to finance"),
                                                 ("Tomás", "the vendor shortlist for office 0")]
    # said a thousand times, an item keeps its first quotes
    assert all(len(item.evidence) == extract.MAX_EVIDENCE for item in items)
    assert all(len(statement.evidence) == extract.MAX_EVIDENCE for statement in (*decisions, *questions))


def test_the_gate_normalises_each_segment_once(monkeypatch: pytest.MonkeyPatch) -> None:
    transcript = huge_transcript(paragraph(5_000))
    sentences = split_sentences(transcript.segments)
    minutes = Minutes("", decisions=tuple(Statement(s.text, (s.evidence,)) for s in sentences))
    calls: list[int] = []
    squash = grounding._squash

    def counted(text: str) -> str:
        calls.append(len(text))
        return squash(text)

    monkeypatch.setattr(grounding, "_squash", counted)
    kept = gate(minutes, transcript)
    evidence = sum(len(d.evidence) for d in minutes.decisions)
    assert kept.decisions == minutes.decisions and evidence == 5_000
    assert len(calls) == evidence + 1  # each quote, and the transcript's one segment once
    assert sum(calls) < 2 * len(transcript.segments[0].text)


def test_topic_depth_scores_and_spacing_stay_linear_on_a_flat_curve() -> None:
    flat = np.full(200_000, 0.5)
    assert not topics.depth_scores(flat).any()  # a plateau has no depth: each climb ends where it starts
    rng = np.random.default_rng(0)
    curve = np.round(rng.random(400), 1)  # rounded, for plateaus
    expected = []
    for i, value in enumerate(curve):  # TextTiling's definition: climb step by step to the peak either side
        left = right = value
        j = i
        while j > 0 and curve[j - 1] >= left:
            j, left = j - 1, curve[j - 1]
        j = i
        while j < len(curve) - 1 and curve[j + 1] >= right:
            j, right = j + 1, curve[j + 1]
        expected.append((left - value) + (right - value))
    assert np.array_equal(topics.depth_scores(curve), np.array(expected))


def test_titles_of_many_topics_match_the_title_of_each() -> None:
    texts = [f"The {word} plan for the {word} launch and the budget." for word in ("venue", "catering", "budget",
                                                                                   "music", "venues")]
    assert topics.titles(texts) == [topics.title([t], texts[:i] + texts[i + 1:]) for i, t in enumerate(texts)]


def test_a_transcript_over_the_limit_is_refused_with_a_clear_error() -> None:
    text = "We reviewed the plan. " * (MAX_TRANSCRIPT_CHARS // 22 + 1)
    with pytest.raises(CompanionError, match="too long for minutes"):
        run_job(write_minutes(huge_transcript(text), WEDNESDAY))
