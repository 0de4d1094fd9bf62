"""The global Ask shortcut: Qt's key names in pynput's notation, an honest "unavailable" where the platform
refuses (no display, Wayland), the setting persisted, and on a real X display (Xvfb) a key press sent by
xdotool from outside the app opens the quick-ask popup."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from companion.engine import Engine
from companion.ui.hotkey import DEFAULT_SHORTCUT, GlobalShortcut, pynput_hotkey, unavailable_reason
from companion.ui.main_window import MainWindow
from companion.ui.settings import AppSettings, SettingsDialog


@pytest.mark.parametrize(("keys", "platform", "expected"), [
    ("Ctrl+Alt+K", "linux", "<ctrl>+<alt>+k"),
    ("Ctrl+Alt+Space", "win32", "<ctrl>+<alt>+<space>"),
    ("Meta+Shift+F5", "linux", "<cmd>+<shift>+<f5>"),
    ("Ctrl+Alt+PgUp", "linux", "<ctrl>+<alt>+<page_up>"),
    ("Ctrl+Alt+K", "darwin", "<cmd>+<alt>+k"),  # Qt's Ctrl is the Command key on macOS
])
def test_shortcuts_are_written_for_pynput(keys: str, platform: str, expected: str) -> None:
    assert pynput_hotkey(keys, platform) == expected


@pytest.mark.parametrize("keys", ["", "K", "Shift+K", "Ctrl++", "Hyper+K", "Ctrl+Alt+Volume Up"])
def test_what_cannot_be_a_global_shortcut_is_refused(keys: str) -> None:
    with pytest.raises(ValueError):
        pynput_hotkey(keys, "linux")


def test_where_the_platform_refuses_the_shortcut_is_unavailable_and_the_settings_say_why(
        qtbot, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert unavailable_reason({"DISPLAY": ":0"}, "linux") is None
    assert unavailable_reason({}, "win32") is None
    assert "no X display" in str(unavailable_reason({}, "linux"))
    assert "Wayland" in str(unavailable_reason({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, "linux"))
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    shortcut = GlobalShortcut()
    assert not shortcut.start(DEFAULT_SHORTCUT) and not shortcut.active
    assert shortcut.status == "The global shortcut is unavailable: there is no X display"
    monkeypatch.setenv("XDG_SESSION_TYPE", "wayland")
    assert not shortcut.start(DEFAULT_SHORTCUT) and "Wayland does not let apps" in shortcut.status
    assert not shortcut.start("K") and "use Ctrl, Alt or Meta with one key" in shortcut.status
    assert not shortcut.start("") and shortcut.status == "No global shortcut is set."

    path = tmp_path / "settings.ini"
    assert AppSettings.load(path).global_shortcut == DEFAULT_SHORTCUT
    for keys in ("Ctrl+Shift+Space", ""):  # empty: the user turned it off, and it stays off
        AppSettings(global_shortcut=keys).save(path)
        assert AppSettings.load(path).global_shortcut == keys
    dialog = SettingsDialog(AppSettings(global_shortcut="Ctrl+Shift+Space"))
    qtbot.addWidget(dialog)
    dialog.show_shortcut_status(shortcut.status)
    assert dialog.shortcut_status.text() == "No global shortcut is set."
    assert dialog.result_settings().global_shortcut == "Ctrl+Shift+Space"
    dialog.global_shortcut.clear()
    assert dialog.result_settings().global_shortcut == ""


@pytest.mark.skipif(not (shutil.which("Xvfb") and shutil.which("xdotool")),
                    reason="needs Xvfb and xdotool (scripts/setup.sh installs both)")
def test_the_global_shortcut_opens_ask_from_another_application(
        qtbot, engine: Engine, xvfb_display: str, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DISPLAY", xvfb_display)  # pynput's display; Qt itself stays offscreen
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("XDG_SESSION_TYPE", "x11")
    window = MainWindow(engine, AppSettings(team="Orion"), use_tray=False)
    qtbot.addWidget(window)
    try:
        assert window.hotkey.active, window.hotkey.status
        assert not window.quick_ask.isVisible()
        with qtbot.waitSignal(window.hotkey.triggered, timeout=10_000):
            subprocess.run(["xdotool", "key", "ctrl+alt+k"], env=os.environ, check=True, timeout=10)
        assert window.quick_ask.isVisible()  # popup() ran first: it is connected before the wait's slot
        window.quick_ask.hide()
        window._save_settings(replace(window.settings, global_shortcut="Ctrl+Alt+J"))  # a new one, at once
        assert window.hotkey.active and window.hotkey.keys == "Ctrl+Alt+J"
        with qtbot.waitSignal(window.hotkey.triggered, timeout=10_000):
            subprocess.run(["xdotool", "key", "ctrl+alt+j"], env=os.environ, check=True, timeout=10)
        assert window.quick_ask.isVisible()
    finally:
        window.hotkey.stop()
        _let_listeners_end()


def _let_listeners_end() -> None:
    """A stopped X11 listener ends at the next key event: send one and wait for the threads to finish (before
    the display goes away under them)."""
    from pynput import keyboard

    subprocess.run(["xdotool", "key", "shift"], env=os.environ, check=True, timeout=10)
    for thread in threading.enumerate():
        if isinstance(thread, keyboard.Listener):
            thread.join(10)
            assert not thread.is_alive()
