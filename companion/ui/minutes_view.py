"""The minutes as a tree: summary, decisions, action items (tick when done), open questions; every item
has its evidence (time, speaker, quote) as children that jump to that moment when clicked. Double-click an
item (or **Edit…** by the summary) to edit it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.clock import clock
from companion.kg.records import Item
from companion.models import Evidence, Minutes, Statement
from companion.ui.minutes_editor import MinutesEditor
from companion.ui.wrapping import wrap_rows

MOMENT_ROLE = Qt.ItemDataRole.UserRole
ACTION_ROLE = Qt.ItemDataRole.UserRole + 1
EDIT_ROLE = Qt.ItemDataRole.UserRole + 2
"""(part of the minutes, index) of an editable item, e.g. ``("decisions", 0)``."""


class MinutesView(QWidget):
    """Shows :class:`Minutes`; emits :attr:`moment_clicked` (seconds), :attr:`action_toggled` and
    :attr:`minutes_edited`."""

    moment_clicked = Signal(float)
    action_toggled = Signal(int, bool)
    """(the action item's id, done?)"""
    minutes_edited = Signal(object)
    """The whole :class:`Minutes` with the user's edit, to be saved."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minutes: Minutes | None = None
        self.editor: MinutesEditor | None = None
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAccessibleName("Summary")
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Minutes", "Said at"])
        wrap_rows(self.tree)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.setAccessibleName("Minutes")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._summary_heading())
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemChanged.connect(self._changed)
        self.tree.itemDoubleClicked.connect(self._double_clicked)

    def _summary_heading(self) -> QHBoxLayout:
        heading = QLabel("Summary")
        heading.setStyleSheet("font-weight: 600;")
        self.edit_summary = QToolButton()
        self.edit_summary.setText("Edit…")
        self.edit_summary.setAccessibleName("Edit summary")
        self.edit_summary.setEnabled(False)
        self.edit_summary.clicked.connect(lambda: self.edit("summary"))
        row = QHBoxLayout()
        row.addWidget(heading, 1)
        row.addWidget(self.edit_summary)
        return row

    def show_minutes(self, minutes: Minutes, actions: Sequence[Item]) -> None:
        """Replace what is shown; ``actions`` are the meeting's action items in their current state."""
        self.minutes = minutes
        self.edit_summary.setEnabled(True)
        self.tree.blockSignals(True)
        self.tree.clear()
        self.summary.setText(minutes.summary or "Nothing to summarise.")
        self._section("Decisions", "decisions", minutes.decisions)
        heading = self._heading(f"Action items ({len(actions)})")
        for action in actions:
            self._action(heading, action, _minutes_index(minutes, action))
        self._section("Open questions", "open_questions", minutes.open_questions)
        if minutes.next_meeting:
            self._heading(f"Next meeting: {minutes.next_meeting.replace('T', ' ')}")
        self.tree.expandAll()
        self.tree.blockSignals(False)

    def _heading(self, text: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [text])
        font = QFont(item.font(0))
        font.setBold(True)
        item.setFont(0, font)
        item.setFirstColumnSpanned(True)
        return item

    def _section(self, title: str, kind: str, statements: tuple[Statement, ...]) -> None:
        heading = self._heading(f"{title} ({len(statements)})")
        for index, statement in enumerate(statements):
            item = QTreeWidgetItem(heading, [statement.text, _cited(statement.evidence)])
            _editable(item, kind, index)
            self._evidence(item, statement.evidence)

    def _action(self, parent: QTreeWidgetItem, action: Item, index: int | None) -> None:
        """One action item in its current state; as the minutes (maybe edited) word it when they have it."""
        owner, task, due = action.owner, action.text, action.due
        if index is not None and self.minutes is not None:
            written = self.minutes.action_items[index]
            owner, task, due = written.owner, written.task, written.due
        when = f" (due {due})" if due else ""
        item = QTreeWidgetItem(parent, [f"{owner or '?'}: {task}{when}", _cited(action.evidence)])
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Checked if action.status == "done" else Qt.CheckState.Unchecked)
        item.setData(0, ACTION_ROLE, action.id)
        if action.overdue:
            item.setForeground(0, QColor("#d93025"))
        item.setToolTip(0, "Tick when done")
        if index is not None:
            _editable(item, "action_items", index)
        self._evidence(item, action.evidence)

    def _evidence(self, parent: QTreeWidgetItem, evidence: tuple[Evidence, ...]) -> None:
        if evidence:
            parent.setData(0, MOMENT_ROLE, evidence[0].start)
        for e in evidence:
            child = QTreeWidgetItem(parent, [f"“{e.quote}”", f"{clock(e.start)} {e.speaker}".strip()])
            child.setData(0, MOMENT_ROLE, e.start)
            child.setToolTip(0, "Click to go to this moment")

    def _clicked(self, item: QTreeWidgetItem, column: int) -> None:
        moment = item.data(0, MOMENT_ROLE)
        if moment is not None:
            self.moment_clicked.emit(float(moment))

    def _changed(self, item: QTreeWidgetItem, column: int) -> None:
        index = item.data(0, ACTION_ROLE)
        if index is not None and column == 0:
            self.action_toggled.emit(int(index), item.checkState(0) == Qt.CheckState.Checked)

    def _double_clicked(self, item: QTreeWidgetItem, column: int) -> None:
        where = item.data(0, EDIT_ROLE)
        if where is not None:
            self.edit(*where)

    def edit(self, kind: str, index: int = 0) -> MinutesEditor | None:
        """Open the editor on part ``kind`` (item ``index``) of the minutes; saving emits :attr:`minutes_edited`."""
        if self.minutes is None:
            return None
        self.editor = editor = MinutesEditor(self.minutes, kind, index, self)
        editor.accepted.connect(lambda: self.minutes_edited.emit(editor.edited))
        editor.open()
        return editor

    def action_items(self) -> list[QTreeWidgetItem]:
        """The tree items of the action items, in minutes order."""
        found: list[QTreeWidgetItem] = []
        for top in range(self.tree.topLevelItemCount()):
            heading = self.tree.topLevelItem(top)
            children = [heading.child(i) for i in range(heading.childCount())] if heading else []
            found += [child for child in children if child is not None and child.data(0, ACTION_ROLE) is not None]
        return found


def _editable(item: QTreeWidgetItem, kind: str, index: int) -> None:
    item.setData(0, EDIT_ROLE, (kind, index))
    tip = item.toolTip(0)
    item.setToolTip(0, f"{tip}; double-click to edit" if tip else "Double-click to edit")


def _minutes_index(minutes: Minutes, action: Item) -> int | None:
    """Which of the minutes' action items the team's ``action`` was written from (same first evidence)."""
    key = _evidence_key(action.evidence)
    keys = [_evidence_key(a.evidence) for a in minutes.action_items]
    return keys.index(key) if key is not None and key in keys else None


def _evidence_key(evidence: tuple[Evidence, ...]) -> tuple[float, str] | None:
    return (round(evidence[0].start, 2), evidence[0].quote) if evidence else None


def _cited(evidence: tuple[Evidence, ...]) -> str:
    return ", ".join(clock(e.start) for e in evidence)
