"""Deleting a meeting from the library and from the meeting view (after a question), and retention shown."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import tone, write_wav
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from companion.audio.recording import RecordingInfo, info_path
from companion.models import Minutes, Segment
from companion.ui.main_window import RETENTION_INTERVAL_MS, MainWindow

pytestmark = pytest.mark.slow


def titles(window: MainWindow) -> list[str]:
    tree = window.library.list
    return [tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())]  # type: ignore[union-attr]


def press(box: QMessageBox | None, text: str) -> None:
    assert box is not None and box.isVisible()
    [button] = [b for b in box.buttons() if b.text() == text]
    button.click()


def test_the_library_deletes_the_selected_meeting_after_asking(window: MainWindow, qtbot: QtBot) -> None:
    library = window.library
    assert not library.delete_button.isEnabled()  # nothing selected yet
    library.list.setCurrentItem(library.list.topLevelItem(1))
    assert library.delete_button.isEnabled()
    box = library.delete_selected()
    assert box is not None and "Atlas sync 2026-03-09" in box.text()
    press(box, "Cancel")
    qtbot.wait(200)
    assert len(window.engine.meetings("Atlas")) == 3
    with qtbot.waitSignal(library.loaded, timeout=20_000):
        press(library.delete_selected(), "Delete")
    assert titles(window) == ["Atlas sync 2026-03-16", "Atlas sync 2026-03-02"]
    assert [m.title for m in window.engine.meetings("Atlas")] == titles(window)
    assert window.errors == []


def test_the_meeting_view_deletes_the_meeting_it_shows(window: MainWindow, qtbot: QtBot) -> None:
    view = window.meeting_view
    newest = window.engine.meetings("Atlas")[0]
    with qtbot.waitSignal(view.loaded, timeout=10_000):
        window.open_meeting(newest.id)
    assert view.delete_button.isEnabled()
    with qtbot.waitSignal(view.deleted, timeout=20_000), qtbot.waitSignal(window.library.loaded, timeout=20_000):
        press(view.delete_meeting(), "Delete")
    assert view.meeting is None and view.transcript.topLevelItemCount() == 0 and not view.delete_button.isEnabled()
    assert "deleted" in view.title.text()
    assert newest.title not in titles(window) and len(titles(window)) == 2
    assert window.errors == []


def test_retention_runs_at_start_and_daily_and_the_meeting_says_so(window: MainWindow, qtbot: QtBot) -> None:
    engine = window.engine
    assert window.retention_timer.isActive() and window.retention_timer.interval() == RETENTION_INTERVAL_MS
    engine.recordings_dir.mkdir(parents=True, exist_ok=True)
    wav = write_wav(engine.recordings_dir / "20260101-100000.wav", tone(2.0))
    RecordingInfo("Atlas", "Old call", "2026-01-01", []).save(info_path(wav))
    meeting_id = engine.store.add_meeting(team="Atlas", title="Old call", date="2026-01-01", duration_s=2.0,
                                          segments=[Segment(0.0, 2.0, "Hello there.", "Anna")],
                                          audio_path=str(wav), source_path=str(wav), minutes=Minutes("Hello."))
    engine.set_retention("Atlas", audio_days=30, meeting_days=None)
    with qtbot.waitSignal(window.library.loaded, timeout=20_000):
        window.retention_timer.timeout.emit()  # as the daily timer does
    assert not wav.exists() and not info_path(wav).exists()
    assert "Retention" in window.statusBar().currentMessage()
    with qtbot.waitSignal(window.meeting_view.loaded, timeout=10_000):
        window.open_meeting(meeting_id)
    assert f"audio deleted on {dt.date.today().isoformat()}" in window.meeting_view.facts.text()
    assert not window.meeting_view.play_button.isEnabled()
    assert window.errors == []
