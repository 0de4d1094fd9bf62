"""Encryption at rest of a data folder: its key, and files sealed with authenticated encryption.

A data folder is encrypted when it holds :data:`MARKER`: the salt and parameters of the key derivation and
a check value, never the key. The folder key is derived from the user's passphrase (scrypt); the OS keychain
(``keyring``: Secret Service, Keychain, Credential Manager) remembers it when one is available, so that the
passphrase is asked for only where there is none. HKDF derives from the folder key the store's SQLCipher key
and the key of the sealed files.

A sealed file (a recording, its sidecar, an export) is a header and a stream of chunks, each sealed on its
own with AES-256-GCM (the STREAM construction: a key per file from a random salt; the nonce counts the chunks
and marks the last one, so chunks cannot be reordered, dropped or the file cut short unnoticed). A recorder
seals what it has at each flush: a crash loses only what was not flushed, and a file cut short is read up to
its last whole chunk by a caller that expects an unfinished file (:func:`finish_sealed`).
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from companion.errors import CompanionError
from companion.files import atomic_path, write_atomic

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

MARKER = "encryption.json"
"""The file that says a data folder is encrypted (and how its key is derived)."""
PASSPHRASE_VARIABLE = "COMPANION_PASSPHRASE"
KEYCHAIN_SERVICE = "Meeting Companion"
MIN_PASSPHRASE = 8
MAGIC = b"MCSEAL1\n"
SALT_BYTES = 16
HEADER_BYTES = len(MAGIC) + SALT_BYTES
TAG_BYTES = 16
CHUNK_BYTES = 1 << 20
"""Plaintext per sealed chunk at most (a recorder seals less, at every flush)."""
_LAST = 0x8000_0000
"""The bit of a chunk's length prefix that marks the last chunk (the nonce marks it too)."""
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
Ask = Callable[[str], str]
"""Asks the user for a passphrase with a prompt (the CLI's getpass); raises CompanionError when it cannot."""


@dataclass(frozen=True, repr=False)
class FolderKey:
    """A data folder's 32-byte key; the keys of the store and of the files derive from it."""

    secret: bytes

    def _derive(self, purpose: str) -> bytes:
        return HKDF(hashes.SHA256(), 32, None, f"meeting-companion {purpose}".encode()).derive(self.secret)

    @property
    def database_key(self) -> str:
        """SQLCipher's raw-key form (``x'...'``): SQLCipher uses it as is, without its own slow derivation."""
        return f"x'{self._derive('store').hex()}'"

    @property
    def file_key(self) -> bytes:
        return self._derive("files")

    @property
    def check(self) -> str:
        """A value the marker keeps to tell a wrong key from the right one (it reveals nothing of the key)."""
        return self._derive("check").hex()


@dataclass(frozen=True)
class Marker:
    """What :data:`MARKER` holds."""

    folder_id: str
    """Names the folder's key in the keychain."""
    salt: str
    n: int
    r: int
    p: int
    check: str
    state: str = "encrypted"
    """``encrypting`` or ``decrypting`` while a conversion is unfinished (run it again), else ``encrypted``."""

    def save(self, folder: Path) -> None:
        write_atomic(folder / MARKER, json.dumps(asdict(self), indent=2))

    def derive(self, passphrase: str) -> FolderKey:
        scrypt = Scrypt(bytes.fromhex(self.salt), 32, self.n, self.r, self.p)
        return FolderKey(scrypt.derive(passphrase.encode("utf-8")))

    def fits(self, key: FolderKey) -> bool:
        return hmac.compare_digest(key.check, self.check)


def marker(folder: Path) -> Marker | None:
    """The folder's marker; None when the folder is not encrypted.

    Raises:
        CompanionError: the marker cannot be read or is damaged.
    """
    path = folder / MARKER
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Marker(**data)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as error:
        raise CompanionError(f"{path}: cannot read how the data folder is encrypted ({error}); restore it from "
                             "a backup of the folder") from error


def new_key(passphrase: str) -> tuple[FolderKey, Marker]:
    """A new folder key derived from ``passphrase``, with the marker that finds it again.

    Raises:
        CompanionError: the passphrase is shorter than :data:`MIN_PASSPHRASE` characters.
    """
    if len(passphrase) < MIN_PASSPHRASE:
        raise CompanionError(f"the passphrase is too short: use at least {MIN_PASSPHRASE} characters")
    draft = Marker(uuid.uuid4().hex, secrets.token_hex(SALT_BYTES), SCRYPT_N, SCRYPT_R, SCRYPT_P, "", "encrypting")
    key = draft.derive(passphrase)
    return key, replace(draft, check=key.check)


