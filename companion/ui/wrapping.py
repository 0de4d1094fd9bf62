"""Word-wrapped rows for tree views: Qt's own ``setWordWrap`` paints wrapped text but does not make rows
taller, so long transcript lines and quotes would be cut off. This delegate sizes each row to its text
at the column's current width, and the view re-lays out its rows when a column is resized.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QTreeView

PADDING = 6


class WrappingDelegate(QStyledItemDelegate):
    """Row heights that fit the wrapped text of every column."""

    def __init__(self, view: QTreeView) -> None:
        super().__init__(view)
        self.view = view

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        text = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        width = self.view.columnWidth(index.column()) - 2 * PADDING
        if index.column() == 0:  # the first column is indented by the item's depth and the branch mark
            depth, parent = 1, index.parent()
            while parent.isValid():
                depth, parent = depth + 1, parent.parent()
            width -= depth * self.view.indentation() if self.view.rootIsDecorated() else 0
        if width <= 20 or not text:
            return base
        bounds = option.fontMetrics.boundingRect(QRect(0, 0, width, 100_000), Qt.TextFlag.TextWordWrap, text)
        return QSize(base.width(), max(base.height(), bounds.height() + PADDING))


def wrap_rows(view: QTreeView) -> None:
    """Give ``view`` word-wrapped rows that follow column resizes."""
    view.setWordWrap(True)
    view.setUniformRowHeights(False)
    view.setTextElideMode(Qt.TextElideMode.ElideNone)
    view.setItemDelegate(WrappingDelegate(view))
    view.header().sectionResized.connect(lambda *_: view.doItemsLayout())
