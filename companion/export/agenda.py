"""The next meeting's agenda as Markdown, JSON or an iCalendar event."""

from __future__ import annotations

import json

from companion.export.ics import agenda_event
from companion.kg.records import Agenda, AgendaItem
from companion.llm.answer import readable_date

AGENDA_FORMATS = ("md", "json", "ics")
_SECTIONS = (("action_item", "Action items"), ("open_question", "Open questions"), ("topic", "Topics"))


def render_agenda(agenda: Agenda, fmt: str) -> str:
    """``md`` | ``json`` (the public agenda contract) | ``ics`` (an event for the next meeting)."""
    if fmt == "json":
        return json.dumps(agenda.to_dict(), indent=2, ensure_ascii=False)
    if fmt == "ics":
        return agenda_event(agenda, agenda_lines(agenda))
    if fmt == "md":
        return _markdown(agenda)
    raise ValueError(f"unknown agenda format {fmt!r}")


def agenda_line(item: AgendaItem) -> str:
    """One agenda entry as plain text: "OVERDUE Carla: publish the blog post (due ...; from meeting 3)"."""
    owner = f"{item.owner}: " if item.owner else ""
    due = f"due {readable_date(item.due)}; " if item.due else ""
    flag = "OVERDUE " if item.overdue else ""
    return f"{flag}{owner}{item.text} ({due}from meeting {item.source_meeting})"


def agenda_lines(agenda: Agenda) -> list[str]:
    lines = []
    for kind, heading in _SECTIONS:
        entries = [i for i in agenda.items if i.kind == kind]
        if entries:
            lines.append(f"{heading}:")
            lines += [f"- {agenda_line(i)}" for i in entries]
    return lines or ["Nothing is open."]


def _markdown(agenda: Agenda) -> str:
    when = readable_date(agenda.next_meeting if agenda.next_meeting and agenda.next_meeting[:10] == agenda.date
                         else agenda.date)
    lines = [f"# Agenda: {_md(agenda.team)}, {when}", ""]
    for kind, heading in _SECTIONS:
        entries = [i for i in agenda.items if i.kind == kind]
        if entries:
            lines += [f"## {heading}", "", *(f"- {_md(agenda_line(i))}" for i in entries), ""]
    if not agenda.items:
        lines.append("Nothing is open.")
    return "\n".join(lines).rstrip() + "\n"


def _md(text: str) -> str:
    """Escape Markdown's inline markup characters so names and quotes show as written."""
    return "".join(f"\\{c}" if c in "\\`*_[]<>#|" else c for c in text)
