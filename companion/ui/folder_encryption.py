"""Encrypt or decrypt the open data folder from the settings dialog, as ``companion encrypt`` / ``decrypt`` do.

The conversion (:meth:`~companion.engine.Engine.encrypt`, :meth:`~companion.engine.Engine.decrypt`) runs on
a worker behind a progress dialog that keeps the user from starting other work on the folder meanwhile; it
starts only when no other job is running (the model warm-up aside, which never touches the folder), since the
store is closed and rewritten under it. A new passphrase is typed twice; decrypting asks first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QWidget,
)

from companion.errors import CompanionError
from companion.ui.workers import TaskRunner, call_job

if TYPE_CHECKING:
    from companion.encryption import Marker
    from companion.engine import Engine
    from companion.privacy import Conversion

def describe(found: Marker | None) -> str:
    """The folder's encryption in a few words, from its marker."""
    if found is None:
        return "Not encrypted"
    return {"encrypted": "Encrypted", "encrypting": "Encryption unfinished: encrypt again to finish it",
            "decrypting": "Decryption unfinished: decrypt again to finish it"}.get(found.state, found.state)


class NewPassphraseDialog(QDialog):
    """A new passphrase, typed twice, with what losing it means; refuses a short or mistyped one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Encrypt the data folder")
        form = QFormLayout(self)
        warning = QLabel("Encrypt the open data folder in place? Everything in it (meetings, recordings, exports) "
                         "is encrypted with a key derived from this passphrase. Lose the passphrase and nobody can "
                         "read the folder again.")
        warning.setWordWrap(True)
        self.passphrase, self.again = self._field("New passphrase"), self._field("Passphrase again")
        self.error = QLabel()
        self.error.setStyleSheet("color: #d93025;")
        self.error.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton("Encrypt", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._check)
        self.buttons.rejected.connect(self.reject)
        form.addRow(warning)
        form.addRow("Passphrase:", self.passphrase)
        form.addRow("Again:", self.again)
        form.addRow(self.error)
        form.addRow(self.buttons)
        self.setMinimumWidth(460)

    def _field(self, name: str) -> QLineEdit:
        line = QLineEdit()
        line.setEchoMode(QLineEdit.EchoMode.Password)
        line.setAccessibleName(name)
        return line

    def _check(self) -> None:
        from companion.encryption import MIN_PASSPHRASE  # cryptography: loaded when first needed

        chosen = self.passphrase.text()
        problem = (f"Use at least {MIN_PASSPHRASE} characters." if len(chosen) < MIN_PASSPHRASE else
                   "The two passphrases differ." if self.again.text() != chosen else None)
        if problem is None:
            self.accept()
            return
        self.error.setText(problem)
        self.error.show()


class FolderEncryption(QObject):
    """Encrypts or decrypts ``engine``'s data folder on a worker.

    ``busy`` names the jobs that may be using the folder (converting waits until there are none).
    """

    converted = Signal(str)
    """What it did, in a sentence."""
    state_changed = Signal(object)
    """The folder's :class:`~companion.encryption.Marker` after converting (None: not encrypted)."""

    def __init__(self, engine: Engine, tasks: TaskRunner, busy: Callable[[], list[str]], parent: QWidget) -> None:
        super().__init__(parent)
        self.engine, self.tasks, self._busy, self._window = engine, tasks, busy, parent

    def convert(self, found: Marker | None) -> QDialog:
        """Encrypt the folder when ``found`` (its marker now) says it is not, or that encrypting it is
        unfinished; else decrypt it. Returns the dialog it opened (the question, or why it must wait)."""
        busy = self._busy()
        if busy:
            return self._show(QMessageBox(QMessageBox.Icon.Information, "Meeting Companion",
                                          f"Wait until this is done, then try again: {', '.join(busy)}.",
                                          parent=self._window))
        if found is None:
            dialog = NewPassphraseDialog(self._window)
            dialog.accepted.connect(lambda: self._encrypt_with(dialog.passphrase.text()))
            return self._show(dialog)
        if found.state == "encrypting":  # the folder has its key: the engine asks for it if it must
            return self._confirm("Finish encrypting the data folder?", "Encrypt",
                                 lambda: self._run("Encrypting", "Encrypted", self._finish_encrypting))
        return self._confirm("Decrypt the data folder? Everything in it is then stored unencrypted, readable by "
                             "anyone who can read your files, and its key is forgotten.", "Decrypt",
                             lambda: self._run("Decrypting", "Decrypted", self.engine.decrypt))

    def _encrypt_with(self, passphrase: str) -> None:
        self._run("Encrypting", "Encrypted", lambda: self.engine.encrypt(lambda: passphrase))

    def _finish_encrypting(self) -> Conversion:
        return self.engine.encrypt(_no_new_passphrase)

    def _confirm(self, text: str, action: str, run: Callable[[], None]) -> QDialog:
        box = QMessageBox(QMessageBox.Icon.Warning, "Meeting Companion", text, parent=self._window)
        yes = box.addButton(action, QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.buttonClicked.connect(lambda button: run() if button is yes else None)
        return self._show(box)

    def _run(self, doing: str, done: str, convert: Callable[[], Conversion]) -> None:
        """Convert on a worker behind an application-modal progress dialog. It has no Cancel: a conversion
        is safe to interrupt only by a crash (running it again finishes it), not to stop halfway."""
        progress = QProgressDialog(f"{doing} the data folder…", "", 0, 0, self._window)
        progress.setCancelButton(None)  # type: ignore[arg-type]
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        self._show(progress)

        def job() -> tuple[Conversion, Marker | None]:
            from companion.encryption import marker

            conversion = convert()
            return conversion, marker(self.engine.data_dir)

        def failed(_error: Exception) -> None:  # the runner shows the error; the folder stays usable
            progress.close()

        def finished(result: tuple[Conversion, Marker | None]) -> None:
            progress.close()
            conversion, found = result
            store = "the meeting store and " if conversion.store else ""
            self.converted.emit(f"{done} the data folder: {store}{len(conversion.files)} file(s).")
            self.state_changed.emit(found)

        self.tasks.start(lambda _token: call_job(job), f"{doing.lower()} the data folder", on_result=finished,
                         on_error=failed)

    def _show(self, dialog: QDialog) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog


def _no_new_passphrase() -> str:
    """Encrypting a folder whose marker exists never asks for a new passphrase."""
    raise CompanionError("the data folder has its passphrase already")
