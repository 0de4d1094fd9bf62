"""A team's language: stored with the team, passed to Whisper instead of detecting it, set from the CLI; and
each meeting's language in the minutes' exports."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from conftest import tone, write_wav

from companion.audio.stt import SpeechToText
from companion.cli import main
from companion.engine import Engine
from companion.errors import CompanionError
from companion.export.minutes import render_minutes
from companion.jobs import run_job
from companion.kg.store import Store
from companion.models import Meeting, Minutes, Segment
from companion.runtime import Runtime
from companion.transcript_files import read_transcript


class HearingModel:
    """faster-whisper's ``WhisperModel`` at the boundary: one segment per call, in the language it was given,
    else in the language it "detects" (``es``); it remembers the language of each call."""

    def __init__(self) -> None:
        self.languages: list[str | None] = []

    def transcribe(self, audio: np.ndarray, **options: Any) -> tuple[list[Any], Any]:
        self.languages.append(options["language"])
        language = options["language"] or "es"
        word = SimpleNamespace(start=0.1, end=0.9, word=" hola", probability=0.9)
        return [SimpleNamespace(start=0.0, end=1.0, text=" hola", words=[word])], \
            SimpleNamespace(language=language, language_probability=0.9)


@pytest.fixture
def heard(fake_engine: Engine, runtime: Runtime) -> HearingModel:
    """The engine's speech model is a real :class:`SpeechToText` over a :class:`HearingModel`."""
    model = HearingModel()
    speech = SpeechToText(runtime)
    speech.__dict__["model"] = model
    fake_engine.speech_to_text = speech
    return model


def test_the_store_keeps_a_teams_language_and_creates_a_new_team(tmp_path: Path) -> None:
    store = Store(tmp_path / "companion.db")
    assert store.team_language("Atlas") is None
    store.set_team_language("Atlas", "de")
    assert store.teams() == ["Atlas"] and store.team_language("Atlas") == "de"
    store.set_team_language("Atlas", None)
    assert store.team_language("Atlas") is None
    store.close()
    reopened = Store(tmp_path / "companion.db")
    reopened.set_team_language("Atlas", "hi")
    reopened.close()
    assert Store(tmp_path / "companion.db").team_language("Atlas") == "hi"


def test_the_engine_accepts_whisper_codes_only(fake_engine: Engine) -> None:
    assert fake_engine.set_team_language(" Atlas ", " DE ") == "de"
    assert fake_engine.team_language("Atlas") == "de"
    with pytest.raises(CompanionError, match="unknown language 'german'"):
        fake_engine.set_team_language("Atlas", "german")
    assert fake_engine.team_language("Atlas") == "de"  # a bad value changes nothing
    assert fake_engine.set_team_language("Atlas", " ") is None
    assert fake_engine.team_language("Atlas") is None


def test_a_teams_language_is_passed_to_whisper_instead_of_detected(fake_engine: Engine, heard: HearingModel,
                                                                   tmp_path: Path) -> None:
    audio = write_wav(tmp_path / "reunion.wav", tone(1.0))
    detected = run_job(fake_engine.process(audio, "Atlas", speakers=False))
    assert heard.languages[0] is None and detected.language == "es"
    fake_engine.set_team_language("Atlas", "de")
    heard.languages.clear()
    forced = run_job(fake_engine.process(audio, "Atlas", speakers=False))
    assert heard.languages and set(heard.languages) == {"de"}  # the missed utterances too
    assert forced.language == "de" and fake_engine.meeting(forced.id).language == "de"
    other = run_job(fake_engine.process(audio, "Borealis", speakers=False))
    assert other.language == "es"  # another team still detects


