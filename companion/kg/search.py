"""Retrieval over one team's meetings: SQLite FTS5 and sentence embeddings, fused by rank.

Keys name what was found: ``item:ID`` (an action item, decision, open question or topic) or ``seg:ID`` (a
transcript segment). Embeddings are computed for whatever is new when a search needs them, stored, and
kept in memory per team.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from sqlite_utils import Database

from companion.text.sentences import stop_words
from companion.text.stems import words

log = logging.getLogger(__name__)

RRF_K = 60


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class Hit:
    key: str
    score: float
    """Reciprocal-rank fusion of the full-text and the embedding ranking (higher is better)."""
    similarity: float
    """Cosine similarity of the question and the text (0 when not embedded)."""


def fts_query(text: str, operator: str = "OR", languages: Iterable[str] = ("en",)) -> str | None:
    """A safe FTS5 query: the text's content words as quoted prefixes joined by ``operator`` (None when it
    has none), without the stop words of ``languages``. Quotes, stars and FTS5 keywords in the text cannot
    reach the query syntax."""
    stop = frozenset().union(*(stop_words(language) for language in languages))
    terms = [w for w in dict.fromkeys(words(text)) if w not in stop and len(w) > 1][:32]
    return f" {operator} ".join(f'"{t}"*' for t in terms) or None


class Index:
    """Full-text and embedding search for the store's teams."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._vectors: dict[int, tuple[tuple[int, int], list[str], np.ndarray]] = {}
        self._links: dict[int, tuple[tuple[int, int], dict[int, int]]] = {}

    def languages(self, team_id: int) -> list[str]:
        """The languages the team meets in (its meetings' and its own setting), English always among them: a
        question's stop words are left out in each."""
        rows = self.db.execute("SELECT language FROM meetings WHERE team_id = ? UNION SELECT language FROM teams "
                               "WHERE id = ?", [team_id, team_id]).fetchall()
        return sorted({"en", *(r[0] for r in rows if r[0])})

    def full_text(self, team_id: int, text: str, limit: int = 30) -> list[str]:
        """Keys of the best full-text matches, items and segments interleaved by BM25."""
        query = fts_query(text, languages=self.languages(team_id))
        if query is None:
            return []
        items = self.db.execute(
            "SELECT 'item:' || items.id, bm25(items_fts) AS rank FROM items_fts JOIN items ON items.rowid = "
            "items_fts.rowid WHERE items_fts MATCH ? AND items.team_id = ? ORDER BY rank LIMIT ?",
            [query, team_id, limit]).fetchall()
        segments = self.db.execute(
            "SELECT 'seg:' || segments.id, bm25(segments_fts) AS rank FROM segments_fts JOIN segments ON "
            "segments.rowid = segments_fts.rowid JOIN meetings ON meetings.id = segments.meeting_id "
            "WHERE segments_fts MATCH ? AND meetings.team_id = ? ORDER BY rank LIMIT ?",
            [query, team_id, limit]).fetchall()
        return [key for key, _ in sorted(items + segments, key=lambda row: row[1])][:limit]

    def unknown_terms(self, team_id: int, terms: list[str]) -> list[str]:
        """The ``terms`` (names: "iOS", "Berlin", "S3") that neither the team's people nor its transcripts contain."""
        people = " ".join(f"{r[0]} {r[1]}" for r in self.db.execute(
            "SELECT name, aliases FROM people WHERE team_id = ?", [team_id]).fetchall())
        named = set(words(people))
        unknown = []
        for term in terms:
            if set(words(term)) <= named:
                continue
            query = fts_query(term, "AND")
            if query is None:  # "I", "A": nothing to look for
                continue
            found = self.db.execute(
                "SELECT 1 FROM segments_fts JOIN segments ON segments.rowid = segments_fts.rowid JOIN meetings ON "
                "meetings.id = segments.meeting_id WHERE segments_fts MATCH ? AND meetings.team_id = ? LIMIT 1",
                [query, team_id]).fetchone() is not None
            if not found:
                unknown.append(term)
        return unknown

    def meetings(self, team_id: int, text: str) -> list[int]:
        """Ids of the team's meetings with a transcript segment holding every word of ``text``, best first."""
        query = fts_query(text, "AND", self.languages(team_id))
        if query is None:
            return []
        rows = self.db.execute(
            "SELECT segments.meeting_id FROM segments_fts JOIN segments ON segments.rowid = segments_fts.rowid "
            "JOIN meetings ON meetings.id = segments.meeting_id WHERE segments_fts MATCH ? AND meetings.team_id = ? "
            "ORDER BY segments_fts.rank", [query, team_id]).fetchall()
        return list(dict.fromkeys(int(r[0]) for r in rows))

    def search(self, team_id: int, text: str, encoder: Encoder | None, limit: int = 30) -> list[Hit]:
        """The best ``limit`` hits for ``text`` by full text and (with an ``encoder``) by meaning."""
        lexical = self.full_text(team_id, text, limit)
        similarity: dict[str, float] = {}
        semantic: list[str] = []
        if encoder is not None:
            keys, matrix = self.vectors(team_id, encoder)
            if keys:
                # einsum, not BLAS: a threaded matrix-vector product spins for ages on two busy cores.
                cosines = np.einsum("ij,j->i", matrix, encoder.encode([text])[0])
                top = np.argpartition(-cosines, min(limit, len(keys) - 1))[:limit]
                best = top[np.argsort(-cosines[top])]
                semantic = [keys[i] for i in best]
                similarity = {keys[i]: float(cosines[i]) for i in best}
        fused: dict[str, float] = {}
        for ranking in (lexical, semantic):
            for rank, key in enumerate(ranking):
                fused[key] = fused.get(key, 0.0) + 1.0 / (RRF_K + rank)
        ordered = sorted(fused, key=lambda k: -fused[k])[:limit]
        return [Hit(k, fused[k], similarity.get(k, 0.0)) for k in ordered]

    def vectors(self, team_id: int, encoder: Encoder) -> tuple[list[str], np.ndarray]:
        """All embedded keys of the team and their unit vectors (embedding whatever is new first)."""
        marks = self._marks(team_id)
        cached = self._vectors.get(team_id)
        if cached is not None and cached[0] == marks:
            return cached[1], cached[2]
        self._embed_missing(team_id, encoder)
        rows = self.db.execute("SELECT key, vector FROM embeddings WHERE team_id = ? ORDER BY rowid",
                               [team_id]).fetchall()
        keys = [r[0] for r in rows]
        matrix = np.frombuffer(b"".join(r[1] for r in rows), np.float32).reshape(len(rows), -1) if rows \
            else np.zeros((0, 1), np.float32)
        self._vectors[team_id] = (marks, keys, matrix)
        return keys, matrix

    def forget(self, team_id: int) -> None:
        """Drop what is kept in memory for a team whose graph was derived again (its item ids may be reused)."""
        self._vectors.pop(team_id, None)
        self._links.pop(team_id, None)

    def _marks(self, team_id: int) -> tuple[int, int]:
        """The team's newest meeting and item: when these change, there are new texts and links."""
        meeting = self.db.execute("SELECT max(id) FROM meetings WHERE team_id = ?", [team_id]).fetchone()[0]
        item = self.db.execute("SELECT max(id) FROM items WHERE team_id = ?", [team_id]).fetchone()[0]
        return int(meeting or 0), int(item or 0)

    def newer(self, team_id: int, kinds: tuple[str, ...] = ("supersedes", "follows-up")) -> dict[int, int]:
        """Graph links to the current state: for each superseded or followed-up item, the item that did it."""
        marks = self._marks(team_id)
        cached = self._links.get(team_id)
        if cached is not None and cached[0] == marks:
            return cached[1]
        rows = self.db.execute(f"SELECT src, dst FROM relations WHERE team_id = ? AND kind IN "
                               f"({', '.join('?' * len(kinds))})", [team_id, *kinds]).fetchall()
        links = {int(dst.split(":")[1]): int(src.split(":")[1]) for src, dst in rows}
        self._links[team_id] = (marks, links)
        return links

    def _embed_missing(self, team_id: int, encoder: Encoder) -> None:
        missing = self.db.execute(
            "SELECT 'seg:' || segments.id, segments.text FROM segments JOIN meetings ON meetings.id = "
            "segments.meeting_id WHERE meetings.team_id = ? AND 'seg:' || segments.id NOT IN "
            "(SELECT key FROM embeddings WHERE team_id = ?) UNION ALL "
            "SELECT 'item:' || id, text || ' ' || coalesce(topic, '') FROM items WHERE team_id = ? AND "
            "'item:' || id NOT IN (SELECT key FROM embeddings WHERE team_id = ?)",
            [team_id, team_id, team_id, team_id]).fetchall()
        if not missing:
            return
        vectors = encoder.encode([text for _, text in missing])
        with self.db.atomic():
            self.db.table("embeddings").insert_all(
                ({"key": key, "team_id": team_id, "vector": vector.astype(np.float32).tobytes()}
                 for (key, _), vector in zip(missing, vectors, strict=True)), replace=True)
        log.info("embedded %d new texts of team %d", len(missing), team_id)
