"""Encryption at rest: sealed files, the encrypted store, converting a folder (and a conversion cut short),
the key from the keychain or a passphrase, and a folder in which nothing of a meeting can be read without it."""

from __future__ import annotations

import hashlib
import json
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import tone, write_wav
from keyring.backend import KeyringBackend
from kg_helpers import ORION_1, ORION_2, ORION_PEOPLE, process_orion, process_text
from pulse import VirtualMicrophone, record_then_kill
from test_privacy import SECRET, SECRET_WORDS, SPEECH_WORDS, files_holding, one_error, store_recording
from test_recording import virtual_microphone  # noqa: F401 - the module's PulseAudio fixture, shared

from companion import encryption, privacy
from companion.audio.capture import ArraySource
from companion.audio.decode import SAMPLE_RATE, decode_audio
from companion.audio.recording import Recording, RecordingInfo, info_path, recover_recording, unfinished_recordings
from companion.audio.wavfile import WavAppender, repair_wav
from companion.encryption import MARKER, PASSPHRASE_VARIABLE, SealedWriter, is_sealed, read_sealed
from companion.engine import Engine
from companion.errors import CompanionError, InputError
from companion.kg.store import STORE_FILE, Store, is_plain

PASSPHRASE = "correct horse battery"
HEADERS = (b"RIFF", b"WAVE")
COMPANION = str(Path(sys.executable).with_name("companion"))


@pytest.fixture(autouse=True)
def no_keychain(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads or writes the keychain of the machine it runs on (commands run as subprocesses neither)."""
    import keyring
    from keyring.backends import null

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    monkeypatch.delenv(PASSPHRASE_VARIABLE, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(null.Keyring())  # type: ignore[no-untyped-call]
    yield
    keyring.set_keyring(previous)


class MemoryKeyring(KeyringBackend):
    """A keychain in memory, through keyring's own backend interface (no OS keychain runs on a test machine)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[service, username] = password

    def delete_password(self, service: str, username: str) -> None:
        del self.entries[service, username]


def key() -> encryption.FolderKey:
    return encryption.new_key(PASSPHRASE)[0]


def cli(data: Path, *args: object, passphrase: str | None = PASSPHRASE) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != PASSPHRASE_VARIABLE}
    if passphrase is not None:
        env[PASSPHRASE_VARIABLE] = passphrase
    return subprocess.run([sys.executable, "-m", "companion", "--data-dir", str(data), *map(str, args)], env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300,
                          start_new_session=True)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def holding(folder: Path, needles: tuple[bytes, ...]) -> list[str]:
    """Files under ``folder`` whose bytes hold one of ``needles`` (as they are, case and all)."""
    return [f"{p.relative_to(folder)}: {n!r}" for p in sorted(folder.rglob("*")) if p.is_file()
            for n in needles if n in p.read_bytes()]


# --- sealed files ---------------------------------------------------------------------------------------


def test_a_sealed_file_opens_only_whole_in_order_and_with_its_key(tmp_path: Path) -> None:
    folder_key, path = key(), tmp_path / "f.bin"
    writer = SealedWriter(path, folder_key)
    for part in (b"RIFF first", b"second" * 1000, b"third"):
        writer.write(part)
        writer.flush()
    writer.close()
    whole = b"RIFF first" + b"second" * 1000 + b"third"
    assert read_sealed(path, folder_key) == whole and b"RIFF" not in path.read_bytes()
    with pytest.raises(CompanionError, match="cannot be decrypted"):
        read_sealed(path, key())  # another key: same passphrase, another salt
    sealed = path.read_bytes()
    for damaged in (sealed[:100] + bytes([sealed[100] ^ 1]) + sealed[101:],  # a flipped bit
                    sealed[:-20]):  # cut short: the last chunk is torn
        path.write_bytes(damaged)
        with pytest.raises(CompanionError):
            read_sealed(path, folder_key)
    first = encryption.HEADER_BYTES + 4 + len(b"RIFF first") + encryption.TAG_BYTES
    path.write_bytes(sealed[:first])  # whole chunks, but not the last one: a crash, or someone cut it
    with pytest.raises(CompanionError, match="cut short"):
        read_sealed(path, folder_key)
    assert read_sealed(path, folder_key, finished=False) == b"RIFF first"


