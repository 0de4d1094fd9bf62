"""A team's people across meetings: "Ben", "Ben Okafor" and a misheard "Benn" are one person."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from sqlite_utils import Database

from companion.text.people import match_person

UNNAMED = re.compile(r"^(?:speaker|spk|unknown)[ _-]?\d*(?: \(meeting \d+\))?$", re.IGNORECASE)
"""Diarization labels ("Speaker 2") name nobody across meetings: they only ever match exactly."""


def unnamed_label(label: str, meeting_id: int) -> str:
    """A diarization label as a person of one meeting: "Speaker 2" -> "Speaker 2 (meeting 7)"."""
    return f"{label} (meeting {meeting_id})" if UNNAMED.match(label) and "(" not in label else label


def resolve_people(db: Database, team_id: int, names: Sequence[str]) -> dict[str, int]:
    """The person id for each of ``names`` (one meeting's participants, speakers and owners).

    A name matches a known person by name or alias, else by first name or close spelling
    (:func:`~companion.text.people.match_person`), and is kept as an alias; names that match nobody become
    new people. Two different names of the same meeting never merge into one person.
    """
    known: dict[int, list[str]] = {row[0]: [row[1], *json.loads(row[2] or "[]")]
             for row in db.execute("SELECT id, name, aliases FROM people WHERE team_id = ?", [team_id])}
    wanted = list(dict.fromkeys(n.strip() for n in names if n and n.strip()))
    found = {name: pid for name in wanted if (pid := _exact(name, known)) is not None}
    claimed = set(found.values())
    for name in wanted:
        if name in found:
            continue
        named = {pid: forms for pid, forms in known.items() if not UNNAMED.match(forms[0])}
        free = {pid: forms for pid, forms in named.items() if pid not in claimed}
        pid = None if UNNAMED.match(name) else _same_first_name(name, named) or _fuzzy(name, free)
        if pid is None:
            pid = _insert(db, team_id, name)
        else:
            _add_alias(db, pid, known[pid], name)
        found[name] = pid
        claimed.add(pid)
    return found


def _exact(name: str, known: dict[int, list[str]]) -> int | None:
    lowered = name.lower()
    return next((pid for pid, forms in known.items() if lowered in (f.lower() for f in forms)), None)


def _same_first_name(name: str, known: dict[int, list[str]]) -> int | None:
    """"Priya Raman" is the "Priya" the team knows (also when "Priya" speaks in the same meeting)."""
    first = name.split()[0].lower()
    return next((pid for pid, forms in known.items() if first in (f.split()[0].lower() for f in forms)), None)


def _fuzzy(name: str, known: dict[int, list[str]]) -> int | None:
    by_form = {form: pid for pid, forms in known.items() for form in forms}
    match = match_person(name, list(by_form))
    return by_form[match] if match else None


def _insert(db: Database, team_id: int, name: str) -> int:
    pk = db.table("people").insert({"team_id": team_id, "name": name, "aliases": "[]"}).last_pk
    assert isinstance(pk, int)
    return pk


def _add_alias(db: Database, person_id: int, forms: list[str], alias: str) -> None:
    forms.append(alias)
    db.execute("UPDATE people SET aliases = ? WHERE id = ?", [json.dumps(forms[1:]), person_id])
