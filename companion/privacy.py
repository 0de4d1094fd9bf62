"""Deleting meetings for good, and each team's retention rule. No Qt here.

The store deletes a meeting's rows and scrubs its own files (:meth:`~companion.kg.store.Store.delete_meetings`);
this module removes the files the app wrote for a meeting in the data folder: its recording and the
recording's sidecar. A file outside the data folder (one the user imported from elsewhere) is the user's own:
it is left where it is, and the caller is told about it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from companion.audio.recording import info_path
from companion.errors import CompanionError
from companion.kg.store import Store
from companion.models import Meeting

log = logging.getLogger(__name__)

LONGEST_DAYS = 36500
"""A retention rule keeps things at most this many days (a hundred years); longer is "for ever"."""


@dataclass(frozen=True)
class Deletion:
    """What deleting meetings did."""

    meetings: list[Meeting]
    """The deleted meetings, without their transcripts."""
    removed: list[Path]
    """Files of theirs deleted from the data folder."""
    left: list[Path]
    """Their source files outside the data folder: the user's own, left where they are."""


@dataclass(frozen=True)
class RetentionRun:
    """What applying the retention rules did."""

    audio_deleted: list[Meeting]
    """Meetings whose audio was deleted (their transcript and minutes stay)."""
    deleted: Deletion
    """Meetings deleted whole."""


def delete_meetings(store: Store, data_dir: Path, meeting_ids: Sequence[int]) -> Deletion:
    """Delete meetings with everything derived from them (see the store), then their files in the data folder."""
    meetings = store.delete_meetings(meeting_ids)
    return _remove_files(meetings, data_dir)


def delete_team(store: Store, data_dir: Path, team: str) -> Deletion:
    """Delete a whole team (see the store), then its meetings' files in the data folder."""
    return _remove_files(store.delete_team(team), data_dir)


def checked_days(days: int | None, what: str) -> int | None:
    """A retention period in days (None: for ever).

    Raises:
        CompanionError: it is negative or longer than :data:`LONGEST_DAYS`.
    """
    if days is not None and not 0 <= days <= LONGEST_DAYS:
        raise CompanionError(f"{what} must be 0 to {LONGEST_DAYS} days (or for ever), not {days}")
    return days


def apply_retention(store: Store, data_dir: Path, today: dt.date) -> RetentionRun:
    """Delete, per team's rule, meetings and audio kept longer than it allows after the meeting's date.

    Audio counts only when it lies in the data folder (a recording); the meeting keeps the day its audio
    was deleted. Each deletion is logged.
    """
    expired: list[int] = []
    audio: list[Meeting] = []
    for rule in store.retention_rules():
        if rule.meeting_days is not None:
            expired += [m.id for m in store.meetings_before(rule.team, _cutoff(today, rule.meeting_days))]
        if rule.audio_days is not None:
            for meeting in store.meetings_before(rule.team, _cutoff(today, rule.audio_days), with_audio=True):
                inside, _ = _files(meeting, data_dir)
                if meeting.id in expired or not inside:
                    continue
                _delete(inside)
                store.forget_audio(meeting.id, today.isoformat())
                log.info("retention: deleted the audio of meeting %s of team %r (%s)", meeting.id, rule.team,
                         meeting.date)
                audio.append(meeting)
    deleted = delete_meetings(store, data_dir, expired) if expired else Deletion([], [], [])
    for meeting in deleted.meetings:
        log.info("retention: deleted meeting %s of team %r (%s)", meeting.id, meeting.team, meeting.date)
    return RetentionRun(audio, deleted)


def _cutoff(today: dt.date, days: int) -> str:
    """Meetings dated before this day are older than ``days`` days."""
    return (today - dt.timedelta(days=days)).isoformat()


def _files(meeting: Meeting, data_dir: Path) -> tuple[list[Path], list[Path]]:
    """The meeting's files in the data folder (audio, source, a recording's sidecar), and those outside it."""
    paths = [Path(p) for p in dict.fromkeys((meeting.audio_path, meeting.source_path)) if p]
    folder = data_dir.resolve()
    inside = [p for p in paths if p.resolve().is_relative_to(folder)]
    outside = [p for p in paths if p not in inside]
    sidecars = [info_path(p) for p in inside if p.suffix.lower() == ".wav"]
    return inside + sidecars, outside


def _remove_files(meetings: list[Meeting], data_dir: Path) -> Deletion:
    removed: list[Path] = []
    left: list[Path] = []
    for meeting in meetings:
        inside, outside = _files(meeting, data_dir)
        removed += _delete(inside)
        left += [p for p in outside if p.exists()]
    return Deletion(meetings, removed, left)


def _delete(paths: Sequence[Path]) -> list[Path]:
    """Delete the files that exist; return them.

    Raises:
        CompanionError: one cannot be deleted (the message names it; the others are deleted).
    """
    removed, failed = [], []
    for path in paths:
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            continue
        except OSError as error:
            failed.append(f"{path} ({error.strerror or error})")
    if failed:
        raise CompanionError(f"cannot delete {', '.join(failed)}: delete it by hand")
    return removed
