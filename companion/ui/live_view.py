"""The live transcript: committed words in plain text, the tentative tail greyed, auto-scroll.

When the updates carry speakers, each new speaker's run starts on a new line with their name ("Carla: ...")
in a colour of their own: the same colour for a name in every meeting where it can be (picked from the
name), light on a dark palette and dark on a light one, repainted when the palette changes.

Auto-scroll follows new text only while the view is scrolled to the bottom: once the user scrolls up
to re-read something, the view stays where they put it until they scroll back down.
"""

from __future__ import annotations

import zlib

from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import QPlainTextEdit, QWidget

from companion.audio.streaming import LiveTranscript

SPEAKER_HUES = (210, 25, 130, 340, 270, 175, 300, 45)
"""Hues of speaker names, far apart: blue, orange, green, crimson, violet, teal, magenta, ochre."""
NAME_LIGHTNESS = {False: 70, True: 170}
"""HSL lightness of names on a light (False) and a dark (True) base: a contrast of 4.5:1 or more on both."""
SPEAKER = QTextFormat.Property.UserProperty + 1
"""Character-format property that marks a speaker name (its value: the name)."""


def speaker_colour(slot: int, dark: bool) -> QColor:
    """The colour of speaker slot ``slot`` (an index into :data:`SPEAKER_HUES`) on a dark or light base."""
    return QColor.fromHsl(SPEAKER_HUES[slot % len(SPEAKER_HUES)], 200, NAME_LIGHTNESS[dark])


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
        self._speaker = ""
        """Whose words the committed text ends with ("" when unknown)."""
        self._slots: dict[str, int] = {}
        """Each speaker's colour slot in this transcript."""

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
        self._speaker = ""
        self._slots.clear()

    def add(self, update: LiveTranscript) -> None:
        """Append newly committed words (a name where the speaker changes) and replace the tentative tail."""
        follow = self.at_bottom()
        bar = self.verticalScrollBar()
        kept = bar.value()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self._committed_end)
        cursor.movePosition(QTextCursor.MoveOperation.End, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        for speaker, words in update.speaker_runs():
            text = " ".join(w.text.strip() for w in words)
            if speaker and speaker != self._speaker:
                cursor.insertText("" if self._committed_end == 0 else "\n", QTextCharFormat())
                cursor.insertText(f"{speaker}:", self._name_format(speaker))
                self._speaker = speaker
            cursor.insertText(("" if cursor.position() == 0 else " ") + text, QTextCharFormat())
            self._committed_end = cursor.position()
        tentative = " ".join(w.text.strip() for w in update.tentative)
        if tentative:
            cursor.insertText(" " + tentative, self._tentative)
        bar.setValue(bar.maximum() if follow else kept)

    def speaker_colour(self, speaker: str) -> QColor:
        """The colour of ``speaker``'s name here, for the current palette."""
        if speaker not in self._slots:
            slot = zlib.crc32(speaker.encode()) % len(SPEAKER_HUES)  # the same name, the same colour ...
            taken = set(self._slots.values())
            while slot in taken and len(taken) < len(SPEAKER_HUES):  # ... unless someone here has it already
                slot = (slot + 1) % len(SPEAKER_HUES)
            self._slots[speaker] = slot
        return speaker_colour(self._slots[speaker], self.palette().color(QPalette.ColorRole.Base).lightness() < 128)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._repaint_names()

    def _name_format(self, speaker: str) -> QTextCharFormat:
        name = QTextCharFormat()
        name.setForeground(self.speaker_colour(speaker))
        name.setFontWeight(QFont.Weight.Bold)
        name.setProperty(SPEAKER, speaker)
        return name

    def _repaint_names(self) -> None:
        """Give the names already shown their colour for the new palette (light names on dark, and back)."""
        block = self.document().begin()
        while block.isValid():
            fragments = block.begin()
            while not fragments.atEnd():
                fragment = fragments.fragment()
                speaker = fragment.charFormat().property(SPEAKER)
                if fragment.isValid() and isinstance(speaker, str):
                    cursor = QTextCursor(self.document())
                    cursor.setPosition(fragment.position())
                    cursor.setPosition(fragment.position() + fragment.length(), QTextCursor.MoveMode.KeepAnchor)
                    cursor.setCharFormat(self._name_format(speaker))
                fragments += 1
            block = block.next()
