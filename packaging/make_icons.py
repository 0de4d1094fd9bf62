"""Render the app icon, ``assets/icon.svg``, into the raster files the installers need.

Each size is drawn from the SVG itself (QSvgRenderer, no upscaling), written as ``icon-<size>.png``, then
gathered by Pillow into ``icon.ico`` (Windows: the executables and the Inno Setup installer) and
``icon.icns`` (macOS: the ``.app``). The files are build outputs, not sources: ``packaging/icons/`` is
ignored by git.

    python packaging/make_icons.py [--svg assets/icon.svg] [--out packaging/icons]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from PIL import Image

logger = logging.getLogger("companion.packaging.icons")

REPO = Path(__file__).resolve().parents[1]
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512, 1024)
"""Every size either container takes, plus the usual freedesktop icon-theme sizes for Linux."""
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
"""Windows shows 16-48 in lists and the taskbar, 256 in large Explorer views; ICO stops at 256."""
ICNS_SIZE = 1024
"""Pillow's ICNS writer stores 32-1024 (the 16 pt and 2x slots), taking each size given it by width."""


def render_pngs(svg: Path, out: Path) -> dict[int, Path]:
    """Draw ``svg`` at every size of :data:`PNG_SIZES` into ``out`` and return each file by its size."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # no display needed: CI runners and build hosts
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: error: {svg} is not a readable SVG file")
    out.mkdir(parents=True, exist_ok=True)
    files = {}
    for size in PNG_SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        files[size] = out / f"icon-{size}.png"
        if not image.save(str(files[size])):
            raise SystemExit(f"make_icons: error: cannot write {files[size]}")
    return files


def write_containers(pngs: dict[int, Path], out: Path) -> None:
    """Gather the rendered PNGs into ``icon.ico`` and ``icon.icns`` in ``out``."""
    images = {size: Image.open(path).convert("RGBA") for size, path in pngs.items()}
    ico = [images[size] for size in ICO_SIZES]
    ico[-1].save(out / "icon.ico", sizes=[(size, size) for size in ICO_SIZES], append_images=ico[:-1])
    icns = [image for size, image in images.items() if size != ICNS_SIZE]
    images[ICNS_SIZE].save(out / "icon.icns", append_images=icns)


def main(argv: list[str] | None = None) -> int:
    """Render the icons; exit 0 with the output folder logged, or exit with one error line."""
    parser = argparse.ArgumentParser(prog="make_icons", description=__doc__.splitlines()[0])
    parser.add_argument("--svg", type=Path, default=REPO / "assets" / "icon.svg", help="source SVG")
    parser.add_argument("--out", type=Path, default=REPO / "packaging" / "icons", help="output folder")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    if not args.svg.is_file():
        raise SystemExit(f"make_icons: error: {args.svg} does not exist")
    write_containers(render_pngs(args.svg, args.out), args.out)
    logger.info("icons written to %s", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
