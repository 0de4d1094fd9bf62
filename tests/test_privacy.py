"""Deleting meetings for good and retention: nothing of a deleted meeting is left in the data folder's files,
the team's other meetings, Ask and the agenda stay as if it had never been stored."""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import tone, write_wav
from kg_helpers import ORION_1, ORION_2, ORION_PEOPLE, process_orion, process_text

from companion.audio.decode import decode_audio
from companion.audio.recording import RecordingInfo, info_path
from companion.engine import Engine
from companion.errors import CompanionError, NotFoundError
from companion.jobs import run_job
from companion.kg.store import Store
from companion.models import Segment

SECRET = """\
Lena: Before we start, the Quokka ledger from Zanzibar must stay between us.
Lena: Tomasz, could you audit the Quokka ledger by Friday?
Tomasz: Sure, I will audit the Quokka ledger by Friday.
Lena: We decided to move the Quokka ledger into the Zanzibar vault.
"""
SECRET_WORDS = ("quokka", "zanzibar")
"""Words no other meeting says; the full-text index keeps single words, so each is looked for alone."""
SPEECH_WORDS = ("fellow americans", "americans")
"""What the recorded meeting (jfk.flac) says, and nothing else."""


def files_holding(folder: Path, words: tuple[str, ...]) -> list[str]:
    """Every file under ``folder`` (the store, its -wal and -shm, recordings ...) whose bytes hold a word."""
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            content = path.read_bytes().lower()
            found += [f"{path.relative_to(folder)}: {word}" for word in words if word.encode() in content]
    return found


def cli(data: Path, *args: object, stdin: int | None = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "companion", "--data-dir", str(data), *map(str, args)],
                          stdin=stdin, capture_output=True, text=True, timeout=300)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def one_error(result: subprocess.CompletedProcess[str], *pieces: str) -> None:
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("companion: error: ") and all(p in line for p in pieces), line


def store_recording(data: Path, jfk: Path, stamp: str) -> Path:
    """A finished recording in the data folder, with its sidecar, as the recorder leaves it."""
    folder = data / "recordings"
    folder.mkdir(parents=True, exist_ok=True)
    wav = write_wav(folder / f"{stamp}.wav", decode_audio(jfk))
    RecordingInfo("Orion", "Zanzibar review", "2026-05-07", ["Lena"]).save(info_path(wav))
    return wav


def test_deleting_through_the_cli_leaves_nothing_and_keeps_the_rest(tmp_path: Path, shared_data: Path) -> None:
    data, inputs = tmp_path / "data", tmp_path / "in"
    inputs.mkdir()
    for name, text in (("orion-1", ORION_1), ("secret", SECRET), ("orion-2", ORION_2)):
        (inputs / f"{name}.txt").write_text(text, encoding="utf-8")
    people = [",".join(p) for p in ORION_PEOPLE]
    assert ok(cli(data, "process", inputs / "orion-1.txt", "--team", "Orion", "--date", "2026-05-04",
                  "--participants", people[0])).strip() == "1"
    assert ok(cli(data, "process", inputs / "secret.txt", "--team", "Orion", "--date", "2026-05-06",
                  "--participants", "Lena,Tomasz")).strip() == "2"
    recording = store_recording(data, shared_data / "speech/jfk.flac", "20260507-100000")
    assert ok(cli(data, "process", recording, "--team", "Orion", "--title", "Zanzibar review", "--date",
                  "2026-05-07", "--no-speakers")).strip() == "3"
    assert ok(cli(data, "process", inputs / "orion-2.txt", "--team", "Orion", "--date", "2026-05-11",
                  "--participants", people[1])).strip() == "4"
    question = "Who will document the PostgreSQL schema?"
    answer = json.loads(ok(cli(data, "ask", question, "--team", "Orion", "--json")))
    secret = json.loads(ok(cli(data, "ask", "Who audits the Quokka ledger?", "--team", "Orion", "--json")))
    assert [c["meeting_id"] for c in secret["citations"]][:1] == [2]  # embedded and indexed: there to find
    agenda = json.loads(ok(cli(data, "agenda", "--team", "Orion", "--date", "2026-05-18", "--format", "json")))
    assert any("Quokka" in item["text"] for item in agenda["items"])
    minutes = {i: ok(cli(data, "minutes", i, "--format", "json")) for i in (1, 4)}
    assert files_holding(data, SECRET_WORDS + SPEECH_WORDS)  # the search below can find them

    assert "deleted meeting 2" in ok(cli(data, "delete", "2", "--yes"))
    assert "deleted meeting 3" in ok(cli(data, "delete", "3", "--yes"))

    assert files_holding(data, SECRET_WORDS + SPEECH_WORDS) == []
    assert not recording.exists() and not info_path(recording).exists()
    listing = ok(cli(data, "meetings", "--team", "Orion"))
    assert "orion-1" in listing and "orion-2" in listing and "Zanzibar" not in listing
    assert {i: ok(cli(data, "minutes", i, "--format", "json")) for i in (1, 4)} == minutes
    assert json.loads(ok(cli(data, "ask", question, "--team", "Orion", "--json"))) == answer
    after = json.loads(ok(cli(data, "agenda", "--team", "Orion", "--date", "2026-05-18", "--format", "json")))
    assert after["items"] == [item for item in agenda["items"] if item["source_meeting"] not in (2, 3)]
    one_error(cli(data, "delete", "2", "--yes"), "no meeting with id 2")


