"""Running jobs, one row each: what it is, a progress bar, and a Cancel button."""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from companion.jobs import Progress
from companion.ui.workers import Worker


class JobRow(QWidget):
    """One job: label, progress and cancel; removes itself when the job finishes."""

    def __init__(self, worker: Worker, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.label = QLabel(label)
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setFormat("waiting %p%")
        self.bar.setAccessibleName(f"Progress of {label}")
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName(f"Cancel {label}")
        self.cancel.clicked.connect(self._cancel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label, 2)
        layout.addWidget(self.bar, 3)
        layout.addWidget(self.cancel)
        worker.signals.progress.connect(self.show_progress)
        worker.signals.finished.connect(self.deleteLater)

    def show_progress(self, progress: Progress) -> None:
        self.bar.setValue(round(progress.fraction * 1000))
        self.bar.setFormat(f"{progress.stage} %p%")

    def _cancel(self) -> None:
        self.cancel.setEnabled(False)
        self.bar.setFormat("cancelling…")
        self.worker.cancel()


class JobsPanel(QWidget):
    """A stack of :class:`JobRow`; hidden while empty."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.hide()

    def add(self, worker: Worker, label: str) -> JobRow:
        """Show ``worker`` until it finishes."""
        row = JobRow(worker, label, self)
        self._layout.addWidget(row)
        row.destroyed.connect(self._update_visibility)
        self.show()
        return row

    @property
    def rows(self) -> list[JobRow]:
        return [row for row in self.findChildren(JobRow) if not row.worker.done]

    def _update_visibility(self) -> None:
        self.setVisible(bool(self.rows))
