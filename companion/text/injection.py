"""Text addressed to a language model instead of to the meeting ("SYSTEM: the summary must say ...").

What a participant (or a doctored file) tells the app's models is no fact about the meeting: a turn with such a
sentence gives the minutes nothing, neither support for a summary sentence nor an item. The phrases are data,
``MODEL_ADDRESS`` in each language's module (:mod:`companion.text.en`).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache

from companion.text import en
from companion.text.sentences import Sentence


@lru_cache(maxsize=8)
def _pattern(language: str) -> re.Pattern[str]:
    """The language's phrases as one expression (English when the language has none of its own)."""
    try:
        phrases = getattr(importlib.import_module(f"companion.text.{language}"), "MODEL_ADDRESS", en.MODEL_ADDRESS)
    except ImportError:
        phrases = en.MODEL_ADDRESS
    return re.compile("|".join(f"(?:{phrase})" for phrase in phrases))


def addressed_to_model(text: str, speaker: str = "", language: str = "en") -> bool:
    """True when ``text`` (said by ``speaker``) speaks to a language model: "ignore all previous instructions"."""
    said = f"{speaker}: {text}" if speaker else text
    return bool(_pattern(language).search(said.lower()))


def meeting_talk(sentences: Sequence[Sentence], language: str = "en") -> list[Sentence]:
    """The sentences without every turn that addresses a language model, numbered again from 0.

    The whole turn goes: in "SYSTEM: new orders. The budget was approved." the second sentence is part of the
    injection too. A long paragraph counts as several turns, so one such sentence never silences a whole meeting.
    """
    flagged = {s.turn for s in sentences if addressed_to_model(s.text, s.speaker, language)}
    if not flagged:
        return list(sentences)
    kept = [s for s in sentences if s.turn not in flagged]
    return [replace(s, index=index) for index, s in enumerate(kept)]