def test_a_sealed_recording_cut_by_a_crash_keeps_every_flushed_chunk(tmp_path: Path) -> None:
    folder_key, path = key(), tmp_path / "a.recording.wav"
    writer = WavAppender(path, channels=2, rate=SAMPLE_RATE, key=folder_key)
    writer.write(np.full((SAMPLE_RATE * 3, 2), 0.25, np.float32))
    writer.flush()
    writer.write(np.full((SAMPLE_RATE, 2), 0.25, np.float32))  # ... never flushed: the process dies
    with open(path, "ab") as torn:
        torn.write(b"\x00\x01\x00\x10half a chunk")
    assert not holding(tmp_path, HEADERS)
    with pytest.raises(ValueError, match="key"):
        repair_wav(path)
    assert repair_wav(path, folder_key) == pytest.approx(3.0)
    assert len(decode_audio(path.rename(tmp_path / "a.wav"), folder_key)) == 3 * SAMPLE_RATE
    with pytest.raises(InputError, match="encrypted"):
        decode_audio(tmp_path / "a.wav")


def test_recording_into_an_encrypted_folder_seals_the_audio_and_its_info(tmp_path: Path) -> None:
    folder_key = key()
    recording = Recording(tmp_path, RecordingInfo("Atlas", "Quokka sync", "2026-03-02", ["Ann"]),
                          ArraySource(tone(2.0), realtime=False), key=folder_key)
    recording.start()
    time.sleep(1.0)  # the writer flushed; stop() is never called: as if the process died
    assert not files_holding(tmp_path, ("quokka", "atlas")) and not holding(tmp_path, HEADERS)
    assert unfinished_recordings(tmp_path) == unfinished_recordings(tmp_path, folder_key) == [recording.path]
    path, info, seconds = recover_recording(recording.path, folder_key)
    assert seconds == pytest.approx(2.0, abs=0.06) and (info.team, info.title) == ("Atlas", "Quokka sync")
    assert len(decode_audio(path, folder_key)) == pytest.approx(2.0 * SAMPLE_RATE, abs=0.06 * SAMPLE_RATE)
    assert is_sealed(path) and is_sealed(info_path(path))


# --- the folder: through the command line ---------------------------------------------------------------


def test_an_encrypted_folder_shows_nothing_without_its_key_and_works_as_before_with_it(
        tmp_path: Path, shared_data: Path) -> None:
    data, inputs = tmp_path / "data", tmp_path / "in"
    inputs.mkdir()
    for name, text in (("orion-1", ORION_1), ("secret", SECRET), ("orion-2", ORION_2)):
        (inputs / f"{name}.txt").write_text(text, encoding="utf-8")
    people = [",".join(p) for p in ORION_PEOPLE]
    ok(cli(data, "process", inputs / "orion-1.txt", "--team", "Orion", "--date", "2026-05-04", "--participants",
           people[0]))
    ok(cli(data, "process", inputs / "secret.txt", "--team", "Orion", "--date", "2026-05-06", "--participants",
           "Lena,Tomasz"))
    recording = store_recording(data, shared_data / "speech/jfk.flac", "20260507-100000")
    ok(cli(data, "process", recording, "--team", "Orion", "--title", "Zanzibar review", "--date", "2026-05-07",
           "--no-speakers"))
    exported = data / "exports" / "secret.md"
    exported.parent.mkdir()
    ok(cli(data, "minutes", "2", "-o", exported))

    def outputs() -> list[str]:
        return [ok(cli(data, "meetings", "--team", "Orion", "--json")),
                *(ok(cli(data, "minutes", i, "--format", "json")) for i in (1, 2, 3)),
                ok(cli(data, "ask", "Who audits the Quokka ledger?", "--team", "Orion", "--json")),
                ok(cli(data, "agenda", "--team", "Orion", "--date", "2026-05-18", "--format", "json"))]

    before, plain_export = outputs(), exported.read_bytes()
    assert files_holding(data, SECRET_WORDS + SPEECH_WORDS) and holding(data, HEADERS)  # the search can find them

    assert "encrypted" in ok(cli(data, "encrypt"))
    assert files_holding(data, SECRET_WORDS + SPEECH_WORDS) == [] and holding(data, HEADERS) == []
    assert json.loads((data / MARKER).read_text())["state"] == "encrypted"

    stored = fingerprint(data)
    for command in (("meetings", "--team", "Orion"), ("minutes", "2"), ("transcribe", recording)):
        one_error(cli(data, *command, passphrase=None), PASSPHRASE_VARIABLE)
        one_error(cli(data, *command, passphrase="wrong horse battery"), "wrong passphrase")
    one_error(cli(data, "encrypt"), "encrypted already")
    assert fingerprint(data) == stored  # a wrong or missing key touched nothing

    assert outputs() == before
    assert "fellow Americans" in ok(cli(data, "transcribe", recording))
    ok(cli(data, "minutes", "2", "-o", data / "exports" / "again.md"))  # an export into the folder is sealed
    assert is_sealed(data / "exports" / "again.md")
    assert read_sealed(data / "exports" / "again.md", unlocked(data)) == plain_export
    ok(cli(data, "process", inputs / "orion-2.txt", "--team", "Orion", "--date", "2026-05-11", "--participants",
           people[1]))
    assert files_holding(data, SECRET_WORDS + SPEECH_WORDS + ("postgresql",)) == [] and not holding(data, HEADERS)
    assert "ok       encryption: encrypted" in cli(data, "doctor").stdout
    ok(cli(data, "backup", tmp_path / "backup.db"))  # a copy of the store, encrypted with the same key
    copy = (tmp_path / "backup.db").read_bytes().lower()
    assert not is_plain(tmp_path / "backup.db") and not any(word.encode() in copy for word in SECRET_WORDS)
    backup = Store(tmp_path / "backup.db", unlocked(data).database_key)
    assert len(backup.meetings("Orion")) == 4
    backup.close()

    assert "decrypted" in ok(cli(data, "decrypt"))
    assert not (data / MARKER).exists() and is_plain(data / STORE_FILE)
    assert outputs()[1:4] == before[1:4] and exported.read_bytes() == plain_export
    assert "fellow Americans" in ok(cli(data, "transcribe", recording, passphrase=None))


