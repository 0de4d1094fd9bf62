"""Who said what: diarization on real voices, speakers on transcripts, naming, voice profiles, DER."""

from __future__ import annotations

import json
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from conftest import write_wav

from companion.audio.decode import decode_audio, louder_channel
from companion.audio.diarize import Diarization, Diarizer, SpeakerTurn
from companion.audio.speakers import SpeakerName, label_transcript, last_one_left, propose_names, recognise
from companion.cli import main
from companion.engine import Engine
from companion.errors import CompanionError, NotFoundError
from companion.evaluation import diarization_error_rate, read_rttm
from companion.jobs import run_job
from companion.models import Segment, Transcript, Word
from companion.transcript_files import write_transcript


def words(start: float, *texts: str) -> tuple[Word, ...]:
    return tuple(Word(start + i * 0.5, start + i * 0.5 + 0.4, t) for i, t in enumerate(texts))


def test_der_counts_misses_false_alarms_and_confusion_under_the_best_mapping() -> None:
    reference = [(0.0, 10.0, "Anna"), (10.0, 20.0, "Ben")]
    assert diarization_error_rate(reference, [(0.0, 10.0, "x"), (10.0, 20.0, "y")]) == 0.0
    assert diarization_error_rate(reference, [(0.0, 20.0, "x")]) == pytest.approx(0.5)  # Ben's half confused
    assert diarization_error_rate(reference, [(0.0, 10.0, "x")]) == pytest.approx(0.5)  # Ben's half missed
    assert diarization_error_rate(reference, [(0.0, 25.0, "x"), (10.0, 20.0, "y")]) == pytest.approx(0.75)
    assert diarization_error_rate(reference, []) == 1.0


def test_rttm_round_trip(tmp_path: Path) -> None:
    transcript = Transcript((Segment(0.0, 1.5, "Hi.", "Speaker 1"), Segment(2.0, 3.0, "Hello.", "Carla")), 3.0)
    path = tmp_path / "meeting.rttm"
    path.write_text(write_transcript(transcript, "rttm"))
    assert read_rttm(path) == {"meeting": [(0.0, 1.5, "Speaker_1"), (2.0, 3.0, "Carla")]}


def test_a_segment_is_split_where_the_speaker_changes_between_words() -> None:
    diarization = Diarization((SpeakerTurn(0.0, 2.45, "Speaker 1"), SpeakerTurn(2.45, 5.0, "Speaker 2")), {})
    segment = Segment(0.0, 3.4, "how long do you need? until Friday", words=words(0.0, "how", "long", "do", "you",
                                                                               "need?", "until", "Friday"))
    labelled = label_transcript(Transcript((segment,), 5.0), diarization)
    assert [(s.speaker, s.text) for s in labelled.segments] == [
        ("Speaker 1", "how long do you need?"), ("Speaker 2", "until Friday")]


def test_a_word_or_two_of_another_voice_inside_a_sentence_is_a_wobble() -> None:
    turns = (SpeakerTurn(0.0, 1.45, "Speaker 1"), SpeakerTurn(1.45, 1.95, "Speaker 2"),
             SpeakerTurn(1.95, 5.0, "Speaker 1"))
    segment = Segment(0.0, 2.9, "we agree to ship it now", words=words(0.0, "we", "agree", "to", "ship", "it", "now"))
    labelled = label_transcript(Transcript((segment,), 5.0), Diarization(turns, {}))
    assert [(s.speaker, s.text) for s in labelled.segments] == [("Speaker 1", "we agree to ship it now")]


def test_voices_are_recognised_only_when_close_and_each_name_once() -> None:
    anna, ben = np.eye(3)[0], np.eye(3)[1]
    near_anna = (anna + 0.2 * ben) / np.linalg.norm(anna + 0.2 * ben)
    named = recognise({"Speaker 1": near_anna, "Speaker 2": anna, "Speaker 3": np.eye(3)[2]},
                      {"Anna": anna, "Ben": ben})
    assert [(n.label, n.name, n.source) for n in named] == [("Speaker 2", "Anna", "profile")]


def test_the_transcript_proposes_names_from_introductions_address_and_thanks() -> None:
    segments = [
        Segment(0, 2, "Hi all, I'm Anna. Benn, can you give us the status?", "Speaker 1"),
        Segment(2, 4, "The fix is deployed.", "Speaker 2"),
        Segment(4, 6, "Thanks Ben. Last topic, Carla, what do the users say?", "Speaker 1"),
        Segment(6, 8, "Mostly positive.", "Speaker 3"),
    ]
    named = {n.label: (n.name, n.source) for n in propose_names(segments, ["Anna", "Ben", "Carla"])}
    assert named == {"Speaker 1": ("Anna", "proposed"), "Speaker 2": ("Ben", "proposed"),
                     "Speaker 3": ("Carla", "proposed")}
    # Without participants only self-introductions count: "Benn" and "Carla" could be anything.
    assert {n.label: n.name for n in propose_names(segments, [])} == {"Speaker 1": "Anna"}
    assert propose_names(segments, ["Anna", "Ben", "Carla"], taken=["Anna", "Ben", "Carla"]) == []


