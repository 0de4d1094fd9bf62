"""The global quick-ask shortcut: a key combination that opens the quick-ask popup from any application.

pynput's ``GlobalHotKeys`` listens where the platform lets an app watch the keyboard: X11 (through
python-xlib), Windows, and macOS once the app has the Accessibility permission. Wayland and a session without
a display do not: then :attr:`GlobalShortcut.status` says why (the settings show it), and the tray menu and
Ctrl+K in the window still open the popup. pynput calls back on its own thread; a queued signal hands each
press to the GUI thread.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from companion.settings import DEFAULT_SHORTCUT

log = logging.getLogger(__name__)

READY_TIMEOUT_S = 3.0
_MODIFIERS = {"ctrl": "<ctrl>", "alt": "<alt>", "shift": "<shift>", "meta": "<cmd>"}
_MAC_MODIFIERS = {**_MODIFIERS, "ctrl": "<cmd>", "meta": "<ctrl>"}  # Qt's Ctrl is Command on macOS
_NAMED_KEYS = {
    "space": "space", "tab": "tab", "return": "enter", "enter": "enter", "esc": "esc", "backspace": "backspace",
    "ins": "insert", "del": "delete", "home": "home", "end": "end", "pgup": "page_up", "pgdown": "page_down",
    "left": "left", "up": "up", "right": "right", "down": "down", "pause": "pause", "print": "print_screen",
    "menu": "menu", **{f"f{n}": f"f{n}" for n in range(1, 21)},
}


def pynput_hotkey(keys: str, platform: str = sys.platform) -> str:
    """A shortcut as Qt writes it (``Ctrl+Alt+K``) in pynput's notation (``<ctrl>+<alt>+k``).

    Raises:
        ValueError: not modifiers (Ctrl, Alt or Meta among them) and one key that pynput knows.
    """
    *modifiers, key = keys.strip().split("+")
    names = _MAC_MODIFIERS if platform == "darwin" else _MODIFIERS
    wanted = [m.strip().lower() for m in modifiers]
    if not key.strip() or any(m not in names for m in wanted) or not set(wanted) - {"shift"}:
        raise ValueError(f"{keys!r} is not a shortcut: use Ctrl, Alt or Meta with one key, e.g. {DEFAULT_SHORTCUT}")
    key = key.strip().lower()
    if len(key) > 1 and key not in _NAMED_KEYS:
        raise ValueError(f"{keys!r}: the key {key!r} cannot be a global shortcut")
    return "+".join([*dict.fromkeys(names[m] for m in wanted), f"<{_NAMED_KEYS[key]}>" if len(key) > 1 else key])


def unavailable_reason(environ: Mapping[str, str], platform: str = sys.platform) -> str | None:
    """Why this session cannot have a global shortcut (None when pynput can try)."""
    if platform in ("win32", "darwin"):
        return None
    if environ.get("WAYLAND_DISPLAY") or environ.get("XDG_SESSION_TYPE") == "wayland":
        return "Wayland does not let apps watch the keyboard (bind a shortcut in the desktop's settings instead)"
    if not environ.get("DISPLAY"):
        return "there is no X display"
    return None


class GlobalShortcut(QObject):
    """One global key combination; :attr:`triggered` is emitted on the GUI thread each time it is pressed."""

    triggered = Signal()
    _pressed = Signal()  # emitted on pynput's thread, delivered queued

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.keys = ""
        self.status = "No global shortcut is set."
        self._listener: Any = None
        self._generation = 0
        self._pressed.connect(self.triggered, Qt.ConnectionType.QueuedConnection)

    @property
    def active(self) -> bool:
        return self._listener is not None

    def start(self, keys: str) -> bool:
        """Listen for ``keys`` (``Ctrl+Alt+K``; empty: none) instead of any earlier combination.

        Never raises: returns whether it listens, and :attr:`status` says so or why not.
        """
        self.stop()
        self.keys = keys.strip()
        if not self.keys:
            self.status = "No global shortcut is set."
            return False
        try:
            combination = pynput_hotkey(self.keys)
            reason = unavailable_reason(os.environ)
            if reason is not None:
                raise OSError(reason)
            generation = self._generation
            self._listener = _listen(combination, lambda: self._press(generation))
        except Exception as error:  # a platform that refuses, however it says so, must not stop the app
            self.status = f"The global shortcut is unavailable: {error}".split("\n")[0]
            log.warning("%s", self.status)
            return False
        self.status = f"{self.keys} opens Ask from any application."
        log.info("global shortcut %s (%s) is listening", self.keys, combination)
        return True

    def stop(self) -> None:
        """Stop listening; returns at once.

        On X11 a stopped listener's thread lingers until the next key event (pynput issue #583): it delivers
        nothing more, as presses of an earlier generation are dropped.
        """
        self._generation += 1
        listener, self._listener = self._listener, None
        if listener is not None and listener.is_alive():
            listener.stop()

    def _press(self, generation: int) -> None:
        """On pynput's thread: a press of the current combination goes to the GUI thread."""
        if generation == self._generation:
            self._pressed.emit()


def _listen(combination: str, pressed: Callable[[], None]) -> Any:
    """A started pynput listener for ``combination``, ready for key presses."""
    from pynput import keyboard  # loads the platform's backend: an ImportError without a display

    keyboard.HotKey.parse(combination)  # a ValueError for a key this platform lacks
    listener = keyboard.GlobalHotKeys({combination: pressed})
    listener.start()
    if not _ready(listener, READY_TIMEOUT_S):
        raise OSError("the keyboard listener did not start")
    if not getattr(listener, "IS_TRUSTED", True):  # macOS without the Accessibility permission
        listener.stop()
        raise OSError("allow Meeting Companion in System Settings > Privacy & Security > Accessibility")
    return listener


def _ready(listener: Any, timeout_s: float) -> bool:
    """Whether the listener became ready in time (its thread ends early when the display refuses it)."""
    ready = threading.Event()

    def wait() -> None:
        listener.wait()
        ready.set()

    threading.Thread(target=wait, name="hotkey-ready", daemon=True).start()
    deadline = time.monotonic() + timeout_s
    while not ready.wait(0.02):
        if not listener.is_alive() or time.monotonic() > deadline:
            return False
    return True
