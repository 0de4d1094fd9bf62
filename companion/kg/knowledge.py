"""The knowledge graph's tables: filled from each stored meeting, read as items, history and relations.

:class:`Knowledge` works on the :class:`~companion.kg.store.Store`'s database handle and inside its
transactions; nothing else opens the database.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from sqlite_utils import Database

from companion.errors import CompanionError, NotFoundError
from companion.kg.evolve import Known, Update, discussion, plan_updates
from companion.kg.people import UNNAMED, resolve_people, unnamed_label
from companion.kg.records import STATUSES, Change, Item
from companion.kg.rewind import hand_set, item_keys, prune_people, referenced_people, rewind
from companion.models import Evidence, Minutes, Segment
from companion.text.sentences import Sentence, split_sentences

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewMeeting:
    """What :meth:`Knowledge.ingest` needs to know about a meeting being stored."""

    id: int
    team_id: int
    date: str
    participants: Sequence[str]
    segments: Sequence[Segment]
    minutes: Minutes


class Knowledge:
    """Reads and writes the knowledge-graph tables through the store's database handle."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def ingest(self, meeting: NewMeeting) -> list[Update]:
        """Add a meeting's items to its team's graph and apply the changes it makes to earlier ones.

        Runs inside the caller's transaction (the meeting and its graph update are stored together).
        """
        now = _now()
        sentences = split_sentences(meeting.segments)
        named = {n: unnamed_label(n, meeting.id) for n in _names(meeting) if n.strip()}
        people = resolve_people(self.db, meeting.team_id, list(dict.fromkeys(named.values())))
        team_names = {pid: name for pid, (name, _) in self.people(meeting.team_id).items()}
        canonical = {raw: team_names[people[label]] for raw, label in named.items()}
        known = self._known(meeting.team_id)
        updates = plan_updates(known, [replace(s, speaker=canonical.get(s.speaker, s.speaker)) for s in sentences],
                               _with_owners(meeting.minutes, canonical), dt.date.fromisoformat(meeting.date))
        merged = {u.new_index for u in updates if u.action == "merge"}
        owners = {raw: people[label] for raw, label in named.items()}
        new_items = self._add_items(meeting, sentences, owners, merged, now)
        for person in dict.fromkeys(owners[n] for n in meeting.participants if n in owners):
            self._relate(meeting.team_id, "attended", f"person:{person}", f"meeting:{meeting.id}", meeting.id, None)
        for update in updates:
            self._apply(meeting, update, new_items, now)
        log.info("graph: meeting %s added %d items and made %d changes", meeting.id,
                 sum(len(v) for v in new_items.values()), len(updates))
        return updates

    def rederive(self, meetings: Sequence[NewMeeting]) -> None:
        """Derive the graph facts of ``meetings`` again: one team's meeting whose minutes changed, then every
        meeting stored after it, in the order they were stored.

        Their facts are rewound (:func:`~companion.kg.rewind.rewind`) and ingested again through
        :meth:`ingest`, so later meetings close, move and supersede the edited items as if the edit had been
        there first. A status last set by hand is set again; people nothing names any more are forgotten.
        Runs inside the caller's transaction.
        """
        if meetings:
            self._rederive(meetings[0].team_id, meetings[0].id, meetings)

    def forget(self, team_id: int, remaining: Sequence[NewMeeting], remove: Callable[[], None]) -> None:
        """Take meetings being deleted out of their team's graph, as if they had never been stored.

        The team's graph is derived again from the start: every fact and person of the team goes, ``remove``
        deletes the meetings' own rows, and the ``remaining`` meetings (with minutes, in the order they were
        stored) are ingested again, so nothing learnt from the deleted ones is left (an item, a change to an
        earlier item, a person's name or alias). A status set by hand is set again. Runs inside the caller's
        transaction.
        """
        first = self.db.execute("SELECT min(id) FROM meetings WHERE team_id = ?", [team_id]).fetchone()[0]
        self._rederive(team_id, first, remaining, remove)

    def _rederive(self, team_id: int, first_id: int, meetings: Sequence[NewMeeting],
                  remove: Callable[[], None] | None = None) -> None:
        hand, people = hand_set(self.db, team_id), referenced_people(self.db, team_id)
        rewind(self.db, team_id, first_id)
        if remove is not None:  # first_id is the team's first meeting: nothing refers to its people any more
            remove()
            self.db.execute("DELETE FROM people WHERE team_id = ?", [team_id])
        for meeting in meetings:
            self.ingest(meeting)
        now, ids = _now(), item_keys(self.db, team_id)
        for kept in hand:
            if (item_id := ids.get(kept.key)) is not None:
                self._set(item_id, "status", kept.status, None, None, now)
        prune_people(self.db, team_id, people)

    def _known(self, team_id: int) -> list[Known]:
        rows = self.db.execute(
            "SELECT items.id, kind, text, people.name, due, status, context FROM items "
            "LEFT JOIN people ON people.id = items.owner_id "
            "WHERE items.team_id = ? AND status IN ('open', 'active') AND kind != 'topic' ORDER BY items.id",
            [team_id],
        ).fetchall()
        return [Known(r[0], r[1], r[2], r[3], r[4], r[5], r[6] or "") for r in rows]

    def _add_items(self, meeting: NewMeeting, sentences: Sequence[Sentence], people: dict[str, int],
                   merged: set[int | None], now: str) -> dict[str, list[int]]:
        """Insert the meeting's new action items, decisions, open questions and topics; their ids by kind."""
        minutes = meeting.minutes
        ids: dict[str, list[int]] = {"action_item": [], "decision": [], "open_question": [], "topic": []}
        for index, action in enumerate(minutes.action_items):
            if index in merged:
                ids["action_item"].append(0)
                continue
            window = discussion(sentences, action.evidence[0].start) if action.evidence else ""
            ids["action_item"].append(self._add_item(meeting, "action_item", action.task, action.evidence, now,
                                                     owner_id=people.get(action.owner or ""), due=action.due,
                                                     context=window))
        for kind, statements in (("decision", minutes.decisions), ("open_question", minutes.open_questions)):
            for statement in statements:
                ids[kind].append(self._add_item(meeting, kind, statement.text, statement.evidence, now))
        for topic in minutes.topics:
            quote = " ".join(s.text for s in sentences if topic.start <= s.start < topic.end)[:2000]
            evidence = (Evidence(topic.start, topic.end, "", quote),) if quote else ()
            ids["topic"].append(self._add_item(meeting, "topic", topic.title, evidence, now, status="discussed"))
        return ids

    def _add_item(self, meeting: NewMeeting, kind: str, text: str, evidence: Sequence[Evidence], now: str, *,
                  owner_id: int | None = None, due: str | None = None, context: str = "",
                  status: str | None = None) -> int:
        topic = _topic_at(meeting.minutes, evidence[0].start) if evidence and kind != "topic" else None
        quotes = " ".join(e.quote for e in evidence) if kind != "topic" else ""
        item_id = self._insert("items", {
            "team_id": meeting.team_id, "meeting_id": meeting.id, "kind": kind, "text": text, "owner_id": owner_id,
            "due": due, "status": status or STATUSES[kind][0], "topic": topic,
            "context": " ".join(p for p in (context, quotes, topic or "") if p), "created_at": now,
            "updated_at": now,
        })
        for e in evidence:
            self._add_evidence(item_id, meeting.id, "source", e)
        self._add_history(item_id, meeting.id, "created", None, text, None, now)
        if owner_id is not None:
            self._relate(meeting.team_id, "owns", f"person:{owner_id}", f"item:{item_id}", meeting.id, None)
        relation = "decided-in" if kind == "decision" else "mentioned-in"
        self._relate(meeting.team_id, relation, f"item:{item_id}", f"meeting:{meeting.id}", meeting.id, None)
        return item_id

    def _apply(self, meeting: NewMeeting, update: Update, new_items: dict[str, list[int]], now: str) -> None:
        evidence_id = self._add_evidence(update.item_id, meeting.id, update.action, update.evidence)
        if update.action in ("close", "answer", "supersede"):
            status = {"close": "done", "answer": "answered", "supersede": "superseded"}[update.action]
            self._set(update.item_id, "status", status, meeting.id, evidence_id, now)
        if update.action in ("due", "merge") and update.value:
            self._set(update.item_id, "due", update.value, meeting.id, evidence_id, now)
        if update.action == "merge":
            self._relate(meeting.team_id, "mentioned-in", f"item:{update.item_id}", f"meeting:{meeting.id}",
                         meeting.id, evidence_id)
        kind = "decision" if update.action == "supersede" else "action_item"
        new_id = new_items[kind][update.new_index] if update.new_index is not None else 0
        if not new_id:
            return
        relation = {"supersede": "supersedes", "follow_up": "follows-up", "depends_on": "depends-on"}[update.action]
        self._relate(meeting.team_id, relation, f"item:{new_id}", f"item:{update.item_id}", meeting.id, evidence_id)
        if update.action == "follow_up" and update.value:
            new_due = self.db.execute("SELECT due FROM items WHERE id = ?", [new_id]).fetchone()[0]
            if new_due != update.value:
                self._add_history(new_id, meeting.id, "due", update.value, new_due, evidence_id, now)

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        """Insert one row with plain SQL (the hot path of ingest) and return its id."""
        columns = ", ".join(f"[{c}]" for c in row)
        cursor = self.db.execute(f"INSERT INTO [{table}] ({columns}) VALUES ({', '.join('?' * len(row))})",
                                 list(row.values()))
        assert cursor.lastrowid is not None
        return int(cursor.lastrowid)

    def _set(self, item_id: int, column: str, value: str, meeting_id: int | None, evidence_id: int | None,
             now: str) -> None:
        assert column in ("status", "due"), column  # a fixed column name, never user input
        old = self.db.execute(f"SELECT {column} FROM items WHERE id = ?", [item_id]).fetchone()[0]
        if old == value:
            return
        self.db.execute(f"UPDATE items SET {column} = ?, updated_at = ? WHERE id = ?", [value, now, item_id])
        self._add_history(item_id, meeting_id, column, old, value, evidence_id, now)

    def _add_evidence(self, item_id: int, meeting_id: int, role: str, e: Evidence) -> int:
        row = {"item_id": item_id, "meeting_id": meeting_id, "role": role, "start": e.start, "end": e.end,
               "speaker": e.speaker, "quote": e.quote}
        return self._insert("evidence", row)

    def _add_history(self, item_id: int, meeting_id: int | None, field: str, old: str | None, new: str | None,
                     evidence_id: int | None, now: str) -> None:
        self._insert("history", {"item_id": item_id, "meeting_id": meeting_id, "field": field, "old": old,
                                         "new": new, "evidence_id": evidence_id, "at": now})

    def _relate(self, team_id: int, kind: str, src: str, dst: str, meeting_id: int | None,
                evidence_id: int | None) -> None:
        self._insert("relations", {"team_id": team_id, "kind": kind, "src": src, "dst": dst,
                                           "meeting_id": meeting_id, "evidence_id": evidence_id})

    def items(self, team_id: int, kinds: Sequence[str] = ("action_item", "decision", "open_question"),
              statuses: Sequence[str] | None = None, today: str | None = None) -> list[Item]:
        """The team's items of ``kinds`` (and ``statuses``), oldest first, each with its source evidence."""
        where = f"items.team_id = ? AND kind IN ({', '.join('?' * len(kinds))})"
        params: list[Any] = [team_id, *kinds]
        if statuses is not None:
            where += f" AND status IN ({', '.join('?' * len(statuses))})"
            params += list(statuses)
        return self._items(where + " ORDER BY meetings.date, items.id", params, today)

    def items_by_id(self, item_ids: Sequence[int], today: str | None = None) -> list[Item]:
        """The items with these ids, in the order of their ids."""
        ids = sorted(set(item_ids))
        return self._items(f"items.id IN ({', '.join('?' * len(ids))}) ORDER BY items.id", ids, today) if ids else []

    def item(self, item_id: int) -> Item:
        found = self._items("items.id = ?", [item_id], None)
        if not found:
            raise NotFoundError(f"no item with id {item_id}")
        return found[0]

    def _items(self, where: str, params: Sequence[Any], today: str | None) -> list[Item]:
        rows = list(self.db.query(_ITEM_SELECT + " WHERE " + where, params))
        evidence = self._evidence([r["id"] for r in rows])
        return [_item_from_row(r, evidence.get(r["id"], []), today) for r in rows]

    def _evidence(self, item_ids: Sequence[int]) -> dict[int, list[_Said]]:
        """Per item: (role, meeting id, meeting date, meeting title, evidence) in the order recorded."""
        found: dict[int, list[_Said]] = {}
        for start in range(0, len(item_ids), 500):
            chunk = list(item_ids[start:start + 500])
            query = ("SELECT item_id, role, meeting_id, meetings.date, meetings.title, start, end, speaker, quote "
                     "FROM evidence "
                     "JOIN meetings ON meetings.id = evidence.meeting_id "
                     f"WHERE item_id IN ({', '.join('?' * len(chunk))}) ORDER BY evidence.id")
            for r in self.db.execute(query, chunk).fetchall():
                found.setdefault(r[0], []).append((r[1], r[2], r[3], r[4], Evidence(r[5], r[6], r[7] or "", r[8])))
        return found

    def history(self, item_id: int) -> list[Change]:
        """Everything that happened to an item, oldest first, with the evidence for each change."""
        self.item(item_id)
        rows = self.db.execute(
            "SELECT history.item_id, field, old, new, at, history.meeting_id, evidence.start, evidence.end, "
            "evidence.speaker, evidence.quote FROM history LEFT JOIN evidence ON evidence.id = history.evidence_id "
            "WHERE history.item_id = ? ORDER BY history.id", [item_id]).fetchall()
        return [Change(r[0], r[1], r[2], r[3], r[4], r[5],
                       Evidence(r[6], r[7], r[8] or "", r[9]) if r[9] is not None else None) for r in rows]

    def set_status(self, item_id: int, status: str) -> Item:
        """Change an item's status by hand (ticked done in the app); the change is kept in its history."""
        item = self.item(item_id)
        allowed = STATUSES.get(item.kind, ())
        if status not in allowed:
            raise CompanionError(f"invalid status {status[:40]!r} for a {item.kind}: use {', '.join(allowed)}")
        with self.db.atomic():
            self._set(item_id, "status", status, None, None, _now())
        return self.item(item_id)

    def rename_speaker(self, team_id: int, meeting_id: int, label: str, name: str) -> None:
        """A meeting's speaker ``label`` ("Speaker 2") is ``name``: fix the graph's evidence and owners.

        An action item left without an owner because ``label`` named nobody ("Speaker 3: I'll send the
        report") gets ``name`` when ``label`` said it (its first evidence). Call it inside the transaction that
        renames the speaker in the transcript.
        """
        unowned = [r[0] for r in self.db.execute(
            "SELECT id FROM items WHERE meeting_id = ? AND kind = 'action_item' AND owner_id IS NULL AND (SELECT "
            "speaker FROM evidence WHERE item_id = items.id AND role = 'source' ORDER BY id LIMIT 1) = ?",
            [meeting_id, label]).fetchall()]
        self.db.execute("UPDATE evidence SET speaker = ? WHERE meeting_id = ? AND speaker = ?",
                        [name, meeting_id, label])
        person = resolve_people(self.db, team_id, [name])[name]
        for item_id in unowned:
            self.db.execute("UPDATE items SET owner_id = ? WHERE id = ?", [person, item_id])
            self._relate(team_id, "owns", f"person:{person}", f"item:{item_id}", meeting_id, None)
        old = self.db.execute("SELECT id FROM people WHERE team_id = ? AND name = ?",
                              [team_id, unnamed_label(label, meeting_id)]).fetchone()
        if old is None or old[0] == person:
            return
        self.db.execute("UPDATE items SET owner_id = ? WHERE meeting_id = ? AND owner_id = ?",
                        [person, meeting_id, old[0]])
        self.db.execute("UPDATE relations SET src = ? WHERE meeting_id = ? AND src = ?",
                        [f"person:{person}", meeting_id, f"person:{old[0]}"])

    def relations(self, team_id: int) -> list[dict[str, Any]]:
        return list(self.db.query("SELECT kind, src, dst, meeting_id FROM relations WHERE team_id = ? ORDER BY id",
                                  [team_id]))

    def people(self, team_id: int) -> dict[int, tuple[str, list[str]]]:
        rows = self.db.execute("SELECT id, name, aliases FROM people WHERE team_id = ?", [team_id]).fetchall()
        return {r[0]: (r[1], json.loads(r[2] or "[]")) for r in rows}


