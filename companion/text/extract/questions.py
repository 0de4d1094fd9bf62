"""Open questions: questions that someone leaves open in words."""

from __future__ import annotations

from collections.abc import Sequence

from companion.models import Statement
from companion.text.extract.context import KEPT_OPEN, NON_QUESTIONS, merge_statement, with_topic
from companion.text.sentences import Sentence


def open_questions(sentences: Sequence[Sentence]) -> list[Statement]:
    """Questions that someone explicitly leaves open ("That stays an open question", "let's keep it open")."""
    found: list[Statement] = []
    for sentence in sentences:
        if not KEPT_OPEN.search(sentence.text):
            continue
        question = _question_before(sentence, sentences)
        if question is not None:
            said = with_topic(question, sentences)
            found = merge_statement(found, Statement(" ".join(s.text for s in said),
                                                      (*(s.evidence for s in said), sentence.evidence)))
    return found


def _question_before(sentence: Sentence, sentences: Sequence[Sentence]) -> Sentence | None:
    """The last real question ("Any objections?" is none) in the three turns before ``sentence`` or in its own."""
    for position in range(sentence.index - 1, -1, -1):
        earlier = sentences[position]
        if earlier.turn < sentence.turn - 3:
            return None
        if earlier.is_question and not NON_QUESTIONS.match(earlier.text):
            return earlier
    return None
