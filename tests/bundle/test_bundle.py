"""Smoke test of the built Linux download (packaging/build.sh), not of the virtualenv.

Skipped unless ``COMPANION_BUNDLE`` names the archive. The archive is unpacked and installed by its own
``install.sh`` into a fresh HOME, and every command runs with a PATH that holds no virtualenv: what the
bundle lacks (a hidden import, a model, a Qt plugin, a font) fails here rather than on a user's machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import SPELLING
from desktop import TOOLS, tray_display, window_ids
from pulse import VirtualMicrophone

from companion.audio.decode import decode_audio
from companion.evaluation import word_error_rate

ARCHIVE = os.environ.get("COMPANION_BUNDLE", "")
VENV_COMPANION = Path(sys.executable).with_name("companion")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not ARCHIVE, reason="set COMPANION_BUNDLE to the built archive (packaging/build.sh)"),
]


class Installed:
    """The bundle installed under ``home`` by its install.sh, and how to run its programs there."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.folder = home / ".local" / "opt" / "meeting-companion"
        self.bin = home / ".local" / "bin"
        kept = ("LANG", "LC_ALL", "TZ", "TMPDIR")
        self.env = {name: os.environ[name] for name in kept if name in os.environ}
        self.env |= {"HOME": str(home), "PATH": f"{self.bin}:/usr/local/bin:/usr/bin:/bin"}

    def run(self, *args: str, timeout: float = 300, env: dict[str, str] | None = None,
            **kwargs: object) -> subprocess.CompletedProcess[str]:
        result: subprocess.CompletedProcess[str] = subprocess.run(  # type: ignore[call-overload]
            ["companion", *args], env={**self.env, **(env or {})}, capture_output=True, text=True, timeout=timeout,
            **kwargs)
        return result

    def ok(self, *args: str, **kwargs: object) -> str:
        result = self.run(*args, **kwargs)  # type: ignore[arg-type]
        assert result.returncode == 0, f"companion {' '.join(args)}: {result.returncode}\n{result.stderr[-3000:]}"
        return str(result.stdout)


