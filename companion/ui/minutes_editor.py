"""A small dialog that edits one part of the minutes: the summary, a decision or open question, or an action
item's task, owner and due date. Evidence stays attached to every item.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

from companion.errors import CompanionError
from companion.models import Minutes, checked_date

T = TypeVar("T")

FIELDS = {
    "summary": (("summary", "Summary"),),
    "decisions": (("text", "Decision"),),
    "open_questions": (("text", "Open question"),),
    "action_items": (("task", "Task"), ("owner", "Owner"), ("due", "Due (YYYY-MM-DD)")),
}
"""What can be edited, per part of the minutes: (field, label)."""

TITLES = {"summary": "Edit the summary", "decisions": "Edit a decision", "open_questions": "Edit an open question",
          "action_items": "Edit an action item"}


def current_values(minutes: Minutes, kind: str, index: int) -> dict[str, str]:
    """The editable fields of part ``kind`` (item ``index``) of ``minutes`` as text."""
    if kind == "summary":
        return {"summary": minutes.summary}
    item = getattr(minutes, kind)[index]
    return {name: getattr(item, name) or "" for name, _ in FIELDS[kind]}


def edited_minutes(minutes: Minutes, kind: str, index: int, values: dict[str, str]) -> Minutes:
    """``minutes`` with part ``kind`` (item ``index``) set to ``values``; the item keeps its evidence.

    Raises:
        CompanionError: an empty text, or a due date that is not ``YYYY-MM-DD``.
    """
    if kind == "summary":
        return replace(minutes, summary=values["summary"].strip())
    values = {name: " ".join(value.split()) for name, value in values.items()}
    text = values["task" if kind == "action_items" else "text"]
    if not text:
        raise CompanionError(f"the {FIELDS[kind][0][1].lower()} cannot be empty")
    if kind == "action_items":
        due = checked_date(values["due"]) if values["due"] else None
        action = replace(minutes.action_items[index], task=text, owner=values["owner"] or None, due=due)
        return replace(minutes, action_items=_replaced(minutes.action_items, index, action))
    if kind == "decisions":
        decision = replace(minutes.decisions[index], text=text)
        return replace(minutes, decisions=_replaced(minutes.decisions, index, decision))
    question = replace(minutes.open_questions[index], text=text)
    return replace(minutes, open_questions=_replaced(minutes.open_questions, index, question))


def _replaced(items: tuple[T, ...], index: int, item: T) -> tuple[T, ...]:
    return (*items[:index], item, *items[index + 1:])


class MinutesEditor(QDialog):
    """Edits one part of the minutes; once accepted, :attr:`edited` holds the new minutes."""

    def __init__(self, minutes: Minutes, kind: str, index: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(TITLES[kind])
        self.minutes, self.kind, self.index = minutes, kind, index
        self.edited: Minutes | None = None
        self.fields: dict[str, QLineEdit | QPlainTextEdit] = {}
        form = QFormLayout(self)
        for (name, label), value in zip(FIELDS[kind], current_values(minutes, kind, index).values(), strict=True):
            field = QPlainTextEdit(value) if name == "summary" else QLineEdit(value)
            field.setAccessibleName(label)
            form.addRow(label, field)
            self.fields[name] = field
        self.error = QLabel()
        self.error.setStyleSheet("color: #d93025;")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Problem")
        self.error.hide()
        form.addRow(self.error)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)

    def values(self) -> dict[str, str]:
        """What the fields say now."""
        return {name: f.toPlainText() if isinstance(f, QPlainTextEdit) else f.text() for name, f in self.fields.items()}

    def accept(self) -> None:
        """Close with the edited minutes, or stay open and say what is wrong."""
        try:
            self.edited = edited_minutes(self.minutes, self.kind, self.index, self.values())
        except CompanionError as error:
            self.error.setText(str(error))
            self.error.show()
            return
        super().accept()
