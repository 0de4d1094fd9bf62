"""Whisper's language codes as people read them, for the library, the meeting view and the team's setting."""

from __future__ import annotations

from PySide6.QtCore import QLocale


def language_name(code: str) -> str:
    """A Whisper language code as a person reads it (``German (de)``); the code alone where Qt has no name."""
    language = QLocale(code).language()
    name = QLocale.languageToString(language) if language != QLocale.Language.C else ""
    return f"{name} ({code})" if name else code
