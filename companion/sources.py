"""What a meeting file says about itself: the day it was recorded and a digest of its content."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from pathlib import Path

import av

from companion.transcript_files import TRANSCRIPT_SUFFIXES

log = logging.getLogger(__name__)

DATE_IN_NAME = re.compile(r"(?<!\d)((?:19|2\d)\d\d)[-_.]?(\d\d)[-_.]?(\d\d)(?!\d)")
"""A date in a file name: 2024-03-15 (Zoom's "2024-03-15 10.00.00 ..."), 20240315 (Teams' "...-20240315_100000",
Zoom's "GMT20240315-..."), 2024_03_15 or 2024.03.15; years 1900-2999."""
DATE_TAGS = ("creation_time", "date", "ICRD")
"""Container tags that hold a recording's date (MP4/MOV, ID3/Vorbis, WAV's INFO chunk)."""
CHUNK = 1 << 20


def file_date(path: Path) -> str:
    """The day a meeting file was recorded: from its metadata, else its name, else the day it was last written
    (today when even that is unknown); ``YYYY-MM-DD``."""
    for day in (_metadata_date(path), _name_date(path.name)):
        if day is not None:
            return day.isoformat()
    try:
        return dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    except OSError:
        return dt.date.today().isoformat()


def content_hash(path: Path) -> str:
    """The SHA-256 of the file's bytes (hex): the same recording under another name or folder is the same file.

    Raises:
        OSError: the file cannot be read.
    """
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _name_date(name: str) -> dt.date | None:
    for match in DATE_IN_NAME.finditer(name):
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:  # 20241399 is no date; a later match may be
            continue
    return None


def _metadata_date(path: Path) -> dt.date | None:
    """The recording date its container's tags give (only a full date counts; a year alone does not)."""
    if path.suffix.lower() in TRANSCRIPT_SUFFIXES:
        return None
    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            tags = dict(container.metadata)
    except (av.FFmpegError, OSError, UnicodeDecodeError):
        log.debug("%s: no readable metadata", path, exc_info=True)
        return None
    for tag in DATE_TAGS:
        value = tags.get(tag, "")
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            continue
    return None
