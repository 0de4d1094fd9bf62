"""The team's knowledge graph drawn with QGraphicsView: people, subjects, meetings, decisions, action items
and open questions as coloured nodes; clicking one emits its id (the team view shows its evidence).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QMouseEvent, QPainter, QPen, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import (
    QGraphicsEllipseItem,
    QGraphicsItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QWidget,
)

if TYPE_CHECKING:
    import networkx as nx

Positions = dict[str, tuple[float, float]]

KIND_STYLE: dict[str, tuple[str, float, str]] = {
    # kind: (colour, radius, legend)
    "person": ("#1a73e8", 16, "person"),
    "subject": ("#9334e6", 13, "topic"),
    "topic": ("#b388ff", 7, "topic segment"),
    "meeting": ("#5f6368", 14, "meeting"),
    "decision": ("#188038", 9, "decision"),
    "action_item": ("#e37400", 9, "action item"),
    "open_question": ("#d93025", 9, "open question"),
}
LABELLED = {"person", "subject", "meeting"}
SCALE = 420.0
NODE_ROLE = 0


def layout(graph: nx.MultiDiGraph) -> Positions:
    """Node positions (computed off the GUI thread; seeded, so the picture is the same every time)."""
    import networkx as nx

    if graph.number_of_nodes() == 0:
        return {}
    positions = nx.spring_layout(nx.Graph(graph), seed=7, k=1.6 / math.sqrt(graph.number_of_nodes()))
    return {str(node): (float(x) * SCALE, float(y) * SCALE) for node, (x, y) in positions.items()}


def short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


class GraphView(QGraphicsView):
    """Draws a team graph; :attr:`node_clicked` carries the node id."""

    node_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setAccessibleName("Knowledge graph")
        self.nodes: dict[str, QGraphicsEllipseItem] = {}
        self.zoomed = False

    def show_graph(self, graph: nx.MultiDiGraph, positions: Positions) -> None:
        """Replace the drawing."""
        scene = self.scene()
        scene.clear()
        self.nodes = {}
        edge_pen = QPen(QColor(128, 128, 128, 110), 1.2)
        for source, target in {(str(s), str(t)) for s, t in graph.edges()}:
            if source in positions and target in positions:
                scene.addLine(*positions[source], *positions[target], edge_pen).setZValue(-1)
        text_colour = self.palette().text().color()
        for node, data in graph.nodes(data=True):
            self._node(str(node), data, positions[str(node)], text_colour)
        scene.setSceneRect(scene.itemsBoundingRect().adjusted(-40, -40, 120, 40))  # room for labels
        self.zoomed = False
        self.fit()

    def fit(self) -> None:
        """Show the whole graph (until the user zooms with the wheel)."""
        if not self.zoomed:
            self.fitInView(self.scene().sceneRect(), Qt.AspectRatioMode.KeepAspectRatio)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.fit()

    def _node(self, node: str, data: dict[str, Any], at: tuple[float, float], text_colour: QColor) -> None:
        colour, radius, legend = KIND_STYLE.get(str(data.get("kind")), ("#80868b", 8, str(data.get("kind"))))
        item = self.scene().addEllipse(QRectF(-radius, -radius, 2 * radius, 2 * radius),
                                       QPen(Qt.GlobalColor.white, 1.5), QBrush(QColor(colour)))
        item.setPos(QPointF(*at))
        item.setData(NODE_ROLE, node)
        item.setCursor(Qt.CursorShape.PointingHandCursor)
        item.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        label = str(data.get("label", node))
        status = f" ({data['status']})" if data.get("status") else ""
        item.setToolTip(f"{legend}: {label}{status}")
        if data.get("overdue"):
            item.setPen(QPen(QColor("#d93025"), 3))
        if data.get("kind") in LABELLED:
            text = QGraphicsSimpleTextItem(short(label), item)
            text.setBrush(text_colour)
            text.setPos(radius + 2, -8)
        self.nodes[node] = item

    def mousePressEvent(self, event: QMouseEvent) -> None:
        item = self.itemAt(event.position().toPoint())
        while item is not None and item.data(NODE_ROLE) is None:
            item = item.parentItem()
        if item is not None:
            self.node_clicked.emit(str(item.data(NODE_ROLE)))
        super().mousePressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.zoomed = True
        factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
        self.scale(factor, factor)


def legend_html() -> str:
    """The colour key shown under the graph."""
    return " ".join(f"<span style='color:{colour}'>●</span> {name}&nbsp;&nbsp;"
                    for colour, _radius, name in KIND_STYLE.values())
