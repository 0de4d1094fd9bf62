"""The live transcript: committed words in plain text, the tentative tail greyed, auto-scroll.

Auto-scroll follows new text only while the view is scrolled to the bottom: once the user scrolls up
to re-read something, the view stays where they put it until they scroll back down.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from companion.audio.streaming import LiveTranscript


class LiveTranscriptView(QPlainTextEdit):
    """Shows a :class:`LiveTranscript` stream as it arrives."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAccessibleName("Live transcript")
        self.setPlaceholderText("The live transcript appears here while you record.")
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)  # readable at a glance during a call
        self.setFont(font)
        self._committed_end = 0
        """Document position where the tentative tail starts."""
        self._tentative = QTextCharFormat()
        self._tentative.setForeground(QColor("#8a8a8a"))
        self._tentative.setFontItalic(True)

    @property
    def committed_text(self) -> str:
        return self.toPlainText()[: self._committed_end]

    @property
    def tentative_text(self) -> str:
        return self.toPlainText()[self._committed_end:]

    def at_bottom(self) -> bool:
        bar = self.verticalScrollBar()
        return bar.value() >= bar.maximum() - 4

    def clear_transcript(self) -> None:
        """Start afresh for a new recording."""
        self.clear()
        self._committed_end = 0

    def add(self, update: LiveTranscript) -> None:
        """Append newly committed words and replace the tentative tail."""
        follow = self.at_bottom()
        bar = self.verticalScrollBar()
        kept = bar.value()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._committed_end)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        committed = " ".join(w.text.strip() for w in update.committed)
        if committed:
            cursor.insertText(("" if self._committed_end == 0 else " ") + committed, QTextCharFormat())
        self._committed_end = cursor.position()
        tentative = " ".join(w.text.strip() for w in update.tentative)
        if tentative:
            cursor.insertText(" " + tentative, self._tentative)
        bar.setValue(bar.maximum() if follow else kept)