def files_of(folder: Path) -> dict[str, int]:
    return {str(path.relative_to(folder)): path.stat().st_size for path in folder.rglob("*") if path.is_file()}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """Unpack and install the archive; afterwards the install folder must be as installed (the app writes
    only to the user's folders: the SmolLM2 conversion included), and ``--uninstall`` must remove it."""
    unpacked = tmp_path_factory.mktemp("unpacked")
    with tarfile.open(ARCHIVE) as archive:
        archive.extractall(unpacked, filter="tar")
    [top] = unpacked.iterdir()
    assert sorted(p.name for p in top.iterdir()) == ["install.sh", "meeting-companion", "meeting-companion.desktop",
                                                   "meeting-companion.png"]
    app = Installed(tmp_path_factory.mktemp("home"))
    result = subprocess.run([str(top / "install.sh")], env=app.env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert shutil.which("companion", path=app.env["PATH"]) == str(app.bin / "companion")
    assert (app.home / ".local/share/applications/meeting-companion.desktop").is_file()
    assert (app.home / ".local/share/icons/hicolor/256x256/apps/meeting-companion.png").is_file()
    as_installed = files_of(app.folder)
    yield app
    assert files_of(app.folder) == as_installed
    result = subprocess.run([str(top / "install.sh"), "--uninstall"], env=app.env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not app.folder.exists() and not (app.bin / "companion").exists()


@pytest.fixture(scope="module")
def atlas(installed: Installed, shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A data folder with the 2 March Atlas meeting processed by the bundle, summary by SmolLM2 (so the
    instruct model is converted into the fresh HOME's cache), and the meeting's id."""
    data = tmp_path_factory.mktemp("data")
    out = installed.ok("--data-dir", str(data), "--summary-model", "smollm2", "process",
                       str(shared_data / "meetings/atlas-2026-03-02.txt"), "--team", "Atlas",
                       "--title", "Atlas weekly", "--date", "2026-03-02", timeout=900)
    return data, out.strip().splitlines()[-1]


def test_version_is_the_projects(installed: Installed) -> None:
    venv = subprocess.run([VENV_COMPANION, "--version"], capture_output=True, text=True, check=True)
    assert installed.ok("--version") == venv.stdout
    assert venv.stdout.startswith("companion ")


@pytest.mark.parametrize("args", [
    ["transcribe", "/no/such/file.wav"],
    ["minutes", "42"],
    ["ask", "what?", "--team", "Nobody", "--json"],
    ["process", "/no/such/meeting.txt", "--team", "Atlas"],
    ["minutes", "1", "--format", "odt"],
    ["--device", "tpu", "doctor"],
])
def test_bad_input_gives_the_same_one_line_error_as_the_venv(installed: Installed, tmp_path: Path,
                                                            args: list[str]) -> None:
    bundled = installed.run("--data-dir", str(tmp_path / "bundle"), *args)
    venv = subprocess.run([VENV_COMPANION, "--data-dir", str(tmp_path / "venv"), *args], capture_output=True,
                          text=True, timeout=300)
    assert venv.returncode in (1, 2), venv.stderr
    assert bundled.returncode == venv.returncode
    assert bundled.stderr.splitlines()[-1] == venv.stderr.splitlines()[-1]
    assert re.match(r"companion( \w+)?: error: ", bundled.stderr.splitlines()[-1])  # argparse names a sub-command


def test_batch_import_says_it_needs_the_pip_install(installed: Installed, shared_data: Path,
                                                     tmp_path: Path) -> None:
    batch = installed.run("--data-dir", str(tmp_path), "batch", "--team", "Atlas",
                          str(shared_data / "meetings/atlas-2026-03-02.txt"))
    assert batch.returncode == 1
    assert batch.stderr.splitlines()[-1] == ("companion: error: batch import on Ray is not part of the installed app; "
                                             "it runs from the pip install: pip install 'meeting-companion[cluster]'")


def test_an_encrypted_folder_opens_with_its_passphrase_only(installed: Installed, atlas: tuple[Path, str],
                                                             tmp_path: Path) -> None:
    """SQLCipher, cryptography and keyring are in the bundle: encrypt, read back, refuse a wrong passphrase."""
    data = tmp_path / "data"
    shutil.copytree(atlas[0], data)
    right, wrong = {"COMPANION_PASSPHRASE": "correct horse battery"}, {"COMPANION_PASSPHRASE": "a wrong one"}
    installed.ok("--data-dir", str(data), "encrypt", env=right)
    assert "Atlas weekly" in installed.ok("--data-dir", str(data), "meetings", "--team", "Atlas", env=right)
    refused = installed.run("--data-dir", str(data), "meetings", "--team", "Atlas", env=wrong)
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[-1].endswith("wrong passphrase for the encrypted data folder")


def test_transcribes_the_jfk_clip(installed: Installed, shared_data: Path, tmp_path: Path) -> None:
    text = installed.ok("--data-dir", str(tmp_path), "transcribe", str(shared_data / "speech/jfk.flac"))
    assert word_error_rate((shared_data / "speech/jfk.txt").read_text(), text, SPELLING) <= 0.05


def test_processes_a_meeting_and_answers_about_it(installed: Installed, atlas: tuple[Path, str]) -> None:
    data, meeting = atlas
    assert (installed.home / ".cache/meeting-companion/models/smollm2-135m-instruct/config.json").is_file()
    minutes = json.loads(installed.ok("--data-dir", str(data), "minutes", meeting, "--format", "json"))
    assert any(item["owner"] == "Ben" for item in minutes["action_items"])
    answer = json.loads(installed.ok("--data-dir", str(data), "ask", "Who is fixing the Android crash?",
                                     "--team", "Atlas", "--json"))
    assert "Ben" in answer["answer"] and answer["citations"]


def test_minutes_as_pdf_and_docx_open(installed: Installed, atlas: tuple[Path, str], tmp_path: Path) -> None:
    from docx import Document

    data, meeting = atlas
    pdf, docx = tmp_path / "minutes.pdf", tmp_path / "minutes.docx"
    installed.ok("--data-dir", str(data), "minutes", meeting, "--format", "pdf", "-o", str(pdf))
    installed.ok("--data-dir", str(data), "minutes", meeting, "--format", "docx", "-o", str(docx))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Atlas weekly" in text and "Ben" in text
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "DejaVuSans" in fonts  # the bundled Unicode font, not Helvetica's Latin-1
    assert (installed.folder / "_internal/companion/export/fonts/DejaVuSans.ttf").is_file()
    paragraphs = [p.text for p in Document(str(docx)).paragraphs]
    assert any("Atlas weekly" in p for p in paragraphs) and any("Ben" in p for p in paragraphs)


@pytest.fixture(scope="module")
def microphone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtualMicrophone]:
    mic = VirtualMicrophone(tmp_path_factory.mktemp("pulse"))
    try:
        mic.start()
    except (RuntimeError, OSError) as error:
        pytest.skip(f"PulseAudio cannot start here: {error}")
    yield mic
    mic.stop()


def test_records_five_seconds_from_the_virtual_microphone(installed: Installed, microphone: VirtualMicrophone,
                                                          shared_data: Path, tmp_path: Path) -> None:
    pulse = {"PULSE_SERVER": microphone.env["PULSE_SERVER"]}
    process = subprocess.Popen(
        ["companion", "--data-dir", str(tmp_path), "record", "--team", "Atlas", "--title", "Five seconds",
         "--input-device", "pulse"],
        env={**installed.env, **pulse}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stderr is not None
    assert "Recording" in process.stderr.readline()
    microphone.speak(decode_audio(shared_data / "speech/jfk.flac"))
    time.sleep(5.0)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    meeting = out.strip().splitlines()[-1]
    transcript = installed.ok("--data-dir", str(tmp_path), "transcript", meeting)
    assert "americans" in transcript.lower()
    # Read-aloud: pyttsx3's espeak driver writes the answer, PortAudio plays it on the virtual speakers.
    installed.ok("--data-dir", str(tmp_path), "ask", "What was said?", "--team", "Atlas", "--speak", env=pulse)


@pytest.fixture
def display() -> Iterator[str]:
    """A fresh Xvfb display with trayer as its system-tray host."""
    if not all(shutil.which(tool) for tool in TOOLS):
        pytest.skip(f"needs {', '.join(TOOLS)}")
    with tray_display() as name:
        yield name


def docked_icons(display: str) -> list[str]:
    """Windows of at least 16x16 pixels inside trayer's panel: the icons it holds (it has a 1x1 one of its own)."""
    icons = []
    for panel in window_ids(display, "--class", "trayer"):
        children = subprocess.run(["xwininfo", "-children", "-id", panel], env={**os.environ, "DISPLAY": display},
                                  capture_output=True, text=True, check=True).stdout
        icons += [m[0] for m in re.finditer(r"0x[0-9a-f]+ .*\s(\d+)x(\d+)\+", children)
                  if min(int(m[1]), int(m[2])) >= 16]
    return icons


def test_the_desktop_app_shows_its_window_and_tray_icon(installed: Installed, display: str, tmp_path: Path) -> None:
    env = {**installed.env, "DISPLAY": display, "COMPANION_DATA_DIR": str(tmp_path / "data")}
    log = installed.home / ".local/state/meeting-companion/log/companion.log"
    before = log.stat().st_size  # the commands before this one logged there too
    app = subprocess.Popen(["meeting-companion"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True)
    try:
        assert window_ids(display, "--sync", "--onlyvisible", "--name", "^Meeting Companion$"), "no window"
        deadline = time.monotonic() + 180
        while not re.search("models ready|failed", logged := log.read_bytes()[before:].decode()):
            assert app.poll() is None and time.monotonic() < deadline, "the app did not finish loading its models"
            time.sleep(0.5)
        assert "ERROR" not in logged and "failed" not in logged, logged[-3000:]
        assert "global shortcut" in logged and "is listening" in logged  # pynput's X backend was bundled
        assert docked_icons(display), "no icon in the tray"
        shot = tmp_path / "desktop.png"
        colours = subprocess.run([sys.executable, str(Path(__file__).with_name("screenshot.py")), str(shot)],
                                 env={**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"},
                                 capture_output=True, text=True, timeout=60, check=True).stdout
        assert int(colours) >= 50, f"a blank screen: {colours} colours"
        assert app.poll() is None
    finally:
        app.send_signal(signal.SIGTERM)
        output = app.communicate(timeout=60)[0]
    assert app.returncode == 0, output[-3000:]
