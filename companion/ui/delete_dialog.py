"""The one question the app asks before deleting a meeting for good."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from companion.models import Meeting


def confirm_delete(parent: QWidget, meeting: Meeting, delete: Callable[[], object]) -> QMessageBox:
    """Ask whether to delete ``meeting`` for good, without blocking; ``delete`` runs when the answer is yes."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Delete meeting",
                      f"Delete “{meeting.title}” ({meeting.date}) for good?", parent=parent)
    box.setInformativeText("Its recording, transcript and minutes, and what the team's memory learnt from it, "
                           "are deleted and cannot be brought back. Later meetings are read again without it.")
    yes = box.addButton("Delete", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda button: delete() if button is yes else None)
    box.open()
    return box