def unlock(folder: Path, ask: Ask | None = None) -> FolderKey | None:
    """The folder's key (None when it is not encrypted): from the keychain, else from the passphrase in
    :data:`PASSPHRASE_VARIABLE`, else from ``ask``. A key from a passphrase is remembered in the keychain.

    Raises:
        CompanionError: the passphrase is wrong, or there is no way to get it; nothing has been read.
    """
    found = marker(folder)
    if found is None:
        return None
    remembered = _keychain_get(found.folder_id)
    if remembered is not None and found.fits(remembered):
        return remembered
    key = found.derive(passphrase(folder, ask, f"Passphrase of {folder}: "))
    if not found.fits(key):
        raise CompanionError(f"{folder}: wrong passphrase for the encrypted data folder")
    remember(found, key)
    return key


def passphrase(folder: Path, ask: Ask | None, prompt: str) -> str:
    """The passphrase from :data:`PASSPHRASE_VARIABLE`, else from ``ask``.

    Raises:
        CompanionError: neither gives one.
    """
    given = os.environ.get(PASSPHRASE_VARIABLE)
    if given:
        return given
    if ask is None:
        raise CompanionError(f"{folder} is encrypted: set {PASSPHRASE_VARIABLE} or run the command on a terminal "
                             "to be asked for the passphrase")
    return ask(prompt)


def remember(found: Marker, key: FolderKey) -> bool:
    """Keep the folder key in the OS keychain when there is one; True when it is kept."""
    backend = _keychain()
    if backend is None:
        return False
    try:
        backend.set_password(KEYCHAIN_SERVICE, found.folder_id, key.secret.hex())
    except Exception as error:  # keyring's backends raise their own errors (D-Bus, a locked keychain ...)
        log.warning("cannot keep the data folder's key in the keychain: %s", error)
        return False
    return True


def forget(found: Marker) -> None:
    """Remove the folder key from the keychain (after decrypting), when it is there."""
    backend = _keychain()
    if backend is None:
        return
    try:
        backend.delete_password(KEYCHAIN_SERVICE, found.folder_id)
    except Exception as error:  # not there, or the keychain refused: nothing of the folder depends on it
        log.info("keychain: %s", error)


def _keychain_get(folder_id: str) -> FolderKey | None:
    backend = _keychain()
    if backend is None:
        return None
    try:
        stored = backend.get_password(KEYCHAIN_SERVICE, folder_id)
        return None if stored is None else FolderKey(bytes.fromhex(stored))
    except Exception as error:  # a locked or broken keychain: fall back to the passphrase
        log.warning("cannot read the data folder's key from the keychain: %s", error)
        return None


def _keychain() -> KeyringBackend | None:
    """The OS keychain's keyring backend; None where there is none (keyring's fail and null backends)."""
    import keyring

    backend = keyring.get_keyring()
    return backend if getattr(backend, "priority", 0) > 0 else None


# Sealed files.


def is_sealed(path: Path) -> bool:
    """Whether ``path`` is a sealed file (False for any other file, and for one that cannot be read)."""
    try:
        with open(path, "rb") as file:
            return file.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


class _Sealer:
    """Seals the chunks of one file in order."""

    def __init__(self, key: FolderKey, salt: bytes, counter: int = 0) -> None:
        file_key = HKDF(hashes.SHA256(), 32, salt, b"meeting-companion file").derive(key.file_key)
        self.aead = AESGCM(file_key)
        self.counter = counter

    def seal(self, data: bytes, last: bool) -> bytes:
        sealed = self.aead.encrypt(_nonce(self.counter, last), data, None)
        self.counter += 1
        return (len(sealed) | (_LAST if last else 0)).to_bytes(4, "big") + sealed

    def open(self, sealed: bytes, last: bool) -> bytes:
        data = self.aead.decrypt(_nonce(self.counter, last), sealed, None)
        self.counter += 1
        return data


def _nonce(counter: int, last: bool) -> bytes:
    return counter.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


