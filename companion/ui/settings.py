"""The settings dialog: it edits the one settings file that the app and the command line share
(:mod:`companion.settings`)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from companion.audio.capture import InputDevice
from companion.audio.speak import Voice
from companion.runtime import DEVICE_CHOICES
from companion.settings import Settings, settings_path
from companion.ui.folder_encryption import describe

if TYPE_CHECKING:
    from companion.encryption import Marker
    from companion.engine import Engine

__all__ = ["AppSettings", "SettingsDialog", "describe_runtime", "settings_path"]


AppSettings = Settings
"""The name the app's code used for :class:`companion.settings.Settings` before the CLI shared it."""


class SettingsDialog(QDialog):
    """Edits :class:`~companion.settings.Settings`; model, device and data-folder changes apply at the next start.

    Its **Encrypt…** / **Decrypt…** button acts on the open data folder at once (:attr:`convert_folder`)."""

    convert_folder = Signal(object)
    """(the open data folder's :class:`~companion.encryption.Marker`, None when not encrypted) the user asks to
    encrypt or decrypt it"""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        self.encryption: Marker | None = None
        form = QFormLayout(self)
        self.speech_model = self._line(settings.speech_model, "fast (bundled tiny.en), balanced, accurate, or a folder",
                                       "Speech model")
        self.summary_model = QComboBox(editable=True)
        self.summary_model.addItems(["smollm2", "gpt2", "distilgpt2", "none"])
        self.summary_model.setCurrentText(settings.summary_model)
        self.summary_model.setAccessibleName("Summary model")
        self.device = QComboBox()
        self.device.addItems(list(DEVICE_CHOICES))
        self.device.setCurrentText(settings.device)
        self.device.setAccessibleName("Device")
        self.detected = QLabel("detecting…")
        self.input_device = QComboBox()
        self.input_device.setAccessibleName("Input device")
        self.input_device.addItem("System default", "")
        self.system_audio = QCheckBox("Also record system audio (the other side of a call)")
        self.system_audio.setChecked(settings.system_audio)
        self.data_dir = self._line(settings.data_dir, "platform default", "Data folder")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        data_row = QHBoxLayout()
        data_row.addWidget(self.data_dir)
        data_row.addWidget(browse)
        self.encryption_state = QLabel("checking…")
        self.encryption_button = QPushButton("Encrypt…")
        self.encryption_button.setAccessibleName("Encrypt or decrypt the data folder")
        self.encryption_button.setEnabled(False)  # until the state is known
        self.encryption_button.clicked.connect(lambda: self.convert_folder.emit(self.encryption))
        encryption_row = QHBoxLayout()
        encryption_row.addWidget(self.encryption_state, 1)
        encryption_row.addWidget(self.encryption_button)
        self.voice = QComboBox()
        self.voice.setAccessibleName("Read-aloud voice")
        self.voice.addItem("System default", "")
        self.voice.setToolTip("The voice that reads answers aloud")
        self.keep_in_tray = QCheckBox("Keep running in the tray when the window is closed")
        self.keep_in_tray.setChecked(settings.keep_in_tray)
        self.global_shortcut = QKeySequenceEdit(QKeySequence(settings.global_shortcut))
        self.global_shortcut.setMaximumSequenceLength(1)
        self.global_shortcut.setClearButtonEnabled(True)
        self.global_shortcut.setAccessibleName("Global shortcut")
        self.global_shortcut.setToolTip("Opens Ask from any application; clear it for none")
        self.shortcut_status = QLabel()
        self.shortcut_status.setWordWrap(True)
        form.addRow("Speech model:", self.speech_model)
        form.addRow("Summary model:", self.summary_model)
        form.addRow("Device:", self.device)
        form.addRow("Detected:", self.detected)
        form.addRow("Microphone:", self.input_device)
        form.addRow("", self.system_audio)
        form.addRow("Data folder:", data_row)
        form.addRow("Encryption of the open folder:", encryption_row)
        form.addRow("Read-aloud voice:", self.voice)
        form.addRow("", self.keep_in_tray)
        form.addRow("Ask from anywhere:", self.global_shortcut)
        form.addRow("", self.shortcut_status)
        form.addRow(QLabel("Models, device and data folder apply the next time the app starts."))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def _line(self, value: str, placeholder: str, name: str) -> QLineEdit:
        line = QLineEdit(value)
        line.setPlaceholderText(placeholder)
        line.setAccessibleName(name)
        return line

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Data folder", self.data_dir.text())
        if folder:
            self.data_dir.setText(folder)

    def show_detected(self, text: str) -> None:
        """What the runtime found (device, compute type, any CPU fallback)."""
        self.detected.setText(text)

    def show_encryption(self, found: Marker | None) -> None:
        """Whether the open data folder is encrypted (``found``: its marker), and the button that converts it."""
        self.encryption = found
        self.encryption_state.setText(describe(found))
        decrypt = found is not None and found.state != "encrypting"
        self.encryption_button.setText("Decrypt…" if decrypt else "Encrypt…")
        self.encryption_button.setEnabled(True)

    def show_shortcut_status(self, text: str) -> None:
        """Whether the global shortcut works here, or why not (Wayland, no display ...)."""
        self.shortcut_status.setText(text)

    def show_devices(self, devices: list[InputDevice]) -> None:
        """Fill the microphone list and select the saved one."""
        for d in devices:
            self.input_device.addItem(f"{d.name}{' (default)' if d.is_default else ''}", str(d.index))
        index = self.input_device.findData(self.settings.input_device)
        self.input_device.setCurrentIndex(max(0, index))

    def show_voices(self, voices: list[Voice]) -> None:
        """Fill the read-aloud voices and select the saved one (kept, by its id, when this computer lacks it)."""
        for v in voices:
            self.voice.addItem(v.name, v.id)
        if self.settings.voice and self.voice.findData(self.settings.voice) < 0:
            self.voice.addItem(f"{self.settings.voice} (not on this computer)", self.settings.voice)
        self.voice.setCurrentIndex(max(0, self.voice.findData(self.settings.voice)))

    def result_settings(self) -> Settings:
        """The settings as edited."""
        return replace(
            self.settings, speech_model=self.speech_model.text().strip(),
            summary_model=self.summary_model.currentText().strip(), device=DEVICE_CHOICES[self.device.currentIndex()],
            input_device=str(self.input_device.currentData() or ""), system_audio=self.system_audio.isChecked(),
            data_dir=self.data_dir.text().strip(), voice=str(self.voice.currentData() or ""),
            keep_in_tray=self.keep_in_tray.isChecked(),
            global_shortcut=self.global_shortcut.keySequence().toString(QKeySequence.SequenceFormat.PortableText),
        )


def describe_runtime(engine: Engine) -> str:
    """One line about where models run (read on a worker: deciding it may probe CUDA)."""
    runtime = engine.runtime
    text = f"{runtime.device.upper()} ({runtime.compute_type}, {runtime.cpu_threads} threads)"
    return f"{text}: {runtime.notice}" if runtime.notice else text