_Said = tuple[str, int, str, str, Evidence]
RESOLVING = ("close", "answer", "supersede")
CLOSED = ("done", "answered", "superseded")
_ITEM_SELECT = (
    "SELECT items.*, teams.name AS team, people.name AS owner, meetings.title AS meeting_title, "
    "meetings.date AS meeting_date FROM items JOIN teams ON teams.id = items.team_id "
    "JOIN meetings ON meetings.id = items.meeting_id LEFT JOIN people ON people.id = items.owner_id"
)


def _item_from_row(row: dict[str, Any], evidence: list[_Said], today: str | None) -> Item:
    overdue = bool(today and row["kind"] == "action_item" and row["status"] == "open" and row["due"]
                   and row["due"] < today)
    source = tuple(e for role, _, _, _, e in evidence if role == "source")
    closing = [said for said in evidence if said[0] in RESOLVING] if row["status"] in CLOSED else []
    _, resolved_in, resolved_date, resolved_title, resolution = closing[-1] if closing else (None,) * 5
    return Item(row["id"], row["team"], row["kind"], row["text"], row["owner"], row["due"], row["status"],
                row["meeting_id"], row["meeting_title"], row["meeting_date"], row["topic"], source, overdue,
                resolution, resolved_in, resolved_date, resolved_title)


def _names(meeting: NewMeeting) -> list[str]:
    """Everyone a meeting names: participants, named speakers, owners (diarization labels only as owners)."""
    speakers = [s.speaker for s in meeting.segments if s.speaker and not UNNAMED.match(s.speaker)]
    owners = [a.owner for a in meeting.minutes.action_items if a.owner]
    return list(dict.fromkeys([*meeting.participants, *speakers, *owners]))


def _with_owners(minutes: Minutes, canonical: dict[str, str]) -> Minutes:
    """The minutes with each owner named as the team knows them ("Priya Raman" -> "Priya")."""
    items = tuple(replace(a, owner=canonical.get(a.owner, a.owner)) if a.owner else a for a in minutes.action_items)
    return replace(minutes, action_items=items)


def _topic_at(minutes: Minutes, start: float) -> str | None:
    return next((t.title for t in minutes.topics if t.start <= start < t.end), None)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