def test_a_forced_language_reaches_the_real_tiny_en_model(engine: Engine, shared_data: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    model = engine.speech_to_text.model
    calls: list[str | None] = []
    hear = model.transcribe

    def spy(audio: np.ndarray, **options: Any) -> Any:
        calls.append(options.get("language"))
        return hear(audio, **options)

    monkeypatch.setattr(model, "transcribe", spy)
    engine.set_team_language("Atlas", "en")
    clip = shared_data / "speech/jfk.flac"
    meeting = run_job(engine.process(clip, "Atlas", speakers=False))
    assert calls and set(calls) == {"en"}
    assert meeting.language == "en" and "country" in " ".join(s.text for s in meeting.segments).lower()


def test_the_cli_shows_sets_and_unsets_a_teams_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    assert main([*data, "language", "--team", "Atlas"]) == 0
    assert capsys.readouterr().out == "Atlas: detected per meeting\n"
    assert main([*data, "language", "--team", "Atlas", "hi"]) == 0
    assert main([*data, "language", "--team", "Atlas"]) == 0
    assert capsys.readouterr().out == "Atlas: hi\nAtlas: hi\n"
    assert main([*data, "language", "--team", "Atlas", "klingon"]) != 0
    assert capsys.readouterr().err.startswith("companion: error: unknown language 'klingon'")
    assert main([*data, "language", "--team", "Atlas", "detect"]) == 0
    assert capsys.readouterr().out == "Atlas: detected per meeting\n"


def spanish_meeting() -> tuple[Meeting, Minutes]:
    segments = (Segment(0.0, 2.0, "Hola a todos.", "Ana"), Segment(2.0, 4.0, "Empezamos.", "Luis"))
    meeting = Meeting(3, "Atlas", "Reunión", "2026-03-02", 4.0, ("Ana", "Luis"), segments=segments, language="es")
    return meeting, Minutes("Hola a todos.", (), (), (), (), None)


def test_the_document_exports_name_the_meetings_language(tmp_path: Path) -> None:
    from docx import Document

    meeting, minutes = spanish_meeting()
    assert json.loads(render_minutes(meeting, minutes, "json"))["meeting"]["language"] == "es"
    assert '<html lang="es">' in str(render_minutes(meeting, minutes, "html"))
    docx = render_minutes(meeting, minutes, "docx")
    assert isinstance(docx, bytes)
    (tmp_path / "m.docx").write_bytes(docx)
    assert Document(str(tmp_path / "m.docx")).core_properties.language == "es"
    pdf = render_minutes(meeting, minutes, "pdf")
    assert isinstance(pdf, bytes)
    catalog = re.search(rb"<<[^<>]*/Type /Catalog[^<>]*>>", pdf)  # fpdf2 leaves the catalogue uncompressed
    assert catalog is not None and b"/Lang (es)" in catalog.group()


def test_webvtt_says_the_language_in_its_header_and_reads_back(tmp_path: Path) -> None:
    meeting, minutes = spanish_meeting()
    vtt = str(render_minutes(meeting, minutes, "vtt"))
    assert vtt.startswith("WEBVTT\nLanguage: es\n\n00:00:00.000 --> ")
    (tmp_path / "m.vtt").write_text(vtt)
    assert read_transcript(tmp_path / "m.vtt").segments == meeting.segments
    assert "Language" not in str(render_minutes(meeting, minutes, "srt"))  # SRT has no place for it


def test_search_finds_words_in_the_teams_languages_without_their_stop_words(tmp_path: Path) -> None:
    """A Hindi word is one search term with its vowel signs ("समीक्षा", not "सम" that also starts "सम्मेलन"), and
    a German question's "wann ist die" are no terms in a team that meets in German."""
    store = Store(tmp_path / "companion.db")
    hindi = [Segment(0.0, 3.0, "बजट की समीक्षा शुक्रवार को होगी", "A"), Segment(3.0, 6.0, "सम्मेलन कल है", "B")]
    store.add_meeting(team="Delhi", title="Budget", date="2026-05-04", duration_s=6.0, segments=hindi, language="hi")
    german = [Segment(0.0, 3.0, "Die Abnahme der Brücke ist am Freitag.", "A"),
              Segment(3.0, 6.0, "Wann ist die Kantine wieder offen, und ist die Tür zu?", "B")]
    store.add_meeting(team="Berlin", title="Bau", date="2026-05-04", duration_s=6.0, segments=german, language="de")
    delhi, berlin = store.team_id("Delhi"), store.team_id("Berlin")
    segments = {f"seg:{r[0]}": r[1] for r in store.db.execute("SELECT id, text FROM segments").fetchall()}
    assert [segments[k] for k in store.index.full_text(delhi, "समीक्षा कब है?")] == [hindi[0].text]
    assert [segments[k] for k in store.index.full_text(berlin, "Wann ist die Abnahme?")] == [german[0].text]
    assert store.index.languages(berlin) == ["de", "en"]
    store.close()
