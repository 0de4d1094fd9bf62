"""Plain results of the team knowledge graph, with JSON round-trips: items, history, answers, agendas."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from companion.models import Evidence

ITEM_KINDS = ("action_item", "decision", "open_question")
STATUSES = {
    "action_item": ("open", "done", "dropped"),
    "decision": ("active", "superseded"),
    "open_question": ("open", "answered"),
}


@dataclass(frozen=True)
class Item:
    """An action item, decision or open question of a team, in its current state."""

    id: int
    team: str
    kind: str
    text: str
    owner: str | None
    due: str | None
    status: str
    meeting_id: int
    """The meeting it came from."""
    meeting_title: str
    meeting_date: str
    topic: str | None = None
    evidence: tuple[Evidence, ...] = ()
    """Where it was said (its source meeting)."""
    overdue: bool = False
    """An open action item whose due date is before the day asked about."""
    resolution: Evidence | None = None
    """What closed, answered or superseded it (None while open, or when ticked by hand)."""
    resolved_in: int | None = None
    """The meeting where that was said."""
    resolved_date: str | None = None
    resolved_title: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "active")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        values = dict(data)
        values["evidence"] = tuple(Evidence.from_dict(e) for e in data.get("evidence", ()))
        values["resolution"] = Evidence.from_dict(data["resolution"]) if data.get("resolution") else None
        return cls(**values)


@dataclass(frozen=True)
class Change:
    """One step in an item's history: created, closed, due moved, answered, superseded, ticked in the app."""

    item_id: int
    field: str
    old: str | None
    new: str | None
    at: str
    meeting_id: int | None = None
    evidence: Evidence | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Change:
        evidence = Evidence.from_dict(data["evidence"]) if data.get("evidence") else None
        return cls(**{**data, "evidence": evidence})


@dataclass(frozen=True)
class Citation:
    """A transcript span that supports an answer."""

    meeting_id: int
    title: str
    date: str
    start: float
    end: float
    quote: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        return cls(int(data["meeting_id"]), str(data["title"]), str(data["date"]), float(data["start"]),
                   float(data["end"]), str(data["quote"]))


@dataclass(frozen=True)
class Answer:
    """A quick-ask answer; ``citations`` is empty when nothing in the meetings supports one."""

    answer: str
    citations: tuple[Citation, ...] = ()

    @property
    def found(self) -> bool:
        return bool(self.citations)

    def to_dict(self) -> dict[str, Any]:
        return {"answer": self.answer, "citations": [asdict(c) for c in self.citations]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Answer:
        return cls(str(data["answer"]), tuple(Citation.from_dict(c) for c in data.get("citations", ())))


@dataclass(frozen=True)
class AgendaItem:
    kind: str
    """``action_item`` | ``open_question`` | ``topic`` (carry-over topics and decisions to follow up)."""
    text: str
    owner: str | None
    due: str | None
    source_meeting: int
    overdue: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AgendaItem:
        return cls(str(data["kind"]), str(data["text"]), data.get("owner"), data.get("due"),
                   int(data["source_meeting"]), bool(data.get("overdue", False)))


@dataclass(frozen=True)
class Agenda:
    """The next meeting's agenda: what is still open, overdue action items first."""

    team: str
    date: str
    items: tuple[AgendaItem, ...] = ()
    next_meeting: str | None = None
    """``YYYY-MM-DDTHH:MM`` or ``YYYY-MM-DD`` when the last minutes said when the team meets next."""
    title: str = field(default="")

    def to_dict(self) -> dict[str, Any]:
        return {"team": self.team, "date": self.date, "items": [asdict(i) for i in self.items],
                "next_meeting": self.next_meeting, "title": self.title}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Agenda:
        return cls(str(data["team"]), str(data["date"]), tuple(AgendaItem.from_dict(i) for i in data["items"]),
                   data.get("next_meeting"), str(data.get("title", "")))
