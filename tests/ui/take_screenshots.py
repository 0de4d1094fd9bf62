"""Start the real app on a display (Xvfb with a tray host) and save screenshots of its views.

``scripts/screenshots.sh`` remakes the docs' screenshots with it; ``test_ui_screenshots.py`` runs it into a
temporary folder. Prints one line per screenshot and ``tray=<available>``. Its settings live in a temporary
config folder: the user's are neither read nor changed.

    python tests/ui/take_screenshots.py --output DIR [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QSystemTrayIcon, QWidget

from companion.audio.capture import ArraySource, AudioSource
from companion.audio.decode import decode_audio
from companion.engine import Engine
from companion.jobs import run_job
from companion.ui.app import create_app
from companion.ui.main_window import MainWindow
from companion.ui.settings import AppSettings

SHARED = Path(os.environ.get("COMPANION_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data"))
SPEECH = SHARED / "meetings" / "atlas-2026-03-16.wav"
ATLAS_DATES = ("2026-03-02", "2026-03-09", "2026-03-16")


def store_atlas(engine: Engine) -> None:
    """Import the three Atlas meetings from their transcripts (fast: no audio)."""
    for date in ATLAS_DATES:
        run_job(engine.process(SHARED / "meetings" / f"atlas-{date}.txt", "Atlas", title=f"Atlas sync {date}",
                               date=date))


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


def take(out: Path, data_dir: Path) -> None:
    """Screenshots of the app on ``data_dir`` (holding the Atlas meetings) into ``out``."""
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


def main() -> int:
    parser = argparse.ArgumentParser(description="Save screenshots of the app's views (on a display with a tray).")
    parser.add_argument("--output", type=Path, required=True, help="folder for the PNG files")
    parser.add_argument("--data-dir", type=Path,
                        help="a data folder holding the Atlas meetings (default: a temporary one, imported here)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="companion-screenshots-") as folder:
        os.environ["COMPANION_CONFIG_DIR"] = folder
        data_dir = args.data_dir
        if data_dir is None:
            data_dir = Path(folder, "data")
            engine = Engine(data_dir, summary_model=None)
            store_atlas(engine)
            engine.close()
        take(args.output, data_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
