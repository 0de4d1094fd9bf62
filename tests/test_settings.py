"""The one settings file the app and the command line share: its round trip, what overrides it for one run,
``companion config``, and the errors a bad file gives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from companion.audio.capture import ArraySource, SoundDeviceSource, fallback_microphone, open_inputs
from companion.clock import clock
from companion.errors import CompanionError
from companion.settings import KEYS, Settings, as_text, effective_settings, settings_path

TRANSCRIPT = "Anna: Good morning.\nBen: I'll fix the crash by Friday.\n"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment of a CLI run whose config and data folders lie under ``tmp_path``."""
    variables = {**os.environ, "COMPANION_CONFIG_DIR": str(tmp_path / "config"),
                 "XDG_DATA_HOME": str(tmp_path / "xdg-data")}
    variables.pop("COMPANION_DATA_DIR", None)
    return variables


def companion(env: dict[str, str], *args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The real command line in a process of its own."""
    return subprocess.run([sys.executable, "-m", "companion", *map(str, args)], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def one_error(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode == 1, result.stderr
    [line] = result.stderr.splitlines()
    assert line.startswith("companion: error: ") and all(piece in line for piece in expected), line
    return line


def test_settings_round_trip_keeping_unknown_keys_and_writing_only_changes(tmp_path: Path) -> None:
    path = tmp_path / "settings.ini"
    path.write_text("[General]\nfuture_key = kept\n")
    chosen = Settings(data_dir=str(tmp_path / "data"), team="Atlas", device="cpu", speech_model="small.en",
                      summary_model="smollm2", input_device="3", system_audio=True, voice="gmw/en-us",
                      keep_in_tray=False, global_shortcut="")
    assert all(getattr(chosen, key) != getattr(Settings(), key) for key in KEYS)  # every key is exercised
    chosen.save(path)
    assert Settings.load(path) == chosen
    assert "future_key = kept" in path.read_text()
    Settings(team="Orion").save(path)
    assert path.read_text() == "[General]\nfuture_key = kept\nteam = Orion\n\n"
    assert Settings.load(tmp_path / "missing.ini") == Settings()


def test_none_means_no_summary_model_in_one_place() -> None:
    assert Settings().language_model is None
    assert Settings(summary_model="None").language_model is None and Settings(summary_model="").language_model is None
    assert Settings(summary_model="gpt2").language_model == "gpt2"
    engine = Settings(summary_model="gpt2").engine()
    assert engine._summary_model == "gpt2"
    engine.close()


def test_flag_beats_environment_beats_file_beats_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPANION_CONFIG_DIR", str(tmp_path / "config"))
    Settings(data_dir="from-file", device="cpu").save()
    assert settings_path() == tmp_path / "config" / "settings.ini"
    no_flags = {"data_dir": None, "device": None}
    assert effective_settings(no_flags, environ={}).data_dir == "from-file"
    assert effective_settings(no_flags, environ={"COMPANION_DATA_DIR": "from-env"}).data_dir == "from-env"
    flagged = effective_settings({"data_dir": "from-flag", "device": "cuda"}, environ={"COMPANION_DATA_DIR": "e"})
    assert (flagged.data_dir, flagged.device) == ("from-flag", "cuda")
    assert effective_settings(no_flags, environ={}).device == "cpu"
    assert Settings.load() == Settings(data_dir="from-file", device="cpu")  # a run's flags are never saved


def test_the_cli_uses_the_data_folder_by_flag_then_environment_then_file_then_default(
        tmp_path: Path, env: dict[str, str]) -> None:
    def used(*flags: str, environment: str | None = None, file: str | None = None) -> list[str]:
        if file is not None:
            assert companion(env, "config", "set", "data_dir", tmp_path / file).returncode == 0
        run_env = {**env, "COMPANION_DATA_DIR": str(tmp_path / environment)} if environment else env
        one_error(companion(run_env, *flags, "meetings", "--team", "Atlas"), "no team named 'Atlas'")  # an empty store
        return sorted(str(p.parent.relative_to(tmp_path)) for p in tmp_path.rglob("companion.db"))

    assert used() == ["xdg-data/meeting-companion"]
    assert used(file="file1") == ["file1", "xdg-data/meeting-companion"]
    assert used(environment="env2", file="file2") == ["env2", "file1", "xdg-data/meeting-companion"]
    assert used("--data-dir", str(tmp_path / "flag3"), environment="env3", file="file3") == [
        "env2", "file1", "flag3", "xdg-data/meeting-companion"]


def test_config_set_data_dir_then_meetings_uses_that_store(tmp_path: Path, env: dict[str, str]) -> None:
    transcript = tmp_path / "sync.txt"
    transcript.write_text(TRANSCRIPT)
    stored = companion(env, "--data-dir", tmp_path / "chosen", "process", transcript, "--team", "Atlas")
    assert stored.returncode == 0, stored.stderr
    one_error(companion(env, "meetings", "--team", "Atlas"), "no team named 'Atlas'")  # the default folder
    relative = companion(env, "config", "set", "data_dir", "chosen", cwd=tmp_path)  # from where it ran
    assert relative.returncode == 0, relative.stderr
    assert companion(env, "config", "get", "data_dir").stdout.strip() == str(tmp_path / "chosen")
    listing = companion(env, "meetings", "--team", "Atlas")
    assert listing.returncode == 0 and "sync" in listing.stdout and "00:03" in listing.stdout, listing.stderr
    shown = companion(env, "config", "list").stdout.splitlines()
    assert f"data_dir = {tmp_path / 'chosen'}" in shown and "device = auto  (default)" in shown
    assert len(shown) == len(KEYS)
    assert companion(env, "config", "unset", "data_dir").returncode == 0
    assert companion(env, "config", "get", "data_dir").stdout == "\n"
    assert companion(env, "config", "path").stdout.strip() == str(tmp_path / "config" / "settings.ini")


@pytest.mark.parametrize(("arguments", "expected"), [
    (("set", "device", "gpu"), ("device", "'gpu'", "auto, cpu, cuda")),
    (("set", "system_audio", "maybe"), ("system_audio", "true or false")),
    (("set", "colour", "red"), ("unknown setting 'colour'", "data_dir")),
    (("get", "colour"), ("unknown setting 'colour'",)),
    (("unset", "colour"), ("unknown setting 'colour'",)),
])
def test_bad_values_and_unknown_keys_are_one_line_and_change_nothing(
        tmp_path: Path, env: dict[str, str], arguments: tuple[str, ...], expected: tuple[str, ...]) -> None:
    assert companion(env, "config", "set", "team", "Atlas").returncode == 0
    before = (tmp_path / "config" / "settings.ini").read_bytes()
    one_error(companion(env, "config", *arguments), *expected)
    assert (tmp_path / "config" / "settings.ini").read_bytes() == before


def test_an_unknown_key_in_the_file_is_a_warning_and_a_bad_value_an_error(
        tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "config" / "settings.ini"
    path.parent.mkdir()
    path.write_text("[General]\nteam = Atlas\nfavourite_colour = red\n")
    result = companion(env, "config", "get", "team")
    assert result.returncode == 0 and result.stdout == "Atlas\n"
    assert "unknown setting 'favourite_colour' ignored" in result.stderr and str(path) in result.stderr
    path.write_text("[General]\ndevice = gpu\n")
    one_error(companion(env, "meetings", "--team", "Atlas"), str(path), "device = 'gpu'")
    assert companion(env, "config", "set", "device", "cpu").returncode == 0  # the way to put it right
    assert Settings.load(path) == Settings(device="cpu")
    with pytest.raises(CompanionError, match="keep_in_tray = 'sometimes'"):
        Settings().with_value("keep_in_tray", "sometimes", str(path))


@pytest.mark.parametrize("content", [b"data_dir = /x\n", b"[General]\nteam\n", b"[General]\nteam = \xff\n"])
def test_a_corrupt_settings_file_is_a_clear_error_and_never_overwritten(
        tmp_path: Path, env: dict[str, str], content: bytes) -> None:
    path = tmp_path / "config" / "settings.ini"
    path.parent.mkdir()
    path.write_bytes(content)
    for arguments in (("meetings", "--team", "Atlas"), ("config", "list"), ("config", "set", "team", "Orion"),
                      ("config", "unset", "team")):
        one_error(companion(env, *arguments), str(path), "cannot read the settings", "fix or delete the file")
    assert companion(env, "config", "path").stdout.strip() == str(path)  # the way to find it still works
    assert path.read_bytes() == content
    assert not (tmp_path / "xdg-data").exists()  # no command ran on a guessed data folder


def test_microphone_and_system_audio_sources_and_the_fallback_to_the_default() -> None:
    chosen = [open_inputs(choice, False)[0] for choice in ("3", " Headset ", "")]
    assert [m.device for m in chosen if isinstance(m, SoundDeviceSource)] == [3, "Headset", None]
    spare = fallback_microphone(chosen[0])
    assert isinstance(spare, SoundDeviceSource) and spare.device is None and spare.pulse_source is None
    assert fallback_microphone(chosen[2]) is None  # the default itself went away: nothing to fall back to
    assert fallback_microphone(SoundDeviceSource(pulse_source="sink.monitor")) is None
    assert fallback_microphone(ArraySource(np.zeros(10))) is None


def test_one_clock_for_the_app_the_cli_and_the_exports() -> None:
    assert (clock(0), clock(75.9), clock(3675)) == ("00:00", "01:15", "1:01:15")


def test_docs_describe_every_setting_and_its_default() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "settings.md").read_text()
    for key in KEYS:
        [row] = [line for line in text.splitlines() if line.startswith(f"| `{key}`")]
        default = as_text(getattr(Settings(), key))
        assert (f"`{default}`" if default else "empty") in row, row
