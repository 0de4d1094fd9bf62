"""iCalendar (RFC 5545) written by hand: one VEVENT for the next meeting with the agenda as description.

CRLF line ends, lines folded at 75 octets (never inside a UTF-8 character), TEXT values escaped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence

from companion.kg.records import Agenda

PRODID = "-//Meeting Companion//Agenda//EN"
MEETING_LENGTH = dt.timedelta(hours=1)


def escape_text(text: str) -> str:
    """Escape a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 3.3.11)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Fold a content line into pieces of at most 75 octets joined by CRLF and one space (RFC 5545 3.1)."""
    pieces: list[str] = []
    current, size = "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > (75 if not pieces else 74):
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def agenda_event(agenda: Agenda, description: Sequence[str], now: dt.datetime | None = None) -> str:
    """A VCALENDAR holding one event for the agenda's meeting (timed when its time is known, else all day)."""
    now = now or dt.datetime.now(dt.UTC)
    uid = hashlib.sha1(f"{agenda.team}\n{agenda.date}".encode()).hexdigest()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "BEGIN:VEVENT", f"UID:{uid}@meeting-companion", f"DTSTAMP:{now.strftime('%Y%m%dT%H%M%SZ')}",
             *_when(agenda), f"SUMMARY:{escape_text(agenda.title or agenda.team)}",
             f"DESCRIPTION:{escape_text(chr(10).join(description))}", "END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)


def _when(agenda: Agenda) -> list[str]:
    day = dt.date.fromisoformat(agenda.date)
    start = agenda.next_meeting or ""
    if start[:10] == agenda.date and "T" in start:
        begin = dt.datetime.combine(day, dt.time.fromisoformat(start[11:16]))
        return [f"DTSTART:{begin.strftime('%Y%m%dT%H%M%S')}",
                f"DTEND:{(begin + MEETING_LENGTH).strftime('%Y%m%dT%H%M%S')}"]
    return [f"DTSTART;VALUE=DATE:{day.strftime('%Y%m%d')}",
            f"DTEND;VALUE=DATE:{(day + dt.timedelta(days=1)).strftime('%Y%m%d')}"]
