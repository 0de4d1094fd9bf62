"""``companion`` without a sub-command starts the desktop app, fast, and quits cleanly on SIGTERM."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDateEdit, QHeaderView
from pytestqt.qtbot import QtBot

from companion.ui.app import create_app, palette_for, system_palette
from companion.ui.main_window import MainWindow
from companion.ui.settings import AppSettings

LAUNCH_TARGET_S = 2.0


def test_bare_companion_opens_the_window_within_two_seconds_and_quits_on_sigterm(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "COMPANION_DATA_DIR": str(tmp_path / "data")}
    log_file = tmp_path / "state" / "meeting-companion" / "log" / "companion.log"
    began = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "companion"], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        usable = None
        while usable is None and time.monotonic() - began < 30 and process.poll() is None:
            text = log_file.read_text() if log_file.is_file() else ""
            found = re.search(r"window usable ([\d.]+) s after start", text)
            usable = float(found.group(1)) if found else None
            time.sleep(0.05)
        wall = time.monotonic() - began
        output = process.stdout.read().decode() if process.stdout and process.poll() is not None else "no window"
        assert usable is not None, output
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    assert usable < LAUNCH_TARGET_S
    assert wall < LAUNCH_TARGET_S + 1.5  # interpreter start and polling on top
    assert (tmp_path / "config" / "meeting-companion" / "settings.ini").is_file()  # saved on the way out


def test_settings_round_trip_through_the_config_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    chosen = AppSettings(speech_model="small.en", summary_model="none", device="cpu", input_device="3",
                         system_audio=True, data_dir=str(tmp_path / "data"), voice="en-gb", keep_in_tray=False,
                         team="Atlas")
    chosen.save(path)
    assert AppSettings.load(path) == chosen
    assert AppSettings.load(tmp_path / "missing.ini") == AppSettings()
    engine = chosen.engine()
    assert engine.data_dir == tmp_path / "data" and engine._summary_model is None


def test_the_read_aloud_voice_is_chosen_in_settings_and_kept(window: MainWindow, qtbot: QtBot) -> None:
    dialog = window.open_settings()
    assert dialog.voice.isEnabled() and dialog.voice.currentData() == ""  # the system's default
    qtbot.waitUntil(lambda: dialog.voice.count() > 20, timeout=10_000)
    dialog.voice.setCurrentIndex(dialog.voice.findText("English (America)"))
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.accept()
    assert window.settings.voice == "gmw/en-us" and AppSettings.load().voice == "gmw/en-us"
    again = window.open_settings()
    qtbot.waitUntil(lambda: again.voice.count() > 20, timeout=10_000)
    assert (again.voice.currentText(), again.result_settings().voice) == ("English (America)", "gmw/en-us")
    again.reject()


def test_a_saved_voice_this_computer_lacks_is_kept(window: MainWindow, qtbot: QtBot) -> None:
    window.settings = replace(window.settings, voice="com.apple.voice.Samantha")
    dialog = window.open_settings()
    qtbot.waitUntil(lambda: dialog.voice.count() > 20, timeout=10_000)
    assert dialog.voice.currentText() == "com.apple.voice.Samantha (not on this computer)"
    assert dialog.result_settings().voice == "com.apple.voice.Samantha"
    dialog.reject()


def test_light_and_dark_palettes_follow_the_system_scheme(qtbot: QtBot) -> None:
    app = create_app()
    assert app.applicationName() == "Meeting Companion" and not app.windowIcon().isNull()
    dark, light = palette_for(Qt.ColorScheme.Dark, app), palette_for(Qt.ColorScheme.Light, app)
    assert dark.window().color().lightness() < 80 and dark.text().color().lightness() > 180
    assert light.window().color().lightness() > 180 and light.text().color().lightness() < 80
    assert app.palette().window().color() == system_palette(app).window().color()  # applied at start


def test_every_control_has_a_name_for_screen_readers(window: MainWindow) -> None:
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QComboBox, QLineEdit, QProgressBar

    unnamed = []
    for kind in (QAbstractButton, QComboBox, QLineEdit, QProgressBar, QAbstractItemView):
        for control in window.findChildren(kind):
            named = control.accessibleName() or (isinstance(control, QAbstractButton) and control.text())
            inner = ((isinstance(control, QLineEdit) and isinstance(control.parent(), QComboBox | QDateEdit))
                     or isinstance(control, QHeaderView) or isinstance(control.parent(), QLineEdit)
                     or control.objectName().startswith("qt_")  # parts Qt adds to its own widgets
                     or control.window() is not window)  # combo-box popups
            if not named and not inner:
                unnamed.append(f"{type(control).__name__} in {type(control.parent()).__name__}")
    assert unnamed == [], unnamed


def test_shortcuts_for_record_search_and_ask(window: MainWindow) -> None:
    keys = {action.text(): action.shortcut().toString() for action in window.actions()}
    assert keys["Record / Stop"] == "Ctrl+R" and keys["Search"] == "Ctrl+F" and keys["Ask"] == "Ctrl+K"
    window.search_action.trigger()
    assert window.tabs.currentWidget() is window.library


def test_models_load_in_the_background_after_the_window_shows(window: MainWindow, qtbot: QtBot) -> None:
    import gc

    with qtbot.waitSignal(window.models_ready, timeout=120_000):
        window.start()
    assert {"torch", "transformers", "sentence_transformers"} <= set(sys.modules)
    assert "model" in vars(window.engine.speech_to_text)  # loaded, not waiting for the first job
    assert gc.get_freeze_count() > 10_000  # the loaded libraries are out of the collector's full passes
    qtbot.waitUntil(lambda: window.runtime_label.text().startswith("CPU"), timeout=10_000)


def test_the_engine_is_built_on_first_use_not_before_the_window() -> None:
    from companion.ui.lazy_engine import LazyEngine

    built: list[int] = []

    class Probe:
        data_dir = "here"

        def close(self) -> None:
            built.append(-1)

    lazy = LazyEngine(lambda: (built.append(1), Probe())[1])  # type: ignore[arg-type, return-value, func-returns-value]
    lazy.close()  # never used: nothing to build or close
    assert built == []
    assert lazy.data_dir == "here" and lazy.data_dir == "here"
    lazy.close()
    assert built == [1, -1]  # built once, closed once
    # Starting the app does not import the engine (numpy, scipy, networkx ...) before the window shows.
    code = "import sys, companion.cli, companion.ui.app; print('companion.engine' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "False", result.stderr
