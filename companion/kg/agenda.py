"""The next meeting's agenda from what is still open: action items (overdue first), open questions,
decisions awaiting follow-up and carry-over topics, each pointing to the meeting it came from."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from companion.kg.records import Agenda, AgendaItem, Item

UNTITLED = "Opening"
"""The title minutes give a meeting's first stretch when nobody named its topic."""
_FOLLOW_UP = re.compile(
    r"\b(?:revisit|follow(?:ing)? up|review (?:it|this|that|again)|check again|look again|for now|for the launch|"
    r"pilot|trial period|next (?:quarter|month|release|sprint)|(?:first|second|third|fourth) quarter|q[1-4])\b",
    re.IGNORECASE,
)


def agenda_date(meeting_dates: Sequence[str], next_meeting: str | None, today: dt.date) -> str:
    """The day the agenda is for: the next meeting the last minutes named, else the team's usual interval
    after its last meeting (weekly teams: a week later), else today."""
    if next_meeting and meeting_dates and next_meeting[:10] > max(meeting_dates):
        return next_meeting[:10]
    days = sorted(set(meeting_dates))
    if len(days) >= 2:
        gap = dt.date.fromisoformat(days[-1]) - dt.date.fromisoformat(days[-2])
        return (dt.date.fromisoformat(days[-1]) + gap).isoformat()
    return today.isoformat()


def build_agenda(team: str, date: str, items: Sequence[Item], topics: Sequence[Item],
                 next_meeting: str | None = None, title: str = "") -> Agenda:
    """The agenda of ``team``'s meeting on ``date`` from its items (current state) and its latest topics."""
    actions = sorted((i for i in items if i.kind == "action_item" and i.status == "open"),
                     key=lambda i: (not i.overdue, i.due or "9999-12-31", i.id))
    entries = [AgendaItem("action_item", i.text, i.owner, i.due, i.meeting_id, i.overdue) for i in actions]
    entries += [AgendaItem("open_question", i.text, None, None, i.meeting_id)
                for i in items if i.kind == "open_question" and i.status == "open"]
    entries += [AgendaItem("topic", f"Follow up on the decision: {i.text}", None, None, i.meeting_id)
                for i in items if i.kind == "decision" and i.status == "active" and _FOLLOW_UP.search(i.text)]
    entries += _carry_over(items, topics)
    return Agenda(team, date, tuple(entries), next_meeting, title or f"{team} meeting")


def _carry_over(items: Sequence[Item], topics: Sequence[Item]) -> list[AgendaItem]:
    """Topics of the last meeting that still have open action items or questions."""
    if not topics:
        return []
    last = max(t.meeting_id for t in topics)
    found = []
    for topic in (t for t in topics if t.meeting_id == last and t.text != UNTITLED):
        still_open = [i for i in items if i.topic == topic.text and i.meeting_id == last and i.status == "open"]
        if still_open:
            count = f"{len(still_open)} open item{'s' if len(still_open) > 1 else ''}"
            found.append(AgendaItem("topic", f"Carry over: {topic.text} ({count})", None, None, last))
    return found