def unlocked(data: Path) -> encryption.FolderKey:
    folder_key = encryption.unlock(data, lambda prompt: PASSPHRASE)
    assert folder_key is not None
    return folder_key


def on_terminal(data: Path, answers: list[str], *args: str) -> tuple[int, str]:
    """Run a command on a terminal of its own (a pty), typing each answer once it asks for a passphrase;
    return its exit code and everything it showed there."""
    leader, follower = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != PASSPHRASE_VARIABLE}
    process = subprocess.Popen([sys.executable, "-m", "companion", "--data-dir", str(data), *args], env=env,
                               stdin=follower, stdout=follower, stderr=follower, start_new_session=True)
    os.close(follower)
    shown, typed = b"", 0
    try:
        while process.poll() is None or select.select([leader], [], [], 0)[0]:
            if select.select([leader], [], [], 1)[0]:
                try:
                    shown += os.read(leader, 4096)
                except OSError:  # the command ended and closed its terminal
                    break
            asked = sum(shown.count(prompt) for prompt in (b"assphrase for", b"assphrase of", b"Again, to be sure"))
            if typed < min(asked, len(answers)):
                os.write(leader, answers[typed].encode() + b"\n")
                typed += 1
        return process.wait(timeout=60), shown.decode()
    finally:
        os.close(leader)


def test_the_passphrase_is_asked_on_the_terminal_twice_for_a_new_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (tmp_path / "a.txt").write_text(ORION_1, encoding="utf-8")
    ok(cli(data, "process", tmp_path / "a.txt", "--team", "Orion", "--date", "2026-05-04"))
    one_error(cli(data, "encrypt", passphrase=None), PASSPHRASE_VARIABLE)  # no terminal, no variable
    for answers, problem in ((["first passphrase", "second passphrase"], "differ"), (["short", "short"], "too short")):
        code, shown = on_terminal(data, answers, "encrypt")
        assert code == 1 and "companion: error: " in shown and problem in shown, shown
    assert not (data / MARKER).exists() and is_plain(data / STORE_FILE)
    code, shown = on_terminal(data, [PASSPHRASE, PASSPHRASE], "encrypt")
    assert code == 0 and "New passphrase" in shown and PASSPHRASE not in shown, shown  # not echoed
    code, shown = on_terminal(data, [PASSPHRASE], "meetings", "--team", "Orion")
    assert code == 0 and "Lena, Tomasz" in shown, shown
    code, shown = on_terminal(data, ["not the passphrase"], "meetings", "--team", "Orion")
    assert code == 1 and "wrong passphrase" in shown, shown


