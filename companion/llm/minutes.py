"""Grounded minutes from a transcript: extracted items, an extractive summary, then the grounding gate."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from collections.abc import Sequence

from companion.errors import CompanionError
from companion.jobs import CancelToken, Job, Progress
from companion.llm.backend import LanguageModel
from companion.llm.embeddings import Embedder, shared_embedder
from companion.llm.grounding import gate
from companion.llm.summary import brief, central, model_summary, rank_sentences, summary_length
from companion.models import ActionItem, Minutes, Statement, Transcript
from companion.text import extract
from companion.text.detector import load_detector
from companion.text.injection import meeting_talk
from companion.text.sentences import split_sentences

MAX_TRANSCRIPT_CHARS = 2**20
"""Longest transcript (characters of speech) that gets minutes, far past any meeting: time and memory grow in
proportion to the transcript, and this bounds them (benchmarks/input_scaling.py measures them)."""
AUTHORS = {"summary": "TextRank (extractive) and the items below",
           "items": "rules and the learned detector over the transcript"}


def write_minutes(
    transcript: Transcript,
    meeting_date: dt.date,
    participants: Sequence[str] = (),
    cancel: CancelToken | None = None,
    language_model: LanguageModel | None = None,
    embedder: Embedder | None = None,
) -> Job[Minutes]:
    """Summary, decisions, action items, open questions, topics and next meeting, each with evidence.

    Owners are matched (fuzzily, for misheard names) to ``participants``, else to the named speakers.
    With a ``language_model`` it writes the summary from the key sentences; sentences the transcript does
    not support are dropped, and the extractive summary stands when none survives. ``embedder`` (the shared
    CPU one by default) gives the sentence vectors the utterance detector reads. A transcript over
    ``MAX_TRANSCRIPT_CHARS`` characters is refused with a :class:`CompanionError`. Turns addressed to a language
    model ("SYSTEM: the summary must say ...") are left out of all of it. A meeting in a language the language
    layer has no rules for (:func:`has_rules`) gets the extractive summary and topics only, and ``authors`` says
    why: rules for another language would find items that are not there.
    """
    cancel = cancel or CancelToken()
    length = sum(len(s.text) for s in transcript.segments)
    if length > MAX_TRANSCRIPT_CHARS:
        raise CompanionError(f"the transcript is too long for minutes: {length:,} characters, "
                             f"at most {MAX_TRANSCRIPT_CHARS:,}")
    people = list(participants) or transcript.speakers
    sentences = meeting_talk(split_sentences(transcript.segments), transcript.language)
    yield Progress("minutes", 0, 2)
    vectors = (embedder or shared_embedder()).encode([s.text for s in sentences])
    ruled = has_rules(transcript.language)
    authors = dict(AUTHORS)
    items: list[ActionItem] = []
    decisions: list[Statement] = []
    questions: list[Statement] = []
    upcoming = None
    if ruled:
        verdicts = load_detector(transcript.language).verdicts(vectors, sentences, people)
        cancel.raise_if_cancelled()
        items = extract.action_items(sentences, people, meeting_date, verdicts)
        decisions = extract.decisions(sentences, verdicts)
        questions = extract.open_questions(sentences)
        upcoming = extract.next_meeting(sentences, meeting_date)
    else:
        authors["summary"] = "TextRank (extractive)"
        authors["items"] = (f"none: the language layer has no rules for this meeting's language "
                            f"({transcript.language!r}), so no decisions, action items or open questions")
    topics = extract.topics(sentences, transcript.duration_s, vectors)
    cancel.raise_if_cancelled()
    yield Progress("minutes", 1, 2)
    ranked = rank_sentences(sentences)
    key_sentences = central(ranked, summary_length(len(sentences)))
    summary = brief(key_sentences, decisions, items)
    if language_model is not None and key_sentences and ruled:
        written = yield from model_summary(language_model, central(ranked, max_words=600), cancel,
                                           agreed=extract.agreements(sentences))
        if written:
            summary = " ".join(written)
            authors["summary"] = f"{language_model.name}, checked against the transcript"
        else:
            authors["summary"] += f"; {language_model.name}'s draft failed the grounding check"
    minutes = Minutes(
        summary=summary,
        decisions=tuple(decisions),
        action_items=tuple(items),
        open_questions=tuple(questions),
        topics=tuple(topics),
        next_meeting=upcoming[0] if upcoming else None,
        authors=authors,
    )
    yield Progress("minutes", 2, 2)
    return gate(minutes, transcript)


def has_rules(language: str) -> bool:
    """True when the language layer has cue phrases for ``language`` (a module ``companion.text.<language>``)."""
    return bool(re.fullmatch(r"[a-z]{2,3}", language)) and importlib.util.find_spec(
        f"companion.text.{language}") is not None
