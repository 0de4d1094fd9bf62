"""The call panel: Record / Pause / Stop with a timer, an input-level meter, the device picker and the
live transcript. One engine call (:meth:`Engine.record`) per recording, steered by a RecordingControl.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from companion.audio.capture import AudioSource, InputDevice, fallback_microphone, input_devices, open_inputs
from companion.audio.recording import RecordingControl, RecordingStatus
from companion.audio.streaming import LiveTranscript
from companion.clock import clock
from companion.jobs import CancelToken, Job, Progress
from companion.models import Meeting
from companion.ui.live_view import LiveTranscriptView
from companion.ui.workers import TaskRunner, Worker

if TYPE_CHECKING:
    from companion.engine import Engine

log = logging.getLogger(__name__)

SourceFactory = Callable[[str, bool], tuple[AudioSource, AudioSource | None]]
"""(device, system audio?) -> (microphone, system-audio source or None); runs on the worker thread."""

METER_FLOOR_DB = -60


class RecordPanel(QWidget):
    """Records a meeting for the current team; emits :attr:`meeting_ready` with the stored meeting's id."""

    meeting_ready = Signal(int)
    recording_changed = Signal(bool)

    def __init__(self, engine: Engine, tasks: TaskRunner, team: Callable[[], str],
                 sources: SourceFactory = open_inputs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine, self.tasks, self.team, self.sources = engine, tasks, team, sources
        self.control: RecordingControl | None = None
        self.microphone: AudioSource | None = None
        """The input being recorded from (set on the worker when the recording opens it)."""
        self._reported_error: str | None = None
        self.worker: Worker | None = None
        self._capturing = False  # the microphone is open and what is said is kept
        self.devices = QComboBox()
        self.devices.setAccessibleName("Microphone")
        self.devices.addItem("System default microphone", "")
        self.system_audio = QCheckBox("System audio")
        self.system_audio.setToolTip("Also record what the computer plays: the other side of a call")
        self.title = QLineEdit()
        self.title.setPlaceholderText("Meeting title (optional)")
        self.title.setAccessibleName("Meeting title")
        self.participants = QLineEdit()
        self.participants.setPlaceholderText("Participants, comma-separated (optional)")
        self.participants.setAccessibleName("Participants")
        self.participants.setToolTip("Names help the live transcript hear them, and the minutes find who owns "
                                     "each action item")
        self.record_button = self._button("● Record", "Record", "#d93025")
        self.pause_button = self._button("❚❚ Pause", "Pause", None)
        self.pause_button.setCheckable(True)
        self.stop_button = self._button("■ Stop", "Stop", None)
        self.timer = QLabel("00:00")
        self.timer.setAccessibleName("Recording time")
        self.timer.setStyleSheet("font-size: 28px; font-weight: 600;")
        self.meter = QProgressBar()
        self.meter.setRange(METER_FLOOR_DB, 0)
        self.meter.setValue(METER_FLOOR_DB)
        self.meter.setFormat("input level")
        self.meter.setAccessibleName("Input level")
        self.status = QLabel("Ready to record.")
        self.status.setWordWrap(True)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setAccessibleName("Processing progress")
        self.progress.hide()
        self.cancel_button = QPushButton("Cancel processing")
        self.cancel_button.setToolTip("Stop processing; the recording stays on disk")
        self.cancel_button.hide()
        self.live = LiveTranscriptView()
        self._layout()
        self.record_button.clicked.connect(self.start)
        self.pause_button.toggled.connect(self._pause)
        self.stop_button.clicked.connect(self.stop)
        self.cancel_button.clicked.connect(self._cancel_processing)
        self._show_state(recording=False)

    def _button(self, text: str, name: str, colour: str | None) -> QPushButton:
        button = QPushButton(text)
        button.setAccessibleName(name)
        button.setMinimumHeight(48)
        style = "QPushButton { font-size: 18px; padding: 6px 18px; }"
        if colour:
            style = (f"QPushButton {{ font-size: 18px; padding: 6px 18px; background: {colour}; color: white;"
                     " border-radius: 6px; } QPushButton:disabled { background: #c9c9c9; color: #777777; }")
        button.setStyleSheet(style)
        return button

    def _layout(self) -> None:
        inputs = QHBoxLayout()
        inputs.addWidget(QLabel("Microphone:"))
        inputs.addWidget(self.devices, 1)
        inputs.addWidget(self.system_audio)
        inputs.addWidget(self.title, 1)
        inputs.addWidget(self.participants, 1)
        controls = QGridLayout()
        controls.addWidget(self.record_button, 0, 0)
        controls.addWidget(self.pause_button, 0, 1)
        controls.addWidget(self.stop_button, 0, 2)
        controls.addWidget(self.timer, 0, 3, Qt.AlignmentFlag.AlignCenter)
        controls.addWidget(self.meter, 1, 0, 1, 4)
        processing = QHBoxLayout()
        processing.addWidget(self.progress, 1)
        processing.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addLayout(inputs)
        layout.addLayout(controls)
        layout.addWidget(self.status)
        layout.addLayout(processing)
        layout.addWidget(self.live, 1)

    def load_devices(self, selected: str = "") -> None:
        """List the inputs (on a worker: PortAudio may take a moment) and select ``selected``."""
        self.tasks.call(input_devices, "listing inputs", lambda found: self._show_devices(found, selected))

    def _show_devices(self, found: list[InputDevice], selected: str) -> None:
        for d in found:
            self.devices.addItem(f"{d.name}{' (default)' if d.is_default else ''}", str(d.index))
        self.devices.setCurrentIndex(max(0, self.devices.findData(selected)))

    @property
    def is_recording(self) -> bool:
        return self.control is not None and not self.control.stop_requested

    @property
    def is_busy(self) -> bool:
        """Recording, or processing what was recorded."""
        return self.worker is not None

    def start(self) -> None:
        """Start recording for the current team."""
        if self.is_busy:
            return
        control = self.control = RecordingControl()
        team, title = self.team(), self.title.text().strip() or None
        participants = [p.strip() for p in self.participants.text().split(",") if p.strip()]
        device, system = str(self.devices.currentData() or ""), self.system_audio.isChecked()

        def job(token: CancelToken) -> Job[Meeting]:
            mic, system_source = self.sources(device, system)
            self.microphone = mic
            return self.engine.record(team, mic, system_audio=system_source, title=title, participants=participants,
                                      control=control)

        self.live.clear_transcript()
        self.worker = self.tasks.start(job, "recording", on_yield=self._event, on_progress=self._progress,
                                       on_result=self._finished, on_error=self._failed)
        self.worker.signals.finished.connect(self._ended)
        self._capturing = False
        self._reported_error = None
        self.status.setText("Opening the microphone…")
        self._show_state(recording=True)

    def stop(self) -> None:
        """Stop recording; the meeting is then transcribed in full and its minutes written."""
        if self.control is None or self.control.stop_requested:
            return
        self.control.stop()
        self.status.setText("Stopped. Writing the transcript and the minutes…")
        self._show_state(recording=False)
        self.record_button.setEnabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()

    def toggle(self) -> None:
        """Start when idle, stop when recording (the shortcut and the tray use this)."""
        if self.is_recording:
            self.stop()
        elif not self.is_busy:
            self.start()

    def toggle_pause(self) -> None:
        """Pause or resume (only while recording)."""
        if self.is_recording:
            self.pause_button.toggle()

    def shut_down(self) -> None:
        """Quitting: stop capture and cancel processing; the recording is finished on disk."""
        if self.control is not None:
            self.control.stop()
        if self.worker is not None:
            self.worker.cancel()

    def _pause(self, paused: bool) -> None:
        if self.control is not None:
            self.control.paused = paused
            self.status.setText("Paused: nothing is recorded." if paused else "Recording…")

    def _cancel_processing(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def _event(self, event: Any) -> None:
        if isinstance(event, RecordingStatus):
            if not self._capturing and self.control is not None and not self.control.stop_requested:
                self._capturing = True
                if not self.control.paused:
                    self.status.setText("Recording… the audio is saved to disk as it arrives.")
            self.timer.setText(clock(event.seconds))
            level = max(METER_FLOOR_DB, min(0, round(event.level_db)))
            self.meter.setValue(level)
            self.meter.setFormat(f"{level} dB")
            if event.error and event.error != self._reported_error:
                self._reported_error = event.error
                self._lost_input(event)
        elif isinstance(event, LiveTranscript):
            self.live.add(event)

    def _lost_input(self, status: RecordingStatus) -> None:
        """The input stopped: carry on with the default microphone when a chosen one went away."""
        spare = fallback_microphone(self.microphone) if self.microphone is not None else None
        message = f"⚠ {status.error}. The recording so far is kept in {status.path}."
        if spare is not None and self.control is not None:
            self.control.switch_microphone(spare)
            self.microphone = spare
            message += " Carrying on with the default microphone."
        self.status.setText(message)

    def _progress(self, progress: Progress) -> None:
        self.progress.setValue(round(progress.fraction * 1000))
        self.progress.setFormat(f"{progress.stage} %p%")

    def _finished(self, meeting: Meeting) -> None:
        self.status.setText(f"Saved “{meeting.title}”.")
        self.meeting_ready.emit(meeting.id)

    def _failed(self, error: Exception) -> None:
        self.status.setText(f"⚠ {error}")
        log.warning("recording failed: %s", error)

    def _ended(self) -> None:
        self.worker = self.control = None
        self.progress.hide()
        self.cancel_button.hide()
        self._show_state(recording=False)

    def _show_state(self, recording: bool) -> None:
        self.record_button.setEnabled(not recording and self.worker is None)
        self.pause_button.setEnabled(recording)
        self.stop_button.setEnabled(recording)
        self.devices.setEnabled(not recording)
        self.system_audio.setEnabled(not recording)
        if not recording:
            self.pause_button.setChecked(False)
        self.recording_changed.emit(recording)
