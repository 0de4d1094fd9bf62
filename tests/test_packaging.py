"""The installers' inputs that can be checked on Linux: the icons packaging/make_icons.py renders, and the
Windows, macOS and CI files (which only their own runners can build) parse and point at files that exist."""

from __future__ import annotations

import os
import plistlib
import re
import subprocess
import sys
from pathlib import Path

import yaml
from conftest import REPO
from PIL import IcoImagePlugin, Image

MAKE_ICONS = REPO / "packaging" / "make_icons.py"
BRAND_BLUE = (0x2F, 0x6F, 0xDE, 255)
"""The speech bubble's fill in assets/icon.svg."""


def make_icons(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(MAKE_ICONS), *args], capture_output=True, text=True, env=env,
                          timeout=120)


def test_make_icons_renders_every_size_the_installers_take(tmp_path: Path) -> None:
    result = make_icons("--out", str(tmp_path))
    assert result.returncode == 0, result.stderr

    png = Image.open(tmp_path / "icon-256.png")
    assert png.size == (256, 256) and png.mode == "RGBA"
    assert png.getpixel((0, 0)) == (0, 0, 0, 0), "the corners stay transparent"
    assert png.getpixel((128, 60)) == BRAND_BLUE, "the SVG was drawn, not an empty canvas"

    ico = Image.open(tmp_path / "icon.ico")
    assert isinstance(ico, IcoImagePlugin.IcoImageFile)
    assert ico.info["sizes"] == {(s, s) for s in (16, 24, 32, 48, 64, 128, 256)}
    small = ico.ico.getimage((16, 16)).convert("RGBA")
    assert small.getchannel("A").getbbox() is not None, "the 16 px frame has visible pixels"

    icns = Image.open(tmp_path / "icon.icns")
    assert {(16, 16, 2), (128, 128, 1), (256, 256, 2), (512, 512, 1), (512, 512, 2)} <= set(icns.info["sizes"])
    assert icns.size == (1024, 1024)


def test_make_icons_refuses_an_unreadable_svg_in_one_line(tmp_path: Path) -> None:
    broken = tmp_path / "broken.svg"
    broken.write_text("<svg")
    out = tmp_path / "icons"

    result = make_icons("--svg", str(broken), "--out", str(out))

    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == f"make_icons: error: {broken} is not a readable SVG file"
    assert not (out / "icon.ico").exists()


def test_the_macos_info_plist_asks_for_the_microphone_and_opens_the_window() -> None:
    plist = plistlib.loads((REPO / "packaging" / "macos" / "Info.plist").read_bytes())
    assert "records your meetings" in plist["NSMicrophoneUsageDescription"]
    assert plist["CFBundleExecutable"] == "meeting-companion"  # the windowed app, not the console CLI
    assert plist["LSBackgroundOnly"] is False and plist["LSUIElement"] is False
    assert "CFBundleShortVersionString" not in plist, "the spec's BUNDLE(version=...) must not be overridden"


def test_the_inno_setup_script_takes_the_bundle_and_icon_from_where_they_are_built() -> None:
    script = REPO / "packaging" / "windows" / "meeting-companion.iss"
    text = script.read_text()

    def resolved(pattern: str) -> Path:
        match = re.search(pattern, text, re.MULTILINE)
        assert match, pattern
        return (script.parent / match[1].replace("\\", "/")).resolve()

    assert resolved(r'^#define Bundle "(.+)"$') == REPO / "dist" / "meeting-companion"
    assert resolved(r"^SetupIconFile=(.+)$") == REPO / "packaging" / "icons" / "icon.ico"
    assert resolved(r"^OutputDir=(.+)$") == REPO / "dist"
    assert re.search(r"^AppId=\{\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}\}$", text, re.MULTILINE)


def test_the_installers_workflow_builds_on_three_runners_from_files_that_exist() -> None:
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "installers.yml").read_text())
    job = workflow["jobs"]["build"]
    runners = {entry["os"].split("-")[0] for entry in job["strategy"]["matrix"]["include"]}
    assert runners == {"ubuntu", "windows", "macos"}

    commands = "\n".join(step.get("run", "") for step in job["steps"])
    named = {Path(path.replace("\\", "/")) for path in re.findall(r"\b(?:packaging|scripts)[/\\][\w./\\-]+", commands)}
    assert Path("packaging/companion.spec") in named
    missing = [str(path) for path in named if not (REPO / path).is_file()]
    assert not missing, f"the workflow runs files that are not in the checkout: {missing}"