def test_the_cli_asks_before_deleting(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (tmp_path / "a.txt").write_text(ORION_1, encoding="utf-8")
    ok(cli(data, "process", tmp_path / "a.txt", "--team", "Orion", "--date", "2026-05-04"))
    one_error(cli(data, "delete", "1"), "--yes")  # no terminal to ask on: refused
    one_error(cli(data, "delete", "1", "--team", "Orion", "--yes"), "not both")
    one_error(cli(data, "delete", "--yes"), "MEETING_ID")
    for answer, deleted in ((b"n\n", False), (b"y\n", True)):
        leader, follower = pty.openpty()
        try:
            os.write(leader, answer)
            result = cli(data, "delete", "1", stdin=follower)
        finally:
            os.close(follower)
            os.close(leader)
        assert "orion" in result.stderr.lower() and "[y/N]" in result.stderr  # the question names the meeting
        assert (result.returncode == 0) is deleted, result.stderr
        assert bool(ok(cli(data, "meetings", "--team", "Orion")).strip()) is not deleted


def test_deleting_a_meeting_derives_later_meetings_as_if_it_never_was(engine: Engine, tmp_path: Path) -> None:
    process_orion(engine, tmp_path)
    fresh = Engine(tmp_path / "fresh", runtime=engine.runtime, summary_model=None)
    try:
        process_text(fresh, tmp_path, "orion-2", ORION_2, "Orion", "2026-05-11", ORION_PEOPLE[1])
        expected = _graph(fresh)
    finally:
        fresh.close()
    assert _graph(engine) != expected  # the first meeting's items and what the second did to them
    engine.delete_meeting(1)
    assert _graph(engine) == expected
    assert [m.title for m in engine.meetings("Orion")] == ["orion-2"]
    assert "Tomasz" not in {name for name, _ in engine.store.knowledge.people(engine.store.team_id("Orion")).values()}
    with pytest.raises(NotFoundError, match="no meeting with id 1"):
        engine.delete_meeting(1)


def _graph(engine: Engine) -> tuple[list[tuple[str | None, ...]], list[tuple[str | None, ...]]]:
    """The team's items and agenda, without ids (a store's ids depend on what it held before)."""
    items = sorted((i.kind, i.text, i.owner, i.due, i.status, i.meeting_title) for i in engine.items("Orion"))
    agenda = [(a.kind, a.text, a.owner, a.due) for a in engine.agenda("Orion", "2026-05-18").items]
    return items, agenda


def test_voice_profiles_are_learnt_again_without_the_deleted_meeting(tmp_path: Path) -> None:
    store = Store(tmp_path / "companion.db")
    rng = np.random.default_rng(7)
    voices = [rng.normal(size=256).astype(np.float32) for _ in range(3)]
    ids = []
    for voice in voices:
        meeting_id = store.add_meeting(team="Orion", title="t", date="2026-05-04", duration_s=2.0,
                                       segments=[Segment(0.0, 2.0, "Hello there.", "Speaker 1")])
        store.save_meeting_voices(meeting_id, {"Speaker 1": voice / np.linalg.norm(voice)}, {})
        store.rename_speaker(meeting_id, "Speaker 1", "Ana")
        ids.append(meeting_id)
    assert store.voice_profiles("Orion")[0].samples == 3
    store.delete_meetings([ids[0]])
    [profile] = store.voice_profiles("Orion")
    relearnt = Store(tmp_path / "other.db")  # the same voices taught in the same order, without the first
    for voice in voices[1:]:
        meeting_id = relearnt.add_meeting(team="Orion", title="t", date="2026-05-04", duration_s=2.0,
                                          segments=[Segment(0.0, 2.0, "Hello there.", "Speaker 1")])
        relearnt.save_meeting_voices(meeting_id, {"Speaker 1": voice / np.linalg.norm(voice)}, {})
        relearnt.rename_speaker(meeting_id, "Speaker 1", "Ana")
    [expected] = relearnt.voice_profiles("Orion")
    assert profile.samples == 2 and np.allclose(profile.embedding, expected.embedding, atol=1e-6)
    store.delete_voice_profile("Orion", "Ana")
    store.delete_meetings([ids[1]])
    assert store.voice_profiles("Orion") == []  # forgotten stays forgotten
    store.close()
    relearnt.close()


def test_deleting_a_team_leaves_nothing_of_it(engine: Engine, tmp_path: Path) -> None:
    process_orion(engine, tmp_path)
    process_text(engine, tmp_path, "secret", SECRET, "Vault", "2026-05-06", ["Lena", "Tomasz"])
    engine.set_retention("Vault", audio_days=3, meeting_days=None)
    engine.ask("Who audits the Quokka ledger?", "Vault")  # its embeddings are cached now
    assert files_holding(engine.data_dir, SECRET_WORDS)
    deleted = engine.delete_team("Vault")
    assert [m.title for m in deleted.meetings] == ["secret"] and deleted.left == [tmp_path / "secret.txt"]
    assert (tmp_path / "secret.txt").exists()  # the user's own file, outside the data folder
    assert files_holding(engine.data_dir, SECRET_WORDS) == []
    assert engine.teams() == ["Orion"] and len(engine.meetings("Orion")) == 2
    assert engine.retention_rules() == []
    with pytest.raises(NotFoundError, match="Vault"):
        engine.delete_team("Vault")


def test_retention_deletes_old_audio_and_old_meetings(fake_engine: Engine, tmp_path: Path) -> None:
    engine = fake_engine
    recordings = engine.recordings_dir
    recordings.mkdir(parents=True)
    outside = write_wav(tmp_path / "outside.wav", tone(2.0))
    dated = {}
    for day in ("2026-01-05", "2026-02-20", "2026-02-27"):
        wav = write_wav(recordings / f"{day.replace('-', '')}-100000.wav", tone(2.0))
        RecordingInfo("Orion", f"call {day}", day, []).save(info_path(wav))
        dated[day] = run_job(engine.process(wav, "Orion", title=f"call {day}", date=day, speakers=False))
    external = run_job(engine.process(outside, "Orion", title="imported", date="2026-01-06", speakers=False))
    today = dt.date(2026, 3, 1)
    assert engine.apply_retention(today).audio_deleted == []  # no rule: everything is kept
    engine.set_retention("Orion", audio_days=30, meeting_days=None)
    run = engine.apply_retention(today)
    assert [m.id for m in run.audio_deleted] == [dated["2026-01-05"].id] and run.deleted.meetings == []
    old = dated["2026-01-05"]
    assert old.audio_path is not None and not Path(old.audio_path).exists()
    assert not info_path(Path(old.audio_path)).exists()
    assert engine.meeting(old.id).audio_path is None and engine.audio_deleted_on(old.id) == "2026-03-01"
    assert engine.meeting(old.id).segments and engine.minutes(old.id) is not None  # transcript and minutes stay
    assert engine.audio_deleted_on(dated["2026-02-20"].id) is None
    assert Path(str(dated["2026-02-20"].audio_path)).exists() and outside.exists()  # not the user's own file
    assert engine.apply_retention(today).audio_deleted == []  # done once

    engine.set_retention("Orion", audio_days=30, meeting_days=7)
    run = engine.apply_retention(today)
    assert {m.id for m in run.deleted.meetings} == {old.id, external.id, dated["2026-02-20"].id}
    assert [m.title for m in engine.meetings("Orion")] == ["call 2026-02-27"]
    assert not Path(str(dated["2026-02-20"].audio_path)).exists() and outside.exists()
    assert engine.retention("Orion").meeting_days == 7
    with pytest.raises(CompanionError, match="0 to 36500"):
        engine.set_retention("Orion", audio_days=-1, meeting_days=None)


def test_retention_through_the_cli(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (tmp_path / "a.txt").write_text(ORION_1, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ORION_2, encoding="utf-8")
    ok(cli(data, "process", tmp_path / "a.txt", "--team", "Orion", "--date", "2020-01-06"))
    ok(cli(data, "process", tmp_path / "b.txt", "--team", "Orion", "--date", dt.date.today().isoformat()))
    assert "meetings for ever" in ok(cli(data, "retention", "--team", "Orion", "--audio-days", "30"))
    shown = ok(cli(data, "retention", "--team", "Orion", "--meeting-days", "365"))
    assert "audio 30 days" in shown and "meetings 365 days" in shown  # the other period is kept
    assert "deleted meeting 1" in ok(cli(data, "retention", "--apply"))
    assert "b" in ok(cli(data, "meetings", "--team", "Orion")) and "2020-01-06" not in ok(
        cli(data, "meetings", "--team", "Orion"))
    assert "audio for ever" in ok(cli(data, "retention", "--team", "Orion", "--audio-days", "forever"))
    one_error(cli(data, "retention", "--team", "Nobody", "--audio-days", "3"), "Nobody")
    one_error(cli(data, "retention", "--team", "Orion", "--audio-days", "40000"), "36500")
    assert cli(data, "retention", "--team", "Orion", "--audio-days", "soon").returncode == 2  # argparse's usage