# --- the folder: through the engine ----------------------------------------------------------------------


def folder_with_files(engine: Engine, tmp_path: Path) -> list[Path]:
    """Two meetings and, in the data folder, a recording with its sidecar and an export."""
    process_orion(engine, tmp_path)
    folder = engine.data_dir / "recordings"
    folder.mkdir()
    wav = write_wav(folder / "20260507-100000.wav", tone(1.0))
    RecordingInfo("Orion", "Zanzibar review", "2026-05-07").save(info_path(wav))
    export = engine.data_dir / "minutes-1.md"
    engine.save_export(export, "# Orion: the Quokka ledger\n")
    return [export, wav, info_path(wav)]


def one_then_failing(convert: Callable[[Path, encryption.FolderKey], None],
                     error: OSError) -> Callable[[Path, encryption.FolderKey], None]:
    """``convert`` (sealing or unsealing a file) that works once, then fails with ``error``: a crash midway."""
    done: list[Path] = []

    def convert_one_then_fail(path: Path, folder_key: encryption.FolderKey) -> None:
        if done:
            raise error
        convert(path, folder_key)
        done.append(path)

    return convert_one_then_fail


def test_an_interrupted_encryption_leaves_the_folder_usable_and_finishes_when_run_again(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = folder_with_files(engine, tmp_path)
    meetings = engine.meetings("Orion")
    app = subprocess.Popen(  # the app, still open on the folder in another process
        [sys.executable, "-c", "import sys; from companion.kg.store import Store; "
         "store = Store(sys.argv[1]); print(len(store.meetings('Orion')), flush=True); sys.stdin.read(); "
         "print(len(store.meetings('Orion')))", str(engine.data_dir / STORE_FILE)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert app.stdout is not None and app.stdout.readline().strip() == "2"
    with pytest.raises(CompanionError, match="in use"):
        engine.encrypt(lambda: PASSPHRASE)
    assert app.communicate("", timeout=60)[0].strip() == "2" and is_plain(engine.data_dir / STORE_FILE)

    monkeypatch.setattr(privacy, "seal_file", one_then_failing(encryption.seal_file,
                                                               OSError(28, "No space left on device")))
    with pytest.raises(CompanionError, match="run the command again"):
        engine.encrypt(lambda: PASSPHRASE)
    assert [is_sealed(p) for p in files] == [True, False, False] and not is_plain(engine.data_dir / STORE_FILE)

    monkeypatch.setenv(PASSPHRASE_VARIABLE, PASSPHRASE)
    half = Engine(engine.data_dir, runtime=engine.runtime, summary_model=None)
    try:
        assert half.meetings("Orion") == meetings and len(half.audio(files[1])) == SAMPLE_RATE
        [finding] = [f for f in half.doctor() if f.check == "encryption"]
        assert not finding.ok and "companion encrypt" in finding.advice
        monkeypatch.setattr(privacy, "seal_file", encryption.seal_file)
        conversion = half.encrypt(lambda: "never asked: the folder has its key")
        assert set(conversion.files) == set(files[1:]) and not conversion.store
        assert all(map(is_sealed, files)) and encryption.marker(engine.data_dir).state == "encrypted"  # type: ignore[union-attr]
        assert half.meetings("Orion") == meetings and len(half.audio(files[1])) == SAMPLE_RATE
        assert files_holding(engine.data_dir, ("quokka", "zanzibar")) == []
    finally:
        half.close()


def test_an_interrupted_decryption_leaves_the_folder_usable_and_finishes_when_run_again(
        engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = folder_with_files(engine, tmp_path)
    meetings = engine.meetings("Orion")
    engine.encrypt(lambda: PASSPHRASE)
    assert all(map(is_sealed, files))
    monkeypatch.setattr(privacy, "unseal_file", one_then_failing(encryption.unseal_file,
                                                                 OSError(13, "Permission denied")))
    with pytest.raises(CompanionError, match="Permission denied"):
        engine.decrypt()
    assert is_plain(engine.data_dir / STORE_FILE) and [is_sealed(p) for p in files] == [False, True, True]
    assert engine.meetings("Orion") == meetings and len(engine.audio(files[1])) == SAMPLE_RATE
    monkeypatch.setattr(privacy, "unseal_file", encryption.unseal_file)
    engine.decrypt()
    assert not any(map(is_sealed, files)) and not (engine.data_dir / MARKER).exists()
    assert files[0].read_text() == "# Orion: the Quokka ledger\n" and engine.meetings("Orion") == meetings


def test_the_keychain_keeps_the_key_so_the_passphrase_is_asked_once(engine: Engine, tmp_path: Path) -> None:
    import keyring

    keychain = MemoryKeyring()
    keyring.set_keyring(keychain)
    process_text(engine, tmp_path, "orion-1", ORION_1, "Orion", "2026-05-04", ORION_PEOPLE[0])
    engine.encrypt(lambda: PASSPHRASE)
    assert len(keychain.entries) == 1 and PASSPHRASE not in json.dumps(list(keychain.entries.values()))

    def never(prompt: str) -> str:
        raise AssertionError(f"asked: {prompt}")

    again = Engine(engine.data_dir, runtime=engine.runtime, summary_model=None, ask_passphrase=never)
    try:
        assert [m.title for m in again.meetings("Orion")] == ["orion-1"]
    finally:
        again.close()
    [entry] = keychain.entries
    keychain.entries[entry] = key().secret.hex()  # a stale key (the folder was restored elsewhere): asked then
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return PASSPHRASE

    fresh = Engine(engine.data_dir, runtime=engine.runtime, summary_model=None, ask_passphrase=ask)
    try:
        assert [m.title for m in fresh.meetings("Orion")] == ["orion-1"] and len(asked) == 1
        fresh.decrypt()
    finally:
        fresh.close()
    assert keychain.entries == {}


def test_a_wrong_key_is_refused_before_anything_is_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    folder_key, marker = encryption.new_key(PASSPHRASE)
    marker.save(data)
    store = Store(data / STORE_FILE, folder_key.database_key)
    store.close()
    with pytest.raises(CompanionError, match="wrong passphrase"):
        encryption.unlock(data, lambda prompt: "a wrong passphrase")
    with pytest.raises(CompanionError, match="cannot be decrypted"):
        Store(data / STORE_FILE, key().database_key)
    with pytest.raises(CompanionError, match="damaged"):
        Store(data / STORE_FILE)  # no key: not a database SQLite can read


# --- a real input stream killed mid-meeting ---------------------------------------------------------------


@pytest.mark.slow
def test_kill_9_mid_meeting_in_an_encrypted_folder_loses_at_most_a_second(
        virtual_microphone: VirtualMicrophone, tmp_path: Path, shared_data: Path) -> None:  # noqa: F811
    data = tmp_path / "data"
    env = {**virtual_microphone.env, PASSPHRASE_VARIABLE: PASSPHRASE,
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    encrypted = subprocess.run([COMPANION, "--data-dir", str(data), "encrypt"], env=env, capture_output=True,
                               text=True, timeout=60)
    assert encrypted.returncode == 0, encrypted.stderr
    command = [COMPANION, "--data-dir", str(data), "--summary-model", "none", "record", "--team", "Atlas",
               "--title", "Quokka crash", "--input-device", "pulse"]
    spoken = record_then_kill(virtual_microphone, command, env, decode_audio(shared_data / "speech/jfk.flac"))
    assert files_holding(data, ("quokka", "americans")) == [] and holding(data, HEADERS) == []
    recover = subprocess.run([COMPANION, "--data-dir", str(data), "--summary-model", "none", "recover"],
                             capture_output=True, text=True, timeout=120, env=env)
    assert recover.returncode == 0, recover.stderr
    [recovered] = data.glob("recordings/*.wav")
    assert len(decode_audio(recovered, unlocked(data))) / SAMPLE_RATE >= spoken - 1.0
    transcript = subprocess.run([COMPANION, "--data-dir", str(data), "transcript", "1"], capture_output=True,
                                text=True, timeout=60, check=True, env=env).stdout
    assert "fellow Americans" in transcript
    assert files_holding(data, ("quokka", "americans")) == [] and holding(data, HEADERS) == []
