"""Quick ask: the Atlas team questions after its three meetings, an invented team's questions, questions
nothing answers, hostile questions; the real embedding model and the real speech engine."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from kg_helpers import ORION_2, atlas_qa, process_atlas, process_orion

from companion.cli import main
from companion.engine import Engine
from companion.errors import CompanionError
from companion.kg.records import Answer
from companion.llm.answer import NO_ANSWER, names_in
from companion.llm.embeddings import Embedder, shared_embedder
from companion.models import Evidence, Minutes, Segment, Statement
from companion.runtime import Runtime


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The real bundled all-MiniLM-L6-v2, loaded once for the session."""
    return shared_embedder("cpu")


@pytest.fixture(scope="module")
def team_engine(tmp_path_factory: pytest.TempPathFactory, runtime: Runtime, shared_data: Path,
                embedder: Embedder) -> Iterator[Engine]:
    """One store holding the three Atlas meetings (in order) and the invented Orion team."""
    folder = tmp_path_factory.mktemp("ask")
    engine = Engine(folder / "data", runtime=runtime, summary_model=None)
    engine.embedder = embedder
    process_atlas(engine, shared_data)
    process_orion(engine, folder)
    yield engine
    engine.close()


def atlas_questions() -> list[dict[str, object]]:
    from conftest import SHARED_DATA

    if not (SHARED_DATA / "meetings/atlas.qa.json").exists():
        return []
    return list(atlas_qa(SHARED_DATA)["questions"])  # type: ignore[call-overload, no-any-return]


@pytest.mark.parametrize("qa", atlas_questions(), ids=lambda qa: str(qa["q"]))
def test_atlas_team_questions(team_engine: Engine, qa: dict[str, object]) -> None:
    answer = team_engine.ask(str(qa["q"]), "Atlas")
    assert any(str(e).lower() in answer.answer.lower() for e in qa["expect_any"]), answer.answer  # type: ignore
    atlas = {m.id: m for m in team_engine.meetings("Atlas")}
    for citation in answer.citations:
        meeting = team_engine.meeting(citation.meeting_id)
        assert citation.meeting_id in atlas and (citation.title, citation.date) == (meeting.title, meeting.date)
        assert any(citation.quote in s.text and s.start <= citation.end and s.end >= citation.start
                   for s in meeting.segments)


def test_the_latest_decision_wins_and_the_superseded_one_is_named(team_engine: Engine) -> None:
    answer = team_engine.ask("Which database did we pick for the event store?", "Orion")
    assert answer.answer.index("PostgreSQL") < answer.answer.index("supersedes")
    assert "We're going with MongoDB for the event store." in answer.answer
    assert {c.date for c in answer.citations} == {"2026-05-04", "2026-05-11"}
    launch = team_engine.ask("When is the launch?", "Atlas").answer
    assert launch.startswith("Tuesday, March 17, 2026.") and "supersedes" in launch


def test_owner_and_due_date_come_from_the_current_state(team_engine: Engine) -> None:
    answer = team_engine.ask("When is the staging migration due?", "Orion").answer
    assert answer.startswith("Priya owns") and "Friday, May 22, 2026" in answer
    crash = team_engine.ask("Who is fixing the Android crash?", "Atlas").answer
    assert crash.startswith("Ben owns") and "(done;" in crash


@pytest.mark.parametrize(("question", "answer"), [
    ("What is the office budget for Lisbon?", "I found nothing about \u201cLisbon\u201d in this team's meetings."),
    ("Who owns the kubernetes upgrade?", NO_ANSWER),
    ("When is the board meeting in Oslo?", "I found nothing about \u201cOslo\u201d in this team's meetings."),
])
def test_nothing_supports_an_answer_so_it_says_so(team_engine: Engine, question: str, answer: str) -> None:
    for team in ("Atlas", "Orion"):
        assert team_engine.ask(question, team) == Answer(answer)


def test_a_name_the_team_never_used_is_not_answered_from_something_similar(team_engine: Engine) -> None:
    assert team_engine.ask("Who is fixing the iOS crash?", "Atlas") == Answer(
        "I found nothing about \u201ciOS\u201d in this team's meetings.")
    assert team_engine.ask("Who is fixing the Android crash?", "Atlas").answer.startswith("Ben owns")
    assert team_engine.ask("What is Priya Raman working on?", "Orion").found  # an alias is a known name


