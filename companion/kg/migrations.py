"""Schema migrations, applied in order on open; each runs in its own transaction."""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("companion")


@migrations()
def m001_meetings_and_transcripts(db: Database) -> None:
    """Teams, meetings, their transcript segments, and a slot for each meeting's minutes."""
    db.table("teams").create({"id": int, "name": str, "created_at": str}, pk="id", not_null={"name"})
    db.table("teams").create_index(["name"], unique=True)
    db.table("meetings").create(
        {
            "id": int, "team_id": int, "title": str, "date": str, "duration_s": float,
            "participants": str, "audio_path": str, "source_path": str, "language": str, "created_at": str,
        },
        pk="id",
        foreign_keys=[("team_id", "teams", "id")],
        not_null={"team_id", "title", "date"},
    )
    db.table("meetings").create_index(["team_id", "date"])
    db.table("segments").create(
        {"id": int, "meeting_id": int, "idx": int, "start": float, "end": float, "speaker": str, "text": str,
         "words": str},
        pk="id",
        foreign_keys=[("meeting_id", "meetings", "id")],
        not_null={"meeting_id", "idx", "start", "end", "text"},
    )
    db.table("segments").create_index(["meeting_id", "idx"], unique=True)
    db.table("minutes").create(
        {"meeting_id": int, "json": str, "model": str, "created_at": str},
        pk="meeting_id",
        foreign_keys=[("meeting_id", "meetings", "id")],
    )
