"""Where the app keeps its settings: ``$COMPANION_CONFIG_DIR`` when set, and never the user's own in tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from companion.runtime import default_data_dir
from companion.ui.settings import AppSettings, settings_path


def test_settings_are_saved_where_companion_config_dir_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPANION_CONFIG_DIR", str(tmp_path / "config"))
    AppSettings(team="Atlas").save()
    assert [path.relative_to(tmp_path) for path in tmp_path.rglob("*") if path.is_file()] == [
        Path("config/settings.ini")]
    assert AppSettings.load().team == "Atlas"


def test_the_test_run_has_its_own_config_and_data_folders(private_user_folders: Path) -> None:
    assert settings_path().is_relative_to(private_user_folders)
    assert default_data_dir().is_relative_to(private_user_folders)
