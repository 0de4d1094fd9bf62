"""Start the real app on a display (Xvfb with a tray host in the tests) and save screenshots of its views.

Usage: ``python tests/ui/take_screenshots.py OUT_DIR DATA_DIR`` with DATA_DIR holding the Atlas meetings
(see ``test_ui_screenshots.py``). Prints one line per screenshot and ``tray=<available>``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from companion.audio.capture import ArraySource, AudioSource
from companion.audio.decode import decode_audio
from companion.ui.app import create_app
from companion.ui.main_window import MainWindow
from companion.ui.settings import AppSettings

SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))
SPEECH = SHARED / "meetings" / "atlas-2026-03-16.wav"


def wait(signal: SignalInstance | None = None, ms: int = 30_000) -> list[Any]:
    """Run the event loop until ``signal`` fires (or for ``ms`` when None); return its arguments."""
    loop, got = QEventLoop(), []
    if signal is not None:
        signal.connect(lambda *args: (got.append(args), loop.quit()))
    QTimer.singleShot(ms, loop.quit)
    loop.exec()
    if signal is not None and not got:
        raise TimeoutError(f"no signal within {ms} ms")
    return got


def save(widget: QWidget, out: Path, name: str) -> None:
    wait(ms=300)  # let the window paint
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(path, flush=True)


def main(out: Path, data_dir: Path) -> int:
    create_app()
    out.mkdir(parents=True, exist_ok=True)
    for _ in range(50):  # the tray host may still be starting
        if QSystemTrayIcon.isSystemTrayAvailable():
            break
        wait(ms=100)
    speech = decode_audio(SPEECH)

    def sources(device: str, system: bool) -> tuple[AudioSource, AudioSource | None]:
        return ArraySource(speech, realtime=True, name="Atlas launch review"), None

    settings = AppSettings(team="Atlas", summary_model="none", data_dir=str(data_dir))
    window = MainWindow(settings.engine(), settings, sources=sources)
    print(f"tray={QSystemTrayIcon.isSystemTrayAvailable() and window.tray is not None}", flush=True)
    window.show()
    window.start()
    wait(window.library.loaded)
    window.recorder.title.setText("Atlas launch review")
    window.recorder.participants.setText("Anna, Ben, Carla, David, Emma")
    window.recorder.start()
    wait(ms=14_000)
    save(window, out, "record")
    window.recorder.shut_down()
    window.tabs.setCurrentWidget(window.library)
    save(window, out, "library")
    window.open_meeting(1)
    wait(window.meeting_view.loaded)
    save(window, out, "meeting")
    window.team_view.refresh()
    wait(window.team_view.loaded)
    window.tabs.setCurrentWidget(window.team_view)
    ben = next(n for n, d in window.team_view.graph.nodes(data=True) if d.get("label") == "Ben")
    window.team_view.show_node(ben)
    save(window, out, "team-graph")
    window.team_view.tabs.setCurrentIndex(1)
    save(window, out, "open-items")
    window.team_view.tabs.setCurrentIndex(2)
    save(window, out, "agenda")
    window.quick_ask.popup()
    window.quick_ask.question.setText("Which analytics vendor did we choose?")
    window.quick_ask.ask()
    wait(window.quick_ask.answered, 90_000)
    save(window.quick_ask, out, "quick-ask")
    dialog = window.open_settings()
    wait(ms=1500)
    save(dialog, out, "settings")
    dialog.reject()
    screen = QGuiApplication.primaryScreen()
    wait(ms=300)
    screen.grabWindow(0).save(str(out / "desktop.png"))
    print(out / "desktop.png", flush=True)
    window.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]), Path(sys.argv[2])))
