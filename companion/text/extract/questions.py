"""Open questions: questions that someone leaves open in words."""

from __future__ import annotations

import re
from collections.abc import Sequence

from companion.models import Statement
from companion.text import wording
from companion.text.dates import names_a_date
from companion.text.extract.context import (
    KEPT_OPEN,
    NEXT_MEETING,
    NOBODY,
    NON_QUESTIONS,
    merge_statement,
    with_topic,
)
from companion.text.sentences import Sentence, content_words
from companion.text.stems import overlap


def open_questions(sentences: Sequence[Sentence]) -> list[Statement]:
    """Questions that someone explicitly leaves open ("That stays an open question", "let's keep it open")."""
    found: list[Statement] = []
    for sentence in sentences:
        if not KEPT_OPEN.search(sentence.text) or (  # "Thursday, time to be confirmed" is the next meeting
                NEXT_MEETING.search(sentence.text) and not _DEFERRED.search(sentence.text)):
            continue
        question = _question_before(sentence, sentences)
        if question is None or (_names_the_matter(sentence) and overlap(question.text, sentence.text) == 0):
            question = _asked_in_other_words(sentence, sentences)  # "So the budget stays an open question."
        if question is not None:
            said = _with_its_matter(question, sentences)
            evidence = (*(s.evidence for s in said), *((sentence.evidence,) if sentence is not question else ()))
            found = merge_statement(found, Statement(" ".join(wording.clean(s.text) for s in said), evidence))
    return found


def _question_before(sentence: Sentence, sentences: Sequence[Sentence]) -> Sentence | None:
    """The last real question ("Any objections?" is none) in the three turns before ``sentence`` or in its own."""
    for position in range(sentence.index - 1, -1, -1):
        earlier = sentences[position]
        if earlier.turn < sentence.turn - 3:
            return None
        if earlier.is_question and not NON_QUESTIONS.match(earlier.text):
            before = sentences[position - 1] if position > 0 else None
            # "Did we ever hear about sponsorship? For Pellworth's?": the fragment only adds to the question
            if (before is not None and before.turn == earlier.turn and before.is_question
                    and not NON_QUESTIONS.match(before.text) and _FRAGMENT.match(earlier.text)):
                return before
            return earlier
        if earlier.turn >= sentence.turn - 1 and _NOT_WORKED_OUT.search(earlier.text):
            return earlier  # "Nobody's worked out how the crate gets there." / "No one knows yet. Flag it."
    return None


_DEFERRED = re.compile(r"\b(?:leave|keep|park|hold) (?:it|that|this)(?: one)?\b", re.IGNORECASE)
"""Of the ways to keep a question open, those that put it off: said with the next meeting ("Let's leave that open
and come back to it at the next meeting"), the question is still open."""
MATTER_SENTENCES = 2
"""A question that names little carries at most this many statements of its turn before it."""
MIN_NAMING_WORDS = 3
"""A question with fewer content words names little: "Are we going up to ten?"."""
_REFERRING = re.compile(rf"\b(?:{'|'.join(sorted(wording.PRONOUNS - wording.DEMONSTRATIVES))}|they|she|he|her|him)\b",
                        re.IGNORECASE)
"""Words that refer to a matter named before ("Do they go in?"); "this" and "that" mostly open a phrase ("this
year's budget")."""


def _with_its_matter(question: Sentence, sentences: Sequence[Sentence]) -> list[Sentence]:
    """``question`` with what it is about: a subject named just before it ("Raffle. Do we need a licence?"), or,
    when it names little itself ("Do they go in?", "Are we going up to ten?"), up to ``MATTER_SENTENCES``
    statements before it in its turn ("The cold room has thirty bottles with no labels. Do they go in?")."""
    said = with_topic(question, sentences)
    if len(said) > 1 or not _names_little(question.text):
        return said
    before: list[Sentence] = []
    for earlier in reversed(sentences[max(0, question.index - MATTER_SENTENCES):question.index]):
        if earlier.turn != question.turn or earlier.is_question:
            break
        before.insert(0, earlier)
    return [*before, question]


def _names_little(text: str) -> bool:
    """Whether a question only refers to its matter ("Which one wins?") or names under ``MIN_NAMING_WORDS``
    content words."""
    return bool(_REFERRING.search(text)) or len(content_words(text)) < MIN_NAMING_WORDS


_NOT_WORKED_OUT = re.compile(rf"\b(?:{NOBODY}|none of us)(?:'s| has| have)? (?:worked|figured|found|sorted) "
                             r"out (?:how|what|who|when|where|which|whether)\b", re.IGNORECASE)


_FRAGMENT = re.compile(r"^(?:for|and|or|about|with|from|to|on|in|at|by)\b(?:\W+\w+){0,3}\W*$", re.IGNORECASE)
"""A question of a few words that opens on a preposition or "and"/"or" adds to the question before it."""


_INDIRECT = re.compile(r"\bwhether\b|\bif\b.*\bor\b|\bor not\b|"
                       r"\b(?:do|does|is|are|can|should) (?:we|it|they|you)\b.*\bor\b", re.IGNORECASE)
"""A question asked without its mark: "I don't know if we get the full forty or if they cut it to thirty", "do we
have to do it before the upgrade or after" (speech recognition often drops the "?")."""
MIN_OPEN_WORDS = 2
"""Words before what keeps it open that a sentence needs to name the matter itself."""


def _asked_in_other_words(sentence: Sentence, sentences: Sequence[Sentence]) -> Sentence | None:
    """Without a question before it, what ``sentence`` leaves open: a question asked without its mark in the two
    turns before or its own turn, else ``sentence`` itself when it names the matter ("the paid social budget stays
    an open question")."""
    for position in range(sentence.index, -1, -1):
        earlier = sentences[position]
        if earlier.turn < sentence.turn - 2:
            break
        if _INDIRECT.search(KEPT_OPEN.sub("", earlier.text)):
            return earlier
    return sentence if _names_the_matter(sentence) else None


def _names_the_matter(sentence: Sentence) -> bool:
    """Whether words before what keeps it open name the matter: "the paid social budget stays an open question",
    not "so it stays open till we see the list"; a date is no matter ("Thursday, time to be confirmed")."""
    kept = KEPT_OPEN.search(sentence.text)
    named = content_words(sentence.text[:kept.start()] if kept else "") - _MARKER_WORDS
    return len(named) >= MIN_OPEN_WORDS and not names_a_date(sentence.text)


_MARKER_WORDS = frozenset("okay so yeah well um uh honestly still sorry for now until let's lets leave keep".split())
