"""Matching names said in a transcript (possibly misheard) to the meeting's people."""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence


def match_person(name: str, people: Sequence[str], cutoff: float = 0.75) -> str | None:
    """The person ``name`` refers to: exact full or first name, else the closest spelling ("Benn" -> "Ben").

    Returns None rather than guessing when nothing is close enough.
    """
    wanted = name.strip().lower()
    if not wanted:
        return None
    for person in people:
        if wanted in (person.lower(), person.split()[0].lower()):
            return person
    first_names = {person.split()[0].lower(): person for person in people if person.strip()}
    close = difflib.get_close_matches(wanted.split()[0], list(first_names), n=1, cutoff=cutoff)
    return first_names[close[0]] if close else None


def mentioned_person(text: str, people: Sequence[str]) -> str | None:
    """The first of ``people`` that ``text`` names: the whole name in any case ("the industrial designer"),
    the first name as a capitalised word ("Kim, you're on catering"), or the initials ("for UID")."""
    lowered = text.lower()
    found = []
    for person in people:
        whole = re.search(rf"\b{re.escape(person.lower())}\b", lowered)
        first = re.search(rf"\b{re.escape(person.split()[0])}\b", text) if person.split() else None
        if match := whole or first or _initials(person, text):
            found.append((match.start(), person))
    return min(found)[1] if found else None


def _initials(person: str, text: str) -> re.Match[str] | None:
    """Where ``text`` names a person of several words by their capital initials: "UID" (or AMI's "U_I_D_") for
    the User Interface Designer, "JD" for Jane Doe."""
    words = person.split()
    if len(words) < 2:
        return None
    letters = "".join(w[0] for w in words).upper()
    return re.search(rf"\b{'_?'.join(letters)}_?(?![\w])", text)
