"""Plain result dataclasses with JSON round-trips. Times are seconds from the start of the meeting."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from companion.errors import CompanionError


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    text: str
    probability: float = 1.0

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Word:
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            text=str(data["text"]),
            probability=float(data.get("probability", 1.0)),
        )


@dataclass(frozen=True)
class Segment:
    """One stretch of speech by one speaker (speaker may be unknown: empty string)."""

    start: float
    end: float
    text: str
    speaker: str = ""
    words: tuple[Word, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            text=str(data["text"]).strip(),
            speaker=str(data.get("speaker") or ""),
            words=tuple(Word.from_dict(word) for word in data.get("words") or ()),
        )


@dataclass(frozen=True)
class Transcript:
    """A whole transcript: segments in time order and the length of the audio they came from."""

    segments: tuple[Segment, ...]
    duration_s: float
    language: str = "en"

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(s.speaker for s in self.segments if s.speaker))

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    def to_dict(self) -> dict[str, Any]:
        return {
            "duration_s": self.duration_s,
            "language": self.language,
            "segments": [s.to_dict() for s in self.segments],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        segments = tuple(Segment.from_dict(s) for s in data["segments"])
        duration = data.get("duration_s", data.get("duration"))
        return cls(
            segments=segments,
            duration_s=float(duration) if duration is not None else max((s.end for s in segments), default=0.0),
            language=str(data.get("language", "en")),
        )


@dataclass(frozen=True)
class Meeting:
    """A stored meeting; ``segments`` is empty in listings and filled by ``Engine.meeting(id)``."""

    id: int
    team: str
    title: str
    date: str
    duration_s: float
    participants: tuple[str, ...] = ()
    audio_path: str | None = None
    source_path: str | None = None
    segments: tuple[Segment, ...] = field(default=(), repr=False)
    language: str = "en"
    """The language the meeting was held in, as Whisper names it (``en``, ``de``)."""

    @property
    def transcript(self) -> Transcript:
        return Transcript(self.segments, self.duration_s, self.language)

    def summary_dict(self) -> dict[str, Any]:
        """The ``meeting`` object of the public JSON contract."""
        return {
            "id": self.id,
            "team": self.team,
            "title": self.title,
            "date": self.date,
            "duration_s": round(self.duration_s, 2),
            "participants": list(self.participants),
        }



@dataclass(frozen=True)
class Evidence:
    """The transcript span a minutes item came from."""

    start: float
    end: float
    speaker: str
    quote: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        return cls(float(data["start"]), float(data["end"]), str(data.get("speaker") or ""), str(data["quote"]))


@dataclass(frozen=True)
class Statement:
    """A decision or an open question."""

    text: str
    evidence: tuple[Evidence, ...]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Statement:
        return cls(str(data["text"]), tuple(Evidence.from_dict(e) for e in data["evidence"]))


@dataclass(frozen=True)
class ActionItem:
    owner: str | None
    task: str
    due: str | None
    evidence: tuple[Evidence, ...]
    status: str = "open"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ActionItem:
        return cls(data.get("owner"), str(data["task"]), data.get("due"),
                   tuple(Evidence.from_dict(e) for e in data["evidence"]), str(data.get("status", "open")))


@dataclass(frozen=True)
class Topic:
    title: str
    start: float
    end: float


@dataclass(frozen=True)
class Minutes:
    """Grounded minutes: every item carries the transcript evidence it came from."""

    summary: str
    decisions: tuple[Statement, ...] = ()
    action_items: tuple[ActionItem, ...] = ()
    open_questions: tuple[Statement, ...] = ()
    topics: tuple[Topic, ...] = ()
    next_meeting: str | None = None
    authors: dict[str, str] = field(default_factory=dict)
    """Which method or model wrote which part, e.g. ``{"summary": "textrank", "items": "rules"}``."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Minutes:
        return cls(
            summary=str(data.get("summary", "")),
            decisions=tuple(Statement.from_dict(d) for d in data.get("decisions", ())),
            action_items=tuple(ActionItem.from_dict(a) for a in data.get("action_items", ())),
            open_questions=tuple(Statement.from_dict(q) for q in data.get("open_questions", ())),
            topics=tuple(Topic(str(t["title"]), float(t["start"]), float(t["end"])) for t in data.get("topics", ())),
            next_meeting=data.get("next_meeting"),
            authors=dict(data.get("authors", {})),
        )

    def with_speaker_renamed(self, label: str, name: str) -> Minutes:
        """These minutes with speaker ``label`` (owner and evidence) called ``name``; an action item without an
        owner that ``label`` said (its first evidence: "Speaker 3: I'll send the report") is ``name``'s."""
        data = self.to_dict()
        for item in data["action_items"]:
            said = bool(item["evidence"]) and item["evidence"][0]["speaker"] == label
            item["owner"] = name if item["owner"] == label or (not item["owner"] and said) else item["owner"]
        for kind in ("decisions", "action_items", "open_questions"):
            for evidence in (e for item in data[kind] for e in item["evidence"]):
                evidence["speaker"] = name if evidence["speaker"] == label else evidence["speaker"]
        return Minutes.from_dict(data)

    def contract_dict(self, meeting: Meeting) -> dict[str, Any]:
        """The public minutes JSON: the meeting object followed by the minutes."""
        return {"meeting": meeting.summary_dict(), **self.to_dict()}


def checked_date(date: str) -> str:
    """``date`` as ``YYYY-MM-DD``.

    Raises:
        CompanionError: ``date`` is not a calendar date written ``YYYY-MM-DD``.
    """
    try:
        return dt.date.fromisoformat(date.strip()).isoformat()
    except ValueError:
        raise CompanionError(f"invalid date {date!r}: expected YYYY-MM-DD, e.g. 2026-03-20") from None
