"""One meeting: its transcript with speakers (click a line to hear it), its minutes, and an export menu."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.clock import clock
from companion.export.minutes import MINUTES_FORMATS, render_minutes
from companion.kg.records import Item
from companion.models import Meeting, Minutes
from companion.ui.delete_dialog import confirm_delete
from companion.ui.languages import language_name
from companion.ui.minutes_view import MinutesView
from companion.ui.playback import Player, why_not_playable
from companion.ui.workers import TaskRunner
from companion.ui.wrapping import wrap_rows

if TYPE_CHECKING:
    from companion.engine import Engine

log = logging.getLogger(__name__)

FORMAT_NAMES = {"md": "Markdown", "html": "HTML", "docx": "Word (DOCX)", "pdf": "PDF", "srt": "Subtitles (SRT)",
                "vtt": "Subtitles (WebVTT)", "json": "JSON"}
SPEAKER_COLOURS = ("#1a73e8", "#d93025", "#188038", "#e37400", "#9334e6", "#007b83", "#b31412", "#5f6368")


def speaker_colour(speaker: str, speakers: list[str]) -> QColor:
    """A stable colour per speaker within one meeting."""
    return QColor(SPEAKER_COLOURS[speakers.index(speaker) % len(SPEAKER_COLOURS)] if speaker in speakers else "#5f6368")


class MeetingView(QWidget):
    """Shows one stored meeting; :meth:`open` loads it off the GUI thread."""

    loaded = Signal(int)
    exported = Signal(str)
    item_changed = Signal(object)
    speaker_renamed = Signal(str, str)
    minutes_saved = Signal(int)
    """(meeting id) an edit of its minutes is stored, and the team's graph follows it"""
    deleted = Signal(int)
    """(meeting id) the meeting shown was deleted for good"""

    def __init__(self, engine: Engine, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine, self.tasks = engine, tasks
        self.meeting: Meeting | None = None
        self.minutes: Minutes | None = None
        self.player = Player(engine, tasks)
        self._pending_moment: float | None = None
        self.title = QLabel("No meeting open. Pick one in the library.")
        self.title.setStyleSheet("font-size: 18px; font-weight: 600;")
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.play_button = QPushButton("■ Stop playing")
        self.play_button.setAccessibleName("Stop playing")
        self.export_button = QToolButton()
        self.export_button.setText("Export ▾")
        self.export_button.setAccessibleName("Export")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export_button)
        for fmt in MINUTES_FORMATS:
            menu.addAction(FORMAT_NAMES.get(fmt, fmt), partial(self._choose_export, fmt))
        menu.addSeparator()
        # minutes to send outside the team: no evidence quotes, never the transcript
        self.shareable = menu.addAction("Shareable (no quotes, no transcript)")
        self.shareable.setCheckable(True)
        self.export_button.setMenu(menu)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Delete this meeting and everything derived from it, for good")
        self.delete_button.clicked.connect(self.delete_meeting)
        self.transcript = QTreeWidget()
        self.transcript.setHeaderLabels(["Time", "Speaker", "Text"])
        self.transcript.setRootIsDecorated(False)
        wrap_rows(self.transcript)
        self.transcript.setEditTriggers(QTreeWidget.EditTrigger.NoEditTriggers)  # only the speaker: see _edit_speaker
        self.transcript.setColumnWidth(0, 60)
        self.transcript.setColumnWidth(1, 80)
        self.transcript.setAccessibleName("Transcript")
        self.minutes_view = MinutesView()
        self._layout()
        self.transcript.itemClicked.connect(self._line_clicked)
        self.transcript.itemDoubleClicked.connect(self._edit_speaker)
        self.transcript.itemChanged.connect(self._speaker_edited)
        self.minutes_view.moment_clicked.connect(self.show_moment)
        self.minutes_view.moment_clicked.connect(self.play_at)
        self.play_button.clicked.connect(self.player.stop)
        self.minutes_view.action_toggled.connect(self.set_done)
        self.minutes_view.minutes_edited.connect(self.save_minutes)
        self._set_enabled(False)

    def _layout(self) -> None:
        header = QHBoxLayout()
        header.addWidget(self.title, 1)
        header.addWidget(self.play_button)
        header.addWidget(self.export_button)
        header.addWidget(self.delete_button)
        splitter = QSplitter()
        splitter.addWidget(self.transcript)
        splitter.addWidget(self.minutes_view)
        splitter.setSizes([520, 480])
        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(self.facts)
        layout.addWidget(splitter, 1)

    def _set_enabled(self, enabled: bool) -> None:
        self.export_button.setEnabled(enabled)
        self.delete_button.setEnabled(enabled)
        self.play_button.setEnabled(enabled and self.meeting is not None and why_not_playable(self.meeting) is None)

    def open(self, meeting_id: int, moment: float | None = None) -> None:
        """Load a meeting (and its minutes); with ``moment``, show that moment once loaded."""
        self._pending_moment = moment
        self.tasks.call(lambda: self._load(meeting_id), f"opening meeting {meeting_id}", self._show)

    def _load(self, meeting_id: int) -> tuple[Meeting, Minutes, list[Item], str | None]:
        meeting = self.engine.meeting(meeting_id)
        items = self.engine.items(meeting.team)
        return meeting, self.engine.minutes(meeting_id), [
            i for i in items if i.meeting_id == meeting_id and i.kind == "action_item"], \
            self.engine.audio_deleted_on(meeting_id)

    def _show(self, loaded: tuple[Meeting, Minutes, list[Item], str | None]) -> None:
        meeting, minutes, actions, audio_deleted_on = loaded
        self.meeting, self.minutes = meeting, minutes
        self.title.setText(meeting.title)
        audio = f" · audio deleted on {audio_deleted_on} (the team's retention rule)" if audio_deleted_on else ""
        self.facts.setText(f"{meeting.team} · {meeting.date} · {clock(meeting.duration_s)} · "
                           f"{language_name(meeting.language)} · "
                           f"{', '.join(meeting.participants) or 'no participants named'}{audio}")
        reason = why_not_playable(meeting)
        tip = reason or "Click a line to hear that moment."
        self.transcript.blockSignals(True)
        self.transcript.clear()
        speakers = list(dict.fromkeys(s.speaker for s in meeting.segments if s.speaker))
        for segment in meeting.segments:
            item = QTreeWidgetItem([clock(segment.start), segment.speaker, segment.text])
            item.setData(0, Qt.ItemDataRole.UserRole, segment.start)
            item.setForeground(1, speaker_colour(segment.speaker, speakers))
            item.setData(1, Qt.ItemDataRole.UserRole, segment.speaker)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
            item.setToolTip(1, "Double-click to rename this speaker in the whole meeting")
            item.setToolTip(2, tip)
            self.transcript.addTopLevelItem(item)
        self.transcript.blockSignals(False)
        self.minutes_view.show_minutes(minutes, actions)
        self._set_enabled(True)
        self.play_button.setToolTip(reason or "Stop playing")
        if self._pending_moment is not None:
            self.show_moment(self._pending_moment)
        self.loaded.emit(meeting.id)

    def _line_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        self.play_at(float(item.data(0, Qt.ItemDataRole.UserRole)))

    def _edit_speaker(self, item: QTreeWidgetItem, column: int) -> None:
        if column == 1:
            self.transcript.editItem(item, 1)

    def _speaker_edited(self, item: QTreeWidgetItem, column: int) -> None:
        label, name = str(item.data(1, Qt.ItemDataRole.UserRole) or ""), item.text(1).strip()
        if column == 1 and label and name and name != label:
            self.rename_speaker(label, name)

    def rename_speaker(self, label: str, name: str) -> None:
        """Call speaker ``label`` ``name`` throughout this meeting (the team learns the voice), then reload."""
        if self.meeting is None:
            return
        meeting_id = self.meeting.id

        def renamed(_learnt: bool) -> None:
            self.speaker_renamed.emit(label, name)
            self.open(meeting_id)

        self.tasks.call(lambda: self.engine.rename_speaker(meeting_id, label, name), "renaming a speaker", renamed)

    def show_moment(self, seconds: float) -> None:
        """Select and scroll to the transcript line said at ``seconds``."""
        for row in range(self.transcript.topLevelItemCount()):
            item = self.transcript.topLevelItem(row)
            following = self.transcript.topLevelItem(row + 1)
            if item is not None and (following is None
                                     or float(following.data(0, Qt.ItemDataRole.UserRole)) > seconds + 0.01):
                self.transcript.setCurrentItem(item)
                self.transcript.scrollToItem(item, QTreeWidget.ScrollHint.PositionAtCenter)
                return

    def play_at(self, seconds: float) -> None:
        """Play the meeting from ``seconds`` when it has audio."""
        if self.meeting is not None and self.meeting.audio_path and why_not_playable(self.meeting) is None:
            self.player.play(self.meeting.audio_path, float(seconds))

    def set_done(self, item_id: int, done: bool) -> None:
        """Tick an action item done (or open again) in the team's store."""
        status = "done" if done else "open"
        self.tasks.call(lambda: self.engine.set_action_item_status(item_id, status), "updating an action item",
                        self.item_changed.emit)

    def save_minutes(self, minutes: Minutes) -> None:
        """Store the user's edit of this meeting's minutes, then reload the meeting."""
        if self.meeting is None:
            return
        meeting_id = self.meeting.id
        def saved(_minutes: Minutes) -> None:
            self.minutes_saved.emit(meeting_id)
            self.open(meeting_id)

        self.tasks.call(lambda: self.engine.save_minutes(meeting_id, minutes), "saving the minutes", saved)

    def delete_meeting(self) -> QMessageBox | None:
        """Ask whether to delete the meeting shown for good; delete it off the GUI thread when yes."""
        meeting = self.meeting
        if meeting is None:
            return None
        return confirm_delete(self, meeting, lambda: self.tasks.call(
            lambda: self.engine.delete_meeting(meeting.id), "deleting a meeting", lambda _: self.forget(meeting.id)))

    def forget(self, meeting_id: int) -> None:
        """The meeting with ``meeting_id`` was deleted: show nothing of it any more."""
        if self.meeting is None or self.meeting.id != meeting_id:
            return
        self.player.stop()
        self.meeting = self.minutes = None
        self.title.setText("The meeting was deleted. Pick another in the library.")
        self.facts.clear()
        self.transcript.clear()
        self.minutes_view.minutes = None  # MinutesView has no clear(): empty what it shows
        self.minutes_view.summary.clear()
        self.minutes_view.tree.clear()
        self.minutes_view.edit_summary.setEnabled(False)
        self._set_enabled(False)
        self.deleted.emit(meeting_id)

    def _choose_export(self, fmt: str) -> None:
        if self.meeting is None:
            return
        suggested = f"{self.meeting.date} {self.meeting.title}.{fmt}".replace("/", "-")
        name, _ = QFileDialog.getSaveFileName(self, f"Export as {FORMAT_NAMES.get(fmt, fmt)}", suggested)
        if name:
            self.export(fmt, Path(name))

    def export(self, fmt: str, path: Path) -> None:
        """Write the minutes (or, for SRT/VTT, the transcript) as ``fmt`` to ``path`` off the GUI thread; sealed
        when ``path`` is inside an encrypted data folder (:meth:`~companion.engine.Engine.save_export`)."""
        meeting, minutes, shareable = self.meeting, self.minutes, self.shareable.isChecked()
        if meeting is None or minutes is None:
            return

        def write() -> str:
            self.engine.save_export(path, render_minutes(meeting, minutes, fmt, shareable=shareable))
            return str(path)

        self.tasks.call(write, f"exporting {fmt}", self.exported.emit)