class SealedWriter:
    """A sealed file written as data arrives: what :meth:`write` gives is sealed as one chunk at each
    :meth:`flush` (or when it reaches :data:`CHUNK_BYTES`); :meth:`close` seals the last chunk."""

    def __init__(self, path: Path, key: FolderKey) -> None:
        salt = secrets.token_bytes(SALT_BYTES)
        self._sealer = _Sealer(key, salt)
        self._buffer = bytearray()
        self._file: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed in close()
        self._file.write(MAGIC + salt)

    def write(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self._seal(last=False)

    def flush(self) -> None:
        """Seal what was written since the last flush and put it on disk (it then survives a crash)."""
        if self._buffer:
            self._seal(last=False)
        self._file.flush()
        os.fsync(self._file.fileno())

    def close(self) -> None:
        if self._file.closed:
            return
        self._seal(last=True)
        self.flush()
        self._file.close()

    @property
    def closed(self) -> bool:
        return self._file.closed

    def _seal(self, last: bool) -> None:
        self._file.write(self._sealer.seal(bytes(self._buffer), last))
        self._buffer.clear()


def _chunks(file: BinaryIO, key: FolderKey, path: Path, *, finished: bool) -> Iterator[tuple[bytes, int, bool]]:
    """Open the chunks of a sealed file: each chunk's data, the file offset after it, and whether it is the last.

    A file cut short (a torn chunk, or no last chunk) ends quietly unless ``finished`` is asked.
    """
    header = file.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES or header[: len(MAGIC)] != MAGIC:
        raise CompanionError(f"{path}: not a file this app encrypted")
    sealer = _Sealer(key, header[len(MAGIC):])
    while True:
        prefix = file.read(4)
        word = int.from_bytes(prefix, "big")
        size, last = word & ~_LAST, bool(word & _LAST)
        sealed = file.read(size) if len(prefix) == 4 else b""
        if len(prefix) < 4 or len(sealed) < size:  # no last chunk, or a torn one
            if finished:
                raise CompanionError(f"{path}: the encrypted file is cut short")
            return
        if size < TAG_BYTES:
            raise CompanionError(f"{path}: the encrypted file is damaged")
        try:
            data = sealer.open(sealed, last)
        except InvalidTag:
            if finished or file.read(1):  # only a torn tail may fail; anything before it is tampering
                raise CompanionError(f"{path}: cannot be decrypted (a wrong key, or the file is damaged)") from None
            return
        yield data, file.tell(), last
        if last:
            if file.read(1):
                raise CompanionError(f"{path}: the encrypted file has data after its end")
            return


def read_sealed(path: Path, key: FolderKey, *, finished: bool = True) -> bytes:
    """The plaintext of a sealed file (up to its last whole chunk when ``finished`` is False).

    Raises:
        CompanionError: the key is wrong, or the file is damaged or (when ``finished``) cut short.
    """
    with open(path, "rb") as file:
        return b"".join(data for data, _, _ in _chunks(file, key, path, finished=finished))


def read_file(path: Path, key: FolderKey | None) -> bytes:
    """A file's bytes, opened when it is sealed.

    Raises:
        CompanionError: it is sealed and there is no key, or the key is wrong.
        OSError: it cannot be read.
    """
    if not is_sealed(path):
        return path.read_bytes()
    if key is None:
        raise CompanionError(f"{path} is encrypted: it needs its data folder's key")
    return read_sealed(path, key)


def write_file(path: Path, data: bytes, key: FolderKey | None) -> None:
    """Write ``data`` whole or not at all (see :func:`~companion.files.atomic_path`); sealed when there is a key."""
    if key is None:
        write_atomic(path, data)
        return
    with atomic_path(path) as temporary:
        writer = SealedWriter(temporary, key)
        for start in range(0, len(data), CHUNK_BYTES):
            writer.write(data[start:start + CHUNK_BYTES])
        writer.close()


def finish_sealed(path: Path, key: FolderKey) -> bytes:
    """Make a sealed file a crash cut short whole again: drop a torn last chunk and seal an empty last one.
    Returns its plaintext."""
    with open(path, "r+b") as file:
        parts: list[bytes] = []
        end, last = HEADER_BYTES, False
        for data, after, is_last in _chunks(file, key, path, finished=False):
            parts.append(data)
            end, last = after, is_last
        if not last:
            file.seek(len(MAGIC))
            sealer = _Sealer(key, file.read(SALT_BYTES), counter=len(parts))
            file.seek(end)
            file.truncate()
            file.write(sealer.seal(b"", last=True))
            file.flush()
            os.fsync(file.fileno())
    return b"".join(parts)


def seal_file(source: Path, key: FolderKey) -> None:
    """Replace a plain file with its sealed form, streamed; the file is replaced whole or not at all."""
    with atomic_path(source) as temporary, open(source, "rb") as plain:
        writer = SealedWriter(temporary, key)
        while block := plain.read(CHUNK_BYTES):
            writer.write(block)
        writer.close()


def unseal_file(source: Path, key: FolderKey) -> None:
    """Replace a sealed file with its plaintext, streamed; the file is replaced whole or not at all. A file
    a crash cut short (an unfinished recording) keeps what it holds."""
    with atomic_path(source) as temporary, open(source, "rb") as sealed, open(temporary, "wb") as plain:
        for data, _, _ in _chunks(sealed, key, source, finished=False):
            plain.write(data)
