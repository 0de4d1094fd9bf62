"""A private X display with a system-tray host, where the desktop app can show its window and tray icon
without a screen: used by the bundle's smoke test and by benchmarks/bundle.py.

``QSystemTrayIcon`` is only available under Xvfb once a tray host runs, so trayer starts with the display.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

TOOLS = ("Xvfb", "trayer", "xdotool", "xwininfo")
"""The programs this module runs."""


@contextmanager
def tray_display() -> Iterator[str]:
    """A fresh Xvfb display with trayer as its tray host; yields the display's name (``:N``)."""
    number = next(n for n in range(90, 300) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    xvfb = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if xvfb.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Xvfb did not start on :{number}")
            time.sleep(0.05)
        trayer = subprocess.Popen(["trayer", "--edge", "top", "--align", "right", "--widthtype", "request",
                                   "--height", "28", "--SetDockType", "true"],
                                  env={**os.environ, "DISPLAY": f":{number}"},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            yield f":{number}"
        finally:
            trayer.terminate()
            trayer.wait(10)
    finally:
        xvfb.terminate()
        xvfb.wait(10)


def window_ids(display: str, *args: str) -> list[str]:
    """The windows ``xdotool search ARGS`` finds on ``display``."""
    found = subprocess.run(["xdotool", "search", *args], env={**os.environ, "DISPLAY": display},
                           capture_output=True, text=True, timeout=60)
    return found.stdout.split()
