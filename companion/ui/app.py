"""Start the desktop app: QApplication, palette that follows the system, the main window and the tray.

Nothing heavy happens before the window shows: the engine loads its models lazily, on the first job,
on a worker thread. The passphrase of an encrypted data folder is asked for in a dialog when the first job
needs it (:mod:`companion.ui.passphrase`).
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Mapping, Sequence

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from companion.errors import CompanionError
from companion.logs import setup_logging
from companion.runtime import default_data_dir
from companion.settings import Settings, effective_settings
from companion.ui.icon import app_icon
from companion.ui.lazy_engine import lazy_engine
from companion.ui.main_window import QUIT_WAIT_MS, MainWindow
from companion.ui.passphrase import PassphrasePrompt

log = logging.getLogger(__name__)

SIGNAL_POLL_MS = 300
DARK = {
    QPalette.ColorRole.Window: "#202124", QPalette.ColorRole.WindowText: "#e8eaed",
    QPalette.ColorRole.Base: "#171717", QPalette.ColorRole.AlternateBase: "#2a2b2e",
    QPalette.ColorRole.Text: "#e8eaed", QPalette.ColorRole.Button: "#2d2e31",
    QPalette.ColorRole.ButtonText: "#e8eaed", QPalette.ColorRole.Highlight: "#8ab4f8",
    QPalette.ColorRole.HighlightedText: "#202124", QPalette.ColorRole.ToolTipBase: "#2d2e31",
    QPalette.ColorRole.ToolTipText: "#e8eaed", QPalette.ColorRole.Link: "#8ab4f8",
    QPalette.ColorRole.PlaceholderText: "#9aa0a6",
}


def palette_for(scheme: Qt.ColorScheme, app: QApplication) -> QPalette:
    """The style's light palette, or a dark one for :attr:`Qt.ColorScheme.Dark`."""
    palette = app.style().standardPalette()
    if scheme == Qt.ColorScheme.Dark:
        for role, colour in DARK.items():
            palette.setColor(role, QColor(colour))
    return palette


def system_palette(app: QApplication) -> QPalette:
    """The light or dark palette, as the system's colour scheme says."""
    return palette_for(QGuiApplication.styleHints().colorScheme(), app)


def create_app(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication with the app's name, icon, Fusion style and the system's light/dark palette."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(["companion", *argv])
    app.setApplicationName("Meeting Companion")
    app.setOrganizationName("meeting-companion")
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the tray keeps the app alive; the window quits explicitly
    style = QStyleFactory.create("Fusion")
    if style is not None:
        app.setStyle(style)
    app.setPalette(system_palette(app))
    QGuiApplication.styleHints().colorSchemeChanged.connect(lambda _scheme: app.setPalette(system_palette(app)))
    return app


def quit_on_signals(window: MainWindow) -> None:
    """SIGINT/SIGTERM quit like the Quit menu (a recording is stopped and kept on disk).

    Python only runs signal handlers between bytecodes, so a timer wakes the interpreter now and then.
    """
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: window.quit_now())
    waker = QTimer(window)
    waker.timeout.connect(lambda: None)
    waker.start(SIGNAL_POLL_MS)


def main(flags: Mapping[str, str | bool | None] | None = None, *, allow_download: bool = False,
         verbose: bool = False) -> int:
    """Run the desktop app until the user quits.

    ``flags`` are the command line's global options (None: not given); with the environment they override
    the settings file for this run only (:func:`~companion.settings.effective_settings`). A settings file that
    cannot be used is reported in a dialog; the app then runs on the defaults and leaves the file alone.
    """
    began = time.perf_counter()
    setup_logging(verbose)
    app = create_app()
    problem: CompanionError | None = None
    try:
        stored = Settings.load()
    except CompanionError as error:
        stored, problem = Settings(), error
    try:
        effective = effective_settings(flags or {}, stored=stored)
    except CompanionError as error:
        effective, problem = stored, error
    passphrase = PassphrasePrompt(default_data_dir(effective.data_dir or None))
    engine = lazy_engine(lambda: effective.engine(allow_download=allow_download, ask_passphrase=passphrase))
    window = MainWindow(engine, stored, passphrase=passphrase)
    window.show()

    def ready() -> None:
        log.info("window usable %.2f s after start", time.perf_counter() - began)
        window.start()
        if problem is not None:
            window.show_error("reading the settings", problem)

    QTimer.singleShot(0, ready)
    quit_on_signals(window)
    try:
        return int(app.exec())
    finally:
        if window.tasks.shut_down(QUIT_WAIT_MS):
            window.engine.close()
        else:  # closing the store under a running job could crash the app; the process ends anyway
            log.warning("work still running at exit: the meeting store is left for the system to close")