@pytest.mark.parametrize("question", [
    "\"; DROP TABLE items; --", "NEAR(android crash) OR * AND \"", "android* ^crash", "' OR 1=1 --",
    "\u202eWho owns\u202c", "🙂" * 3, "a" * 499,
])
def test_hostile_questions_are_answered_or_refused_and_change_nothing(team_engine: Engine, question: str) -> None:
    before = team_engine.export_graph("Atlas", "json")
    try:
        answer = team_engine.ask(question, "Atlas")
        assert isinstance(answer.answer, str)
    except CompanionError as error:
        assert "invalid question" in str(error)
    assert team_engine.export_graph("Atlas", "json") == before


@pytest.mark.parametrize("question", ["", "   ", "x" * 501, "who\x00owns"])
def test_unusable_questions_are_refused(team_engine: Engine, question: str) -> None:
    with pytest.raises(CompanionError, match="invalid question"):
        team_engine.ask(question, "Atlas")


def test_answers_round_trip_through_json(team_engine: Engine) -> None:
    answer = team_engine.ask("Who owns the onboarding mockups?", "Atlas")
    data = json.loads(json.dumps(answer.to_dict()))
    assert set(data) == {"answer", "citations"}
    assert set(data["citations"][0]) == {"meeting_id", "title", "date", "start", "end", "quote"}
    assert Answer.from_dict(data) == answer


def test_the_real_embedding_model_places_meaning_close(embedder: Embedder) -> None:
    vectors = embedder.encode(["Who fixes the crash on Android?", "Ben will fix the Android crash by Wednesday.",
                               "We chose Plausible as the analytics vendor."])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_speech_is_saved_as_a_wav_with_sound(tmp_path: Path) -> None:
    from companion.audio.speak import save_speech

    path = save_speech("Ben owns the Android crash fix, due Wednesday.", tmp_path / "answer.wav")
    with wave.open(str(path), "rb") as wav:
        samples = np.frombuffer(wav.readframes(wav.getnframes()), np.int16).astype(np.float32) / 32768
        seconds = wav.getnframes() / wav.getframerate()
    assert 1.0 < seconds < 10.0
    assert np.sqrt(np.mean(samples**2)) > 0.01
    with pytest.raises(CompanionError, match="nothing to speak"):
        save_speech("  ", tmp_path / "empty.wav")


def test_the_espeak_voices_are_listed(fake_engine: Engine) -> None:
    listed = fake_engine.voices()
    assert len(listed) > 20 and len({v.id for v in listed}) == len(listed)
    by_id = {v.id: v.name for v in listed}
    assert by_id["gmw/en-us"] == "English (America)" and by_id["gmw/en"] == "English (Great Britain)"
    assert [v.name.casefold() for v in listed] == sorted(v.name.casefold() for v in listed)


def _wav(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), np.int16).astype(np.float32) / 32768


def test_speech_in_a_chosen_voice_has_sound_and_differs_from_the_default(tmp_path: Path) -> None:
    from companion.audio.speak import save_speech

    text = "Ben owns the Android crash fix."
    default = _wav(save_speech(text, tmp_path / "default.wav"))  # British English
    chosen = _wav(save_speech(text, tmp_path / "american.wav", voice="gmw/en-us"))
    again = _wav(save_speech(text, tmp_path / "default-again.wav"))  # the voice does not stick
    assert np.sqrt(np.mean(chosen**2)) > 0.01 and len(chosen) > 16000
    # espeak's timing varies by <1% between runs of one voice; American English speaks this ~5% longer.
    assert abs(len(chosen) - len(default)) > 0.03 * len(default)
    assert abs(len(again) - len(default)) < 0.015 * len(default)
    with pytest.raises(CompanionError, match="no read-aloud voice 'klingon'"):
        save_speech(text, tmp_path / "unknown.wav", voice="klingon")


