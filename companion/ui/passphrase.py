"""Ask for an encrypted data folder's passphrase in a dialog, for an engine that works on worker threads.

The engine unlocks its data folder on first use (:attr:`~companion.engine.Engine.folder_key`), which in the
app happens on a worker thread. :class:`PassphrasePrompt` is the engine's ``ask_passphrase``: called on a
worker, it sends the question to the GUI thread, which shows :class:`PassphraseDialog` without blocking, and
the worker waits for the answer. The worker checks the passphrase (scrypt is too slow for the GUI thread)
and asks again, saying so, while it is wrong. Quitting answers every open question with Cancel, so no
worker is left waiting.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from companion.errors import CompanionError

WAIT_S = 0.1
"""How often a waiting worker looks whether the app is quitting."""


class PassphraseDialog(QDialog):
    """A password field with a message above it (which folder, or that the last try was wrong)."""

    def __init__(self, message: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Encrypted data folder")
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName("Passphrase")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.buttons)
        self.setMinimumWidth(420)


@dataclass
class _Question:
    """One question from a worker; the GUI thread fills in :attr:`answer` (None: cancelled) and sets :attr:`done`."""

    message: str
    answer: str | None = None
    done: threading.Event = field(default_factory=threading.Event)


class PassphrasePrompt(QObject):
    """The app's ``ask_passphrase`` for the data folder ``folder``; create it on the GUI thread.

    Its parent widget (see :meth:`QObject.setParent`) is the dialog's parent.
    """

    _asked = Signal(object)

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.dialog: PassphraseDialog | None = None
        """The question shown now, if any."""
        self._lock = threading.Lock()
        self._closed = False
        self._answered = 0
        """Questions closed so far; with :attr:`_last`, the answer (None: cancelled) of the latest."""
        self._last: str | None = None
        self._asked.connect(self._show)  # queued from a worker: the prompt lives on the GUI thread

    def __call__(self, prompt: str) -> str:
        """The folder's passphrase as the user types it, checked against the folder (called on a worker).

        Raises:
            CompanionError: the user cancelled, the app is quitting, or this is the GUI thread (waiting
                there would freeze the window that asks).
        """
        if QThread.currentThread() is self.thread():
            raise CompanionError(f"{self.folder} is encrypted: the app asks for its passphrase only for work "
                                 "done in the background")
        from companion import encryption  # cryptography: loaded only where a folder is encrypted

        found = encryption.marker(self.folder)
        if found is None:
            raise CompanionError(f"{self.folder} is not encrypted (any more)")
        message = f"The data folder {self.folder} is encrypted. Enter its passphrase to open it."
        seen = self._answered
        with self._lock:  # one question at a time; who waited meanwhile takes its answer, right or cancelled
            while True:
                answer = self._last if self._answered != seen else self._ask(message)
                seen = self._answered
                if answer is None:
                    raise CompanionError(f"{self.folder} is encrypted and no passphrase was given: nothing in it "
                                         "was read or changed")
                if found.fits(found.derive(answer)):
                    return answer
                message = f"Wrong passphrase for {self.folder}. Try again (Cancel leaves the folder closed)."

    def close(self) -> None:
        """The app is quitting: cancel the question shown, and any asked from now on."""
        self._closed = True
        if self.dialog is not None:
            self.dialog.reject()

    def _ask(self, message: str) -> str | None:
        question = _Question(message)
        self._asked.emit(question)
        while not question.done.wait(WAIT_S):
            if self._closed:  # the GUI thread may be waiting for this worker: do not wait for it
                return None
        return question.answer

    def _show(self, question: _Question) -> None:
        """Show the question without blocking (on the GUI thread); its answer goes back when it closes."""
        if self._closed:
            question.done.set()
            return
        parent = self.parent()
        dialog = PassphraseDialog(question.message, parent if isinstance(parent, QWidget) else None)
        self.dialog = dialog

        def finished(result: int) -> None:
            if result == QDialog.DialogCode.Accepted:
                question.answer = dialog.passphrase.text()
            self.dialog = None
            self._answered, self._last = self._answered + 1, question.answer
            question.done.set()
            dialog.deleteLater()

        dialog.finished.connect(finished)
        dialog.open()