def test_a_long_answer_outweighs_a_one_word_reply_put_on_the_wrong_speaker() -> None:
    # Diarization put David's short "Sure." on Ben's voice; David's long answer decides.
    segments = [
        Segment(0, 2, "Last topic, David, what are people saying?", "Speaker 1"),
        Segment(2, 6, "Mostly positive. The main complaint is that onboarding has too many screens.", "Speaker 2"),
        Segment(6, 8, "Okay. David, please write a summary by Thursday.", "Speaker 1"),
        Segment(8, 9, "Sure.", "Speaker 3"),
    ]
    named = propose_names(segments, ["Anna", "Ben", "David"])
    assert [(n.label, n.name) for n in named] == [("Speaker 2", "David")]


def test_the_last_unnamed_speaker_is_the_last_voiceless_participant() -> None:
    named = [SpeakerName("Speaker 1", "Anna", 0.9, "profile"), SpeakerName("Speaker 2", "Ben", 1.0, "proposed")]
    labels = ["Speaker 1", "Speaker 2", "Speaker 3"]
    assert last_one_left(labels, ["Anna", "Ben", "Emma"], named) == [SpeakerName("Speaker 3", "Emma", 0.5,
                                                                                   "proposed")]
    assert last_one_left(labels, ["Anna", "Ben", "Emma", "Zoe"], named) == []  # Emma or Zoe: no guess
    assert last_one_left([*labels, "Speaker 4"], ["Anna", "Ben", "Emma"], named) == []


def test_a_scripted_meeting_is_diarized_on_real_voices(diarizer: Diarizer, shared_data: Path) -> None:
    wav = shared_data / "meetings" / "atlas-2026-03-16.wav"
    events: list[object] = []
    diarization = run_job(diarizer.diarize(decode_audio(wav)), events.append)
    reference = read_rttm(wav.with_suffix(".rttm"))[wav.stem]
    assert 3 <= len(diarization.speakers) <= 7
    # One speaker for everything would score about 0.6 here; see benchmarks/diarization.py for figures.
    assert diarization_error_rate(reference, [(t.start, t.end, t.speaker) for t in diarization.turns]) < 0.35
    assert all(np.linalg.norm(v) == pytest.approx(1.0, abs=1e-5) for v in diarization.voices.values())
    assert events and all(getattr(e, "stage", "") == "speakers" for e in events)


class ThreadCounting:
    """The voice encoder, noting how many threads torch had at each call."""

    def __init__(self, encoder: Any) -> None:
        self.encoder, self.device = encoder, encoder.device
        self.threads: list[int] = []

    def __call__(self, windows: Any) -> Any:
        self.threads.append(torch.get_num_threads())
        return self.encoder(windows)


def test_a_few_spans_are_embedded_on_one_thread(diarizer: Diarizer, monkeypatch: pytest.MonkeyPatch) -> None:
    counting = ThreadCounting(diarizer.encoder)
    monkeypatch.setitem(diarizer.__dict__, "encoder", counting)
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        voices = diarizer.embed_spans(np.random.default_rng(0).normal(0, 0.1, 3 * 16_000).astype(np.float32),
                                      [(0.0, 1.5), (1.0, 3.0)])
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(previous)
    assert voices.shape[0] == 2 and counting.threads == [1]


def test_silence_and_very_short_audio_have_nobody(diarizer: Diarizer) -> None:
    assert run_job(diarizer.diarize(np.zeros(16_000 * 5, np.float32))) == Diarization((), {})
    assert run_job(diarizer.diarize(np.zeros(100, np.float32))) == Diarization((), {})


def test_one_speaker_is_one_speaker(diarizer: Diarizer, shared_data: Path) -> None:
    assert len(run_job(diarizer.diarize(decode_audio(shared_data / "speech" / "jfk.flac"))).speakers) == 1
    meeting = shared_data / "meetings" / "atlas-2026-03-09.wav"
    audio = decode_audio(meeting)
    anna = np.concatenate([audio[round(start * 16_000):round(end * 16_000)]
                           for start, end, name in read_rttm(meeting.with_suffix(".rttm"))[meeting.stem]
                           if name == "Anna"])
    assert len(run_job(diarizer.diarize(anna)).speakers) == 1


def test_microphone_and_system_audio_channels_are_never_one_speaker(
    diarizer: Diarizer, shared_data: Path, tmp_path: Path
) -> None:
    """A call recording: the user on the microphone (left), then the far end on system audio (right).

    Even with one voice on both sides and one speaker asked for, "me" and "them" stay apart.
    """
    voice = decode_audio(shared_data / "speech" / "jfk.flac")
    half, pause = len(voice) // 2, np.zeros(16_000, np.float32)
    left = np.concatenate([voice[:half], pause, np.zeros(len(voice) - half, np.float32)])
    right = np.concatenate([np.zeros(half, np.float32), pause, voice[half:]])
    path = tmp_path / "call.wav"
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes((np.stack([left, right], axis=1) * 32767).astype("<i2").tobytes())
    channel_of = louder_channel(path)
    assert channel_of is not None
    diarization = run_job(diarizer.diarize(decode_audio(path), num_speakers=1, channel_of=channel_of))
    assert len(diarization.speakers) == 2
    assert diarization.speaker_between(0.0, 5.0) != diarization.speaker_between(7.0, 12.0)
    assert louder_channel(shared_data / "speech" / "jfk.flac") is None


