"""The system-tray icon and its menu: open the window, start/stop recording, ask, quit."""

from __future__ import annotations

from PySide6.QtCore import Signal, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon, QWidget

from companion.ui.icon import app_icon


class TrayIcon(QSystemTrayIcon):
    """Emits what the user picked; the main window acts on it."""

    open_window = Signal()
    toggle_recording = Signal()
    ask = Signal()
    quit_app = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(app_icon(), parent)
        self.setToolTip("Meeting Companion")
        self.menu = QMenu(parent)
        self.open_action = self._action("Open Meeting Companion", self.open_window)
        self.record_action = self._action("Start recording", self.toggle_recording)
        self.ask_action = self._action("Ask about meetings…", self.ask)
        self.menu.addSeparator()
        self.quit_action = self._action("Quit", self.quit_app)
        self.setContextMenu(self.menu)
        self.activated.connect(self._activated)

    def _action(self, text: str, signal: SignalInstance) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(signal.emit)
        return action

    def show_recording(self, recording: bool) -> None:
        """Switch the menu entry and the icon between recording and idle."""
        self.record_action.setText("Stop recording" if recording else "Start recording")
        self.setIcon(app_icon(recording))
        self.setToolTip("Meeting Companion: recording" if recording else "Meeting Companion")

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger, QSystemTrayIcon.ActivationReason.DoubleClick):
            self.open_window.emit()
