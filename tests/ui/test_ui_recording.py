"""The call panel: record, pause, stop, live transcript, and quitting mid-recording keeps the audio."""

from __future__ import annotations

import wave
from pathlib import Path

import pytest
from pulse import VirtualMicrophone
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot
from test_recording import virtual_microphone  # noqa: F401  (the PulseAudio microphone fixture)

from companion.audio.decode import decode_audio
from companion.audio.recording import RecordingStatus
from companion.audio.streaming import LiveTranscript
from companion.engine import Engine
from companion.models import Word
from companion.ui.live_view import LiveTranscriptView
from companion.ui.main_window import MainWindow
from companion.ui.settings import AppSettings

pytestmark = pytest.mark.slow


def words(*texts: str, start: float = 0.0) -> tuple[Word, ...]:
    return tuple(Word(start + i, start + i + 0.5, f" {t}") for i, t in enumerate(texts))


def test_live_view_greys_the_tentative_tail_and_replaces_it(qtbot: QtBot) -> None:
    view = LiveTranscriptView()
    qtbot.addWidget(view)
    view.add(LiveTranscript(words("good", "morning"), words("every")))
    assert view.committed_text == "good morning"
    assert view.tentative_text == " every"
    view.add(LiveTranscript(words("everyone"), words("this", "is")))
    assert view.committed_text == "good morning everyone"
    assert view.tentative_text == " this is"
    cursor = view.textCursor()
    cursor.setPosition(len(view.committed_text) + 2)
    assert cursor.charFormat().fontItalic()  # the tail is styled apart
    cursor.setPosition(3)
    assert not cursor.charFormat().fontItalic()


def test_auto_scroll_follows_until_the_user_scrolls_up(qtbot: QtBot) -> None:
    view = LiveTranscriptView()
    qtbot.addWidget(view)
    view.resize(300, 120)
    view.show()
    for line in range(60):
        view.add(LiveTranscript(words(*[f"word{line}"] * 8), ()))
    bar = view.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    bar.setValue(0)  # the user scrolls up to re-read
    view.add(LiveTranscript(words("more", "text", "arrives"), ()))
    assert bar.value() == 0
    bar.setValue(bar.maximum())  # back at the bottom: following again
    for _ in range(10):
        view.add(LiveTranscript(words(*["again"] * 8), ()))
    assert bar.value() == bar.maximum()


def test_record_shows_level_time_and_live_words_then_stop_stores_the_meeting(window: MainWindow, qtbot: QtBot
                                                                              ) -> None:
    panel = window.recorder
    statuses: list[RecordingStatus] = []
    panel.title.setText("Launch review")
    panel.participants.setText("Anna, Ben, Carla, David, Emma")
    panel.record_button.click()
    assert panel.is_recording and not panel.record_button.isEnabled() and panel.stop_button.isEnabled()
    assert panel.status.text() == "Opening the microphone…"  # "Recording" only once the audio is kept
    assert panel.worker is not None
    qtbot.waitUntil(lambda: panel.status.text().startswith("Recording…"), timeout=30_000)
    panel.worker.signals.yielded.connect(lambda e: statuses.append(e) if isinstance(e, RecordingStatus) else None)
    qtbot.waitUntil(lambda: len(panel.live.committed_text.split()) >= 5, timeout=60_000)
    assert statuses and statuses[-1].seconds > 0
    assert panel.meter.value() > -60  # speech, not silence
    assert panel.timer.text() != "00:00"
    with qtbot.waitSignal(panel.meeting_ready, timeout=120_000) as ready:
        panel.stop_button.click()
        assert panel.progress.isVisible() and not panel.record_button.isEnabled()
    meeting = window.engine.meeting(ready.args[0])
    assert meeting.team == "Atlas" and meeting.audio_path and Path(meeting.audio_path).is_file()
    assert meeting.title == "Launch review" and meeting.participants == ("Anna", "Ben", "Carla", "David", "Emma")
    assert "launch" in " ".join(s.text for s in meeting.segments).lower()
    qtbot.waitUntil(lambda: window.meeting_view.meeting is not None, timeout=10_000)
    assert window.tabs.currentWidget() is window.meeting_view
    assert panel.record_button.isEnabled() and not panel.is_busy


def test_pause_is_passed_to_the_recording(window: MainWindow, qtbot: QtBot) -> None:
    panel = window.recorder
    window.pause_action.trigger()  # not recording: nothing to pause
    assert not panel.pause_button.isChecked()
    panel.start()
    panel.pause_button.click()
    assert panel.control is not None and panel.control.paused
    assert "Paused" in panel.status.text()
    window.pause_action.trigger()  # Ctrl+P
    assert not panel.control.paused and not panel.pause_button.isChecked()


def test_quitting_while_recording_finishes_the_file_on_disk(window: MainWindow, qtbot: QtBot) -> None:
    panel = window.recorder
    panel.start()
    qtbot.waitUntil(lambda: panel.timer.text() != "00:00", timeout=30_000)
    window.quit_now()
    assert not panel.is_busy or panel.worker is None or panel.worker.done
    folder = window.engine.recordings_dir
    assert not list(folder.glob("*.recording.wav"))  # nothing left unfinished
    finished = list(folder.glob("*.wav"))
    assert len(finished) == 1
    with wave.open(str(finished[0])) as audio:  # a valid WAV with the audio in it
        assert audio.getnframes() > audio.getframerate()


def test_quit_while_recording_asks_and_can_save_the_meeting_first(window: MainWindow, qtbot: QtBot) -> None:
    panel = window.recorder
    panel.start()
    qtbot.waitUntil(lambda: panel.timer.text() != "00:00", timeout=30_000)
    window.quit()  # Ctrl+Q
    box = window.findChild(QMessageBox)
    assert box is not None and box.isVisible() and "being recorded" in box.text()
    assert panel.is_recording  # nothing happens until the user chooses
    [save] = [b for b in box.buttons() if b.text() == "Save and quit"]
    with qtbot.waitSignal(panel.meeting_ready, timeout=120_000) as ready:
        save.click()
    assert window.engine.meeting(ready.args[0]).segments
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10_000)


def test_recording_from_a_real_input_chosen_in_the_device_picker(virtual_microphone: VirtualMicrophone,  # noqa: F811
                                                                  atlas: Engine, shared_data: Path,
                                                                  qtbot: QtBot) -> None:
    window = MainWindow(atlas, AppSettings(team="Atlas"), use_tray=False)  # the real sound devices
    qtbot.addWidget(window)
    panel = window.recorder
    panel.load_devices()
    qtbot.waitUntil(lambda: panel.devices.findText("pulse", Qt.MatchFlag.MatchStartsWith) > 0, timeout=10_000)
    panel.devices.setCurrentIndex(panel.devices.findText("pulse", Qt.MatchFlag.MatchStartsWith))
    speech = decode_audio(shared_data / "meetings" / "atlas-2026-03-16.wav")[: 12 * 16000]
    panel.start()
    speaking = virtual_microphone.speak(speech)  # into the microphone, in real time
    qtbot.waitUntil(lambda: not speaking.is_alive(), timeout=30_000)
    with qtbot.waitSignal(panel.meeting_ready, timeout=120_000) as ready:
        panel.stop_button.click()
    meeting = atlas.meeting(ready.args[0])
    assert 11.5 <= meeting.duration_s <= 16
    heard = " ".join(s.text for s in meeting.segments).lower()
    assert "checklist" in heard and "android" in heard
    assert window.errors == []
    window.tasks.wait(30_000)
