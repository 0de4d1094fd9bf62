"""The main window: team selector, the call panel, the library, the open meeting and the team views."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSystemTrayIcon,
    QTabWidget,
    QToolBar,
)

from companion.audio.capture import open_inputs
from companion.errors import CompanionError
from companion.settings import Settings
from companion.ui.folder_encryption import FolderEncryption
from companion.ui.hotkey import GlobalShortcut
from companion.ui.icon import app_icon
from companion.ui.library import LibraryView
from companion.ui.meeting_view import MeetingView
from companion.ui.passphrase import PassphrasePrompt
from companion.ui.quick_ask import QuickAsk
from companion.ui.recorder import RecordPanel, SourceFactory
from companion.ui.settings import SettingsDialog, describe_runtime
from companion.ui.team_view import TeamView
from companion.ui.tray import TrayIcon
from companion.ui.warmup import warm_up
from companion.ui.workers import TaskRunner, Worker, call_job

if TYPE_CHECKING:
    from companion.encryption import Marker
    from companion.engine import Engine
    from companion.privacy import RetentionRun

log = logging.getLogger(__name__)

DEFAULT_TEAM = "My team"
QUIT_WAIT_MS = 20_000
RETENTION_INTERVAL_MS = 24 * 60 * 60 * 1000
"""The retention rules are applied at start and then this often while the app runs."""


class MainWindow(QMainWindow):
    """Everything the app shows; each action calls one engine method through a worker."""

    models_ready = Signal()

    def __init__(self, engine: Engine, settings: Settings, *, sources: SourceFactory = open_inputs,
                 use_tray: bool = True, use_hotkey: bool = True, passphrase: PassphrasePrompt | None = None) -> None:
        """``settings``: as the settings file holds them (the dialog edits these; command-line options for
        this run went into the engine). ``use_tray`` / ``use_hotkey``: show the tray icon, listen for the
        global Ask shortcut (where the platform allows each). ``passphrase``: the engine's ``ask_passphrase``;
        its dialog opens over this window, and quitting cancels it."""
        super().__init__()
        self.setWindowTitle("Meeting Companion")
        self.setWindowIcon(app_icon())
        self.engine, self.settings = engine, settings
        self.passphrase = passphrase
        if passphrase is not None:
            passphrase.setParent(self)
        self.errors: list[str] = []
        self._quitting = False
        self.recover_button: QPushButton | None = None
        self.unlock_button: QPushButton | None = None
        self.tasks = TaskRunner(self.show_error, self)
        self.warming: Worker | None = None
        self.folder_encryption = FolderEncryption(engine, self.tasks, self.folder_users, self)
        self.team_box = QComboBox()
        self.team_box.setEditable(True)
        self.team_box.setMinimumWidth(180)
        self.team_box.setAccessibleName("Team")
        self.team_box.setToolTip("The team whose meetings you see (type a new name to start a team)")
        self.team_box.addItem(settings.team or DEFAULT_TEAM)
        self.recorder = RecordPanel(engine, self.tasks, self.team, sources)
        self.library = LibraryView(engine, self.tasks, self.team)
        self.meeting_view = MeetingView(engine, self.tasks)
        self.team_view = TeamView(engine, self.tasks, self.team)
        self.quick_ask = QuickAsk(engine, self.tasks, self.team, self, voice=lambda: self.settings.voice)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.recorder, "Record")
        self.tabs.addTab(self.library, "Library")
        self.tabs.addTab(self.meeting_view, "Meeting")
        self.tabs.addTab(self.team_view, "Team")
        self.setCentralWidget(self.tabs)
        self.runtime_label = QLabel("Loading the models in the background…")
        self.statusBar().addPermanentWidget(self.runtime_label)
        self._toolbar()
        self.tray: TrayIcon | None = None
        self.retention_timer = QTimer(self)
        self._connect()
        if use_tray and QSystemTrayIcon.isSystemTrayAvailable():
            self.attach_tray(TrayIcon(self))
        self.hotkey = GlobalShortcut(self)
        self.hotkey.triggered.connect(self.quick_ask.popup)
        self._use_hotkey = use_hotkey
        if use_hotkey:
            self.hotkey.start(settings.global_shortcut)
        self.resize(1100, 720)

    def team(self) -> str:
        """The selected team's name."""
        return self.team_box.currentText().strip()

    def _toolbar(self) -> None:
        bar = QToolBar("Main")
        bar.setMovable(False)
        bar.addWidget(QLabel(" Team: "))
        bar.addWidget(self.team_box)
        bar.addSeparator()
        self.record_action = self._add(bar, "Record / Stop", "Ctrl+R", self.recorder.toggle)
        self.pause_action = self._add(bar, "Pause", "Ctrl+P", self.recorder.toggle_pause)
        self.pause_action.setEnabled(False)  # enabled while recording
        self.search_action = self._add(bar, "Search", "Ctrl+F", self.focus_search)
        self.ask_action = self._add(bar, "Ask", "Ctrl+K", self.quick_ask.popup)
        self.import_action = self._add(bar, "Import…", "Ctrl+O", self.library.import_button.click)
        self.settings_action = self._add(bar, "Settings", "Ctrl+,", self.open_settings)
        self.quit_action = self._add(None, "Quit", "Ctrl+Q", self.quit)
        self.addToolBar(bar)

    def _add(self, bar: QToolBar | None, text: str, keys: str, slot: object) -> QAction:
        action = QAction(text, self)
        action.setShortcut(QKeySequence(keys))
        action.setToolTip(f"{text} ({QKeySequence(keys).toString(QKeySequence.SequenceFormat.NativeText)})")
        action.triggered.connect(slot)
        self.addAction(action)
        if bar is not None:
            bar.addAction(action)
        return action

    def _connect(self) -> None:
        self.team_box.currentTextChanged.connect(self._team_changed)
        self.library.open_meeting.connect(self.open_meeting)
        self.library.imported.connect(lambda _id: self.refresh())
        self.recorder.meeting_ready.connect(self.open_meeting)
        self.recorder.meeting_ready.connect(lambda _id: self.refresh())
        self.quick_ask.citation_clicked.connect(self.open_meeting)
        self.team_view.open_meeting.connect(self.open_meeting)
        self.meeting_view.item_changed.connect(lambda _item: self.team_view.refresh())
        self.meeting_view.minutes_saved.connect(lambda _id: self.team_view.refresh())
        self.meeting_view.speaker_renamed.connect(lambda _label, _name: self.team_view.refresh())
        self.library.deleted.connect(self.meeting_view.forget)
        self.library.deleted.connect(lambda _id: self.refresh())
        self.meeting_view.deleted.connect(lambda _id: self.refresh())
        self.retention_timer.timeout.connect(self.apply_retention)
        self.recorder.recording_changed.connect(self.pause_action.setEnabled)
        self.folder_encryption.converted.connect(self._folder_converted)

    def attach_tray(self, tray: TrayIcon) -> None:
        """Show the tray icon and act on its menu; closing the window then keeps the app running there."""
        self.tray = tray
        tray.open_window.connect(self.bring_up)
        tray.toggle_recording.connect(self.recorder.toggle)
        tray.ask.connect(self.quick_ask.popup)
        tray.quit_app.connect(self.quit)
        self.recorder.recording_changed.connect(tray.show_recording)
        tray.show()

    def start(self) -> None:
        """Fill the window in the background once it is up: inputs, the device in use, then the data folder."""
        self.recorder.load_devices(self.settings.input_device)
        self.recorder.system_audio.setChecked(self.settings.system_audio)
        self.warming = self.tasks.start(lambda _token: warm_up(self.engine), "loading the models",
                                        on_result=self._models_loaded)
        self.open_data()

    def open_data(self) -> None:
        """Open the data folder (asking for its passphrase when it is encrypted and the key is not at hand),
        then list the teams, look for unfinished recordings and apply the retention rules.

        One job opens it first, so that the jobs after it find the key and none asks again. When it cannot
        be opened (the question was cancelled), an **Unlock** button in the status bar tries again."""
        self.tasks.start(lambda _token: call_job(lambda: self.engine.folder_key), "opening the data folder",
                         on_result=lambda _key: self._data_open(), on_error=lambda _error: self._offer_unlock())

    def _data_open(self) -> None:
        self.tasks.call(self.engine.teams, "listing teams", self._teams)
        self.tasks.call(self.engine.unfinished_recordings, "looking for unfinished recordings", self._offer_recovery)
        self.apply_retention()
        self.retention_timer.start(RETENTION_INTERVAL_MS)

    def _offer_unlock(self) -> None:
        if self.unlock_button is not None:
            return
        button = QPushButton("Unlock the data folder…")
        button.setToolTip("The data folder is encrypted: enter its passphrase to see its meetings")
        self.unlock_button = button
        self.statusBar().addWidget(button)

        def unlock() -> None:
            self.statusBar().removeWidget(button)
            button.deleteLater()
            self.unlock_button = None
            self.open_data()

        button.clicked.connect(unlock)

    def apply_retention(self) -> None:
        """Delete the audio and the meetings the teams' retention rules no longer keep (at start, then daily)."""
        self.tasks.call(self.engine.apply_retention, "applying the retention rules", self._retention_applied)

    def _retention_applied(self, run: RetentionRun) -> None:
        if not run.audio_deleted and not run.deleted.meetings:
            return
        for meeting in run.deleted.meetings:
            self.meeting_view.forget(meeting.id)
        self.statusBar().showMessage(f"Retention: deleted the audio of {len(run.audio_deleted)} and the whole of "
                                     f"{len(run.deleted.meetings)} meeting(s)")
        self.refresh()

    def _offer_recovery(self, paths: list[Path]) -> None:
        """A crash left recordings unfinished: offer to repair and process them."""
        if not paths:
            return
        button = QPushButton(f"Recover {len(paths)} unfinished recording{'s' if len(paths) > 1 else ''}")
        button.setToolTip("The app stopped while recording; the audio is on disk. Repair and process it.")
        self.recover_button = button
        self.statusBar().addWidget(button)

        def recover() -> None:
            self.statusBar().removeWidget(button)
            self.tabs.setCurrentWidget(self.library)
            self.library.recover(paths)

        button.clicked.connect(recover)

    def _models_loaded(self, _seconds: float) -> None:
        self.tasks.call(lambda: describe_runtime(self.engine), "checking the device", self._show_runtime)
        self.models_ready.emit()

    def _show_runtime(self, device: str) -> None:
        """The status bar's line on where models run, and the speech model's fallback when the chosen one is
        not installed (the runtime is decided by now: :meth:`_models_loaded` runs after the models load)."""
        notice = self.engine.runtime.speech_notice
        self.runtime_label.setText(f"{device} · {notice}" if notice else device)
        self.runtime_label.setToolTip(notice or "")

    def _teams(self, teams: list[str]) -> None:
        current = self.team()
        self.team_box.blockSignals(True)
        self.team_box.clear()
        self.team_box.addItems(sorted(set(teams) | {current}))
        self.team_box.setCurrentText(current)
        self.team_box.blockSignals(False)
        self.refresh()

    def _team_changed(self, team: str) -> None:
        self.settings = replace(self.settings, team=team.strip())
        self.refresh()

    def refresh(self) -> None:
        """Reload what depends on the team's meetings."""
        self.library.refresh()
        self.team_view.refresh()

    def focus_search(self) -> None:
        self.tabs.setCurrentWidget(self.library)
        self.library.search.setFocus()
        self.library.search.selectAll()

    def open_meeting(self, meeting_id: int, moment: float | None = None) -> None:
        """Show a meeting (at ``moment`` seconds when given)."""
        self.meeting_view.open(meeting_id, moment)
        self.tabs.setCurrentWidget(self.meeting_view)
        self.bring_up()

    def bring_up(self) -> None:
        self.show()
        self.setWindowState(self.windowState() & ~Qt.WindowState.WindowMinimized)
        self.raise_()
        self.activateWindow()

    def open_settings(self) -> SettingsDialog:
        """Open the settings dialog (non-blocking); saved settings persist in the config dir."""
        dialog = SettingsDialog(self.settings, self)
        self.tasks.call(lambda: describe_runtime(self.engine), "checking the device", dialog.show_detected)
        from companion.audio.capture import input_devices

        self.tasks.call(input_devices, "listing inputs", dialog.show_devices)
        self.tasks.call(self.engine.voices, "listing voices", dialog.show_voices)
        self.tasks.call(self._encryption_marker, "checking the data folder's encryption", dialog.show_encryption)
        dialog.convert_folder.connect(self.folder_encryption.convert)
        self.folder_encryption.state_changed.connect(dialog.show_encryption)
        dialog.show_shortcut_status(self.hotkey.status)
        dialog.accepted.connect(lambda: self._save_settings(dialog.result_settings()))
        dialog.open()
        return dialog

    def _encryption_marker(self) -> Marker | None:
        from companion.encryption import marker  # cryptography: loaded on a worker, when first needed

        return marker(self.engine.data_dir)

    def folder_users(self) -> list[str]:
        """The jobs running now that may use the data folder (all but the model warm-up)."""
        return [worker.name for worker in self.tasks.active if worker is not self.warming]

    def _folder_converted(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        self.refresh()

    def _save_settings(self, settings: Settings) -> None:
        try:
            settings.save()
        except CompanionError as error:
            self.show_error("saving the settings", error)
            return
        self.settings = settings
        self.recorder.system_audio.setChecked(settings.system_audio)
        message = "Settings saved."
        if self._use_hotkey and settings.global_shortcut != self.hotkey.keys:
            self.hotkey.start(settings.global_shortcut)
            message += f" {self.hotkey.status}"
        self.statusBar().showMessage(message, 8000)

    def show_error(self, task: str, error: Exception) -> None:
        """A readable dialog for a failed task (details are in the log)."""
        text = str(error) if isinstance(error, CompanionError) else f"Something went wrong while {task}: {error}"
        log.warning("%s failed: %s", task, text)
        self.errors.append(text)
        box = QMessageBox(QMessageBox.Icon.Warning, "Meeting Companion", text, QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._quitting and self.tray is not None and self.settings.keep_in_tray:
            event.ignore()
            self.hide()
            self.tray.showMessage("Meeting Companion", "Still running here in the tray.", app_icon(), 3000)
            return
        if not self._quitting and self.recorder.is_busy:
            event.ignore()
            self.confirm_quit()
            return
        self.shut_down()
        event.accept()
        QApplication.quit()

    def quit(self) -> None:
        """Quit (the menu, the tray, Ctrl+Q); while a meeting is recorded, ask whether to save it first."""
        if self.recorder.is_busy:
            self.confirm_quit()
        else:
            self.quit_now()

    def quit_now(self) -> None:
        """Quit at once: a recording in progress is stopped and its audio kept on disk, unprocessed."""
        self._quitting = True
        self.close()

    def confirm_quit(self) -> QMessageBox:
        """Ask "Save and quit" (stop, process, then quit) / "Quit now" / "Cancel" without blocking."""
        box = QMessageBox(QMessageBox.Icon.Question, "Meeting Companion",
                          "A meeting is being recorded. Save it before quitting?", parent=self)
        box.setInformativeText("Save and quit writes its transcript and minutes first. Quit now keeps the "
                               f"audio in {self.engine.recordings_dir}, to import later.")
        save = box.addButton("Save and quit", QMessageBox.ButtonRole.AcceptRole)
        now = box.addButton("Quit now", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.buttonClicked.connect(lambda button: self._quit_choice(button, save, now))
        box.open()
        return box

    def _quit_choice(self, button: QAbstractButton, save: QAbstractButton, now: QAbstractButton) -> None:
        worker = self.recorder.worker
        if button is save and worker is not None:
            self.statusBar().showMessage("Saving the meeting, then quitting…")
            worker.signals.finished.connect(self.quit_now)
            self.recorder.stop()
        elif button in (save, now):
            self.quit_now()

    def shut_down(self) -> None:
        """Stop recording, cancel work, wait for the workers, remember the team in the settings file."""
        self.recorder.shut_down()
        self.hotkey.stop()
        if self.passphrase is not None:
            self.passphrase.close()  # a worker waiting for the passphrase gives up, so the wait below ends
        if not self.tasks.shut_down(QUIT_WAIT_MS):
            log.warning("some work did not stop within %d s", QUIT_WAIT_MS // 1000)
        try:  # the file as it is now: the command line may have changed it meanwhile
            replace(Settings.load(), team=self.settings.team).save()
        except CompanionError as error:
            log.warning("the team was not remembered: %s", error)
        if self.tray is not None:
            self.tray.hide()
        self._quitting = True
