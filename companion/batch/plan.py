"""Which files a batch stores, in which order, and which it skips; and the order results are stored in.

A batch is resumable and idempotent because every file is keyed by its content hash: what the team already
has (:meth:`~companion.kg.store.Store.stored_hashes`) and a second copy of a file in the same batch are
skipped, so a rerun after a crash stores exactly what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from companion.audio.decode import AUDIO_SUFFIXES
from companion.errors import CompanionError
from companion.sources import content_hash, file_date
from companion.transcript_files import TRANSCRIPT_SUFFIXES

MEETING_SUFFIXES = AUDIO_SUFFIXES | TRANSCRIPT_SUFFIXES
T = TypeVar("T")


@dataclass(frozen=True)
class BatchFile:
    """One file of a batch: where it is, the meeting's date and its content hash."""

    path: Path
    date: str
    content_hash: str


@dataclass(frozen=True)
class Skipped:
    """A file the batch leaves alone, and why (one line)."""

    path: Path
    reason: str


@dataclass
class Plan:
    """The files to store, in the order to store them (date, then path), and the files skipped."""

    todo: list[BatchFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def meeting_files(inputs: Sequence[Path]) -> list[Path]:
    """Every audio, video or transcript file the inputs name: files as given, folders searched throughout
    (hidden files and folders left out).

    Raises:
        CompanionError: an input does not exist, or nothing to import was found.
    """
    found: list[Path] = []
    for given in inputs:
        if given.is_dir():
            found += sorted(p for p in given.rglob("*") if p.is_file() and p.suffix.lower() in MEETING_SUFFIXES
                            and not any(part.startswith(".") for part in p.relative_to(given).parts))
        elif given.is_file():
            found.append(given)
        else:
            raise CompanionError(f"{given}: no such file or folder")
    if not found:
        raise CompanionError(f"no audio, video or transcript files in {', '.join(map(str, inputs))}")
    return list(dict.fromkeys(p.resolve() for p in found))


def make_plan(paths: Iterable[Path], stored: Mapping[str, int]) -> Plan:
    """Date and hash every file; skip those the team has (``stored``: meeting id by content hash) and repeats."""
    plan = Plan()
    first: dict[str, Path] = {}
    for path in paths:
        try:
            digest = content_hash(path)
        except OSError as error:
            plan.skipped.append(Skipped(path, f"cannot read the file ({error.strerror or error})"))
            continue
        if digest in stored:
            plan.skipped.append(Skipped(path, f"already stored as meeting {stored[digest]}"))
        elif digest in first:
            plan.skipped.append(Skipped(path, f"same content as {first[digest]}"))
        else:
            first[digest] = path
            plan.todo.append(BatchFile(path, file_date(path), digest))
    plan.todo.sort(key=lambda f: (f.date, str(f.path)))
    return plan


class InOrder(Generic[T]):
    """Hands out results in a fixed order of keys while they arrive in any order.

    A result waits until every key before it has a result or has been given up; the driver stores what
    :meth:`ready` hands out, so meetings are stored in date order whichever worker finishes first.
    """

    def __init__(self, keys: Sequence[str]) -> None:
        self._keys = list(keys)
        self._next = 0
        self._arrived: dict[str, T | None] = {}

    def add(self, key: str, result: T | None) -> None:
        """Record ``key``'s result (None: the key was given up and is passed over)."""
        self._arrived[key] = result

    def ready(self) -> Iterator[T]:
        """The results that may be stored now, in order."""
        while self._next < len(self._keys) and self._keys[self._next] in self._arrived:
            result = self._arrived.pop(self._keys[self._next])
            self._next += 1
            if result is not None:
                yield result

    @property
    def finished(self) -> bool:
        return self._next == len(self._keys)
