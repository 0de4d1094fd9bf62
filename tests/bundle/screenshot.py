"""Save a screenshot of the whole X display (``$DISPLAY``) as PNG and print how many colours it has.

    python screenshot.py OUT.png
"""

from __future__ import annotations

import sys

import numpy as np
from PySide6.QtGui import QGuiApplication, QImage


def main(out: str) -> int:
    app = QGuiApplication([])
    screen = app.primaryScreen()
    image = screen.grabWindow(0).toImage().convertToFormat(QImage.Format.Format_RGB32)
    if not image.save(out):
        print(f"cannot write {out}", file=sys.stderr)
        return 1
    pixels = np.frombuffer(image.constBits(), np.uint32, count=image.width() * image.height())
    print(len(np.unique(pixels)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
