"""The team's views: the knowledge graph (click a node for its meetings and evidence), open items by person
with overdue ones highlighted, and the next meeting's agenda with "Export to calendar" and "Copy".
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTextBrowser,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from companion.clock import clock
from companion.export.agenda import render_agenda
from companion.kg.records import Agenda, Item
from companion.speech_models import speech_languages
from companion.ui.graph_view import GraphView, Positions, layout, legend_html
from companion.ui.languages import language_name
from companion.ui.quick_ask import parse_citation
from companion.ui.workers import TaskRunner
from companion.ui.wrapping import wrap_rows

if TYPE_CHECKING:
    import networkx as nx

    from companion.engine import Engine

log = logging.getLogger(__name__)
OVERDUE = QColor("#d93025")
MOMENT_ROLE = Qt.ItemDataRole.UserRole
Loaded = tuple["nx.MultiDiGraph", Positions, list[Item], Agenda | None, str | None]
"""What the views show: graph, node positions, open items, agenda, and the team's language (None: detected)."""


def _link(meeting_id: int, start: float, text: str) -> str:
    return f"<a href='meeting:{meeting_id}?t={start:.2f}'>{html.escape(text)}</a>"


def node_html(graph: nx.MultiDiGraph, node: str) -> str:
    """A node's details: what it is, and the meetings and evidence it connects to (as links)."""
    import networkx as nx

    data = graph.nodes[node]
    kind = str(data.get("kind", "")).replace("_", " ")
    lines = [f"<h3>{html.escape(str(data.get('label', node)))}</h3><p><i>{kind}</i>"]
    for key in ("status", "owner", "due", "date"):
        if data.get(key):
            lines.append(f" · {key}: {html.escape(str(data[key]))}")
    lines.append("</p>")
    related = [node, *nx.all_neighbors(graph, node)]
    evidence = [graph.nodes[n] for n in dict.fromkeys(related) if graph.nodes[n].get("quote")]
    meetings = [graph.nodes[n] for n in dict.fromkeys(related) if graph.nodes[n].get("kind") == "meeting"]
    if meetings:
        lines.append("<p><b>Meetings</b></p><ul>")
        lines += [f"<li>{_link(int(m['meeting_id']), 0.0, '{} {}'.format(m['date'], m['label']))}</li>"
                  for m in meetings]
        lines.append("</ul>")
    if evidence:
        lines.append("<p><b>Evidence</b></p><ul>")
        for e in evidence:
            moment = f"{e['date']} {clock(float(e['start']))}"
            said = f"{html.escape(str(e.get('speaker', '')))}: “{html.escape(str(e['quote']))}”"
            lines.append(f"<li>{_link(int(e['meeting_id']), float(e['start']), moment)} {said}</li>")
        lines.append("</ul>")
    return "".join(lines)


