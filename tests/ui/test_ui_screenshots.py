"""The real app on an X display (Xvfb) with a tray host (trayer): screenshots of its main views."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from companion.engine import Engine

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "docs" / "screenshots"
VIEWS = ("record", "library", "meeting", "team-graph", "open-items", "agenda", "quick-ask", "settings", "desktop")

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


def test_the_app_runs_with_a_tray_and_its_views_are_captured(display: str, atlas: Engine, tmp_path: Path) -> None:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state")}
    out = tmp_path / "shots"
    result = subprocess.run([sys.executable, str(Path(__file__).with_name("take_screenshots.py")), str(out),
                             str(atlas.data_dir)], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "tray=True" in result.stdout  # QSystemTrayIcon found trayer
    for view in VIEWS:
        shot = out / f"{view}.png"
        assert shot.is_file() and shot.stat().st_size > 8_000, view  # a real picture, not a blank window
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for view in VIEWS:
        shutil.copy(out / f"{view}.png", SCREENSHOTS / f"{view}.png")