def test_named_voices_are_recognised_in_the_next_meeting(engine: Engine, shared_data: Path, tmp_path: Path) -> None:
    wav = shared_data / "meetings" / "atlas-2026-03-16.wav"
    first = run_job(engine.process(wav, "Atlas", date="2026-03-16"))
    labels = sorted({s.speaker for s in first.segments})
    assert labels and all(label.startswith("Speaker ") for label in labels)  # nobody to propose names from
    names = {label: f"Person {i}" for i, label in enumerate(labels)}
    for label, name in names.items():
        assert engine.rename_speaker(first.id, label, name)
    assert {s.speaker for s in engine.meeting(first.id).segments} == set(names.values())
    assert sorted(p.name for p in engine.speakers("Atlas")) == sorted(names.values())
    # The same voices, another day: recognised from the profiles, with a confidence.
    again = write_wav(tmp_path / "next.wav", decode_audio(wav)[: 16_000 * 45])
    second = run_job(engine.process(again, "Atlas", date="2026-03-23"))
    recognised = {row["label"]: row for row in engine.store.meeting_speakers(second.id)}
    known = [label for label, row in recognised.items() if row["name_source"] == "profile"]
    assert len(known) >= 2 and set(known) <= set(names.values())
    assert all(0.8 <= recognised[label]["confidence"] <= 1.0 for label in known)
    engine.forget_speaker("Atlas", "Person 0")
    assert "Person 0" not in [p.name for p in engine.speakers("Atlas")]
    with pytest.raises(NotFoundError):
        engine.forget_speaker("Atlas", "Person 0")
    with pytest.raises(NotFoundError):
        engine.rename_speaker(first.id, "Speaker 99", "Zed")
    with pytest.raises(CompanionError):
        engine.rename_speaker(first.id, "Person 1", "\x00")


def test_renaming_reaches_minutes_and_merges_two_labels(fake_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "sync.vtt"
    path.write_text("WEBVTT\n\n00:00.000 --> 00:03.000\n<v Speaker 1>I'll send the report by Friday.</v>\n\n"
                    "00:03.000 --> 00:05.000\n<v Speaker 2>Sounds good.</v>\n")
    meeting = run_job(fake_engine.process(path, "Atlas", date="2026-03-02"))
    assert fake_engine.minutes(meeting.id).action_items[0].owner == "Speaker 1"
    assert not fake_engine.rename_speaker(meeting.id, "Speaker 1", "Carla")  # no voice in a text transcript
    assert not fake_engine.rename_speaker(meeting.id, "Speaker 2", "Carla")
    stored = fake_engine.meeting(meeting.id)
    assert {s.speaker for s in stored.segments} == {"Carla"} and stored.participants == ("Carla",)
    item = fake_engine.minutes(meeting.id).action_items[0]
    assert (item.owner, item.evidence[0].speaker) == ("Carla", "Carla")
    [open_item] = fake_engine.open_items("Atlas")  # the team graph follows
    assert (open_item.owner, open_item.evidence[0].speaker) == ("Carla", "Carla")


def test_cli_speakers_rttm_and_profiles(tmp_path: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(tmp_path / "data")
    wav = shared_data / "speech" / "jfk.flac"
    assert main(["--data-dir", data, "transcribe", str(wav), "--speakers", "--format", "rttm"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(line.split()[7].startswith("Speaker_") for line in lines)
    assert main(["--data-dir", data, "--summary-model", "none", "process", str(wav), "--team", "Nasa",
                 "--date", "1961-05-25", "--json"]) == 0
    minutes = json.loads(capsys.readouterr().out)
    assert "Speaker 1" in minutes["meeting"]["participants"]
    assert main(["--data-dir", data, "speakers", "--team", "Nasa", "--rename", "1", "Speaker 1", "John"]) == 0
    assert "Speaker 1 is now John; the voice is remembered" in capsys.readouterr().out
    assert main(["--data-dir", data, "speakers", "--team", "Nasa"]) == 0
    assert capsys.readouterr().out.startswith("John  (voice from 1 meeting")
    assert main(["--data-dir", data, "speakers", "--team", "Other", "--rename", "1", "John", "Jack"]) == 1
    assert "team 'Other' has no meeting '1'" in capsys.readouterr().err
    assert main(["--data-dir", data, "speakers", "--team", "Nasa", "--forget", "John"]) == 0
    assert main(["--data-dir", data, "speakers", "--team", "Nasa", "--forget", "John"]) == 1
    with pytest.raises(SystemExit):
        main(["transcribe", str(wav), "--speakers", "many"])
