"""Undoing what meetings did to a team's graph, so that they can be ingested again (after an edit of minutes).

A meeting's graph facts are its own items (with their evidence, history and relations) and the changes it made
to earlier items (closed, due moved, answered, superseded: history rows and evidence with its meeting id).
:func:`rewind` removes both for a meeting and every meeting stored after it, and puts earlier items back as
they were before. What a person set by hand (an item ticked done in the app) is kept aside first
(:func:`hand_set`) and is found again afterwards by the item's identity (:func:`item_keys`), which does not
change when an item is ingested again.

These functions work on the store's database handle inside its transaction; nothing else opens the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlite_utils import Database

ItemKey = tuple[int, str, str]
"""(source meeting, kind, where it was said): an item's identity across re-ingestion; "where" is the time and
quote of its first evidence (kept by edits of its text, owner or due date), else its text."""

_LATER = "SELECT id FROM meetings WHERE team_id = :team AND id >= :first"
_GONE = f"SELECT id FROM items WHERE team_id = :team AND meeting_id IN ({_LATER})"
_KEYS = (
    "SELECT items.id, items.meeting_id, items.kind, items.text, evidence.start, evidence.quote FROM items "
    "LEFT JOIN evidence ON evidence.id = (SELECT min(id) FROM evidence WHERE item_id = items.id AND role = 'source') "
    "WHERE items.team_id = :team"
)


@dataclass(frozen=True)
class HandSet:
    """An item whose latest change was made by a person (no meeting): its status outranks the transcript."""

    key: ItemKey
    status: str


def hand_set(db: Database, team_id: int) -> list[HandSet]:
    """The team's items whose status was last set by hand, by identity."""
    latest = ("SELECT history.item_id, history.new FROM history WHERE history.id IN (SELECT max(history.id) "
              "FROM history JOIN items ON items.id = history.item_id WHERE items.team_id = :team GROUP BY item_id) "
              "AND history.meeting_id IS NULL AND history.field = 'status'")
    statuses = {r[0]: r[1] for r in db.execute(latest, {"team": team_id}).fetchall()}
    keys = {item_id: key for key, item_id in item_keys(db, team_id).items()}
    return [HandSet(keys[item_id], status) for item_id, status in statuses.items() if item_id in keys]


def item_keys(db: Database, team_id: int) -> dict[ItemKey, int]:
    """The id of each of the team's items by identity (the first item of a shared identity)."""
    found: dict[ItemKey, int] = {}
    for item_id, meeting_id, kind, text, start, quote in db.execute(_KEYS, {"team": team_id}).fetchall():
        where = f"{round(start, 2)} {quote}" if quote is not None else text
        found.setdefault((meeting_id, kind, where), item_id)
    return found


def referenced_people(db: Database, team_id: int) -> set[int]:
    """The team's people that own an item or are an end of a relation."""
    owners = db.execute("SELECT owner_id FROM items WHERE team_id = ? AND owner_id IS NOT NULL", [team_id])
    ends = db.execute("SELECT src FROM relations WHERE team_id = ? AND src LIKE 'person:%' UNION "
                      "SELECT dst FROM relations WHERE team_id = ? AND dst LIKE 'person:%'", [team_id, team_id])
    return {r[0] for r in owners.fetchall()} | {int(r[0].split(":", 1)[1]) for r in ends.fetchall()}


def prune_people(db: Database, team_id: int, before: set[int]) -> None:
    """Forget the people that ``before`` referenced and nothing references now, unless they speak in one of
    the team's transcripts (an owner edited from "Zed" to "Lena" leaves no "Zed" behind)."""
    for person_id in before - referenced_people(db, team_id):
        speaks = db.execute(
            "SELECT 1 FROM segments JOIN meetings ON meetings.id = segments.meeting_id JOIN people ON people.id = ? "
            "WHERE meetings.team_id = ? AND (segments.speaker = people.name OR EXISTS (SELECT 1 FROM "
            "json_each(people.aliases) WHERE value = segments.speaker)) LIMIT 1", [person_id, team_id]).fetchone()
        if speaks is None:
            db.execute("DELETE FROM people WHERE id = ?", [person_id])


def rewind(db: Database, team_id: int, first_meeting_id: int) -> None:
    """Undo the graph facts of the team's meeting ``first_meeting_id`` and of every meeting stored after it.

    Their items go (with evidence, history, relations and search embeddings); the status and due-date changes
    they made to earlier items are reverted, newest first, so those items are as before the first of them.
    """
    later = {"team": team_id, "first": first_meeting_id}
    changes = db.execute(
        "SELECT history.item_id, history.field, history.old FROM history JOIN items ON items.id = history.item_id "
        f"WHERE items.team_id = :team AND history.meeting_id IN ({_LATER}) AND items.id NOT IN ({_GONE}) "
        "AND history.field IN ('status', 'due') ORDER BY history.id DESC", later).fetchall()
    for item_id, field, old in changes:
        assert field in ("status", "due"), field  # a fixed column name, never user input
        db.execute(f"UPDATE items SET {field} = ? WHERE id = ?", [old, item_id])
    db.execute(f"DELETE FROM relations WHERE team_id = :team AND meeting_id IN ({_LATER})", later)
    for table in ("history", "evidence"):
        db.execute(f"DELETE FROM {table} WHERE meeting_id IN ({_LATER}) OR item_id IN ({_GONE})", later)
    db.execute(f"DELETE FROM embeddings WHERE team_id = :team AND key IN (SELECT 'item:' || id FROM ({_GONE}))",
               later)
    db.execute(f"DELETE FROM items WHERE id IN ({_GONE})", later)
