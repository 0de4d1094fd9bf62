"""From search hits to passages for the answer: graph items in their current state, and transcript segments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from companion.kg.knowledge import Knowledge
from companion.kg.search import Encoder, Index
from companion.llm.answer import Passage
from companion.models import Evidence


def recall(knowledge: Knowledge, index: Index, team_id: int, question: str, encoder: Encoder | None,
           limit: int = 30) -> tuple[list[Passage], dict[int, Passage], dict[int, list[Passage]]]:
    """Passages for ``question``; for each item that was superseded or followed up, the item that did it;
    and for each item, the earlier items it superseded or followed up."""
    hits = index.search(team_id, question, encoder, limit)
    similarity = {h.key: h.similarity for h in hits}
    item_ids = [int(h.key[5:]) for h in hits if h.key.startswith("item:")]
    segment_ids = [int(h.key[4:]) for h in hits if h.key.startswith("seg:")]
    newer_ids = index.newer(team_id)
    linked = _linked(set(item_ids), newer_ids)
    items = {p.item.id: p for p in _item_passages(knowledge, [*item_ids, *linked], similarity)
             if p.item is not None}
    passages = [items[i] for i in item_ids if i in items] + _segment_passages(knowledge, segment_ids, similarity)
    newer = {old: items[new] for old, new in newer_ids.items() if new in items}
    older: dict[int, list[Passage]] = {}
    for old, new in newer_ids.items():
        if old in items:
            older.setdefault(new, []).append(items[old])
    return passages, newer, older


def _linked(found: set[int], newer_ids: dict[int, int]) -> set[int]:
    """The items that superseded or followed up ``found`` (transitively), and the ones those replaced."""
    chain = set(found)
    frontier = list(found)
    while frontier:
        newer = newer_ids.get(frontier.pop())
        if newer is not None and newer not in chain:
            chain.add(newer)
            frontier.append(newer)
    return chain | {old for old, new in newer_ids.items() if new in chain}


def _item_passages(knowledge: Knowledge, item_ids: Sequence[int], similarity: dict[str, float]) -> list[Passage]:
    if not item_ids:
        return []
    today = dt.date.today().isoformat()
    found = knowledge.items_by_id(item_ids, today)
    return [Passage(i.meeting_id, i.meeting_title, i.meeting_date, i.evidence, similarity.get(f"item:{i.id}", 0.0),
                    i, " ".join([i.topic or "", *(e.quote for e in i.evidence), i.resolution.quote if i.resolution
                                 else ""])) for i in found]


def _segment_passages(knowledge: Knowledge, segment_ids: Sequence[int],
                      similarity: dict[str, float]) -> list[Passage]:
    if not segment_ids:
        return []
    rows = knowledge.db.execute(
        "SELECT segments.id, meeting_id, title, date, start, end, speaker, text FROM segments JOIN meetings ON "
        f"meetings.id = segments.meeting_id WHERE segments.id IN ({', '.join('?' * len(segment_ids))})",
        list(segment_ids)).fetchall()
    return [Passage(r[1], r[2], r[3], (Evidence(r[4], r[5], r[6] or "", r[7]),), similarity.get(f"seg:{r[0]}", 0.0))
            for r in rows]
