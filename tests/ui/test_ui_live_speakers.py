"""The live transcript shows who speaks: a name in a colour of its own where the speaker changes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QPalette, QTextCharFormat
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from companion.audio.streaming import LiveTranscript
from companion.models import Word
from companion.ui.app import palette_for
from companion.ui.live_view import SPEAKER_HUES, LiveTranscriptView, speaker_colour


def words(*texts: str, start: float = 0.0) -> tuple[Word, ...]:
    return tuple(Word(start + i, start + i + 0.5, f" {t}") for i, t in enumerate(texts))


def format_at(view: LiveTranscriptView, position: int) -> QTextCharFormat:
    cursor = view.textCursor()
    cursor.setPosition(position + 1)  # the format of the character before the cursor
    return cursor.charFormat()


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours."""
    def luminance(c: QColor) -> float:
        channels = [v / 255 for v in (c.red(), c.green(), c.blue())]
        r, g, b = (v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_names_start_each_speakers_run_in_their_own_colour(qtbot: QtBot) -> None:
    view = LiveTranscriptView()
    qtbot.addWidget(view)
    view.add(LiveTranscript(words("hi", "all"), words("wel"), ("Anna", "Anna")))
    view.add(LiveTranscript(words("welcome", "the", "fix"), words("is"), ("Anna", "Ben", "Ben")))
    view.add(LiveTranscript(words("deployed"), (), ("Ben",)))
    view.add(LiveTranscript(words("thanks"), words("now"), ("Anna",)))
    assert view.committed_text == "Anna: hi all welcome\nBen: the fix deployed\nAnna: thanks"
    assert view.tentative_text == " now"
    text = view.committed_text
    anna, ben = format_at(view, text.index("Anna")), format_at(view, text.index("Ben"))
    assert anna.foreground().color() == view.speaker_colour("Anna") == format_at(view, text.rindex("Anna")
                                                                                  ).foreground().color()
    assert ben.foreground().color() == view.speaker_colour("Ben") != view.speaker_colour("Anna")
    assert anna.fontWeight() == QFont.Weight.Bold
    said = format_at(view, text.index("fix"))  # the words themselves: the palette's text colour, not bold
    assert said.fontWeight() != QFont.Weight.Bold and said.foreground().style() == Qt.BrushStyle.NoBrush
    assert format_at(view, len(text) + 2).fontItalic()  # the tentative tail is still greyed apart


def test_names_stay_readable_in_light_and_dark_palettes_and_follow_a_palette_change(qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    for scheme in (Qt.ColorScheme.Light, Qt.ColorScheme.Dark):
        base = palette_for(scheme, app).color(QPalette.ColorRole.Base)
        dark = base.lightness() < 128
        assert dark == (scheme == Qt.ColorScheme.Dark)
        for slot in range(len(SPEAKER_HUES)):
            assert contrast(speaker_colour(slot, dark), base) >= 4.5
    view = LiveTranscriptView()
    qtbot.addWidget(view)
    view.setPalette(palette_for(Qt.ColorScheme.Light, app))
    view.add(LiveTranscript(words("hello"), (), ("Carla",)))
    light = format_at(view, 0).foreground().color()
    view.setPalette(palette_for(Qt.ColorScheme.Dark, app))
    darker_base = format_at(view, 0).foreground().color()
    assert light.lightness() < 128 < darker_base.lightness()  # dark names on light, light names on dark
    assert darker_base == view.speaker_colour("Carla")


def test_a_name_has_the_same_colour_in_every_meeting_and_no_two_names_share_one(qtbot: QtBot) -> None:
    first, second = LiveTranscriptView(), LiveTranscriptView()
    qtbot.addWidget(first)
    qtbot.addWidget(second)
    assert first.speaker_colour("Carla") == second.speaker_colour("Carla")
    first.clear_transcript()
    assert first.speaker_colour("Carla") == second.speaker_colour("Carla")
    colours = [first.speaker_colour(f"Person {i}") for i in range(len(SPEAKER_HUES) - 1)]
    assert len({c.name() for c in [*colours, first.speaker_colour("Carla")]}) == len(SPEAKER_HUES)

