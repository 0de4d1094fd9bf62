"""The quick-ask popup: a question about the team's meetings, the grounded answer with citations (click
one to open the meeting at that moment), and "Read aloud".
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QStyle, QTextBrowser, QVBoxLayout, QWidget

from companion.clock import clock
from companion.ui.workers import TaskRunner

if TYPE_CHECKING:
    from companion.engine import Engine

log = logging.getLogger(__name__)


def answer_html(answer: dict[str, Any]) -> str:
    """The answer, then its citations as links ``meeting:ID?t=SECONDS``."""
    parts = [f"<p>{html.escape(str(answer.get('answer', '')))}</p>"]
    citations = answer.get("citations") or []
    if citations:
        parts.append("<p><b>Sources</b></p><ol>")
        for c in citations:
            link = f"meeting:{int(c['meeting_id'])}?t={float(c['start']):.2f}"
            parts.append(f"<li><a href='{link}'>{html.escape(str(c.get('title', '')))} ({c.get('date', '')}, "
                         f"{clock(float(c['start']))})</a><br><i>“{html.escape(str(c.get('quote', '')))}”</i></li>")
        parts.append("</ol>")
    return "".join(parts)


def parse_citation(url: QUrl) -> tuple[int, float] | None:
    """``meeting:12?t=40.5`` -> ``(12, 40.5)``."""
    if url.scheme() != "meeting":
        return None
    try:
        moment = dict(p.split("=", 1) for p in url.query().split("&") if "=" in p).get("t", "0")
        return int(url.path()), float(moment)
    except ValueError:
        return None


class QuickAsk(QWidget):
    """A small always-on-top window; emits :attr:`citation_clicked` with (meeting id, seconds)."""

    citation_clicked = Signal(int, float)
    answered = Signal(dict)

    def __init__(self, engine: Engine, tasks: TaskRunner, team: Callable[[], str],
                 parent: QWidget | None = None, *, voice: Callable[[], str] = lambda: "") -> None:
        """``voice``: the read-aloud voice chosen in the settings (empty: the system's default)."""
        super().__init__(parent, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setWindowTitle("Ask Meeting Companion")
        self.engine, self.tasks, self.team, self.voice = engine, tasks, team, voice
        self.answer: dict[str, Any] | None = None
        self.question = QLineEdit()
        self.question.setPlaceholderText("Ask about your team's meetings, e.g. “Who owns the vendor contract?”")
        self.question.setAccessibleName("Question")
        self.ask_button = QPushButton("Ask")
        self.ask_button.setDefault(True)
        self.result = QTextBrowser()
        self.result.setOpenLinks(False)
        self.result.setAccessibleName("Answer")
        self.read_button = QPushButton(self.style().standardIcon(QStyle.StandardPixmap.SP_MediaVolume), "Read aloud")
        self.read_button.setAccessibleName("Read aloud")
        self.read_button.setEnabled(False)
        self.status = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.question, 1)
        row.addWidget(self.ask_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.result, 1)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.read_button)
        layout.addLayout(footer)
        self.resize(520, 360)
        self.question.returnPressed.connect(self.ask)
        self.ask_button.clicked.connect(self.ask)
        self.result.anchorClicked.connect(self._link)
        self.read_button.clicked.connect(self.read_aloud)

    def popup(self) -> None:
        """Show, raise and focus the question box."""
        screen = self.screen().availableGeometry()
        self.move(screen.center().x() - self.width() // 2, screen.top() + screen.height() // 5)
        self.show()
        self.raise_()
        self.activateWindow()
        self.question.setFocus()
        self.question.selectAll()

    def ask(self) -> None:
        """Ask the engine (on a worker) about the current team's meetings."""
        question, team = self.question.text().strip(), self.team()
        if not question or not team:
            return
        self.status.setText(f"Searching {team}'s meetings…")
        self.ask_button.setEnabled(False)
        worker = self.tasks.call(lambda: self.engine.ask(question, team).to_dict(), "asking", self._show)
        worker.signals.finished.connect(lambda: self.ask_button.setEnabled(True))
        worker.signals.errored.connect(lambda error: self.status.setText(f"⚠ {error}"))

    def _show(self, answer: dict[str, Any]) -> None:
        self.answer = answer
        self.result.setHtml(answer_html(answer))
        count = len(answer.get("citations") or [])
        self.status.setText(f"{count} source{'s' if count != 1 else ''}: click one to open the meeting there.")
        self.read_button.setEnabled(bool(answer.get("answer")))
        self.answered.emit(answer)

    def _link(self, url: QUrl) -> None:
        cited = parse_citation(url)
        if cited is not None:
            self.citation_clicked.emit(*cited)

    def read_aloud(self) -> None:
        """Speak the answer (on a worker: speech synthesis blocks)."""
        if not self.answer:
            return
        text, voice = str(self.answer.get("answer", "")), self.voice() or None
        self.status.setText("Reading aloud…")
        self.tasks.call(lambda: self.engine.speak(text, voice), "reading aloud", lambda _none: self.status.setText(""))
