"""Recording: the crash-safe WAV file, capture into it, live transcription, and real audio through a
PulseAudio virtual microphone (a real input stream) including a kill -9 in the middle of a meeting."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
import wave
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from conftest import SPELLING, tone
from pulse import SINK, VirtualMicrophone, record_then_kill

from companion.audio.capture import ArraySource, OnBlock, OnError, SoundDeviceSource
from companion.audio.decode import SAMPLE_RATE, decode_audio
from companion.audio.live_policy import LIVE_POLICY, LivePolicy
from companion.audio.recording import (
    LIVE_BUFFER_S,
    RECOVERED_TEAM,
    STAMP,
    Recording,
    RecordingControl,
    RecordingInfo,
    RecordingStatus,
    read_info,
    recover_recording,
    unfinished_recordings,
)
from companion.audio.streaming import LiveTranscript, StreamingTranscriber
from companion.audio.stt import SpeechToText
from companion.audio.wavfile import WavAppender, repair_wav
from companion.engine import Engine
from companion.errors import Cancelled, InputError
from companion.evaluation import word_error_rate
from companion.jobs import CancelToken, Progress, run_job

COMPANION = Path(sys.executable).with_name("companion")


def wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_an_unclosed_wav_is_repaired_to_its_last_whole_frame(tmp_path: Path) -> None:
    writer = WavAppender(tmp_path / "a.wav", channels=2, rate=SAMPLE_RATE)
    writer.write(np.zeros((SAMPLE_RATE * 3, 2), np.float32))
    writer.flush()  # ... and then the process dies: no close(), header sizes still 0
    with open(tmp_path / "a.wav", "ab") as torn:
        torn.write(b"\x01\x02\x03")  # half a frame
    assert repair_wav(tmp_path / "a.wav") == pytest.approx(3.0)
    assert wav_seconds(tmp_path / "a.wav") == pytest.approx(3.0)


def test_repairing_something_else_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.recording.wav").write_bytes(b"not a wav at all, clearly" * 3)
    with pytest.raises(ValueError, match="not a recording"):
        repair_wav(tmp_path / "x.recording.wav")


def record(tmp_path: Path, mic: ArraySource, system: ArraySource | None = None, pause_after: float | None = None
           ) -> tuple[Recording, Path]:
    recording = Recording(tmp_path, RecordingInfo("Atlas", "t", "2026-03-02"), mic, system)
    recording.start()
    mic.finished.wait(10)
    if system is not None:
        system.finished.wait(10)
    time.sleep(0.2)
    return recording, recording.stop()


def test_microphone_and_system_audio_are_separate_channels(tmp_path: Path) -> None:
    mic = ArraySource(tone(1.0, 440))
    system = ArraySource(tone(1.0, 880) * 0.5)
    recording, path = record(tmp_path, mic, system)
    with wave.open(str(path)) as w:
        assert (w.getnchannels(), w.getframerate()) == (2, SAMPLE_RATE)
        frames = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2) / 32767
    assert len(frames) == SAMPLE_RATE
    assert np.sqrt(np.mean(frames[:, 0] ** 2)) == pytest.approx(0.212, abs=0.01)
    assert np.sqrt(np.mean(frames[:, 1] ** 2)) == pytest.approx(0.106, abs=0.01)
    assert path.suffix == ".wav" and not unfinished_recordings(tmp_path)
    assert RecordingInfo.load(path.with_suffix(".json")).channels == 2
    assert recording.level_db > -40


def test_a_realtime_source_delivers_a_block_once_it_has_been_said() -> None:
    """As a microphone does: the latency benchmark would flatter the live transcript with audio from the future."""
    source, arrivals = ArraySource(tone(0.5), realtime=True), []
    began = time.monotonic()
    source.start(lambda block: arrivals.append((time.monotonic() - began, len(block))), lambda message: None)
    assert source.finished.wait(5)
    said = np.cumsum([size for _, size in arrivals]) / SAMPLE_RATE
    assert len(arrivals) == 10 and all(at >= until - 0.005 for (at, _), until in zip(arrivals, said, strict=True))


def test_live_audio_nobody_takes_is_capped_not_hoarded(tmp_path: Path) -> None:
    """A stalled live step must not make the recorder keep the whole call in memory."""
    recording, path = record(tmp_path, ArraySource(tone(70.0), realtime=False))
    assert wav_seconds(path) == pytest.approx(70.0)  # the file has everything ...
    held = sum(map(len, recording._live))  # what waits for the live step, without anyone taking it
    assert LIVE_BUFFER_S * SAMPLE_RATE <= held <= (LIVE_BUFFER_S + 1) * SAMPLE_RATE


def test_pausing_leaves_the_paused_audio_out(tmp_path: Path) -> None:
    mic = ArraySource(tone(2.0), realtime=True)
    recording = Recording(tmp_path, RecordingInfo("Atlas", "t", "2026-03-02"), mic)
    recording.start()
    time.sleep(0.5)
    recording.pause()
    time.sleep(1.0)
    recording.resume()
    mic.finished.wait(5)
    path = recording.stop()
    assert 0.7 < wav_seconds(path) < 1.4


class UnpluggedSource:
    """A microphone that is pulled out after half a second."""

    name = "headset"

    def start(self, on_block: OnBlock, on_error: OnError) -> None:
        def run() -> None:
            on_block(tone(0.5))
            on_error("the input device 'headset' stopped (unplugged?)")

        threading.Thread(target=run, daemon=True).start()

    def stop(self) -> None:
        pass


def test_an_unplugged_device_is_reported_and_the_recording_carries_on_elsewhere(tmp_path: Path) -> None:
    recording = Recording(tmp_path, RecordingInfo("Atlas", "t", "2026-03-02"), UnpluggedSource())
    recording.start()
    deadline = time.monotonic() + 5
    while recording.error is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert recording.error is not None and "unplugged" in recording.error
    spare = ArraySource(tone(1.0), realtime=False)
    recording.switch_microphone(spare)
    spare.finished.wait(5)
    time.sleep(0.2)
    assert recording.error is None
    assert wav_seconds(recording.stop()) == pytest.approx(1.5, abs=0.05)


def test_the_recording_job_switches_input_when_told_and_keeps_one_meeting(engine: Engine) -> None:
    control, spare = RecordingControl(), ArraySource(tone(1.0), realtime=False)
    errors: list[str] = []

    def on_event(event: object) -> None:
        if isinstance(event, RecordingStatus) and event.error and not errors:
            errors.append(event.error)
            control.switch_microphone(spare)  # what the CLI and the window do when a device goes away
        elif isinstance(event, RecordingStatus) and spare.finished.is_set() and event.error is None:
            control.stop()

    with pytest.raises(InputError, match="no speech"):  # tones only: processing finds nothing to transcribe
        run_job(engine.record("Atlas", UnpluggedSource(), control=control,
                        policy=replace(LIVE_POLICY, step_s=0.2)), on_event)
    assert errors and "unplugged" in errors[0]
    [finished] = sorted(engine.recordings_dir.glob("*.wav"))
    assert wav_seconds(finished) == pytest.approx(1.5, abs=0.05)


def test_the_recording_job_first_says_that_capture_has_begun(engine: Engine) -> None:
    """The CLI and the window say "Recording" at the job's first status, so it must come as soon as the
    microphone is open, not after a live step that may first load models."""
    source, control = ArraySource(tone(1.0), realtime=False), RecordingControl()
    control.stop()  # even a recording stopped at once first says that it began
    job = engine.record("Atlas", source, control=control,
                        policy=replace(LIVE_POLICY, step_s=3600))
    first = next(job)
    assert isinstance(first, RecordingStatus) and first.path.exists()
    assert source.finished.wait(5)  # the microphone was started
    job.close()
    assert not unfinished_recordings(engine.recordings_dir)  # closing the job still finished the file


def test_the_live_transcript_is_biased_towards_the_participants(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    biases: list[str | None] = []

    def hear(audio: np.ndarray, prompt: str | None = None, hotwords: str | None = None,
             policy: LivePolicy = LIVE_POLICY) -> tuple[list[object], str]:
        biases.append(hotwords)
        return [], "en"

    monkeypatch.setattr(engine.speech_to_text, "clip_segments", hear)
    source, control = ArraySource(tone(2.0), realtime=False), RecordingControl()
    job = engine.record("Atlas", source, participants=["Anna", "Ben"], control=control,
                        policy=replace(LIVE_POLICY, step_s=0.05))
    for event in job:
        if isinstance(event, RecordingStatus) and source.finished.is_set():
            control.stop()
        elif isinstance(event, Progress):
            break  # the full pass after the recording: not live any more
    job.close()
    assert biases and set(biases) == {"Anna, Ben"}


def test_a_recording_cut_by_a_crash_is_recovered_with_its_info(tmp_path: Path) -> None:
    recording = Recording(tmp_path, RecordingInfo("Atlas", "Crashy", "2026-03-02", ["Ann"]),
                          ArraySource(tone(2.0), realtime=False))
    recording.start()
    time.sleep(1.0)  # the writer flushed; we never call stop(): as if the process died
    [unfinished] = unfinished_recordings(tmp_path)
    path, info, seconds = recover_recording(unfinished)
    assert seconds == pytest.approx(2.0, abs=0.06) and wav_seconds(path) == pytest.approx(seconds)
    assert (info.team, info.title, info.participants) == ("Atlas", "Crashy", ["Ann"])


def crash_left(folder: Path, info: RecordingInfo, audio: np.ndarray) -> Recording:
    """A recording of ``audio`` whose process died once it was all on disk: never stopped."""
    recording = Recording(folder, info, ArraySource(audio, realtime=False))
    recording.start()
    deadline = time.monotonic() + 10
    while recording.seconds < len(audio) / SAMPLE_RATE and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # the writer flushes once nothing more arrives
    return recording


def test_a_recording_with_a_cut_sidecar_is_offered_and_recovered_with_defaults(tmp_path: Path,
                                                                               shared_data: Path) -> None:
    data = tmp_path / "data"
    speech = decode_audio(shared_data / "speech/jfk.flac")
    recording = crash_left(data / "recordings", RecordingInfo("Atlas", "Crashy", "2026-03-02"), speech)
    recording.info_path.write_bytes(recording.info_path.read_bytes()[:25])  # the crash cut the sidecar short
    env = {**os.environ, "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([COMPANION, "--data-dir", str(data), "--summary-model", "none", *args],
                              capture_output=True, text=True, timeout=120, env=env)

    assert run("recover", "--list").stdout.splitlines() == [str(recording.path)]
    recovered = run("recover")
    assert recovered.returncode == 0, recovered.stderr
    assert "WARNING" in recovered.stderr and recording.path.name in recovered.stderr  # said, not failed
    listed = run("recover", "--list")
    assert listed.stdout == "" and "no unfinished recordings" in listed.stderr
    began = dt.datetime.strptime(recording.path.name.removesuffix(".recording.wav"), STAMP)  # from the file name
    [meeting] = json.loads(run("meetings", "--team", RECOVERED_TEAM, "--json").stdout)
    assert (meeting["title"], meeting["date"]) == (f"Recording {began:%Y-%m-%d %H:%M}", began.date().isoformat())
    assert "fellow Americans" in run("transcript", "1").stdout


def test_a_recovery_that_did_not_store_its_meeting_is_offered_again(fake_engine: Engine) -> None:
    recording = crash_left(fake_engine.recordings_dir, RecordingInfo("Atlas", "Crashy", "2026-03-02", ["Ann"]),
                           tone(3.0))
    cancelled = CancelToken()
    cancelled.cancel()
    with pytest.raises(Cancelled):
        run_job(fake_engine.recover(recording.path, cancel=cancelled))
    [offered] = fake_engine.unfinished_recordings()
    assert offered == recording.path.with_name(recording.path.name.replace(".recording.wav", ".wav"))
    meeting = run_job(fake_engine.recover(offered))
    assert (meeting.team, meeting.title, meeting.date, meeting.audio_path) == ("Atlas", "Crashy", "2026-03-02",
                                                                               str(offered))
    assert not fake_engine.unfinished_recordings()


def test_a_missing_sidecar_means_defaults_from_the_file_name(tmp_path: Path) -> None:
    wav = tmp_path / "20260302-091500-123456.recording.wav"
    wav.touch()
    info = read_info(wav)
    assert (info.team, info.title, info.date) == (RECOVERED_TEAM, "Recording 2026-03-02 09:15", "2026-03-02")


@pytest.mark.slow
def test_live_transcript_commits_the_words_once(speech_to_text: SpeechToText, shared_data: Path) -> None:
    audio = decode_audio(shared_data / "speech/jfk.flac")
    live = StreamingTranscriber(speech_to_text)
    updates: list[LiveTranscript] = []
    for start in range(0, len(audio), SAMPLE_RATE):
        live.add_audio(audio[start:start + SAMPLE_RATE])
        updates.append(live.step())
    updates.append(live.finish())
    committed = [w for u in updates for w in u.committed]
    text = " ".join(w.text for w in committed)
    assert word_error_rate((shared_data / "speech/jfk.txt").read_text(), text, SPELLING) <= 0.35
    starts = [w.start for w in committed]
    assert starts == sorted(starts)


# --- real audio through PulseAudio ------------------------------------------------------------------

@pytest.fixture(scope="module")
def virtual_microphone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualMicrophone]:
    microphone = VirtualMicrophone(tmp_path_factory.mktemp("pulse"))
    try:
        microphone.start()
    except (RuntimeError, OSError) as error:
        pytest.skip(f"PulseAudio cannot start here: {error}")
    previous = os.environ.get("PULSE_SERVER")
    os.environ["PULSE_SERVER"] = microphone.env["PULSE_SERVER"]
    import sounddevice

    sounddevice._terminate()  # PortAudio lists devices once: look again now that the server runs
    sounddevice._initialize()
    yield microphone
    microphone.stop()
    if previous is None:
        os.environ.pop("PULSE_SERVER", None)
    sounddevice._terminate()
    sounddevice._initialize()


@pytest.mark.slow
def test_a_meeting_recorded_from_a_real_input_stream(virtual_microphone: VirtualMicrophone, engine: Engine,
                                                      shared_data: Path) -> None:
    meeting_audio = decode_audio(shared_data / "meetings/atlas-2026-03-02.wav")
    reference = " ".join(line.split(":", 1)[1] for line in (shared_data / "meetings/atlas-2026-03-02.txt").open())
    control = RecordingControl()
    speaking = virtual_microphone.speak(meeting_audio)
    threading.Thread(target=lambda: (speaking.join(), time.sleep(1.0), control.stop()), daemon=True).start()
    live_words: list[str] = []

    def on_event(event: object) -> None:
        if isinstance(event, LiveTranscript):
            live_words.extend(w.text for w in event.committed)

    meeting = run_job(engine.record("Atlas", SoundDeviceSource("pulse"), title="Weekly", control=control,
                                    participants=["Anna", "Ben", "Carla", "David"]), on_event)
    duration = len(meeting_audio) / SAMPLE_RATE
    assert duration - 0.5 <= meeting.duration_s <= duration + 3  # the stream opens a moment late
    final_wer = word_error_rate(reference, meeting.transcript.text, SPELLING)
    live_wer = word_error_rate(reference, " ".join(live_words), SPELLING)
    assert final_wer <= 0.25, final_wer
    assert live_wer <= 0.45, live_wer
    assert any(a.owner == "Carla" for a in engine.minutes(meeting.id).action_items)


@pytest.mark.slow
def test_system_audio_is_recorded_as_its_own_channel(virtual_microphone: VirtualMicrophone, tmp_path: Path,
                                                     shared_data: Path) -> None:
    recording = Recording(tmp_path, RecordingInfo("Atlas", "t", "2026-03-02"), SoundDeviceSource("pulse"),
                          SoundDeviceSource(pulse_source=f"{SINK}.monitor"))
    recording.start()
    virtual_microphone.play_system_audio(shared_data / "speech/jfk.flac").wait(30)
    path = recording.stop()
    with wave.open(str(path)) as w:
        frames = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, 2) / 32767
    assert w.getnchannels() == 2 and len(frames) > SAMPLE_RATE  # a null sink plays faster than real time
    assert np.abs(frames[:, 1]).max() > 0.3  # "them": the call's audio
    assert np.abs(frames[:, 0]).max() < 0.01  # "me": nobody spoke into the microphone


@pytest.mark.slow
def test_kill_9_mid_meeting_loses_at_most_a_second(virtual_microphone: VirtualMicrophone, tmp_path: Path,
                                                    shared_data: Path) -> None:
    data = tmp_path / "data"
    command = [COMPANION, "--data-dir", str(data), "--summary-model", "none", "record", "--team", "Atlas",
               "--title", "Crash", "--input-device", "pulse"]
    spoken = record_then_kill(virtual_microphone, command, virtual_microphone.env,
                              decode_audio(shared_data / "speech/jfk.flac"))
    recover = subprocess.run([COMPANION, "--data-dir", str(data), "--summary-model", "none", "recover"],
                             capture_output=True, text=True, timeout=120, env=virtual_microphone.env)
    assert recover.returncode == 0, recover.stderr
    [recovered] = data.glob("recordings/*.wav")
    assert wav_seconds(recovered) >= spoken - 1.0
    transcript = subprocess.run([COMPANION, "--data-dir", str(data), "transcript", "1"], capture_output=True,
                                text=True, timeout=60, check=True).stdout
    assert "fellow Americans" in transcript
