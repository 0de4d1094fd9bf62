"""The app icon (a speech bubble with a microphone, as in ``assets/icon.svg``), drawn with QPainter so it
needs no files at run time; a red dot marks it while recording.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

BLUE = QColor("#2f6fde")
PALE = QColor("#cfe0ff")


def draw_icon(size: int = 64, recording: bool = False) -> QPixmap:
    """The icon as a ``size`` x ``size`` pixmap (drawn on a 64-unit grid)."""
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.scale(size / 64, size / 64)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(BLUE)
    painter.drawRoundedRect(QRectF(4, 8, 56, 40), 10, 10)
    tail = QPainterPath(QPointF(20, 47))
    tail.lineTo(16, 60)
    tail.lineTo(32, 47)
    painter.drawPath(tail)
    painter.setBrush(Qt.GlobalColor.white)
    painter.drawRoundedRect(QRectF(22, 16, 8, 18), 4, 4)
    painter.drawRect(QRectF(25, 36, 2, 5))
    painter.setPen(QPen(Qt.GlobalColor.white, 3))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawArc(QRectF(18, 20, 16, 16), 180 * 16, 180 * 16)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(PALE)
    for y, width in ((20, 14), (27, 10), (34, 12)):
        painter.drawRoundedRect(QRectF(38, y, width, 3), 1.5, 1.5)
    if recording:
        painter.setBrush(QColor("#d93025"))
        painter.setPen(QPen(Qt.GlobalColor.white, 2))
        painter.drawEllipse(QRectF(40, 36, 22, 22))
    painter.end()
    return pixmap


def app_icon(recording: bool = False) -> QIcon:
    """The icon at the sizes desktops ask for."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        icon.addPixmap(draw_icon(size, recording))
    return icon
