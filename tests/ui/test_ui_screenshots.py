"""The real app on an X display (Xvfb) with a tray host (trayer): screenshots of its main views."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtGui import QImage

from companion.engine import Engine

WINDOW, QUICK_ASK, SCREEN = (1100, 720), (520, 360), (1280, 800)
SIZES = {"record": WINDOW, "library": WINDOW, "meeting": WINDOW, "team-graph": WINDOW, "open-items": WINDOW,
         "agenda": WINDOW, "quick-ask": QUICK_ASK, "settings": None, "desktop": SCREEN}
"""Each view's picture size: the main window's, Quick Ask's and the Xvfb screen's; the dialog's follows its fonts."""
MIN_COLOURS = 100
"""A painted view has hundreds of colours (anti-aliased text); a blank or unpainted one has a handful."""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("trayer")), reason="needs Xvfb and trayer"),
]


@pytest.fixture
def display(xvfb_display: str) -> Iterator[str]:
    """A fresh Xvfb display with trayer as the system-tray host."""
    trayer = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                               "--height", "28", "--SetDockType", "true", "--tint", "0x303030",
                               "--transparent", "true", "--alpha", "0"],
                              env={**os.environ, "DISPLAY": xvfb_display},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        yield xvfb_display
    finally:
        trayer.terminate()
        trayer.wait(10)


def colours(image: QImage) -> int:
    """How many distinct colours ``image`` has."""
    pixels = image.convertToFormat(QImage.Format.Format_RGB32)
    return len(np.unique(np.frombuffer(pixels.constBits(), np.uint32, count=pixels.width() * pixels.height())))


def test_the_app_runs_with_a_tray_and_its_views_are_captured(display: str, atlas: Engine, tmp_path: Path) -> None:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    out = tmp_path / "shots"
    result = subprocess.run([sys.executable, str(Path(__file__).with_name("take_screenshots.py")), "--output",
                             str(out), "--data-dir", str(atlas.data_dir)],
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "tray=True" in result.stdout  # QSystemTrayIcon found trayer
    assert sorted(path.stem for path in out.iterdir()) == sorted(SIZES)
    for view, size in SIZES.items():
        image = QImage(str(out / f"{view}.png"))
        assert not image.isNull(), view
        if size is None:
            assert min(image.width(), image.height()) >= 200, view
        else:
            assert (image.width(), image.height()) == size, view
        assert colours(image) >= MIN_COLOURS, view
