"""The team's meeting library: list, full-text search, date, person and topic filters, drag-and-drop import."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.clock import clock
from companion.jobs import CancelToken, Job
from companion.models import Meeting
from companion.ui.delete_dialog import confirm_delete
from companion.ui.jobs_panel import JobsPanel
from companion.ui.languages import language_name
from companion.ui.workers import TaskRunner, Worker

if TYPE_CHECKING:
    from companion.engine import Engine

log = logging.getLogger(__name__)

IMPORT_FILTER = ("Meetings (*.wav *.flac *.mp3 *.m4a *.ogg *.opus *.webm *.mp4 *.mov *.mkv *.vtt *.srt *.txt *.json);;"
                 "All files (*)")
ANY_DATE = QDate(2000, 1, 1)


class LibraryView(QWidget):
    """Lists the current team's meetings; emits :attr:`open_meeting` with an id on double-click."""

    open_meeting = Signal(int)
    imported = Signal(int)
    deleted = Signal(int)
    """(meeting id) a meeting was deleted for good"""
    loaded = Signal()

    def __init__(self, engine: Engine, tasks: TaskRunner, team: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine, self.tasks, self.team = engine, tasks, team
        self.meetings: list[Meeting] = []
        self.topics: dict[int, list[str]] = {}
        """The topics of each meeting, by meeting id."""
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search what was said (Ctrl+F)")
        self.search.setAccessibleName("Search meetings")
        self.search.setClearButtonEnabled(True)
        self.person = QComboBox()
        self.person.setAccessibleName("Filter by person")
        self.topic = QComboBox()
        self.topic.setAccessibleName("Filter by topic")
        self.topic.setMinimumContentsLength(12)
        self.topic.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.date_from = self._date_edit("From date")
        self.date_to = self._date_edit("To date")
        self.list = QTreeWidget()
        self.list.setHeaderLabels(["Date", "Title", "Length", "Participants", "Language"])
        self.list.setRootIsDecorated(False)
        self.list.setAccessibleName("Meetings")
        self.list.setColumnWidth(0, 100)
        self.list.setColumnWidth(1, 280)
        self.import_button = QPushButton("Import…")
        self.import_button.setToolTip("Import audio, video or transcript files (or drop them here)")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Delete the selected meeting and everything derived from it, for good (Del)")
        self.delete_button.setShortcut(QKeySequence.StandardKey.Delete)
        self.delete_button.setEnabled(False)
        self.jobs = JobsPanel()
        self.status = QLabel()
        self._layout()
        self.setAcceptDrops(True)
        self.search.returnPressed.connect(self.refresh)
        self.search.textChanged.connect(lambda text: self.refresh() if not text else None)
        for signal in (self.person.currentIndexChanged, self.topic.currentIndexChanged, self.date_from.dateChanged,
                       self.date_to.dateChanged):
            signal.connect(self._show)
        self.list.itemActivated.connect(lambda item: self.open_meeting.emit(item.data(0, Qt.ItemDataRole.UserRole)))
        self.import_button.clicked.connect(self._choose_files)
        self.list.currentItemChanged.connect(lambda item, _: self.delete_button.setEnabled(item is not None))
        self.delete_button.clicked.connect(self.delete_selected)

    def _date_edit(self, name: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setMinimumDate(ANY_DATE)
        edit.setSpecialValueText("any")
        edit.setDate(ANY_DATE)
        edit.setAccessibleName(name)
        return edit

    def _layout(self) -> None:
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(QLabel("Person:"))
        filters.addWidget(self.person, 1)
        filters.addWidget(QLabel("Topic:"))
        filters.addWidget(self.topic, 1)
        filters.addWidget(QLabel("From:"))
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("To:"))
        filters.addWidget(self.date_to)
        filters.addWidget(self.import_button)
        filters.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.jobs)
        layout.addWidget(QLabel("Drop audio, video or transcript files here to import them."))
        layout.addWidget(self.status)

    def refresh(self) -> None:
        """Reload the team's meetings (matching the search text, when there is one) off the GUI thread."""
        team, text = self.team(), self.search.text().strip()
        if not team:
            return
        self.tasks.call(lambda: self._fetch(team, text), "searching" if text else "listing meetings", self._loaded)

    def _fetch(self, team: str, text: str) -> tuple[list[Meeting], dict[int, list[str]]]:
        """(On a worker.) The team's meetings, or those matching ``text``, and the topics of each."""
        if team not in self.engine.teams():
            return [], {}
        meetings = self.engine.search(team, text) if text else self.engine.meetings(team)
        return meetings, self.engine.topics(team)

    def _loaded(self, loaded: tuple[Sequence[Meeting], dict[int, list[str]]]) -> None:
        meetings, self.topics = loaded
        self.meetings = list(meetings)
        _offer(self.person, "Anyone", {p for m in self.meetings for p in m.participants})
        _offer(self.topic, "Any topic", {t for m in self.meetings for t in self.topics.get(m.id, [])})
        self._show()
        self.loaded.emit()

    def visible_meetings(self) -> list[Meeting]:
        """The loaded meetings that pass the person, topic and date filters."""
        person = self.person.currentText() if self.person.currentIndex() > 0 else None
        topic = self.topic.currentText() if self.topic.currentIndex() > 0 else None
        low = self.date_from.date().toString("yyyy-MM-dd") if self.date_from.date() != ANY_DATE else ""
        high = self.date_to.date().toString("yyyy-MM-dd") if self.date_to.date() != ANY_DATE else "9999"
        return [m for m in self.meetings
                if (person is None or person in m.participants) and low <= m.date <= high
                and (topic is None or topic in self.topics.get(m.id, []))]

    def _show(self) -> None:
        self.list.clear()
        shown = self.visible_meetings()
        for m in shown:
            item = QTreeWidgetItem([m.date, m.title, clock(m.duration_s), ", ".join(m.participants),
                                    language_name(m.language)])
            item.setData(0, Qt.ItemDataRole.UserRole, m.id)
            self.list.addTopLevelItem(item)
        searched = f" matching “{self.search.text().strip()}”" if self.search.text().strip() else ""
        self.status.setText(f"{len(shown)} of {len(self.meetings)} meetings{searched}")

    def delete_selected(self) -> QMessageBox | None:
        """Ask whether to delete the selected meeting for good; delete it off the GUI thread when yes."""
        item = self.list.currentItem()
        if item is None:
            return None
        meeting_id = item.data(0, Qt.ItemDataRole.UserRole)
        meeting = next(m for m in self.meetings if m.id == meeting_id)
        return confirm_delete(self, meeting, lambda: self.tasks.call(
            lambda: self.engine.delete_meeting(meeting_id), "deleting a meeting", lambda _: self._deleted(meeting)))

    def _deleted(self, meeting: Meeting) -> None:
        self.status.setText(f"Deleted “{meeting.title}” ({meeting.date}).")
        self.deleted.emit(meeting.id)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(url.toLocalFile()) for url in event.mimeData().urls() if url.isLocalFile()]
        event.acceptProposedAction()
        self.import_files(paths)

    def _choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(self, "Import meetings", "", IMPORT_FILTER)
        self.import_files([Path(name) for name in names])

    def import_files(self, paths: Sequence[Path]) -> list[Worker]:
        """Process each file as a meeting of the current team, each with its own progress and cancel."""
        team = self.team()
        return [self._run(partial(self._process, path, team), path.name) for path in paths]

    def recover(self, paths: Sequence[Path]) -> list[Worker]:
        """Repair and process recordings a crash left unfinished (each goes to the team it was for)."""
        return [self._run(partial(self._recover, path), f"recovering {path.name}") for path in paths]

    def _run(self, factory: Callable[[CancelToken], Job[Meeting]], label: str) -> Worker:
        worker = self.tasks.start(factory, label, on_result=self._imported, compute=True)
        self.jobs.add(worker, label)
        return worker

    def _process(self, path: Path, team: str, token: CancelToken) -> Job[Meeting]:
        return self.engine.process(path, team, cancel=token)

    def _recover(self, path: Path, token: CancelToken) -> Job[Meeting]:
        return self.engine.recover(path, cancel=token)

    def _imported(self, meeting: Meeting) -> None:
        self.status.setText(f"Imported “{meeting.title}” ({meeting.date}).")
        self.imported.emit(meeting.id)


def _offer(choice: QComboBox, anything: str, values: set[str]) -> None:
    """Fill a filter with ``anything`` then ``values`` sorted, keeping the current choice when still offered."""
    chosen = choice.currentText()
    choice.blockSignals(True)
    choice.clear()
    choice.addItem(anything)
    choice.addItems(sorted(values))
    choice.setCurrentIndex(max(0, choice.findText(chosen)))
    choice.blockSignals(False)
