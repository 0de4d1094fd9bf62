"""Names heard again: a misheard name in an addressing sentence, with the participants as hints."""

from __future__ import annotations

from pathlib import Path

from companion.audio.decode import SAMPLE_RATE, decode_audio
from companion.audio.rehear import rehear_names, with_names_from
from companion.audio.stt import SpeechToText
from companion.jobs import run_job
from companion.models import Segment, Transcript, Word

PEOPLE = ["Anna", "Ben Okafor", "Carla"]


def said(start: float, text: str) -> list[Word]:
    return [Word(start + i * 0.4, start + i * 0.4 + 0.3, w) for i, w in enumerate(text.split())]


def segment(text: str) -> Segment:
    words = said(10.0, text)
    return Segment(words[0].start, words[-1].end, text, "Speaker 1", tuple(words))


def test_only_the_name_is_taken_from_the_second_hearing() -> None:
    first = segment("When can you run a load test by Friday?")
    again = with_names_from(first, said(10.0, "Ben, can you run a load test on Friday?"), PEOPLE)
    assert again.text == "Ben, can you run a load test by Friday?"  # "by" stays as first heard
    assert again.words[0].start == 10.0 and again.speaker == "Speaker 1"
    inserted = with_names_from(segment("Please fix both bugs."), said(9.6, "Carla, please fix both bugs."), PEOPLE)
    assert inserted.text == "Carla, Please fix both bugs."


def test_a_second_hearing_of_something_else_or_without_a_name_changes_nothing() -> None:
    first = segment("When can you run a load test by Friday?")
    assert with_names_from(first, said(10.0, "Anna, I think the weather is lovely today."), PEOPLE) == first
    assert with_names_from(first, said(10.0, "Then can you run a load test by Friday?"), PEOPLE) == first
    # A name may replace a misheard word or two, not a phrase.
    assert with_names_from(first, said(10.0, "Anna, a load test by Friday?"), PEOPLE) == first


def test_a_misheard_name_is_heard_with_the_participants(speech_to_text: SpeechToText, shared_data: Path) -> None:
    # tiny.en hears Anna's "Okay. Ben, please fix both checkout bugs by Friday" (at 38 s) as "Okay, man, ...".
    audio = decode_audio(shared_data / "meetings" / "atlas-2026-03-02.wav")[38 * SAMPLE_RATE: 43 * SAMPLE_RATE]
    first: Transcript = run_job(speech_to_text.transcribe(audio))
    assert not any("Ben" in s.text for s in first.segments)
    again = run_job(rehear_names(speech_to_text, audio, first, ["Anna", "Ben", "Carla", "David"]))
    assert any("Ben, please fix both" in s.text for s in again.segments)
    assert run_job(rehear_names(speech_to_text, audio, first, [])) == first
