"""The app and the command line share one settings file: what the app's dialog saves, the CLI uses; the CLI's
global options reach the app; a settings file the app cannot read is reported and left alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from companion.engine import Engine
from companion.settings import Settings
from companion.ui.main_window import MainWindow


def run_app_until(env: dict[str, str], log_file: Path, done: Callable[[str], bool], *args: str) -> str:
    """Start ``companion ARGS`` (the desktop app), wait until ``done(log text)``, quit it with SIGTERM; the log."""
    process = subprocess.Popen([sys.executable, "-m", "companion", *args], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT)
    try:
        deadline, text = time.monotonic() + 60, ""
        while not done(text) and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.1)
            text = log_file.read_text() if log_file.is_file() else ""
        assert done(text), process.stdout.read().decode() if process.stdout and process.poll() is not None else text
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
    return text


@pytest.fixture
def app_env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "COMPANION_CONFIG_DIR": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "xdg-data")}
    env.pop("COMPANION_DATA_DIR", None)
    return env


def test_the_data_folder_chosen_in_the_app_is_the_one_the_cli_then_uses(
        window: MainWindow, atlas: Engine, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPANION_CONFIG_DIR", str(tmp_path / "config"))
    dialog = window.open_settings()
    dialog.data_dir.setText(str(atlas.data_dir))
    with qtbot.waitSignal(dialog.accepted, timeout=5_000):
        dialog.accept()
    assert Settings.load().data_dir == str(atlas.data_dir)
    listing = subprocess.run([sys.executable, "-m", "companion", "meetings", "--team", "Atlas"], capture_output=True,
                             text=True, timeout=300)
    assert listing.returncode == 0, listing.stderr
    assert len(listing.stdout.splitlines()) == len(atlas.meetings("Atlas")) == 3


def test_global_options_reach_the_app_for_that_run_only(tmp_path: Path, app_env: dict[str, str]) -> None:
    settings_file = tmp_path / "config" / "settings.ini"
    settings_file.parent.mkdir()
    settings_file.write_text(f"[General]\ndata_dir = {tmp_path / 'from-settings'}\n")
    flagged = tmp_path / "from-flag"
    log_file = tmp_path / "state" / "meeting-companion" / "log" / "companion.log"
    run_app_until(app_env, log_file, lambda log: "window usable" in log and (flagged / "companion.db").is_file(),
                  "--data-dir", str(flagged))
    assert not (tmp_path / "from-settings").exists()
    assert Settings.load(settings_file) == Settings(data_dir=str(tmp_path / "from-settings"))  # the flag not kept


def test_the_app_reports_a_settings_file_it_cannot_read_and_leaves_it_alone(
        tmp_path: Path, app_env: dict[str, str]) -> None:
    settings_file = tmp_path / "config" / "settings.ini"
    settings_file.parent.mkdir()
    settings_file.write_bytes(b"data_dir = /nowhere\n")
    log_file = tmp_path / "state" / "meeting-companion" / "log" / "companion.log"
    log = run_app_until(app_env, log_file, lambda log: "reading the settings failed" in log)
    assert f"{settings_file}: cannot read the settings" in log
    assert settings_file.read_bytes() == b"data_dir = /nowhere\n"
