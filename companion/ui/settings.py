"""The app's settings, persisted with QSettings in the platform config dir, and the dialog that edits them."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs
from PySide6.QtCore import QSettings
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
from companion.runtime import APP_NAME, DEVICE_CHOICES
from companion.ui.hotkey import DEFAULT_SHORTCUT

if TYPE_CHECKING:
    from companion.engine import Engine

log = logging.getLogger(__name__)


def settings_path() -> Path:
    """``settings.ini`` in ``$COMPANION_CONFIG_DIR``, else in the platform config dir (``~/.config/meeting-companion``
    on Linux); tests and benchmarks point the variable at a temporary folder so they never touch the user's."""
    folder = os.environ.get("COMPANION_CONFIG_DIR") or platformdirs.user_config_dir(APP_NAME)
    return Path(folder).expanduser() / "settings.ini"


@dataclass
class AppSettings:
    """What the user chose; empty strings mean "the default"."""

    speech_model: str = ""
    """faster-whisper model name or folder; empty: the bundled tiny.en."""
    summary_model: str = "none"
    """``smollm2`` (bundled), ``gpt2``, a folder, or ``none``."""
    device: str = "auto"
    input_device: str = ""
    system_audio: bool = False
    data_dir: str = ""
    voice: str = ""
    keep_in_tray: bool = True
    team: str = ""
    global_shortcut: str = DEFAULT_SHORTCUT
    """Opens Ask from any application, as Qt writes it (``Ctrl+Alt+K``); empty: none."""

    @classmethod
    def load(cls, path: Path | None = None) -> AppSettings:
        """Read the settings file (defaults for anything missing or unreadable)."""
        store = QSettings(str(path or settings_path()), QSettings.Format.IniFormat)
        values: dict[str, Any] = {}
        for f in fields(cls):
            default = f.default
            raw = store.value(f.name, default)
            values[f.name] = _as_bool(raw) if isinstance(default, bool) else str(raw)
        return cls(**values)

    def save(self, path: Path | None = None) -> None:
        """Write the settings file whole or not at all (logged when not).

        Atomic sync makes QSettings write a temporary file and rename it over the old one (QSaveFile), as
        :mod:`companion.files` does for the app's other files.
        """
        store = QSettings(str(path or settings_path()), QSettings.Format.IniFormat)
        store.setAtomicSyncRequired(True)
        for f in fields(self):
            store.setValue(f.name, getattr(self, f.name))
        store.sync()
        if store.status() != QSettings.Status.NoError:
            log.error("cannot save the settings to %s (%s): the earlier ones stay", store.fileName(),
                      store.status().name)

    def engine(self, data_dir: str | None = None) -> Engine:
        """An engine as these settings describe it (models still load lazily, on first use)."""
        from companion.engine import Engine

        return Engine(
            data_dir or self.data_dir or None,
            device=self.device if self.device in DEVICE_CHOICES else "auto",  # type: ignore[arg-type]
            whisper_model=self.speech_model or None,
            summary_model=None if self.summary_model in ("", "none") else self.summary_model,
        )


def _as_bool(raw: object) -> bool:
    return raw is True or str(raw).lower() in ("true", "1", "yes")


class SettingsDialog(QDialog):
    """Edits :class:`AppSettings`; model, device and data-folder changes apply at the next start."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.settings = settings
        form = QFormLayout(self)
        self.speech_model = self._line(settings.speech_model, "bundled tiny.en", "Speech model")
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

    def result_settings(self) -> AppSettings:
        """The settings as edited."""
        s = self.settings
        return AppSettings(
            speech_model=self.speech_model.text().strip(), summary_model=self.summary_model.currentText().strip(),
            device=self.device.currentText(), input_device=str(self.input_device.currentData() or ""),
            system_audio=self.system_audio.isChecked(), data_dir=self.data_dir.text().strip(),
            voice=str(self.voice.currentData() or ""), keep_in_tray=self.keep_in_tray.isChecked(), team=s.team,
            global_shortcut=self.global_shortcut.keySequence().toString(QKeySequence.SequenceFormat.PortableText),
        )


def describe_runtime(engine: Engine) -> str:
    """One line about where models run (read on a worker: deciding it may probe CUDA)."""
    runtime = engine.runtime
    text = f"{runtime.device.upper()} ({runtime.compute_type}, {runtime.cpu_threads} threads)"
    return f"{text}: {runtime.notice}" if runtime.notice else text