class TeamView(QWidget):
    """Graph, open items and agenda of the current team; emits :attr:`open_meeting` (id, seconds)."""

    open_meeting = Signal(int, float)
    loaded = Signal()
    exported = Signal(str)
    language_set = Signal(object)
    """The team's language was saved: its code, or None (detected per meeting)."""

    def __init__(self, engine: Engine, tasks: TaskRunner, team: Callable[[], str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine, self.tasks, self.team = engine, tasks, team
        self.graph: nx.MultiDiGraph | None = None
        self.agenda: Agenda | None = None
        self.graph_view = GraphView()
        self.details = self._browser("Node details", "Click a node to see its meetings and evidence.")
        self.items = QTreeWidget()
        self.items.setHeaderLabels(["Open item", "Due", "From meeting"])
        wrap_rows(self.items)
        self.items.setColumnWidth(0, 460)
        self.items.setColumnWidth(1, 170)
        self.items.setAccessibleName("Open items by person")
        self.agenda_view = self._browser("Agenda", "")
        self.ics_button = QPushButton("Export to calendar (ICS)…")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setAccessibleName("Copy agenda")
        self.graph_button = QPushButton("Export graph…")
        self.graph_button.setToolTip("Save the team's graph as GraphML (Gephi, yEd, Cytoscape) or JSON")
        self.language = self._language_box()
        self.tabs = QTabWidget()
        self.tabs.addTab(self._graph_tab(), "Knowledge graph")
        self.tabs.addTab(self.items, "Open items")
        self.tabs.addTab(self._agenda_tab(), "Next agenda")
        header = QHBoxLayout()
        header.addWidget(QLabel("Recordings are heard in:"))
        header.addWidget(self.language)
        header.addStretch(1)
        column = QVBoxLayout(self)
        column.addLayout(header)
        column.addWidget(self.tabs)
        self.graph_view.node_clicked.connect(self.show_node)
        self.items.itemActivated.connect(self._item_activated)
        self.ics_button.clicked.connect(self._choose_ics)
        self.copy_button.clicked.connect(self.copy_agenda)
        self.graph_button.clicked.connect(self._choose_graph_file)

    def _language_box(self) -> QComboBox:
        box = QComboBox()
        box.setAccessibleName("Team language")
        box.setToolTip("The language of this team's meetings: recordings processed or imported from now on are "
                       "heard in it. A multilingual speech model (balanced or accurate) is needed for any other "
                       "language than English.")
        box.addItem("Detected per meeting", None)
        for code in speech_languages():
            box.addItem(language_name(code), code)
        box.activated.connect(lambda index: self.set_language(box.itemData(index)))
        return box

    def set_language(self, code: str | None) -> None:
        """Save the current team's language (None: detect each meeting's) off the GUI thread; emits
        :attr:`language_set`."""
        team = self.team()
        if team:
            self.tasks.call(lambda: self.engine.set_team_language(team, code), f"setting {team}'s language",
                            self._show_language)

    def _show_language(self, code: str | None) -> None:
        self.language.setCurrentIndex(max(self.language.findData(code), 0))
        self.language_set.emit(code)

    def _browser(self, name: str, placeholder: str) -> QTextBrowser:
        browser = QTextBrowser()
        browser.setOpenLinks(False)
        browser.setAccessibleName(name)
        browser.setPlaceholderText(placeholder)
        browser.anchorClicked.connect(self._link)
        return browser

    def _graph_tab(self) -> QWidget:
        splitter = QSplitter()
        splitter.addWidget(self.graph_view)
        splitter.addWidget(self.details)
        splitter.setSizes([700, 300])
        footer = QHBoxLayout()
        footer.addWidget(QLabel(legend_html()), 1)
        footer.addWidget(self.graph_button)
        box = QWidget()
        column = QVBoxLayout(box)
        column.addWidget(splitter, 1)
        column.addLayout(footer)
        return box

    def _agenda_tab(self) -> QWidget:
        box = QWidget()
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.ics_button)
        column = QVBoxLayout(box)
        column.addWidget(self.agenda_view, 1)
        column.addLayout(buttons)
        return box

    def refresh(self) -> None:
        """Reload graph, open items and agenda of the current team off the GUI thread."""
        team = self.team()
        if team:
            self.tasks.call(lambda: self._load(team), f"loading {team}'s views", self._show)

    def _load(self, team: str) -> Loaded:
        if team not in self.engine.teams():
            import networkx as nx

            return nx.MultiDiGraph(), {}, [], None, None
        graph = self.engine.team_graph(team)
        return (graph, layout(graph), self.engine.open_items(team), self.engine.agenda(team),
                self.engine.team_language(team))

    def _show(self, loaded: Loaded) -> None:
        self.graph, positions, items, self.agenda, language = loaded
        self.language.setCurrentIndex(max(self.language.findData(language), 0))
        self.graph_view.show_graph(self.graph, positions)
        self._show_items(items)
        self.agenda_view.setMarkdown(render_agenda(self.agenda, "md") if self.agenda else "No meetings yet.")
        self.ics_button.setEnabled(self.agenda is not None)
        self.copy_button.setEnabled(self.agenda is not None)
        self.loaded.emit()

    def _show_items(self, items: Sequence[Item]) -> None:
        self.items.clear()
        owners: dict[str, QTreeWidgetItem] = {}
        for item in items:
            owner = item.owner or "Unassigned"
            if owner not in owners:
                owners[owner] = QTreeWidgetItem(self.items, [owner])
                owners[owner].setFirstColumnSpanned(True)
            due = f"{item.due} (overdue)" if item.overdue else (item.due or "")
            row = QTreeWidgetItem(owners[owner], [item.text, due, f"{item.meeting_date} {item.meeting_title}"])
            start = item.evidence[0].start if item.evidence else 0.0
            row.setData(0, MOMENT_ROLE, (item.meeting_id, start))
            if item.overdue:
                for column in range(3):
                    row.setForeground(column, OVERDUE)
                row.setToolTip(0, "Overdue")
        for owner_item in owners.values():
            owner_item.setText(0, f"{owner_item.text(0)} ({owner_item.childCount()})")
        self.items.expandAll()

    def show_node(self, node: str) -> None:
        """Show a node's meetings and evidence beside the graph."""
        if self.graph is not None and node in self.graph:
            self.details.setHtml(node_html(self.graph, node))

    def _item_activated(self, item: QTreeWidgetItem, column: int) -> None:
        moment: Any = item.data(0, MOMENT_ROLE)
        if moment:
            self.open_meeting.emit(int(moment[0]), float(moment[1]))

    def _link(self, url: QUrl) -> None:
        cited = parse_citation(url)
        if cited is not None:
            self.open_meeting.emit(*cited)

    def copy_agenda(self) -> None:
        """Put the agenda (Markdown) on the clipboard."""
        if self.agenda is not None:
            QGuiApplication.clipboard().setText(render_agenda(self.agenda, "md"))

    def _choose_ics(self) -> None:
        if self.agenda is None:
            return
        name, _ = QFileDialog.getSaveFileName(self, "Export to calendar", f"{self.agenda.date} agenda.ics",
                                              "Calendar (*.ics)")
        if name:
            self.export_ics(Path(name))

    def _choose_graph_file(self) -> None:
        name, chosen = QFileDialog.getSaveFileName(self, "Export graph", f"{self.team()} graph.graphml",
                                                   "GraphML (*.graphml);;JSON (*.json)")
        if name:
            self.export_graph(Path(name), "json" if chosen.startswith("JSON") else "graphml")

    def export_graph(self, path: Path, fmt: str) -> None:
        """Write the team's graph (``graphml`` or ``json``) off the GUI thread; emits :attr:`exported`."""
        team = self.team()
        self._export(path, lambda: self.engine.export_graph(team, fmt), "exporting the graph")

    def export_ics(self, path: Path) -> None:
        """Write the agenda as an iCalendar event off the GUI thread; emits :attr:`exported`."""
        agenda = self.agenda
        if agenda is not None:
            self._export(path, lambda: render_agenda(agenda, "ics"), "exporting the agenda")

    def _export(self, path: Path, render: Callable[[], str], task: str) -> None:
        """Write ``render()`` to ``path`` on a worker; sealed when ``path`` is inside an encrypted data folder
        (:meth:`~companion.engine.Engine.save_export`)."""

        def write() -> str:
            self.engine.save_export(path, render())
            return str(path)

        self.tasks.call(write, task, self.exported.emit)
