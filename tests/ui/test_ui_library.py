"""The meeting library: listing, person, topic and date filters, importing files with progress and cancel."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from companion.audio.capture import ArraySource
from companion.audio.decode import decode_audio
from companion.audio.recording import Recording, RecordingInfo
from companion.engine import Engine
from companion.ui.main_window import MainWindow
from companion.ui.settings import AppSettings

pytestmark = pytest.mark.slow


def titles(window: MainWindow) -> list[str]:
    tree = window.library.list
    return [tree.topLevelItem(i).text(1) for i in range(tree.topLevelItemCount())]  # type: ignore[union-attr]


def test_the_team_s_meetings_are_listed_newest_first(window: MainWindow) -> None:
    assert window.team() == "Atlas"
    assert titles(window) == ["Atlas sync 2026-03-16", "Atlas sync 2026-03-09", "Atlas sync 2026-03-02"]
    assert window.library.status.text().startswith("3 of 3 meetings")


def test_filters_by_person_and_date(window: MainWindow, qtbot: QtBot) -> None:
    library = window.library
    people = [library.person.itemText(i) for i in range(library.person.count())]
    assert people[0] == "Anyone" and {"Anna", "Ben"} <= set(people)
    library.date_from.setDate(QDate(2026, 3, 5))
    assert titles(window) == ["Atlas sync 2026-03-16", "Atlas sync 2026-03-09"]
    library.date_to.setDate(QDate(2026, 3, 10))
    assert titles(window) == ["Atlas sync 2026-03-09"]
    library.date_from.setDate(library.date_from.minimumDate())
    library.date_to.setDate(library.date_to.minimumDate())
    only_some = [p for p in people[1:] if sum(p in m.participants for m in library.meetings) < 3]
    if only_some:  # someone who missed a meeting
        library.person.setCurrentText(only_some[0])
        assert 0 < len(titles(window)) < 3


def test_filters_by_topic_from_the_minutes(window: MainWindow, atlas: Engine, qtbot: QtBot) -> None:
    library = window.library
    topics = [library.topic.itemText(i) for i in range(library.topic.count())]
    expected = {t.title for m in atlas.meetings("Atlas") for t in atlas.minutes(m.id).topics}
    assert topics[0] == "Any topic" and set(topics[1:]) == expected and len(expected) > 3
    library.topic.setCurrentText("onboarding")
    assert titles(window) == ["Atlas sync 2026-03-09"]
    assert "onboarding" in [t.title for t in atlas.minutes(library.visible_meetings()[0].id).topics]
    assert library.status.text().startswith("1 of 3 meetings")
    with qtbot.waitSignal(library.loaded, timeout=10_000):
        library.refresh()
    assert library.topic.currentText() == "onboarding" and titles(window) == ["Atlas sync 2026-03-09"]
    library.date_to.setDate(QDate(2026, 3, 5))
    assert titles(window) == []  # the filters combine
    library.date_to.setDate(library.date_to.minimumDate())
    library.topic.setCurrentIndex(0)
    assert len(titles(window)) == 3


def test_double_click_opens_the_meeting(window: MainWindow, qtbot: QtBot) -> None:
    item = window.library.list.topLevelItem(2)
    assert item is not None
    with qtbot.waitSignal(window.meeting_view.loaded, timeout=10_000):
        window.library.list.itemActivated.emit(item, 0)
    assert window.meeting_view.title.text() == "Atlas sync 2026-03-02"


def test_a_dropped_audio_file_is_transcribed_with_progress_and_listed(window: MainWindow, qtbot: QtBot,
                                                                      shared_data: Path, tmp_path: Path) -> None:
    audio = shutil.copy(shared_data / "meetings" / "atlas-2026-03-16.wav", tmp_path / "launch review.wav")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(audio))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                      Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.library.imported, timeout=180_000) as imported:
        window.library.dropEvent(drop)
        rows = window.library.jobs.rows
        assert len(rows) == 1 and rows[0].label.text() == "launch review.wav"
        assert not window.library.jobs.isHidden()
        qtbot.waitUntil(lambda: rows[0].bar.value() > 0, timeout=120_000)
    meeting = window.engine.meeting(imported.args[0])
    assert meeting.title == "launch review" and meeting.audio_path
    qtbot.waitUntil(lambda: "launch review" in titles(window), timeout=10_000)
    assert not window.library.jobs.rows
    # Its lines play: through the sound output, or (on a machine without one) a readable error.
    with qtbot.waitSignal(window.meeting_view.loaded, timeout=10_000):
        window.open_meeting(meeting.id)
    view = window.meeting_view
    assert view.play_button.isEnabled() and "Click a line" in view.transcript.topLevelItem(0).toolTip(2)  # type: ignore[union-attr]
    line = view.transcript.topLevelItem(2)
    assert line is not None
    view.transcript.itemClicked.emit(line, 2)
    assert view.player.playing_from == meeting.segments[2].start
    qtbot.waitUntil(lambda: not window.tasks.active, timeout=10_000)  # its error, if any, has arrived
    assert all(error.startswith("cannot play the audio") for error in window.errors), window.errors
    view.play_button.click()  # stop
    assert view.player.playing_from is None


def test_cancel_stops_an_import_and_stores_nothing(window: MainWindow, qtbot: QtBot, shared_data: Path) -> None:
    [worker] = window.library.import_files([shared_data / "meetings" / "atlas-2026-03-02.wav"])
    row = window.library.jobs.rows[0]
    with qtbot.waitSignal(worker.signals.finished, timeout=60_000):
        row.cancel.click()
        assert not row.cancel.isEnabled()
    assert len(window.engine.meetings("Atlas")) == 3
    assert window.errors == []  # a cancel is not an error


def test_an_unusable_file_shows_a_readable_error(window: MainWindow, qtbot: QtBot, tmp_path: Path) -> None:
    bad = tmp_path / "notes.wav"
    bad.write_text("this is not audio")
    window.library.import_files([bad])
    qtbot.waitUntil(lambda: bool(window.errors), timeout=30_000)
    assert len(window.errors) == 1 and "notes.wav" in window.errors[0]
    assert "Traceback" not in window.errors[0]
    dialog = window.findChild(QMessageBox)
    assert dialog is not None and dialog.isVisible() and dialog.text() == window.errors[0]


def test_a_recording_cut_by_a_crash_is_offered_for_recovery_at_start(atlas: Engine, shared_data: Path,
                                                                      qtbot: QtBot) -> None:
    speech = decode_audio(shared_data / "meetings" / "atlas-2026-03-16.wav")[: 15 * 16000]
    crashed = Recording(atlas.recordings_dir, RecordingInfo("Atlas", "Cut short", "2026-03-20"),
                        ArraySource(speech, realtime=False))
    crashed.start()  # never stopped: as if the app died mid-meeting
    qtbot.waitUntil(lambda: crashed.seconds >= 14.9, timeout=10_000)
    window = MainWindow(atlas, AppSettings(team="Atlas"), use_tray=False)
    qtbot.addWidget(window)
    window.start()
    qtbot.waitUntil(lambda: window.recover_button is not None, timeout=10_000)
    assert window.recover_button is not None and window.recover_button.text() == "Recover 1 unfinished recording"
    with qtbot.waitSignal(window.library.imported, timeout=120_000) as imported:
        window.recover_button.click()
    meeting = atlas.meeting(imported.args[0])
    assert (meeting.title, meeting.date) == ("Cut short", "2026-03-20")
    assert "checklist" in " ".join(s.text for s in meeting.segments).lower()  # said at 4 s, heard reliably
    assert not atlas.unfinished_recordings()
    window.tasks.wait(30_000)
