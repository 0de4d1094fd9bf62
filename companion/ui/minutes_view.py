"""The minutes as a tree: summary, decisions, action items (tick when done), open questions; every item
has its evidence (time, speaker, quote) as children that jump to that moment when clicked.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from companion.export.minutes import clock
from companion.kg.records import Item
from companion.models import Evidence, Minutes, Statement
from companion.ui.wrapping import wrap_rows

MOMENT_ROLE = Qt.ItemDataRole.UserRole
ACTION_ROLE = Qt.ItemDataRole.UserRole + 1


class MinutesView(QWidget):
    """Shows :class:`Minutes`; emits :attr:`moment_clicked` (seconds) and :attr:`action_toggled`."""

    moment_clicked = Signal(float)
    action_toggled = Signal(int, bool)
    """(the action item's id, done?)"""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        heading = QLabel("Summary")
        heading.setStyleSheet("font-weight: 600;")
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemChanged.connect(self._changed)

    def show_minutes(self, minutes: Minutes, actions: Sequence[Item]) -> None:
        """Replace what is shown; ``actions`` are the meeting's action items in their current state."""
        self.tree.blockSignals(True)
        self.tree.clear()
        self.summary.setText(minutes.summary or "Nothing to summarise.")
        self._section("Decisions", minutes.decisions)
        heading = self._heading(f"Action items ({len(actions)})")
        for action in actions:
            self._action(heading, action)
        self._section("Open questions", minutes.open_questions)
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

    def _section(self, title: str, statements: tuple[Statement, ...]) -> None:
        heading = self._heading(f"{title} ({len(statements)})")
        for statement in statements:
            item = QTreeWidgetItem(heading, [statement.text, _cited(statement.evidence)])
            self._evidence(item, statement.evidence)

    def _action(self, parent: QTreeWidgetItem, action: Item) -> None:
        due = f" (due {action.due})" if action.due else ""
        item = QTreeWidgetItem(parent, [f"{action.owner or '?'}: {action.text}{due}", _cited(action.evidence)])
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(0, Qt.CheckState.Checked if action.status == "done" else Qt.CheckState.Unchecked)
        item.setData(0, ACTION_ROLE, action.id)
        if action.overdue:
            item.setForeground(0, QColor("#d93025"))
        item.setToolTip(0, "Tick when done")
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

    def action_items(self) -> list[QTreeWidgetItem]:
        """The tree items of the action items, in minutes order."""
        found: list[QTreeWidgetItem] = []
        for top in range(self.tree.topLevelItemCount()):
            heading = self.tree.topLevelItem(top)
            children = [heading.child(i) for i in range(heading.childCount())] if heading else []
            found += [child for child in children if child is not None and child.data(0, ACTION_ROLE) is not None]
        return found


def _cited(evidence: tuple[Evidence, ...]) -> str:
    return ", ".join(clock(e.start) for e in evidence)