def test_cli_ask_prints_the_contract_json(team_engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = str(team_engine.data_dir)
    assert main(["--data-dir", data_dir, "ask", "Who owns the onboarding mockups?", "--team", "Atlas", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["answer"].startswith("Emma") and data["citations"]
    assert main(["--data-dir", data_dir, "ask", "Who owns the onboarding mockups?", "--team", "Nowhere"]) == 1
    assert "companion: error: no team named 'Nowhere'" in capsys.readouterr().err


def test_done_items_and_answered_questions_say_what_settled_them(team_engine: Engine) -> None:
    answer = team_engine.ask("Does the vendor contract allow data residency in Frankfurt?", "Orion")
    assert "Answered in 'orion-2'" in answer.answer and "Frankfurt hosting is allowed" in answer.answer
    assert any(c.quote.startswith("Legal answered") and c.date == "2026-05-11" for c in answer.citations)
    export = team_engine.ask("Who rewrites the invoice export?", "Orion").answer
    assert export.startswith("Tomasz owns") and "Done in 'orion-2'" in export


def test_what_a_person_still_has_to_do(team_engine: Engine) -> None:
    answer = team_engine.ask("What is Priya Raman working on?", "Orion")
    assert answer.answer.startswith("Priya has 2 open action items: \u201cdocument the PostgreSQL schema\u201d (due")
    assert len(answer.citations) == 2
    assert team_engine.ask("What does Lena have to do?", "Orion").answer == \
        "Lena has no open action items in this team's meetings."


def test_the_next_meeting_comes_from_the_last_minutes_that_named_it(engine: Engine, tmp_path: Path,
                                                                    embedder: Embedder) -> None:
    from kg_helpers import ORION_1, process_text

    engine.embedder = embedder
    process_text(engine, tmp_path, "kickoff", ORION_1, "Lyra", "2026-05-04", ["Lena", "Tomasz", "Priya"])
    answer = engine.ask("When is our next meeting?", "Lyra")
    assert answer.answer.startswith("The next meeting is Monday, May 11, 2026 at 09:00")
    assert [c.quote for c in answer.citations] == ["Our next meeting is Monday at nine."]
    process_text(engine, tmp_path, "second", ORION_2, "Lyra", "2026-05-11", ["Lena", "Tomas", "Priya"])
    assert engine.ask("When is our next meeting?", "Lyra") == Answer(NO_ANSWER)  # that one has happened


def test_capitalised_little_words_are_no_names(team_engine: Engine) -> None:
    assert team_engine.ask("What should I know about the Android crash?", "Atlas").found


def test_the_numpy_encoder_equals_sentence_transformers(embedder: Embedder) -> None:
    from companion.llm.minilm import MiniLM

    texts = ["When is the launch?", "Ben, please fix both checkout bugs by Friday.", "ok",
             "Seven screens before you see anything useful. " * 40]  # longer than the 256-token limit
    light = MiniLM(embedder.model_dir).encode(texts)
    embedder._load()  # the torch model, as sentence-transformers loads it
    assert np.allclose(np.sum(light * embedder.encode(texts), axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize(("question", "start"), [
    ("What questions are still open?", "2 open questions: \u201cDo we know how many users drop off"),
    ("Which action items are outstanding?", "3 open action items: Carla: \u201cpublish the launch blog post\u201d"),
    ("Any open tasks?", "3 open action items:"),
])
def test_what_is_still_open(team_engine: Engine, question: str, start: str) -> None:
    answer = team_engine.ask(question, "Atlas")
    assert answer.answer.startswith(start) and answer.citations
    assert "press release" not in answer.answer and "app store review" not in answer.answer


def test_speak_plays_the_answer_on_the_sound_output(tmp_path: Path) -> None:
    """Through a private PulseAudio server: the speech reaches the (null) speakers, recorded off their monitor."""
    import shutil
    import subprocess
    import sys

    from pulse import SINK, VirtualMicrophone

    if shutil.which("pulseaudio") is None or shutil.which("parec") is None:
        pytest.skip("PulseAudio is not installed")
    server = VirtualMicrophone(tmp_path)
    server.start()
    try:
        recorder = subprocess.Popen(["parec", f"--device={SINK}.monitor", "--format=s16le", "--rate=16000",
                                     "--channels=1", "--raw"], env=server.env, stdout=subprocess.PIPE)
        said = subprocess.run([sys.executable, "-c", "from companion.audio.speak import speak; "
                               "speak('Ben owns the Android crash fix.')"], env=server.env, capture_output=True,
                              text=True, timeout=60)
        recorder.terminate()
        heard = np.frombuffer(recorder.communicate(timeout=10)[0], np.int16).astype(np.float32) / 32768
    finally:
        server.stop()
    assert said.returncode == 0, said.stderr
    assert len(heard) > 16000 and np.sqrt(np.mean(heard**2)) > 0.005


def _store_meeting(engine: Engine, team: str, title: str, date: str, lines: list[tuple[str, str]],
                   decisions: list[str]) -> None:
    """Store a meeting of ``team`` whose minutes decide ``decisions`` (lines of the transcript), skipping the
    minutes writer: these tests are about asking, not about finding decisions."""
    segments = [Segment(4.0 * n, 4.0 * n + 4.0, text, speaker) for n, (speaker, text) in enumerate(lines)]
    minutes = Minutes("", tuple(Statement(s.text, (Evidence(s.start, s.end, s.speaker, s.text),))
                                for s in segments if s.text in decisions))
    engine.store.add_meeting(team=team, title=title, date=date, duration_s=segments[-1].end, segments=segments,
                             participants=sorted({speaker for speaker, _ in lines}), minutes=minutes)


@pytest.fixture(scope="module")
def wiki_engine(tmp_path_factory: pytest.TempPathFactory, runtime: Runtime, embedder: Embedder) -> Iterator[Engine]:
    """A team whose decisions name versions: the wiki moves from version 2 to 3; two apps ship versions 4 and 5."""
    engine = Engine(tmp_path_factory.mktemp("wiki") / "data", runtime=runtime, summary_model=None)
    engine.embedder = embedder
    _store_meeting(engine, "Delta", "wiki-1", "2026-04-06",
                   [("Anna", "Let's talk about the wiki."), ("Ben", "The wiki stays on version 2 for now.")],
                   ["The wiki stays on version 2 for now."])
    _store_meeting(engine, "Delta", "wiki-2", "2026-04-13",
                   [("Anna", "Back to the wiki."), ("Ben", "We move the wiki to version 3 on Friday."),
                    ("Anna", "The mobile app ships version 4 in June."),
                    ("Ben", "The desktop app ships version 5 in July.")],
                   ["We move the wiki to version 3 on Friday.", "The mobile app ships version 4 in June.",
                    "The desktop app ships version 5 in July."])
    yield engine
    engine.close()


@pytest.mark.parametrize("question", [
    "Who moved the wiki to version 3?", "What did we decide about the wiki 3 migration?",
    "What did we decide about the wiki v3?", "When do we move the wiki to V3?", "Who moves the wiki on March 3rd?",
    "What did we decide about the wiki for 2027?",
])
def test_a_number_in_the_question_is_no_subject(wiki_engine: Engine, question: str) -> None:
    answer = wiki_engine.ask(question, "Delta")
    assert "\u201cWe move the wiki to version 3 on Friday.\u201d" in answer.answer, answer.answer
    assert "supersedes \u201cThe wiki stays on version 2 for now.\u201d" in answer.answer
    assert [(c.date, c.quote) for c in answer.citations] == [("2026-04-13", "We move the wiki to version 3 on Friday."),
                                                             ("2026-04-06", "The wiki stays on version 2 for now.")]


@pytest.mark.parametrize(("question", "decided"), [
    ("What did we decide about the app version 4?", "The mobile app ships version 4 in June."),
    ("What did we decide about the app version 5?", "The desktop app ships version 5 in July."),
    ("Which app ships v4?", "The mobile app ships version 4 in June."),
    ("Which app ships v5?", "The desktop app ships version 5 in July."),
    ("Which app ships the fifth version?", "The desktop app ships version 5 in July."),
])
def test_the_number_prefers_among_the_items_about_the_subject(wiki_engine: Engine, question: str,
                                                               decided: str) -> None:
    answer = wiki_engine.ask(question, "Delta")
    assert answer.answer == f"Decided in 'wiki-2' (Monday, April 13, 2026): \u201c{decided}\u201d"
    assert [c.quote for c in answer.citations] == [decided]


@pytest.mark.parametrize(("question", "answer"), [
    ("What about the 2027 budget?", NO_ANSWER),
    ("Who owns the v3 kubernetes upgrade?", NO_ANSWER),
    ("What about 2027?", NO_ANSWER),
    ("What is the 2027 office budget for Lisbon?", "I found nothing about \u201cLisbon\u201d in this team's meetings."),
])
def test_a_number_does_not_answer_a_subject_nobody_talked_about(wiki_engine: Engine, question: str,
                                                                 answer: str) -> None:
    assert wiki_engine.ask(question, "Delta") == Answer(answer)


def test_numbers_versions_ordinals_and_dates_are_no_names() -> None:
    assert names_in("Is the iOS 17 build on S3 done by Friday, March 3rd, at 5pm: v2.0, version 3 or Q3 2027?") == [
        "iOS", "S3"]
