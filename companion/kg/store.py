"""The SQLite store: the one owner of the ``sqlite_utils.Database``.

The knowledge graph's modules (``knowledge.py``, ``people.py``, ``search.py``) work on the handle the store
gives them, inside its transactions; nothing else opens the database. WAL mode lets other processes read
while this one writes; every write is one atomic transaction.

In an encrypted data folder the store is an SQLCipher database: every connection gives the key first
(``PRAGMA key``), and the file, its WAL and its shared memory hold no readable page without it. A store
file says itself whether it is encrypted (a plain SQLite file begins with its format string), so a folder
whose conversion a crash interrupted opens either way (:func:`convert_store`).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import numpy as np
from sqlcipher3 import dbapi2 as sqlcipher
from sqlite_utils import Database

from companion.errors import CompanionError, NotFoundError
from companion.files import atomic_path
from companion.kg.knowledge import Knowledge, NewMeeting
from companion.kg.migrations import migrations
from companion.kg.search import Index
from companion.models import Meeting, Minutes, Segment, Word

log = logging.getLogger(__name__)

BUSY_TIMEOUT_S = 30.0
STORE_FILE = "companion.db"
"""The store's file name in a data folder."""
DATABASE_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError, sqlcipher.DatabaseError)
"""What the store's connections raise for a file they cannot use (SQLCipher's are not ``sqlite3``'s)."""
_OPERATIONAL_ERRORS: tuple[type[Exception], ...] = (sqlite3.OperationalError, sqlcipher.OperationalError)
_PLAIN_HEADER = b"SQLite format 3\x00"


class _Connection(sqlite3.Connection):
    """A connection that a ``WeakSet`` can hold, so that closing the store closes every thread's."""


class _CipherConnection(sqlcipher.Connection):  # type: ignore[misc]
    """An SQLCipher connection that a ``WeakSet`` can hold."""


