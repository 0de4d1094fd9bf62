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


@migrations()
def m002_knowledge_graph(db: Database) -> None:
    """The team knowledge graph: people and aliases, items with status, evidence, history, relations,
    full-text indexes over transcripts and items, and cached sentence embeddings."""
    db.table("people").create({"id": int, "team_id": int, "name": str, "aliases": str}, pk="id",
                              foreign_keys=[("team_id", "teams", "id")], not_null={"team_id", "name"})
    db.table("people").create_index(["team_id", "name"], unique=True)
    db.table("items").create(
        {"id": int, "team_id": int, "meeting_id": int, "kind": str, "text": str, "owner_id": int, "due": str,
         "status": str, "topic": str, "context": str, "created_at": str, "updated_at": str},
        pk="id",
        foreign_keys=[("team_id", "teams", "id"), ("meeting_id", "meetings", "id"), ("owner_id", "people", "id")],
        not_null={"team_id", "meeting_id", "kind", "text", "status"},
    )
    db.table("items").create_index(["team_id", "kind", "status"])
    db.table("evidence").create(
        {"id": int, "item_id": int, "meeting_id": int, "role": str, "start": float, "end": float, "speaker": str,
         "quote": str},
        pk="id",
        foreign_keys=[("item_id", "items", "id"), ("meeting_id", "meetings", "id")],
        not_null={"item_id", "meeting_id", "role", "quote"},
    )
    db.table("evidence").create_index(["item_id"])
    db.table("history").create(
        {"id": int, "item_id": int, "meeting_id": int, "field": str, "old": str, "new": str, "evidence_id": int,
         "at": str},
        pk="id",
        foreign_keys=[("item_id", "items", "id"), ("meeting_id", "meetings", "id"), ("evidence_id", "evidence", "id")],
        not_null={"item_id", "field", "at"},
    )
    db.table("history").create_index(["item_id"])
    db.table("relations").create(
        {"id": int, "team_id": int, "kind": str, "src": str, "dst": str, "meeting_id": int, "evidence_id": int},
        pk="id",
        foreign_keys=[("team_id", "teams", "id"), ("meeting_id", "meetings", "id"), ("evidence_id", "evidence", "id")],
        not_null={"team_id", "kind", "src", "dst"},
    )
    db.table("relations").create_index(["team_id", "kind"])
    db.table("embeddings").create({"key": str, "team_id": int, "vector": bytes}, pk="key",
                                  foreign_keys=[("team_id", "teams", "id")])
    db.table("embeddings").create_index(["team_id"])
    db.table("segments").enable_fts(["text"], fts_version="FTS5", create_triggers=True)
    db.table("items").enable_fts(["text", "context"], fts_version="FTS5", create_triggers=True)


@migrations()
def m003_voice_profiles(db: Database) -> None:
    """Voices: one profile per named person and team, and each stored meeting's speaker voices."""
    db.table("voice_profiles").create(
        {"id": int, "team_id": int, "name": str, "embedding": bytes, "samples": int, "updated_at": str},
        pk="id", foreign_keys=[("team_id", "teams", "id")], not_null={"team_id", "name", "embedding"},
    )
    db.table("voice_profiles").create_index(["team_id", "name"], unique=True)
    db.table("meeting_voices").create(
        {"meeting_id": int, "label": str, "embedding": bytes, "name_source": str, "confidence": float},
        pk=("meeting_id", "label"), foreign_keys=[("meeting_id", "meetings", "id")],
    )


@migrations()
def m004_retention(db: Database) -> None:
    """Privacy: how long each team keeps audio and whole meetings, and the day a meeting's audio was deleted."""
    db.table("retention").create(
        {"team_id": int, "audio_days": int, "meeting_days": int},
        pk="team_id", foreign_keys=[("team_id", "teams", "id")],
    )
    db.table("meetings").add_column("audio_deleted_on", str)


@migrations()
def m005_content_hash(db: Database) -> None:
    """Each meeting's source file digest, so that a batch import skips what a team already has."""
    db.table("meetings").add_column("content_hash", str)
    db.table("meetings").create_index(["team_id", "content_hash"])


@migrations()
def m006_team_language(db: Database) -> None:
    """The language a team meets in, when it is set: whole recordings are heard in it instead of detected."""
    db.table("teams").add_column("language", str)


FTS_TOKENIZER = "unicode61 categories 'L* N* Co M*'"
"""Letters, digits and combining marks make words: a Hindi word keeps its vowel signs ("समीक्षा", not "सम")."""


@migrations()
def m007_full_text_in_every_script(db: Database) -> None:
    """Full-text indexes rebuilt with a tokenizer that keeps combining marks inside words."""
    db.table("segments").enable_fts(["text"], fts_version="FTS5", create_triggers=True, tokenize=FTS_TOKENIZER,
                                    replace=True)
    db.table("items").enable_fts(["text", "context"], fts_version="FTS5", create_triggers=True,
                                 tokenize=FTS_TOKENIZER, replace=True)
    db.table("segments").rebuild_fts()
    db.table("items").rebuild_fts()
