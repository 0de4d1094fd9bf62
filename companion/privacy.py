"""Deleting meetings for good, each team's retention rule, and converting a data folder to and from
encryption at rest. No Qt here.

The store deletes a meeting's rows and scrubs its own files (:meth:`~companion.kg.store.Store.delete_meetings`);
this module removes the files the app wrote for a meeting in the data folder: its recording and the
recording's sidecar. A file outside the data folder (one the user imported from elsewhere) is the user's own:
it is left where it is, and the caller is told about it.

Encrypting a folder (:func:`encrypt_folder`) rewrites its store through SQLCipher and seals every other file
in it (:mod:`companion.encryption`), each replaced whole or not at all; its marker says ``encrypting`` until
all are done. Every file says itself whether it is encrypted, so a folder left half converted by a crash is
usable, and converting it again finishes the job. :func:`decrypt_folder` is the reverse.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from companion.audio.recording import info_path
from companion.encryption import MARKER, FolderKey, Marker, forget, is_sealed, seal_file, unseal_file
from companion.errors import CompanionError
from companion.kg.store import STORE_FILE, Store, convert_store, is_plain
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


@dataclass(frozen=True)
class Conversion:
    """What encrypting or decrypting a data folder did."""

    store: bool
    """Whether the meeting store was rewritten (a folder without meetings has none)."""
    files: list[Path]
    """The other files sealed or opened (recordings, their sidecars, exports)."""


def encrypt_folder(data_dir: Path, key: FolderKey, found: Marker) -> Conversion:
    """Encrypt the folder's store and seal its other files with ``key``; ``found`` (its marker, saved before,
    in the ``encrypting`` state) is then saved as ``encrypted``. What is encrypted already is left as it is.

    Raises:
        CompanionError: the store is in use or cannot be converted, or a file cannot be sealed.
    """
    store = data_dir / STORE_FILE
    converted = is_plain(store)
    if converted:
        convert_store(store, None, key.database_key)
    sealed = [_convert(path, seal_file, key) for path in _folder_files(data_dir) if not is_sealed(path)]
    replace(found, state="encrypted").save(data_dir)
    log.info("encrypted %s: the store%s and %d file(s)", data_dir, "" if converted else " (already)", len(sealed))
    return Conversion(converted, sealed)


def decrypt_folder(data_dir: Path, key: FolderKey, found: Marker) -> Conversion:
    """Decrypt the folder's store and open its sealed files; then remove its marker and forget its key in the
    keychain. The marker says ``decrypting`` meanwhile.

    Raises:
        CompanionError: the store is in use or cannot be converted, or a file cannot be opened.
    """
    replace(found, state="decrypting").save(data_dir)
    store = data_dir / STORE_FILE
    converted = store.exists() and not is_plain(store)
    if converted:
        convert_store(store, key.database_key, None)
    opened = [_convert(path, unseal_file, key) for path in _folder_files(data_dir) if is_sealed(path)]
    (data_dir / MARKER).unlink()
    forget(found)
    log.info("decrypted %s: the store and %d file(s)", data_dir, len(opened))
    return Conversion(converted, opened)


def _folder_files(data_dir: Path) -> list[Path]:
    """The data folder's files besides its store and marker (and the temporary files of a write under way)."""
    return sorted(path for path in data_dir.rglob("*") if path.is_file() and not path.is_symlink()
                  and not path.name.startswith(STORE_FILE) and path.name != MARKER
                  and not (path.name.startswith(".") and ".partial" in path.name))


def _convert(path: Path, convert: Callable[[Path, FolderKey], None], key: FolderKey) -> Path:
    try:
        convert(path, key)
    except OSError as error:
        raise CompanionError(f"{path}: cannot convert the file ({error.strerror or error}); it is as it was, "
                             "run the command again") from error
    return path


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