class _ThreadedDatabase(Database):
    """A ``Database`` that gives each thread its own connection to one SQLite file.

    The app's worker threads, the tray and the window share one store. Sharing one connection let one
    thread's statement land inside another's transaction (sqlite-utils nests a savepoint when the connection
    is already in a transaction, and "no such savepoint" followed once the other committed). With a
    connection per thread, WAL lets readers go on while one writer works, and SQLite itself orders the
    writers: a transaction takes the write lock when it begins (``BEGIN IMMEDIATE``), waiting up to
    ``BUSY_TIMEOUT_S`` for another thread or process to finish.
    """

    def __init__(self, path: Path, key: str | None) -> None:
        self._path = path
        self._key = key
        self._local = threading.local()
        self._connections: weakref.WeakSet[sqlite3.Connection] = weakref.WeakSet()
        self._guard = threading.Lock()
        self._closed = False
        super().__init__(self._connect())

    @property  # type: ignore[override]
    def conn(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = self._connect()
        return connection

    @conn.setter
    def conn(self, connection: sqlite3.Connection) -> None:
        """``Database.__init__`` hands back the first connection; it already belongs to this thread."""

    def _connect(self) -> sqlite3.Connection:
        with self._guard:
            if self._closed:
                raise CompanionError(f"{self._path}: the meeting store is closed")
            connection = _open(self._path, self._key)
            self._connections.add(connection)
        # WAL's recommended level: commits survive a crash of the app (not always a power cut) and no longer
        # wait for an fsync each.
        connection.execute("PRAGMA synchronous = NORMAL")
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("PRAGMA recursive_triggers = ON")
        self._local.connection = connection
        return connection

    @contextmanager
    def atomic(self) -> Iterator[Database]:
        """One transaction that holds the write lock from its start; nested blocks are savepoints."""
        if self.conn.in_transaction:
            with super().atomic() as db:
                yield db
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        try:
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def close(self) -> None:
        """Close every thread's connection; using the store afterwards is an error."""
        with self._guard:
            self._closed = True
            connections = list(self._connections)
        for connection in connections:
            connection.close()


class Store:
    """A team-scoped meeting store in one SQLite file."""

    def __init__(self, path: str | Path, key: str | None = None) -> None:
        """Open (or create) the store at ``path``; ``key`` is the SQLCipher key of an encrypted data folder
        (:attr:`~companion.encryption.FolderKey.database_key`), used when the file is encrypted or new.

        Raises:
            CompanionError: the file cannot be used: damaged (or encrypted, without a key), or a wrong key.
        """
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.key = None if is_plain(self.path) else key
        try:
            self.db: Database = _ThreadedDatabase(self.path, self.key)
            _enable_wal(self.db)
            if migrations.pending(self.db):
                with self.db.atomic():  # holds the write lock: processes opening a new folder take turns
                    migrations.apply(self.db)
            self.knowledge = Knowledge(self.db)
            self.index = Index(self.db)
        except DATABASE_ERRORS as error:
            if self.key is not None and "not a database" in str(error):
                raise CompanionError(f"{self.path}: the meeting store cannot be decrypted (a wrong key, or the "
                                     "file is damaged)") from error
            raise store_error(self.path, error) from error

    def close(self) -> None:
        self.db.close()

    def integrity_problems(self) -> list[str]:
        """What SQLite's ``integrity_check`` finds wrong with the file (nothing when it is sound)."""
        try:
            rows = self.db.execute("PRAGMA integrity_check").fetchall()
        except DATABASE_ERRORS as error:
            return [str(error)]
        return [] if [row[0] for row in rows] == ["ok"] else [str(row[0]) for row in rows]

    def backup(self, destination: Path) -> None:
        """Write a consistent copy of the store to ``destination`` while others may go on writing.

        SQLite's backup API copies committed pages only; the copy replaces ``destination`` whole or not at all.
        The copy of an encrypted store is encrypted with the same key.
        """
        try:
            with atomic_path(destination) as temporary:
                # Connections of its own: this thread's may be inside a transaction the copy must not see.
                source, copy = _open(self.path, self.key), _open(temporary, self.key)
                try:
                    source.backup(copy)
                finally:
                    copy.close()
                    source.close()
        except (OSError, sqlite3.Error, sqlcipher.Error) as error:
            raise CompanionError(f"{destination}: cannot write the backup ({error})") from error

    def add_meeting(
        self,
        *,
        team: str,
        title: str,
        date: str,
        duration_s: float,
        segments: Sequence[Segment],
        participants: Sequence[str] = (),
        audio_path: str | None = None,
        source_path: str | None = None,
        language: str = "en",
        minutes: Minutes | None = None,
        content_hash: str | None = None,
        voices: dict[str, np.ndarray] | None = None,
        voice_names: dict[str, tuple[str, float]] | None = None,
    ) -> int:
        """Store a meeting, its transcript, its minutes and its speakers' voices (see :meth:`save_meeting_voices`)
        in one transaction; return the meeting id. ``content_hash`` is the source file's (see
        :meth:`stored_hashes`)."""
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db.atomic():
            # Write first so the transaction takes the write lock at once (no read-then-upgrade race).
            self.db.execute("INSERT OR IGNORE INTO teams (name, created_at) VALUES (?, ?)", [team, now])
            team_id = self.db.execute("SELECT id FROM teams WHERE name = ?", [team]).fetchone()[0]
            # Plain SQL on this hot path: sqlite-utils' insert() introspects the table on every call.
            meeting_id = self.db.execute(
                "INSERT INTO meetings (team_id, title, date, duration_s, participants, audio_path, source_path, "
                "language, created_at, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [team_id, title, date, duration_s, json.dumps(list(participants)), audio_path, source_path, language,
                 now, content_hash]).lastrowid
            assert meeting_id is not None
            self.db.conn.executemany(
                "INSERT INTO segments (meeting_id, idx, start, end, speaker, text, words) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(meeting_id, index, s.start, s.end, s.speaker, s.text,
                  json.dumps([vars(w) for w in s.words]) if s.words else None) for index, s in enumerate(segments)])
            if minutes is not None:
                self._put_minutes(meeting_id, minutes, now)
                self.knowledge.ingest(NewMeeting(int(meeting_id), team_id, date, participants, segments, minutes))
            if voices:
                self.save_meeting_voices(meeting_id, voices, voice_names or {})
        log.info("stored meeting %s (%d segments) for team %r", meeting_id, len(segments), team)
        return int(meeting_id)

    def save_minutes(self, meeting_id: int, minutes: Minutes) -> None:
        """Replace a meeting's minutes (after the user edited them, say) and derive its team's graph from them.

        One transaction: the minutes, then the graph facts of this meeting and of every meeting of the team
        stored after it, ingested again in order (:meth:`Knowledge.rederive`), so that what later meetings
        closed or moved still applies. When anything fails, nothing has changed.
        """
        meeting = self.meeting(meeting_id)
        team_id = self.team_id(meeting.team)
        with self.db.atomic():
            self._put_minutes(meeting_id, minutes, datetime.now(UTC).isoformat(timespec="seconds"))
            later = [r[0] for r in self.db.execute(
                "SELECT meetings.id FROM meetings JOIN minutes ON minutes.meeting_id = meetings.id "
                "WHERE team_id = ? AND meetings.id > ? ORDER BY meetings.id", [team_id, meeting_id]).fetchall()]
            self.knowledge.rederive([self._new_meeting(meeting, team_id, minutes),
                                     *(self._new_meeting(self.meeting(i), team_id) for i in later)])
        self.index.forget(team_id)

    def _new_meeting(self, meeting: Meeting, team_id: int, minutes: Minutes | None = None) -> NewMeeting:
        """A stored meeting as the graph ingests it (with its stored minutes unless given others)."""
        minutes = minutes if minutes is not None else self.minutes(meeting.id)
        assert minutes is not None
        return NewMeeting(meeting.id, team_id, meeting.date, meeting.participants, meeting.segments, minutes)

    def minutes(self, meeting_id: int) -> Minutes | None:
        row = self.db.execute("SELECT json FROM minutes WHERE meeting_id = ?", [meeting_id]).fetchone()
        return Minutes.from_dict(json.loads(row[0])) if row else None

    def _put_minutes(self, meeting_id: int, minutes: Minutes, now: str) -> None:
        self.db.execute(
            "INSERT INTO minutes (meeting_id, json, model, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (meeting_id) "
            "DO UPDATE SET json = excluded.json, model = excluded.model, created_at = excluded.created_at",
            [meeting_id, json.dumps(minutes.to_dict()), json.dumps(minutes.authors), now])

    def teams(self) -> list[str]:
        return [row[0] for row in self.db.execute("SELECT name FROM teams ORDER BY name").fetchall()]

    def team_id(self, team: str) -> int:
        """The id of a known team; an unknown team is a :class:`NotFoundError`."""
        row = self.db.execute("SELECT id FROM teams WHERE name = ?", [team]).fetchone()
        if row is None:
            raise NotFoundError(f"no team named {team!r}")
        return int(row[0])

    def meetings(self, team: str) -> list[Meeting]:
        """The team's meetings, newest first, without their transcripts."""
        if team not in self.teams():
            raise NotFoundError(f"no team named {team!r}")
        rows = self.db.query(
            _MEETING_SELECT + " WHERE teams.name = ? ORDER BY meetings.date DESC, meetings.id DESC", [team]
        )
        return [_meeting_from_row(row) for row in rows]

    def stored_hashes(self, team: str) -> dict[str, int]:
        """The content hashes of the team's stored meetings' source files, with the meeting of each."""
        rows = self.db.execute(
            "SELECT content_hash, meetings.id FROM meetings JOIN teams ON teams.id = meetings.team_id"
            " WHERE teams.name = ? AND content_hash IS NOT NULL ORDER BY meetings.id", [team]).fetchall()
        return {digest: meeting_id for digest, meeting_id in rows}

    def meeting(self, meeting_id: int) -> Meeting:
        """One meeting with its transcript segments."""
        row = next(iter(self.db.query(_MEETING_SELECT + " WHERE meetings.id = ?", [meeting_id])), None)
        if row is None:
            raise NotFoundError(f"no meeting with id {meeting_id}")
        segments = [
            _segment_from_row(r)
            for r in self.db.query("SELECT * FROM segments WHERE meeting_id = ? ORDER BY idx", [meeting_id])
        ]
        return _meeting_from_row(row, segments)

    # Voices: speaker embeddings per meeting, and one profile per named person of a team.

    def save_meeting_voices(self, meeting_id: int, voices: dict[str, np.ndarray],
                            names: dict[str, tuple[str, float]]) -> None:
        """Keep a stored meeting's speaker voices, so that naming a speaker later can teach the team.

        ``names`` says, per label that is a name, where the name came from ("profile" or "proposed") and
        how sure it is.
        """
        with self.db.atomic():
            self.db.table("meeting_voices").upsert_all(
                ({"meeting_id": meeting_id, "label": label, "embedding": _blob(voice),
                  "name_source": names.get(label, ("", 0.0))[0] or None, "confidence": names.get(label, ("", 0.0))[1]}
                 for label, voice in voices.items()),
                pk=("meeting_id", "label"),
            )

    def meeting_speakers(self, meeting_id: int) -> list[dict[str, Any]]:
        """A meeting's speakers: label, where its name came from (profile, proposed, confirmed) and confidence."""
        return list(self.db.query("SELECT label, name_source, confidence FROM meeting_voices WHERE meeting_id = ?"
                                  " ORDER BY label", [meeting_id]))

    def voice_profiles(self, team: str) -> list[VoiceProfile]:
        """The team's voice profiles by name (none for a team not seen yet)."""
        rows = self.db.query(
            "SELECT voice_profiles.* FROM voice_profiles JOIN teams ON teams.id = voice_profiles.team_id"
            " WHERE teams.name = ? ORDER BY name", [team])
        return [VoiceProfile(r["name"], np.frombuffer(r["embedding"], dtype=np.float32), r["samples"], r["updated_at"])
                for r in rows]

    def named_voices(self, team: str) -> dict[str, np.ndarray]:
        """The team's voice profiles as voices to recognise: the embedding by name."""
        return {profile.name: profile.embedding for profile in self.voice_profiles(team)}

    def proposed_voices(self, team: str) -> dict[str, np.ndarray]:
        """Voices of the team's past meetings named by a proposal nobody confirmed yet: the mean per name.

        A later meeting can recognise them; a rename replaces the proposal with what the user said.
        """
        rows = self.db.execute(
            "SELECT meeting_voices.label, meeting_voices.embedding FROM meeting_voices"
            " JOIN meetings ON meetings.id = meeting_voices.meeting_id JOIN teams ON teams.id = meetings.team_id"
            " WHERE teams.name = ? AND meeting_voices.name_source = 'proposed'", [team]).fetchall()
        sums: dict[str, np.ndarray] = {}
        for name, blob in rows:
            sums[name] = sums.get(name, 0) + np.frombuffer(blob, dtype=np.float32)
        return {name: voice / np.linalg.norm(voice) for name, voice in sums.items()}

    def rename_speaker(self, meeting_id: int, label: str, name: str) -> bool:
        """Call speaker ``label`` of a meeting ``name`` everywhere (transcript, minutes, voices) in one step.

        The speaker's voice joins the team's profile for ``name`` (a running mean). Returns whether the
        meeting had a voice for ``label`` (imported transcripts have none).
        """
        meeting = self.meeting(meeting_id)
        if label not in {s.speaker for s in meeting.segments}:
            raise NotFoundError(f"meeting {meeting_id} has no speaker {label!r}")
        minutes = self.minutes(meeting_id)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self.db.atomic():
            self.db.execute("UPDATE segments SET speaker = ? WHERE meeting_id = ? AND speaker = ?",
                            [name, meeting_id, label])
            participants = [name if p == label else p for p in meeting.participants]
            self.db.execute("UPDATE meetings SET participants = ? WHERE id = ?",
                            [json.dumps(list(dict.fromkeys(participants))), meeting_id])
            if minutes is not None:
                self._put_minutes(meeting_id, minutes.with_speaker_renamed(label, name), now)
            self.knowledge.rename_speaker(self.team_id(meeting.team), meeting_id, label, name)
            row = self.db.execute("SELECT embedding FROM meeting_voices WHERE meeting_id = ? AND label = ?",
                                  [meeting_id, label]).fetchone()
            if row is None:
                return False
            voice = np.frombuffer(row[0], dtype=np.float32)
            merged = self.db.execute("SELECT embedding FROM meeting_voices WHERE meeting_id = ? AND label = ?",
                                     [meeting_id, name]).fetchone()
            both = voice if merged is None else voice + np.frombuffer(merged[0], dtype=np.float32)
            self.db.execute("DELETE FROM meeting_voices WHERE meeting_id = ? AND label IN (?, ?)",
                            [meeting_id, label, name])
            self.db.table("meeting_voices").insert(
                {"meeting_id": meeting_id, "label": name, "embedding": _blob(both / np.linalg.norm(both)),
                 "name_source": "confirmed", "confidence": 1.0})
            self._learn_voice(self.team_id(meeting.team), name, voice, now)
        return True

    def delete_voice_profile(self, team: str, name: str) -> None:
        """Forget a person's voice (privacy); their name stays on past transcripts."""
        team_id = self.team_id(team)
        with self.db.atomic():
            deleted = self.db.execute("DELETE FROM voice_profiles WHERE team_id = ? AND name = ?", [team_id, name])
        if deleted.rowcount == 0:
            raise NotFoundError(f"team {team!r} has no voice profile for {name!r}")

    def _learn_voice(self, team_id: int, name: str, voice: np.ndarray, now: str) -> None:
        row = self.db.execute("SELECT embedding, samples FROM voice_profiles WHERE team_id = ? AND name = ?",
                              [team_id, name]).fetchone()
        samples = 1
        if row is not None:
            samples = row[1] + 1
            voice = np.frombuffer(row[0], dtype=np.float32) * row[1] + voice
        voice = voice / np.linalg.norm(voice)
        self.db.execute(
            "INSERT INTO voice_profiles (team_id, name, embedding, samples, updated_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT (team_id, name) DO UPDATE SET embedding = excluded.embedding, samples = excluded.samples,"
            " updated_at = excluded.updated_at", [team_id, name, _blob(voice), samples, now])

    # Privacy: meetings deleted for good, and how long each team keeps audio and meetings.

    def delete_meetings(self, meeting_ids: Sequence[int]) -> list[Meeting]:
        """Delete meetings and everything derived from them; return them (without transcripts) for their files.

        Per team, one transaction with ``secure_delete`` on: the team's graph is derived again from the
        meetings that remain (:meth:`Knowledge.forget`), as an edit derives later meetings; their transcripts,
        minutes, full-text rows, cached embeddings and speaker voices go, and the voice profiles they taught
        are learnt again from the voices that remain. Then the files are scrubbed (:meth:`scrub`).

        Raises:
            NotFoundError: one of the meetings does not exist (nothing is deleted).
        """
        meetings = [self.meeting(i) for i in dict.fromkeys(meeting_ids)]
        by_team: dict[int, list[int]] = {}
        for meeting in meetings:
            by_team.setdefault(self.team_id(meeting.team), []).append(meeting.id)
        with self._secure_delete(), self.db.atomic():
            for team_id, ids in by_team.items():
                self._delete_from_team(team_id, ids)
            self._optimize_full_text()
        for team_id in by_team:
            self.index.forget(team_id)
        self.scrub()
        log.info("deleted meeting(s) %s", ", ".join(str(m.id) for m in meetings))
        return [replace(m, segments=()) for m in meetings]

    def _delete_from_team(self, team_id: int, meeting_ids: list[int]) -> None:
        remaining = [self._new_meeting(self.meeting(r[0]), team_id) for r in self.db.execute(
            "SELECT meetings.id FROM meetings JOIN minutes ON minutes.meeting_id = meetings.id "
            "WHERE team_id = ? ORDER BY meetings.id", [team_id]).fetchall() if r[0] not in meeting_ids]
        marks = ", ".join("?" * len(meeting_ids))
        taught = [r[0] for r in self.db.execute(
            f"SELECT DISTINCT label FROM meeting_voices WHERE meeting_id IN ({marks}) AND name_source = 'confirmed'",
            meeting_ids).fetchall()]

        def remove() -> None:
            self.db.execute("DELETE FROM embeddings WHERE key IN (SELECT 'seg:' || id FROM segments "
                            f"WHERE meeting_id IN ({marks}))", meeting_ids)
            for table in ("segments", "minutes", "meeting_voices"):
                self.db.execute(f"DELETE FROM {table} WHERE meeting_id IN ({marks})", meeting_ids)
            self.db.execute(f"DELETE FROM meetings WHERE id IN ({marks})", meeting_ids)

        self.knowledge.forget(team_id, remaining, remove)
        self._relearn_voices(team_id, taught)

    def _relearn_voices(self, team_id: int, names: Sequence[str]) -> None:
        """Learn the profiles of ``names`` again from the voices confirmed for them in the meetings that remain.

        A profile is a running mean of normalised voices, so one meeting's part cannot be subtracted exactly;
        learning it again, in the order the meetings were stored, leaves nothing of a deleted meeting in it. A
        profile no remaining meeting confirms is deleted; one the user forgot stays forgotten.
        """
        now = datetime.now(UTC).isoformat(timespec="seconds")
        for name in names:
            if self.db.execute("DELETE FROM voice_profiles WHERE team_id = ? AND name = ?",
                               [team_id, name]).rowcount == 0:
                continue
            for (blob,) in self.db.execute(
                    "SELECT embedding FROM meeting_voices JOIN meetings ON meetings.id = meeting_voices.meeting_id "
                    "WHERE meetings.team_id = ? AND label = ? AND name_source = 'confirmed' ORDER BY meetings.id",
                    [team_id, name]).fetchall():
                self._learn_voice(team_id, name, np.frombuffer(blob, dtype=np.float32), now)

    def delete_team(self, team: str) -> list[Meeting]:
        """Delete a team and everything it holds (meetings, graph, people, voices, retention) for good.

        Returns its meetings (without transcripts) for their files. Raises :class:`NotFoundError` for an
        unknown team.
        """
        team_id = self.team_id(team)
        meetings = self.meetings(team)
        own = {"team": team_id}
        items = "SELECT id FROM items WHERE team_id = :team"
        in_team = "SELECT id FROM meetings WHERE team_id = :team"
        with self._secure_delete(), self.db.atomic():
            for table in ("history", "evidence"):
                self.db.execute(f"DELETE FROM {table} WHERE item_id IN ({items}) OR meeting_id IN ({in_team})", own)
            for table in ("relations", "embeddings", "items", "people", "voice_profiles", "retention"):
                self.db.execute(f"DELETE FROM {table} WHERE team_id = :team", own)
            for table in ("segments", "minutes", "meeting_voices"):
                self.db.execute(f"DELETE FROM {table} WHERE meeting_id IN ({in_team})", own)
            self.db.execute("DELETE FROM meetings WHERE team_id = :team", own)
            self.db.execute("DELETE FROM teams WHERE id = :team", own)
            self._optimize_full_text()
        self.index.forget(team_id)
        self.scrub()
        log.info("deleted team %r and its %d meeting(s)", team, len(meetings))
        return meetings

    @contextmanager
    def _secure_delete(self) -> Iterator[None]:
        """This thread's connection overwrites what it deletes with zeros for the duration of the block."""
        connection = self.db.conn
        before = connection.execute("PRAGMA secure_delete").fetchone()[0]
        connection.execute("PRAGMA secure_delete = ON")
        try:
            yield
        finally:
            connection.execute(f"PRAGMA secure_delete = {int(before)}")

    def _optimize_full_text(self) -> None:
        """Merge the full-text indexes: a delete only marks a row's terms gone, merging drops them."""
        for table in ("segments_fts", "items_fts"):
            self.db.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")

    def scrub(self) -> None:
        """Leave no deleted content in the store's files: the WAL is copied into the database and emptied,
        and ``VACUUM`` rebuilds the database without its free pages (then the WAL is emptied again)."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.db.execute("VACUUM")
        busy = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:
            log.warning("%s: a reader kept the write-ahead log from being emptied; it is emptied on a later "
                        "checkpoint", self.path)

    def set_retention(self, team: str, audio_days: int | None, meeting_days: int | None) -> None:
        """Keep the team's audio ``audio_days`` and its meetings ``meeting_days`` after their date (None: for ever)."""
        team_id = self.team_id(team)
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO retention (team_id, audio_days, meeting_days) VALUES (?, ?, ?) ON CONFLICT (team_id) "
                "DO UPDATE SET audio_days = excluded.audio_days, meeting_days = excluded.meeting_days",
                [team_id, audio_days, meeting_days])

    def set_team_language(self, team: str, language: str | None) -> None:
        """Hear the team's recordings in ``language`` (a Whisper code such as ``de``); None: detect it. A team
        without meetings yet is created, so that its first meeting is heard in that language too."""
        with self.db.atomic():
            self.db.execute("INSERT INTO teams (name, created_at, language) VALUES (?, ?, ?) ON CONFLICT (name) "
                            "DO UPDATE SET language = excluded.language",
                            [team, datetime.now(UTC).isoformat(timespec="seconds"), language])

    def team_language(self, team: str) -> str | None:
        """The language set for the team, or None (unset, or no such team yet): each meeting's is detected."""
        row = self.db.execute("SELECT language FROM teams WHERE name = ?", [team]).fetchone()
        return row[0] if row and row[0] else None

    def retention(self, team: str) -> Retention:
        """The team's retention rule (for ever, unless set)."""
        row = self.db.execute("SELECT audio_days, meeting_days FROM retention WHERE team_id = ?",
                              [self.team_id(team)]).fetchone()
        return Retention(team, *(row or (None, None)))

    def retention_rules(self) -> list[Retention]:
        """Every team's retention rule that keeps something less than for ever."""
        rows = self.db.execute("SELECT teams.name, audio_days, meeting_days FROM retention JOIN teams ON "
                               "teams.id = retention.team_id WHERE audio_days IS NOT NULL OR meeting_days IS NOT NULL "
                               "ORDER BY teams.name").fetchall()
        return [Retention(*row) for row in rows]

    def meetings_before(self, team: str, day: str, *, with_audio: bool = False) -> list[Meeting]:
        """The team's meetings dated before ``day`` (only those with audio, when asked), oldest first."""
        audio = " AND meetings.audio_path IS NOT NULL" if with_audio else ""
        rows = self.db.query(_MEETING_SELECT + " WHERE teams.name = ? AND meetings.date < ?" + audio +
                             " ORDER BY meetings.date, meetings.id", [team, day])
        return [_meeting_from_row(row) for row in rows]

    def forget_audio(self, meeting_id: int, day: str) -> None:
        """The meeting's audio was deleted on ``day``: it no longer names the file (nor its recording)."""
        with self.db.atomic():
            self.db.execute("UPDATE meetings SET source_path = CASE WHEN source_path = audio_path THEN NULL ELSE "
                            "source_path END, audio_path = NULL, audio_deleted_on = ? WHERE id = ?", [day, meeting_id])

    def audio_deleted_on(self, meeting_id: int) -> str | None:
        """The day retention deleted the meeting's audio (None while it is kept, or when it had none)."""
        row = self.db.execute("SELECT audio_deleted_on FROM meetings WHERE id = ?", [meeting_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no meeting with id {meeting_id}")
        return None if row[0] is None else str(row[0])


def store_error(path: Path, error: Exception) -> CompanionError:
    """The one-line message for SQLite's error on the store at ``path``: a damaged file names the way out."""
    if isinstance(error, _OPERATIONAL_ERRORS) and "malformed" not in str(error):
        return CompanionError(f"{path}: cannot use the meeting store ({error})")
    return CompanionError(f"{path}: the meeting store is damaged ({error}); run 'companion doctor' for the way out")


def _enable_wal(db: Database) -> None:
    """Switch a store to WAL (readers go on while one writer works); a new file is switched once.

    Several processes opening a new data folder at once may find it locked while one of them switches it;
    they wait their turn like any writer.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            db.enable_wal()
            return
        except _OPERATIONAL_ERRORS as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def is_plain(path: Path) -> bool:
    """Whether ``path`` is a plain (unencrypted) SQLite file; False for a missing, empty or encrypted one."""
    try:
        with open(path, "rb") as file:
            return file.read(len(_PLAIN_HEADER)) == _PLAIN_HEADER
    except OSError:
        return False


def _open(path: Path, key: str | None, *, cipher: bool = False) -> sqlite3.Connection:
    """A connection to the store file at ``path``: SQLite's own, or SQLCipher's (always when ``cipher``) given
    ``key`` first; SQLCipher's has the same interface. It is told not to log: a wrong key is the caller's
    one-line error, not SQLCipher's output."""
    if key is None and not cipher:
        return sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, check_same_thread=False, factory=_Connection)
    connection = sqlcipher.connect(str(path), timeout=BUSY_TIMEOUT_S, check_same_thread=False,
                                   factory=_CipherConnection)
    connection.execute("PRAGMA cipher_log_level = NONE")
    if key is not None:
        connection.execute(f'PRAGMA key = "{key}"')
    return cast(sqlite3.Connection, connection)


def convert_store(path: Path, old_key: str | None, new_key: str | None) -> None:
    """Rewrite the store at ``path`` encrypted with ``new_key`` (None: plain), from ``old_key`` (None: plain).

    SQLCipher's ``sqlcipher_export`` copies it into a temporary file next to it, which then replaces it: a crash
    or an error midway leaves the store as it was. No other process may have it open (close the app first).

    Raises:
        CompanionError: the store cannot be read with ``old_key``, or is in use, or cannot be written.
    """
    wal = path.with_name(path.name + "-wal")
    try:
        with atomic_path(path) as temporary:
            source = _open(path, old_key, cipher=True)
            try:
                source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                source.execute("ATTACH DATABASE ? AS converted KEY ?", [str(temporary), new_key or ""])
                source.execute("SELECT sqlcipher_export('converted')")
                source.execute("DETACH DATABASE converted")
            finally:
                source.close()
            if wal.exists():  # the last connection to close removes it: another process still has the store open
                raise CompanionError(f"{path}: the meeting store is in use: close the app and try again")
    except DATABASE_ERRORS as error:
        raise store_error(path, error) from error
    except OSError as error:
        raise CompanionError(f"{path}: cannot rewrite the meeting store ({error.strerror or error})") from error


@dataclass(frozen=True)
class Retention:
    """How long a team keeps things, in days after a meeting's date; None: for ever."""

    team: str
    audio_days: int | None = None
    """Audio (recordings in the data folder); the transcript and minutes stay."""
    meeting_days: int | None = None
    """Whole meetings, deleted as :meth:`Store.delete_meetings` does."""


@dataclass(frozen=True)
class VoiceProfile:
    """What a team's person sounds like: a unit-length voice embedding averaged over ``samples`` meetings."""

    name: str
    embedding: np.ndarray
    samples: int
    updated_at: str


def _blob(voice: np.ndarray) -> bytes:
    return np.asarray(voice, dtype=np.float32).tobytes()


_MEETING_SELECT = "SELECT meetings.*, teams.name AS team FROM meetings JOIN teams ON teams.id = meetings.team_id"


def _meeting_from_row(row: dict[str, Any], segments: Sequence[Segment] = ()) -> Meeting:
    return Meeting(
        id=row["id"], team=row["team"], title=row["title"], date=row["date"],
        duration_s=row["duration_s"] or 0.0, participants=tuple(json.loads(row["participants"] or "[]")),
        audio_path=row["audio_path"], source_path=row["source_path"], segments=tuple(segments),
        language=row["language"] or "en",
    )


def _segment_from_row(row: dict[str, Any]) -> Segment:
    words = tuple(Word.from_dict(w) for w in json.loads(row["words"])) if row["words"] else ()
    return Segment(row["start"], row["end"], row["text"], row["speaker"] or "", words)
