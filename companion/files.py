"""Files written whole or not at all.

Every file the app writes (exports, sidecars, graph and agenda files) goes to a temporary file in the
target's folder, is flushed to disk, and only then renamed over the target. A full disk, a crash or an
exception half-way leaves the earlier file as it was and no temporary file behind. The crash-safe WAV
recorder is the one exception: it appends in place so that a crash loses at most the last second.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; when the block ends it replaces ``path``.

    For libraries that save to a path themselves. The temporary name is hidden and keeps the target's
    suffix (some libraries pick the format by it). After the block the file is synced to disk and renamed
    over ``path`` (keeping an existing file's permissions); if the block or any of that fails, the
    temporary file is removed, ``path`` is untouched and the error propagates. A symbolic link is
    followed: the file it points to is replaced.

    Raises:
        OSError: the temporary file cannot be created, written, synced or renamed.
    """
    target = Path(path).resolve()
    temporary = target.with_name(f".{target.stem[:100]}.{secrets.token_hex(4)}.partial{target.suffix}")
    # O_EXCL: never write into someone else's file; mode 0o666 lets the umask decide, as open() would.
    os.close(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    try:
        yield temporary
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(os.stat(target).st_mode))
        _sync(temporary, os.O_RDWR)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise
    if os.name == "posix":  # make the rename itself durable (Windows cannot open a folder to sync it)
        with contextlib.suppress(OSError):
            _sync(target.parent, os.O_RDONLY)


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8, line ends as given) to ``path`` whole or not at all.

    Raises:
        OSError: the file cannot be written; ``path`` is then as it was.
    """
    with atomic_path(path) as temporary:
        temporary.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _sync(path: Path, flags: int) -> None:
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
