"""Encrypting and decrypting the open data folder from the settings dialog: a new passphrase typed twice, a
question before decrypting, no conversion while other work runs, and the app working on throughout.

The machine's keychain is kept out (``no_keychain`` of ``tests/test_encryption.py``).
"""

from __future__ import annotations

import threading
from typing import TypeVar

import pytest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget
from pytestqt.qtbot import QtBot
from test_encryption import PASSPHRASE, no_keychain  # noqa: F401 - the autouse fixture, shared

from companion.encryption import PASSPHRASE_VARIABLE, marker
from companion.engine import Engine
from companion.errors import CompanionError
from companion.kg.store import STORE_FILE, is_plain
from companion.ui.folder_encryption import NewPassphraseDialog
from companion.ui.main_window import MainWindow
from companion.ui.settings import SettingsDialog
from companion.ui.workers import call_job

pytestmark = pytest.mark.slow

D = TypeVar("D", bound=QWidget)


def shown(window: MainWindow, kind: type[D], qtbot: QtBot) -> D:
    """The one dialog of ``kind`` the window shows now (waiting for it)."""
    qtbot.waitUntil(lambda: len([d for d in window.findChildren(kind) if d.isVisible()]) == 1, timeout=10_000)
    [dialog] = [d for d in window.findChildren(kind) if d.isVisible()]
    return dialog


def settings(window: MainWindow, qtbot: QtBot) -> SettingsDialog:
    """The settings dialog, once it knows the folder's encryption and nothing else runs in the folder."""
    dialog = window.open_settings()
    qtbot.waitUntil(lambda: dialog.encryption_button.isEnabled() and not window.folder_users(), timeout=20_000)
    return dialog


def meetings_read_by_a_new_engine(window: MainWindow, passphrase: str | None, monkeypatch: pytest.MonkeyPatch
                                  ) -> int:
    """How many Atlas meetings another engine (as the CLI makes) reads from the folder with ``passphrase``."""
    if passphrase is None:
        monkeypatch.delenv(PASSPHRASE_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(PASSPHRASE_VARIABLE, passphrase)
    other = Engine(window.engine.data_dir, runtime=window.engine.runtime, summary_model=None)
    try:
        return len(other.meetings("Atlas"))
    finally:
        other.close()


def test_encrypt_then_decrypt_from_the_settings(window: MainWindow, qtbot: QtBot,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    data = window.engine.data_dir
    dialog = settings(window, qtbot)
    assert (dialog.encryption_state.text(), dialog.encryption_button.text()) == ("Not encrypted", "Encrypt…")
    dialog.encryption_button.click()
    ask = shown(window, NewPassphraseDialog, qtbot)
    encrypt = next(b for b in ask.buttons.buttons() if b.text() == "Encrypt")
    for first, again, problem in (("short", "short", "at least 8"), (PASSPHRASE, PASSPHRASE + "!", "differ")):
        ask.passphrase.setText(first)
        ask.again.setText(again)
        encrypt.click()
        assert ask.isVisible() and problem in ask.error.text()
    assert marker(data) is None
    ask.again.setText(PASSPHRASE)
    with qtbot.waitSignal(window.folder_encryption.converted, timeout=60_000) as converted, \
            qtbot.waitSignal(window.library.loaded, timeout=60_000):
        encrypt.click()
    assert converted.args[0] == "Encrypted the data folder: the meeting store and 0 file(s)."
    found = marker(data)
    assert found is not None and found.state == "encrypted" and not is_plain(data / STORE_FILE)
    assert (dialog.encryption_state.text(), dialog.encryption_button.text()) == ("Encrypted", "Decrypt…")
    assert window.library.list.topLevelItemCount() == 3  # the window reads the store it encrypted
    assert meetings_read_by_a_new_engine(window, PASSPHRASE, monkeypatch) == 3
    with pytest.raises(CompanionError, match="is encrypted"):
        meetings_read_by_a_new_engine(window, None, monkeypatch)

    qtbot.waitUntil(lambda: not window.folder_users(), timeout=20_000)  # the library and team views reloaded
    dialog.encryption_button.click()
    question = shown(window, QMessageBox, qtbot)
    assert "Decrypt the data folder?" in question.text()
    with qtbot.waitSignal(window.folder_encryption.converted, timeout=60_000) as converted:
        next(b for b in question.buttons() if b.text() == "Decrypt").click()
    assert converted.args[0].startswith("Decrypted the data folder")
    assert marker(data) is None and is_plain(data / STORE_FILE)
    assert (dialog.encryption_state.text(), dialog.encryption_button.text()) == ("Not encrypted", "Encrypt…")
    assert meetings_read_by_a_new_engine(window, None, monkeypatch) == 3
    assert window.errors == []


def test_cancel_and_running_work_leave_the_folder_as_it_is(window: MainWindow, qtbot: QtBot) -> None:
    data = window.engine.data_dir
    dialog = settings(window, qtbot)
    dialog.encryption_button.click()
    shown(window, NewPassphraseDialog, qtbot).buttons.button(QDialogButtonBox.StandardButton.Cancel).click()
    release = threading.Event()
    window.tasks.start(lambda _token: call_job(release.wait), "importing a meeting")
    dialog.encryption_button.click()
    wait = shown(window, QMessageBox, qtbot)
    assert wait.text() == "Wait until this is done, then try again: importing a meeting."
    release.set()
    wait.close()
    qtbot.waitUntil(lambda: not window.folder_users(), timeout=10_000)
    assert marker(data) is None and is_plain(data / STORE_FILE) and window.errors == []
